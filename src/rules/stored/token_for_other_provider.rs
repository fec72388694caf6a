//! CC206 `token-for-other-provider`.

use crate::facts::Facts;
use crate::rules::support::{candidates, erase_then_new, https_urls};
use crate::rules::{declare_rule, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for a token issued by one provider sent to another: a `glpat-` token to
    /// github.com, a `ghp_` token to bitbucket.org, an `ATATT` token to gitlab.com.
    ///
    /// ## Why is this bad?
    /// No provider accepts another's tokens: the push fails with `Authentication failed`.
    /// It usually means a store line or header written for one host matches another.
    ///
    /// ## Example
    /// ```console
    /// https://alice:glpat-…@github.com
    /// ```
    ///
    /// ## Fix
    /// Remove the entry and store a token from the right provider.
    ///
    /// ## When it is silent
    /// - For a host that is not a known provider: a self-hosted server may take anything.
    /// - For a secret whose shape does not name its issuer (an account password, a JWT,
    ///   a bare 40-character hex token).
    /// - For a token of the same provider family: a GitHub token sent to GitHub Enterprise
    ///   Server is not reported.
    /// - For a secret it cannot see: only the push URL, an `http.extraHeader`, a
    ///   `~/.netrc` entry, a token variable read by `gh`/`glab` and a `store` line are
    ///   judged.
    /// - In the pre-push stage, for the URL git has just authenticated to.
    ///
    /// ## References
    /// - [GitHub token formats](https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/)
    TOKEN_FOR_OTHER_PROVIDER, "CC206", "token-for-other-provider", Credential, Error,
    "a token issued by another provider is sent", token_for_other_provider
}

fn token_for_other_provider(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let Some(provider) = u.provider else { continue };
        for c in candidates(&facts.env, u, https) {
            let Some(issuer) = c.secret.and_then(|s| s.provider) else {
                continue;
            };
            if issuer.family() == provider.family() {
                continue;
            }
            out.push(
                Finding::at(
                    u,
                    format!(
                        "{} will send {} to {}",
                        u.label(),
                        c.describe(),
                        provider.info().name
                    ),
                )
                .location(c.location.clone())
                .cause(format!(
                    "it is a {} token; {} accepts only its own tokens",
                    issuer.info().name,
                    provider.info().name
                ))
                .fix(
                    "replace it with a token from this provider",
                    erase_then_new(u, https, &c),
                )
                .certain_if(c.certain)
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
    use crate::rules::support::samples::{GHP, GLPAT};
    use crate::rules::testing::severities;
    use crate::rules::Severity::*;

    #[test]
    fn foreign_tokens() {
        let f = with_store("https://github.com/a/b.git", Some("alice"), GLPAT);
        assert_eq!(severities(&TOKEN_FOR_OTHER_PROVIDER, &f), vec![Error]);
        let f = with_store("https://bitbucket.org/a/b.git", Some("alice"), GHP);
        assert_eq!(severities(&TOKEN_FOR_OTHER_PROVIDER, &f), vec![Error]);
        let f = with_store("https://github.com/a/b.git", Some("alice"), GHP);
        assert!(severities(&TOKEN_FOR_OTHER_PROVIDER, &f).is_empty());
    }

    #[test]
    fn silent_for_an_unknown_host_or_shape() {
        let f = with_store("https://git.example.test/a/b.git", Some("alice"), GLPAT);
        assert!(severities(&TOKEN_FOR_OTHER_PROVIDER, &f).is_empty());
        let f = with_store(
            "https://github.com/a/b.git",
            Some("alice"),
            "correct horse battery staple",
        );
        assert!(severities(&TOKEN_FOR_OTHER_PROVIDER, &f).is_empty());
    }
}
