//! CC204 `token-username-mismatch`.

use crate::facts::Facts;
use crate::rules::support::{candidates, erase_then_new, https_urls};
use crate::rules::{declare_rule, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for a token paired with a user name its provider does not accept with it:
    /// a Bitbucket access token (`ATCTT…`) without `x-token-auth`, an Atlassian API token
    /// (`ATATT…`) with `x-token-auth`, and a Bitbucket user name that reads like the label
    /// given to the token (`git-push-token`) rather than the Bitbucket username.
    ///
    /// ## Why is this bad?
    /// The server checks the pair and answers `Authentication failed` or
    /// `You may not have access to this repository`.
    ///
    /// ## Example
    /// ```console
    /// https://alice:ATCTT…@bitbucket.org
    /// ```
    ///
    /// ## Fix
    /// Store the access token with the user name `x-token-auth`.
    ///
    /// ## When it is silent
    /// - For a credential whose user name or secret it cannot see (both are needed), and
    ///   for secrets of other kinds (GitHub, GitLab tokens, passwords).
    /// - For a user name that reads like a token's label on any provider but Bitbucket
    ///   Cloud (GitLab ignores the user name).
    /// - For the fixed token user names (`x-token-auth`, `x-bitbucket-api-token-auth`,
    ///   `x-access-token`, `gitlab-ci-token`) and any name with an `@`: only a name
    ///   containing `token`, `app-password` or `apppassword` reads as a label.
    /// - In the pre-push stage, for the URL git has just authenticated to.
    ///
    /// ## References
    /// - [Bitbucket: access tokens](https://support.atlassian.com/bitbucket-cloud/docs/using-access-tokens/)
    TOKEN_USERNAME_MISMATCH, "CC204", "token-username-mismatch", Credential, Warning,
    "a token is paired with a user name its provider does not accept", token_username_mismatch
}

fn token_username_mismatch(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        for c in candidates(&facts.env, u, https) {
            let (Some(secret), Some(user)) = (c.secret, c.username) else {
                continue;
            };
            let Some(want) = u
                .provider
                .and_then(|p| p.info().username_needed(secret.kind, user))
            else {
                continue;
            };
            out.push(
                Finding::at(
                    u,
                    format!(
                        "{} pairs {} with the user name `{user}`",
                        u.label(),
                        c.describe()
                    ),
                )
                .location(c.location.clone())
                .cause(format!("this kind of token needs the user name {want}"))
                .fix(
                    format!("store the token with the user name {want}"),
                    erase_then_new(u, https, &c),
                )
                .likely()
                .rejects_auth(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::testing::*;
    use crate::rules::support::samples::{ATATT, GLPAT};
    use crate::rules::testing::severities;
    use crate::rules::Severity::*;

    const ATCTT: &str = "ATCTT3xFfGN0aaaaaaaaaaaaaaaaaaaaaaaaaaa";

    #[test]
    fn username_pairs() {
        let f = with_store("https://bitbucket.org/a/b.git", Some("alice"), ATCTT);
        assert_eq!(severities(&TOKEN_USERNAME_MISMATCH, &f), vec![Warning]);
        let f = with_store("https://bitbucket.org/a/b.git", Some("x-token-auth"), ATCTT);
        assert!(severities(&TOKEN_USERNAME_MISMATCH, &f).is_empty());
    }

    #[test]
    fn token_label_as_user_name() {
        let f = with_store(
            "https://bitbucket.org/a/b.git",
            Some("git-push-token"),
            ATATT,
        );
        assert_eq!(severities(&TOKEN_USERNAME_MISMATCH, &f), vec![Warning]);
        let f = with_store(
            "https://bitbucket.org/a/b.git",
            Some("x-bitbucket-api-token-auth"),
            ATATT,
        );
        assert!(severities(&TOKEN_USERNAME_MISMATCH, &f).is_empty());
        let f = with_store("https://gitlab.com/a/b.git", Some("my-token"), GLPAT);
        assert!(
            severities(&TOKEN_USERNAME_MISMATCH, &f).is_empty(),
            "GitLab ignores the user name"
        );
    }

    #[test]
    fn api_token_with_x_token_auth() {
        let f = with_store("https://bitbucket.org/a/b.git", Some("x-token-auth"), ATATT);
        assert_eq!(severities(&TOKEN_USERNAME_MISMATCH, &f), vec![Warning]);
    }
}
