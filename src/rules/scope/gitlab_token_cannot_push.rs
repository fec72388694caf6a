//! CC205 `gitlab-token-cannot-push`.

use crate::facts::Facts;
use crate::provider::{Provider, PROVIDERS};
use crate::rules::support::{candidates, erase_then_new, https_urls};
use crate::rules::{declare_rule, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for GitLab tokens that cannot push: deploy tokens (`gldt-…` or user
    /// `gitlab+deploy-token-N`, which have no `write_repository` scope) and CI/CD job
    /// tokens (`glcbt-…` or user `gitlab-ci-token`, which push only where the project
    /// allows it).
    ///
    /// ## Why is this bad?
    /// GitLab answers `You are not allowed to upload code.` with HTTP 403.
    ///
    /// ## Example
    /// ```console
    /// https://gitlab+deploy-token-12:gldt-…@gitlab.com
    /// ```
    ///
    /// ## Fix
    /// Push with a personal, project or group access token that has `write_repository`.
    ///
    /// ## When it is silent
    /// - For a known provider other than GitLab. An unknown host may be a self-managed
    ///   GitLab and is checked.
    /// - For any other credential: personal, project and group access tokens, passwords,
    ///   and credentials it cannot see (a keyring's, `cache`'s).
    ///
    /// A job token is a warning only: the project may allow it to push. The rule is not
    /// silenced in the pre-push stage: GitLab accepts the login and refuses the upload.
    ///
    /// ## References
    /// - [GitLab: deploy tokens](https://docs.gitlab.com/user/project/deploy_tokens/)
    GITLAB_TOKEN_CANNOT_PUSH, "CC205", "gitlab-token-cannot-push", Credential, Error,
    "a GitLab deploy token or CI job token is used to push", gitlab_token_cannot_push
}

fn gitlab_token_cannot_push(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        // An unrecognised host may be a self-managed instance: ask every table.
        let tables: Vec<&Provider> = match u.provider {
            Some(p) => vec![p.info()],
            None => PROVIDERS.to_vec(),
        };
        for c in candidates(&facts.env, u, https) {
            let kind = c.secret.map(|s| s.kind);
            let user = c.username.unwrap_or("");
            let Some((info, cannot)) = tables
                .iter()
                .find_map(|p| p.cannot_push(kind, user).map(|x| (p, x)))
            else {
                continue;
            };
            let answer = info
                .no_write_error
                .map(|e| format!("; {} answers `{e}` (403)", info.name))
                .unwrap_or_default();
            out.push(
                Finding::at(u, format!("{} will push with {}", u.label(), c.describe()))
                    .location(c.location.clone())
                    .cause(format!("{}{answer}", cannot.why))
                    .fix(
                        format!("push with an access token that has {}", info.push_scopes),
                        erase_then_new(u, https, &c),
                    )
                    .certain_if(cannot.always && c.certain),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::testing::*;
    use crate::rules::support::samples::GLPAT;
    use crate::rules::testing::severities;
    use crate::rules::Severity::*;

    const GLDT: &str = "gldt-aaaaaaaaaaaaaaaaaaaa";

    #[test]
    fn gitlab_tokens() {
        let f = with_store(
            "https://gitlab.com/a/b.git",
            Some("gitlab+deploy-token-1"),
            GLDT,
        );
        assert_eq!(severities(&GITLAB_TOKEN_CANNOT_PUSH, &f), vec![Error]);
        let f = with_store(
            "https://gitlab.com/a/b.git",
            Some("gitlab-ci-token"),
            "glcbt-aaaaaaaaaaaaaaaaaaaa",
        );
        assert_eq!(severities(&GITLAB_TOKEN_CANNOT_PUSH, &f), vec![Warning]);
        let f = with_store("https://gitlab.com/a/b.git", Some("alice"), GLPAT);
        assert!(severities(&GITLAB_TOKEN_CANNOT_PUSH, &f).is_empty());
    }

    #[test]
    fn still_reported_where_git_has_authenticated() {
        let mut f = with_store("https://gitlab.com/a/b.git", Some("alice"), GLDT);
        f.remotes[0].urls[0].authenticated_now = true;
        assert_eq!(severities(&GITLAB_TOKEN_CANNOT_PUSH, &f), vec![Error]);
    }

    #[test]
    fn silent_for_another_provider() {
        let f = with_store(
            "https://github.com/a/b.git",
            Some("gitlab+deploy-token-1"),
            "correct horse battery staple",
        );
        assert!(severities(&GITLAB_TOKEN_CANNOT_PUSH, &f).is_empty());
    }
}
