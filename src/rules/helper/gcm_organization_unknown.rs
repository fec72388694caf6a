//! CC230 `gcm-organization-unknown`.

use super::askpass_available;
use crate::facts::credential::{Answer, HelperKind, Program};
use crate::facts::Facts;
use crate::rules::support::https_urls;
use crate::rules::{declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for Git Credential Manager in the helper cascade of a push URL on a host
    /// where GCM reads the organization from the URL's path (Azure DevOps'
    /// `dev.azure.com`), when git does not send the path (`credential.useHttpPath` is not
    /// set for it) and the URL carries no user naming the organization.
    ///
    /// ## Why is this bad?
    /// GCM cannot tell which organization the credential is for, and refuses every
    /// request: `fatal: Cannot determine the organization name for this 'dev.azure.com'
    /// remote URL. Ensure the credential.useHttpPath configuration value is set, or set
    /// the organization name as the user in the remote URL '{org}@dev.azure.com'.` Git
    /// then falls back to the next helper or a prompt; with neither the push dies with
    /// `could not read Username`. GCM's installer (and Git for Windows' system
    /// configuration) sets `credential.https://dev.azure.com.useHttpPath true`; a
    /// configuration written by hand, or GCM installed from a package manager without
    /// `git-credential-manager configure`, lacks it.
    ///
    /// ## Example
    /// ```ini
    /// [credential]
    ///     helper = manager
    /// [remote "origin"]
    ///     url = https://dev.azure.com/contoso/web/_git/app
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git config --global credential.https://dev.azure.com.useHttpPath true
    /// ```
    /// An error when nothing else can supply a credential and nobody can type one;
    /// otherwise a warning.
    ///
    /// ## When it is silent
    /// - `credential.useHttpPath` is true for the URL, or the URL (or
    ///   `credential.username`) carries a user: GCM takes the organization from it.
    /// - The host carries the organization itself (`<org>.visualstudio.com`), or is not
    ///   such a host.
    /// - No GCM helper (`manager`, `manager-core`) that git can run is in the cascade.
    /// - In the pre-push stage, for the URL git has just authenticated to.
    ///
    /// ## References
    /// - [GCM: Azure Repos, `credential.useHttpPath`](https://github.com/git-ecosystem/git-credential-manager/blob/main/docs/azrepos-users-and-tokens.md)
    /// - [gitcredentials(7): useHttpPath](https://git-scm.com/docs/gitcredentials#Documentation/gitcredentials.txt-useHttpPath)
    GCM_ORGANIZATION_UNKNOWN, "CC230", "gcm-organization-unknown", Credential, Error,
    "the URL gives Git Credential Manager no organization", gcm_organization_unknown
}

fn gcm_organization_unknown(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let Some(provider) = u.provider.map(|p| p.info()) else {
            continue;
        };
        let host = https.request.host.as_str();
        if https.use_http_path
            || u.authenticated_now
            || https.request.username.is_some()
            || !provider.gcm_org_from_path.iter().any(|h| h.eq_ignore_ascii_case(host))
        {
            continue;
        }
        let is_gcm = |k: HelperKind| matches!(k, HelperKind::Manager | HelperKind::ManagerCore);
        let Some(gcm) = https.helpers.iter().find(|h| {
            is_gcm(h.kind) && !matches!(h.program, Program::Missing { .. } | Program::NotExecutable { .. })
        }) else {
            continue;
        };
        let nothing_else = u.url.password.is_none()
            && https.extra_headers.is_empty()
            && https.netrc.is_none()
            && https.helpers.iter().all(|h| is_gcm(h.kind) || h.answer == Answer::No)
            && !askpass_available(https)
            && !facts.env.can_prompt();
        out.push(
            Finding::at(u, format!("{} gives Git Credential Manager no {} organization", u.label(), provider.name))
                .location(Location::from(&gcm.source))
                .cause(if nothing_else {
                    format!("git sends GCM only `{host}` (no path, no user), so GCM refuses with `Cannot determine the organization name`; nothing else can supply a credential and nobody can type one")
                } else {
                    format!("git sends GCM only `{host}` (no path, no user), so GCM refuses with `Cannot determine the organization name` and git falls back to other helpers or a prompt")
                })
                .fix(
                    "let git send the path to credential helpers for this host",
                    vec![format!("git config --global credential.https://{host}.useHttpPath true")],
                )
                .certain_if(nothing_else),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::testing::*;
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;

    const URL: &str = "https://dev.azure.com/contoso/web/_git/app";

    fn with_gcm(url: &str) -> Facts {
        let mut f = with_push_url(url);
        f.env.tty = false;
        https_mut(&mut f).helpers.push(helper(
            HelperKind::Manager,
            Program::Found { path: "C:/Program Files/Git/mingw64/bin/git-credential-manager.exe".into() },
            Answer::Maybe,
        ));
        f
    }

    #[test]
    fn fires_without_the_path_or_a_user() {
        let f = with_gcm(URL);
        let d = diagnose(&GCM_ORGANIZATION_UNKNOWN, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Error);
        assert_eq!(
            d[0].finding.message,
            "remote `origin` (https://dev.azure.com/contoso/web/_git/app) gives Git Credential Manager no Azure DevOps organization"
        );
        assert_eq!(fix_commands(&d[0]), "git config --global credential.https://dev.azure.com.useHttpPath true");
        // Someone can type a credential at git's prompt: a warning.
        let mut f = with_gcm(URL);
        f.env.tty = true;
        assert_eq!(severities(&GCM_ORGANIZATION_UNKNOWN, &f), vec![Warning]);
    }

    #[test]
    fn silent_when_gcm_can_tell_the_organization() {
        let mut f = with_gcm(URL);
        https_mut(&mut f).use_http_path = true;
        assert!(severities(&GCM_ORGANIZATION_UNKNOWN, &f).is_empty());
        let mut f = with_gcm(URL);
        https_mut(&mut f).request.username = Some("contoso".into());
        assert!(severities(&GCM_ORGANIZATION_UNKNOWN, &f).is_empty());
        // The organization is in the host.
        let f = with_gcm("https://contoso.visualstudio.com/web/_git/app");
        assert!(severities(&GCM_ORGANIZATION_UNKNOWN, &f).is_empty());
        // Another helper, not GCM.
        let mut f = with_push_url(URL);
        https_mut(&mut f).helpers.push(helper(HelperKind::Store, Program::Builtin, Answer::No));
        assert!(severities(&GCM_ORGANIZATION_UNKNOWN, &f).is_empty());
    }
}
