//! CC209 `credential-source-missing`.

use crate::facts::credential::{Answer, Program};
use crate::facts::Facts;
use crate::rules::support::https_urls;
use crate::rules::{advice, declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for an HTTPS push where nobody can type a credential (CI, no terminal,
    /// `GIT_TERMINAL_PROMPT=0`) and nothing else can supply one: no password in the URL,
    /// no `http.extraHeader`, no `~/.netrc` entry, no helper that can answer, no askpass
    /// program.
    ///
    /// ## Why is this bad?
    /// git dies with `fatal: could not read Username for 'https://…': terminal prompts
    /// disabled`. When an SSH key is provisioned on the machine, the remote should be SSH.
    ///
    /// ## Example
    /// ```console
    /// $ CI=true git push
    /// fatal: could not read Username for 'https://bitbucket.org': terminal prompts disabled
    /// ```
    ///
    /// ## Fix
    /// Give the job a credential (a helper that reads a token from the environment, or
    /// `http.extraHeader`), or switch the remote to SSH when a deploy key is installed.
    ///
    /// ## When it is silent
    /// - When git can prompt: there is a terminal and `GIT_TERMINAL_PROMPT` is not `0`.
    /// - For SSH push URLs.
    /// - When anything may supply a credential: a password in the URL, an
    ///   `http.extraHeader`, a `~/.netrc` entry, an `http.proxy` (it may authenticate on
    ///   the user's behalf), a helper that may answer, or an askpass program that can be
    ///   run.
    /// - When a configured helper cannot be run: `credential-helper-missing` (CC201)
    ///   reports that cause instead; likewise `askpass-program-missing` (CC218) for an
    ///   askpass program that cannot be run.
    /// - In the pre-push stage, for the URL git has just authenticated to.
    ///
    /// A warning, not an error, when the host is not a known provider.
    ///
    /// ## References
    /// - [git(1): GIT_TERMINAL_PROMPT](https://git-scm.com/docs/git#Documentation/git.txt-codeGITTERMINALPROMPTcode)
    CREDENTIAL_SOURCE_MISSING, "CC209", "credential-source-missing", Credential, Error,
    "nothing can supply a credential and nobody can type one", credential_source_missing
}

fn credential_source_missing(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    if facts.env.can_prompt() {
        return out;
    }
    for (u, https) in https_urls(facts) {
        let missing_helper = https.helpers.iter().any(|h| {
            matches!(
                h.program,
                Program::Missing { .. } | Program::NotExecutable { .. }
            )
        });
        if u.url.password.is_some()
            || !https.extra_headers.is_empty()
            || https.netrc.is_some()
            || https.proxy.is_some()
            || missing_helper
            || https.helpers.iter().any(|h| h.answer != Answer::No)
            // An askpass that runs may ask; one that cannot is CC218's cause.
            || !https.askpass.is_empty()
        {
            continue;
        }
        let why = match (&facts.env.ci, facts.env.terminal_prompt_disabled) {
            (Some(ci), _) => format!("this is a CI run ({ci} is set)"),
            (None, true) => "GIT_TERMINAL_PROMPT=0".to_owned(),
            (None, false) => "there is no terminal".to_owned(),
        };
        let host = &https.request.host;
        let mut fix = Vec::new();
        let ssh_url = u
            .url
            .host
            .as_deref()
            .map(|h| format!("git@{h}:{}", u.url.path));
        let title = if let (false, Some(ssh_url)) =
            (facts.env.ssh_keys.is_empty(), ssh_url.as_ref())
        {
            fix.push(format!(
                "# an SSH key is provisioned here ({}): use SSH",
                facts.env.ssh_keys.join(", ")
            ));
            fix.push(advice::set_url(u, ssh_url));
            "switch the remote to SSH"
        } else {
            fix.push(format!("git config --global credential.https://{host}.helper '!f() {{ echo username=<user>; echo \"password=$YOUR_TOKEN_VARIABLE\"; }}; f'"));
            "supply a credential from the job's secrets"
        };
        out.push(
            Finding::at(u, format!("{} has no credential source and {why}", u.label()))
                .location(u.configured.as_ref().map(Location::from))
                .cause(format!("git will die with `fatal: could not read Username for 'https://{host}': terminal prompts disabled`"))
                .fix(title, fix)
                .certain_if(u.provider.is_some())
                .rejects_auth(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::credential::HelperKind;
    use crate::facts::testing::*;
    use crate::rules::support::samples::ATATT;
    use crate::rules::testing::{diagnose, severities};
    use crate::rules::Severity::*;

    #[test]
    fn no_source_in_ci() {
        let mut f = with_push_url("https://bitbucket.org/a/b.git");
        f.env.tty = false;
        f.env.ci = Some("CI".into());
        assert_eq!(severities(&CREDENTIAL_SOURCE_MISSING, &f), vec![Error]);
        assert_eq!(
            diagnose(&CREDENTIAL_SOURCE_MISSING, &f)[0].finding.message,
            "remote `origin` (https://bitbucket.org/a/b.git) has no credential source and this is a CI run (CI is set)"
        );
        f.env.ssh_keys = vec!["id_ed25519".into()];
        let d = diagnose(&CREDENTIAL_SOURCE_MISSING, &f);
        assert!(d[0].finding.fix.as_ref().is_some_and(|x| x
            .commands
            .iter()
            .any(|c| c.contains("git@bitbucket.org:a/b.git"))));
        f.env.tty = true;
        assert!(severities(&CREDENTIAL_SOURCE_MISSING, &f).is_empty());
        let mut f = with_store("https://bitbucket.org/a/b.git", Some("alice"), ATATT);
        f.env.tty = false;
        assert!(severities(&CREDENTIAL_SOURCE_MISSING, &f).is_empty());
    }

    #[test]
    fn a_proxy_may_authenticate() {
        let mut f = with_push_url("http://bitbucket.org/a/b.git");
        f.env.tty = false;
        f.env.ci = Some("BITBUCKET_BUILD_NUMBER".into());
        assert_eq!(severities(&CREDENTIAL_SOURCE_MISSING, &f), vec![Error]);
        https_mut(&mut f).proxy = Some(source("http.http://bitbucket.org.proxy"));
        assert!(severities(&CREDENTIAL_SOURCE_MISSING, &f).is_empty());
    }

    #[test]
    fn a_missing_helper_is_left_to_cc201() {
        let mut f = with_push_url("https://bitbucket.org/a/b.git");
        f.env.tty = false;
        https_mut(&mut f).helpers.push(helper(
            HelperKind::Custom,
            Program::Missing {
                looked_for: "git-credential-gone".into(),
            },
            Answer::No,
        ));
        assert!(severities(&CREDENTIAL_SOURCE_MISSING, &f).is_empty());
    }

    #[test]
    fn warning_for_an_unknown_host() {
        let mut f = with_push_url("https://git.example.test/a/b.git");
        f.env.terminal_prompt_disabled = true;
        assert_eq!(severities(&CREDENTIAL_SOURCE_MISSING, &f), vec![Warning]);
    }
}
