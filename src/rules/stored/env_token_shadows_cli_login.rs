//! CC217 `env-token-shadows-cli-login`.

use crate::facts::credential::HelperKind;
use crate::facts::Facts;
use crate::rules::support::{candidates, https_urls};
use crate::rules::{declare_rule, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for `gh auth git-credential` or `glab auth git-credential` as the helper that
    /// answers for an HTTPS push URL while a token variable it prefers is set
    /// (`GH_TOKEN`/`GITHUB_TOKEN` for github.com, `GH_ENTERPRISE_TOKEN` for GitHub
    /// Enterprise, `GITLAB_TOKEN`/`GITLAB_ACCESS_TOKEN`/`OAUTH_TOKEN` for glab), and the CLI
    /// also holds a login of its own for the host.
    ///
    /// ## Why is this bad?
    /// The helper answers with the variable's token, not with the login you made with
    /// `gh auth login`. A token exported for another tool (read-only, for the API, for
    /// another account or organisation) then fails the push with `Permission denied`,
    /// `Write access to repository not granted` or `Authentication failed`, while the same
    /// command works in a shell without the variable: "works on my machine, fails in CI",
    /// or the reverse.
    ///
    /// ## Example
    /// ```console
    /// $ GITHUB_TOKEN=github_pat_… git push
    /// remote: Write access to repository not granted.
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// env -u GITHUB_TOKEN git push   # use gh's own login this once
    /// ```
    /// or make the variable hold the token you mean to push with.
    ///
    /// ## When it is silent
    /// - When the CLI has no login of its own for the host: the variable is then the only
    ///   credential (the usual CI set-up), not a shadow. A login kept only in a keyring by
    ///   `glab` is not seen.
    /// - When the helper that answers first is not `gh`/`glab`, or an `http.extraHeader`
    ///   is sent instead (`extra-header-shadows-credential`, CC210).
    /// - For hosts that are not a known provider (which variables the CLI reads depends on
    ///   the host).
    /// - In the pre-push stage, for the URL git has just authenticated to.
    ///
    /// ## References
    /// - [gh help environment](https://cli.github.com/manual/gh_help_environment)
    /// - [glab: environment variables](https://gitlab.com/gitlab-org/cli#environment-variables)
    ENV_TOKEN_SHADOWS_CLI_LOGIN, "CC217", "env-token-shadows-cli-login", Credential, Warning,
    "a token variable is sent instead of the gh/glab login", env_token_shadows_cli_login
}

fn env_token_shadows_cli_login(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        if https.cli_login != Some(true) || https.auth_header().is_some() {
            continue;
        }
        let Some((_, h)) = https.first_answering() else {
            continue;
        };
        if !matches!(h.kind, HelperKind::Gh | HelperKind::Glab) {
            continue;
        }
        // The candidate the helper answers with from the environment, if any.
        let Some(c) = candidates(&facts.env, u, https)
            .into_iter()
            .find(|c| c.env_variable().is_some())
        else {
            continue;
        };
        let var = c.env_variable().unwrap_or_default().to_owned();
        let Some(program) = u.provider.and_then(|p| p.info().cli_helper).map(|c| c.program) else {
            continue;
        };
        let host = u.url.host.as_deref().unwrap_or_default();
        out.push(
            Finding::at(
                u,
                format!(
                    "{} will send {}, not the login `{program}` holds for {host}",
                    u.label(),
                    c.describe()
                ),
            )
            .location(c.location.clone())
            .cause(format!(
                "the credential helper prefers {var} to its own login; a token set for another tool or account is refused or cannot push"
            ))
            .fix(
                format!("push without {var}, or make it hold the token you mean"),
                vec![
                    format!("env -u {var} git push   # uses {program}'s own login"),
                    format!("unset {var}   # where it is set: shell profile, CI step, IDE"),
                ],
            )
            .likely()
            .rejects_auth(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::credential::{Answer, Program};
    use crate::facts::testing::*;
    use crate::rules::support::samples::{GHP, GLPAT};
    use crate::rules::testing::{diagnose, severities};
    use crate::rules::Severity::*;

    fn with_cli(url: &str, kind: HelperKind, login: bool) -> Facts {
        let mut f = with_push_url(url);
        let h = https_mut(&mut f);
        let mut gh = helper(kind, Program::Found { path: "/usr/bin/gh".into() }, Answer::Maybe);
        gh.display = format!("!{} auth git-credential …", if kind == HelperKind::Gh { "gh" } else { "glab" });
        h.helpers.push(gh);
        h.cli_login = Some(login);
        f
    }

    #[test]
    fn github_token_shadows_the_gh_login() {
        let mut f = with_cli("https://github.com/a/b.git", HelperKind::Gh, true);
        assert!(severities(&ENV_TOKEN_SHADOWS_CLI_LOGIN, &f).is_empty());
        f.env.cli_tokens = vec![cli_token("GITHUB_TOKEN", GHP)];
        assert_eq!(severities(&ENV_TOKEN_SHADOWS_CLI_LOGIN, &f), vec![Warning]);
        let d = diagnose(&ENV_TOKEN_SHADOWS_CLI_LOGIN, &f);
        assert!(d[0].finding.message.contains("in GITHUB_TOKEN") && d[0].finding.message.ends_with("not the login `gh` holds for github.com"), "{}", d[0].finding.message);
        // GH_TOKEN wins over GITHUB_TOKEN, as in gh.
        f.env.cli_tokens.push(cli_token("GH_TOKEN", GHP));
        let d = diagnose(&ENV_TOKEN_SHADOWS_CLI_LOGIN, &f);
        assert!(d[0].finding.message.contains("in GH_TOKEN"), "{}", d[0].finding.message);
    }

    #[test]
    fn glab_reads_its_own_variables() {
        let mut f = with_cli("https://gitlab.com/a/b.git", HelperKind::Glab, true);
        f.env.cli_tokens = vec![cli_token("GH_TOKEN", GHP)];
        assert!(severities(&ENV_TOKEN_SHADOWS_CLI_LOGIN, &f).is_empty());
        f.env.cli_tokens = vec![cli_token("GITLAB_ACCESS_TOKEN", GLPAT)];
        assert_eq!(severities(&ENV_TOKEN_SHADOWS_CLI_LOGIN, &f), vec![Warning]);
    }

    #[test]
    fn silent_without_a_login_to_shadow() {
        // The CI set-up: the variable is the only credential.
        let mut f = with_cli("https://github.com/a/b.git", HelperKind::Gh, false);
        f.env.cli_tokens = vec![cli_token("GH_TOKEN", GHP)];
        assert!(severities(&ENV_TOKEN_SHADOWS_CLI_LOGIN, &f).is_empty());
        // git has just authenticated with it.
        let mut f = with_cli("https://github.com/a/b.git", HelperKind::Gh, true);
        f.env.cli_tokens = vec![cli_token("GH_TOKEN", GHP)];
        f.remotes[0].urls[0].authenticated_now = true;
        assert!(severities(&ENV_TOKEN_SHADOWS_CLI_LOGIN, &f).is_empty());
    }
}
