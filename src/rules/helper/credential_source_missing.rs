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
    /// In a known CI the fix names that CI's own way: its job token where the CI's forge
    /// takes it for a push (and how the checkout keeps it), else how a job passes a
    /// secret of its own to a step.
    ///
    /// ## When it is silent
    /// - When git can prompt: there is a terminal and `GIT_TERMINAL_PROMPT` is not `0`.
    /// - For SSH push URLs.
    /// - When anything may supply a credential: a password in the URL, an
    ///   `http.extraHeader`, a `~/.netrc` entry, a token written as the URL's user name
    ///   (libcurl sends it), a URL-scoped `http.<url>.proxy` (CI systems use one that
    ///   adds the job's credential; a general `http.proxy` answers only for itself), a
    ///   helper that may answer, or an askpass program that can be run.
    /// - When a configured helper cannot be run: `credential-helper-missing` (CC201)
    ///   reports that cause instead; likewise `askpass-program-missing` (CC218) for an
    ///   askpass program that cannot be run.
    /// - In the pre-push stage, for the URL git has just authenticated to.
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
        // A URL-scoped proxy (`http.<url>.proxy`, as CI systems set one that adds the
        // job's credential) may authenticate for the origin; a general `http.proxy` only
        // answers for itself (its own 407).
        let url_scoped_proxy = https
            .proxy
            .as_ref()
            .is_some_and(|p| p.key.matches('.').count() > 1);
        if u.url.password.is_some()
            // libcurl sends a token written as the URL's user name without asking anyone.
            || u.url.user_secret.is_some()
            || !https.extra_headers.is_empty()
            || https.netrc.is_some()
            || url_scoped_proxy
            || missing_helper
            || https.helpers.iter().any(|h| h.answer != Answer::No)
            // An askpass that runs may ask; one that cannot is CC218's cause.
            || !https.askpass.is_empty()
        {
            continue;
        }
        // Only reached when nobody can type (see `can_prompt` above): a CI marker is then
        // the likeliest reason, and the one people search for.
        let why = match (&facts.env.ci, facts.env.terminal_prompt_disabled) {
            (Some(ci), _) => format!("this is a CI run ({ci} is set)"),
            (None, true) => "GIT_TERMINAL_PROMPT=0".to_owned(),
            (None, false) => "there is no terminal".to_owned(),
        };
        let host = &https.request.host;
        // What git will print: it asks for the password when the request names the user.
        let what = if https.request.username.is_some() {
            "Password"
        } else {
            "Username"
        };
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
        } else if facts.env.ci.is_some() {
            let helper = |user: &str, var: &str| format!("git config --global credential.{}://{host}.helper '!f() {{ echo username={user}; echo \"password=${var}\"; }}; f'", u.url.scheme_text);
            let ci = facts.env.ci.as_deref().and_then(crate::provider::ci::by_marker);
            match ci.map(|ci| (ci, ci.job_token_for(u.provider))) {
                Some((ci, Some(token))) => {
                    fix.push(format!("# {}: {}", ci.name, token.how));
                    fix.push(helper(token.username, token.variable));
                    "give git the job's own token"
                }
                Some((ci, None)) => {
                    fix.push(format!("# {}: put a token that can push in {}", ci.name, ci.secret));
                    fix.push(helper("<user>", "PUSH_TOKEN"));
                    "supply a credential from the job's secrets"
                }
                None => {
                    fix.push(helper("<user>", "YOUR_TOKEN_VARIABLE"));
                    "supply a credential from the job's secrets"
                }
            }
        } else {
            // Not `cache`: it can only answer after someone typed the credential.
            fix.push("git config --global credential.helper store".into());
            fix.push("# then push once from a terminal: git asks for the token and `store` keeps it".into());
            "keep a credential where git finds it without a terminal"
        };
        out.push(
            Finding::at(u, format!("{} has no credential source and {why}", u.label()))
                .location(u.configured.as_ref().map(Location::from))
                .cause(format!("git will die with `{}`", advice::prompt_death(&facts.env, https, what)))
                .fix(title, fix)
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
    fn the_fix_names_the_ci_s_own_token() {
        let fix = |url: &str, ci: &str| {
            let mut f = with_push_url(url);
            f.env.tty = false;
            f.env.ci = Some(ci.into());
            let d = diagnose(&CREDENTIAL_SOURCE_MISSING, &f);
            let fix = d[0].finding.fix.clone().expect("fix");
            (fix.title, fix.commands.join("\n"))
        };
        let (title, cmds) = fix("https://github.com/a/b.git", "GITHUB_ACTIONS");
        assert_eq!(title, "give git the job's own token");
        assert!(cmds.contains("persist-credentials: false"), "{cmds}");
        assert!(cmds.contains("username=x-access-token; echo \"password=$GITHUB_TOKEN\""), "{cmds}");
        // GitHub's token is for GitHub: another forge needs a secret of the job's.
        let (title, cmds) = fix("https://bitbucket.org/a/b.git", "GITHUB_ACTIONS");
        assert_eq!(title, "supply a credential from the job's secrets");
        assert!(cmds.contains("secrets.PUSH_TOKEN") && cmds.contains("$PUSH_TOKEN"), "{cmds}");
        let (_, cmds) = fix("https://gitlab.com/a/b.git", "GITLAB_CI");
        assert!(cmds.contains("username=gitlab-ci-token") && cmds.contains("Allow Git push requests"), "{cmds}");
        let (_, cmds) = fix("https://bitbucket.org/a/b.git", "CI");
        assert!(cmds.contains("$YOUR_TOKEN_VARIABLE"), "{cmds}");
    }

    #[test]
    fn a_url_scoped_proxy_may_authenticate_a_general_one_does_not() {
        let mut f = with_push_url("http://bitbucket.org/a/b.git");
        f.env.tty = false;
        f.env.ci = Some("BITBUCKET_BUILD_NUMBER".into());
        assert_eq!(severities(&CREDENTIAL_SOURCE_MISSING, &f), vec![Error]);
        https_mut(&mut f).proxy = Some(source("http.proxy"));
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

    /// No helper and no terminal is as certain for a host the tables do not know.
    #[test]
    fn an_unknown_host_is_as_certain() {
        let mut f = with_push_url("https://git.example.test/a/b.git");
        f.env.terminal_prompt_disabled = true;
        assert_eq!(severities(&CREDENTIAL_SOURCE_MISSING, &f), vec![Error]);
    }

    /// `https://<token>@host` carries a credential: libcurl sends it without asking.
    #[test]
    fn a_token_as_the_url_user_is_a_credential() {
        let mut f = with_push_url("https://ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com/a/b.git");
        f.env.tty = false;
        assert!(severities(&CREDENTIAL_SOURCE_MISSING, &f).is_empty());
        let mut f = with_push_url("https://alice@github.com/a/b.git");
        f.env.tty = false;
        let d = diagnose(&CREDENTIAL_SOURCE_MISSING, &f);
        let cause = d[0].finding.cause.clone().unwrap_or_default();
        assert!(cause.contains("could not read Password for 'https://alice@github.com'"), "{cause}");
    }

    /// Outside CI the fix is no job secret, and never `cache` (it cannot answer unasked).
    #[test]
    fn outside_ci_the_fix_keeps_a_credential() {
        let mut f = with_push_url("http://git.example.test/a/b.git");
        f.env.tty = false;
        let d = diagnose(&CREDENTIAL_SOURCE_MISSING, &f);
        let fix = d[0].finding.fix.clone().expect("fix");
        assert!(!fix.title.contains("job"), "{}", fix.title);
        assert!(fix.commands.iter().all(|c| !c.contains("cache")));
        let cause = d[0].finding.cause.clone().unwrap_or_default();
        assert!(cause.contains("'http://git.example.test': No such device or address"), "{cause}");
    }
}
