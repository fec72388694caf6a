//! CC220 `token-kind-not-for-git`.

use crate::facts::Facts;
use crate::rules::support::{candidates, erase_then_new, https_urls};
use crate::rules::{declare_rule, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for a credential git will send whose token kind the provider never takes as
    /// a git login: GitLab feed, runner and pipeline trigger tokens and OAuth application
    /// secrets (`glft-`, `glrt-`, `glptt-`, `gloas-`), GitHub App refresh tokens (`ghr_`).
    /// The kinds come from the provider tables (`token_scopes`), each with its source.
    ///
    /// ## Why is this bad?
    /// These tokens authenticate an RSS reader, a runner, the trigger API or the OAuth
    /// token endpoint, nothing else: the provider refuses them for `git push` whatever the
    /// user name, and every push fails with `Authentication failed`.
    ///
    /// ## Example
    /// ```console
    /// https://alice:glft-…@gitlab.com
    /// ```
    ///
    /// ## Fix
    /// Forget the token where it is stored and create an access token that can push (for
    /// GitLab a personal, project or group access token with `write_repository`).
    ///
    /// ## When it is silent
    /// - For tokens of kinds that log in to git, whatever scope they carry: a push scope
    ///   is checked by the provider before the pre-push hook runs, so the hook has nothing
    ///   to add, and the shape of a token never tells its scope.
    /// - For a token sent to another provider's host (`token-for-other-provider` reports it).
    /// - In the pre-push hook for the URL git has just authenticated to: git got in, so
    ///   the credential it sent was not one of these.
    ///
    /// ## References
    /// - [GitLab token overview](https://docs.gitlab.com/security/tokens/)
    /// - [GitHub: refreshing user access tokens](https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens)
    TOKEN_KIND_NOT_FOR_GIT, "CC220", "token-kind-not-for-git", Credential, Error,
    "a token of a kind the provider never accepts for git is used to push", token_kind_not_for_git
}

fn token_kind_not_for_git(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        for c in candidates(&facts.env, u, https) {
            let Some(secret) = c.secret else { continue };
            // The issuer's table; an unknown host may be a self-hosted instance of it.
            let Some(issuer) = secret.provider else {
                continue;
            };
            if u.provider.is_some_and(|p| p.family() != issuer.family()) {
                continue;
            }
            let info = issuer.info();
            let Some(scope) = info.token_scope(secret.kind).filter(|s| !s.git_login) else {
                continue;
            };
            out.push(
                Finding::at(u, format!("{} will push with {}", u.label(), c.describe()))
                    .location(c.location.clone())
                    .cause(format!(
                        "{} does not take {} as a git login ({})",
                        info.name, scope.what, scope.source
                    ))
                    .fix(
                        format!("push with an access token that has {}", info.push_scopes),
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

    const GLFT: &str = "glft-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const GHR: &str = "ghr_0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123";

    #[test]
    fn feed_runner_and_refresh_tokens() {
        let f = with_store("https://gitlab.com/a/b.git", Some("alice"), GLFT);
        assert_eq!(severities(&TOKEN_KIND_NOT_FOR_GIT, &f), vec![Error]);
        let f = with_store("https://gitlab.com/a/b.git", Some("alice"), "glrt-aaaaaaaaaaaaaaaaaaaa");
        assert_eq!(severities(&TOKEN_KIND_NOT_FOR_GIT, &f), vec![Error]);
        // A self-managed GitLab on a host no table knows.
        let f = with_store("https://git.acme.test/a/b.git", Some("alice"), GLFT);
        assert_eq!(severities(&TOKEN_KIND_NOT_FOR_GIT, &f), vec![Error]);
        let f = with_store("https://github.com/a/b.git", Some("alice"), GHR);
        assert_eq!(severities(&TOKEN_KIND_NOT_FOR_GIT, &f), vec![Error]);
    }

    #[test]
    fn silent_for_tokens_that_log_in_and_for_other_hosts() {
        for (url, token) in [
            ("https://gitlab.com/a/b.git", GLPAT),
            ("https://github.com/a/b.git", GHP),
            ("https://gitlab.com/a/b.git", "gldt-aaaaaaaaaaaaaaaaaaaa"),
        ] {
            let f = with_store(url, Some("alice"), token);
            assert!(severities(&TOKEN_KIND_NOT_FOR_GIT, &f).is_empty(), "{token}");
        }
        // A GitLab feed token sent to GitHub is another rule's finding.
        let f = with_store("https://github.com/a/b.git", Some("alice"), GLFT);
        assert!(severities(&TOKEN_KIND_NOT_FOR_GIT, &f).is_empty());
    }
}
