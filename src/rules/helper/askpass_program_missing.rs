//! CC218 `askpass-program-missing`.

use crate::facts::credential::{Answer, Program};
use crate::facts::Facts;
use crate::rules::support::https_urls;
use crate::rules::{declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for an askpass program that git will run to ask for the credential of an
    /// HTTPS push URL but that does not exist or cannot be executed: the first of
    /// `GIT_ASKPASS`, `core.askPass` and `SSH_ASKPASS` that is set (git never tries the
    /// next one). IDEs set `GIT_ASKPASS` to a script inside their installation; a terminal
    /// that outlives an update or an uninstall keeps the stale path.
    ///
    /// ## Why is this bad?
    /// When no helper answers, git runs the askpass program, prints `fatal: cannot exec
    /// '…': No such file or directory`, and falls back to the terminal; without one the
    /// push dies with `could not read Username for 'https://…'`.
    ///
    /// ## Example
    /// ```console
    /// $ git push
    /// fatal: cannot exec '/home/me/.vscode-server/bin/0123abc/extensions/git/dist/askpass.sh': No such file or directory
    /// fatal: could not read Username for 'https://github.com': No such device or address
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// unset GIT_ASKPASS
    /// git config --global --unset core.askPass
    /// ```
    /// Error when nobody can type at a terminal; otherwise a warning (git asks there).
    ///
    /// ## When it is silent
    /// - When git does not need to ask: a password in the URL, an `http.extraHeader`, a
    ///   `~/.netrc` entry, an `http.proxy`, or a helper that holds or may hold a credential.
    /// - When the askpass git would run exists and is executable, even if a later one
    ///   (`SSH_ASKPASS` behind a good `GIT_ASKPASS`) is stale.
    /// - For SSH push URLs (ssh's own use of `SSH_ASKPASS` for passphrases is
    ///   `ssh-passphrase-unattended`, CC304).
    /// - In the pre-push stage, for the URL git has just authenticated to.
    ///
    /// ## References
    /// - [gitcredentials(7): requesting credentials](https://git-scm.com/docs/gitcredentials#_requesting_credentials)
    ASKPASS_PROGRAM_MISSING, "CC218", "askpass-program-missing", Credential, Error,
    "the askpass program git will run cannot be found", askpass_program_missing
}

fn askpass_program_missing(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let Some(first) = https.askpass.first() else {
            continue;
        };
        let (path, not_exec) = match &first.program {
            Program::Missing { looked_for } => (looked_for.clone(), false),
            Program::NotExecutable { path } => (path.display().to_string(), true),
            _ => continue,
        };
        if u.url.password.is_some()
            || https.auth_header().is_some()
            || https.netrc.is_some()
            || https.proxy.is_some()
            || https.helpers.iter().any(|h| h.answer != Answer::No)
        {
            continue;
        }
        let can_prompt = facts.env.can_prompt();
        let (title, cmd) = match first.source.as_ref() {
            Some(src) if not_exec => ("make the askpass program executable", format!("chmod +x '{path}'   # or: git config {} --unset core.askPass", src.scope.flag())),
            Some(src) => ("remove the stale askpass setting", format!("git config {} --unset core.askPass", src.scope.flag())),
            None if not_exec => ("make the askpass program executable", format!("chmod +x '{path}'   # or: unset {}", first.via)),
            None => ("unset the stale askpass variable", format!("unset {}   # and remove it where it is set (shell profile, IDE terminal, CI)", first.via)),
        };
        out.push(
            Finding::at(
                u,
                format!(
                    "git will run the askpass program of {} for {}, and it {}",
                    first.via,
                    u.label(),
                    if not_exec { "is not executable" } else { "does not exist" }
                ),
            )
            .location(first.source.as_ref().map(Location::from))
            .cause(if can_prompt {
                format!("git prints `fatal: cannot exec '{path}'` and falls back to asking on the terminal")
            } else {
                format!("git cannot run `{path}` and nobody can type at a terminal, so it dies with `could not read Username`")
            })
            .fix(title, vec![cmd])
            .certain_if(!can_prompt)
            .rejects_auth(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::credential::{Askpass, HelperKind};
    use crate::facts::testing::*;
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;

    fn askpass(via: &str, program: Program) -> Askpass {
        Askpass {
            via: via.into(),
            program,
            source: (via == "core.askPass").then(|| source("core.askpass")),
        }
    }

    fn gone() -> Program {
        Program::Missing {
            looked_for: "/opt/ide/askpass.sh".into(),
        }
    }

    #[test]
    fn a_stale_git_askpass_without_a_terminal() {
        let mut f = with_push_url("https://github.com/a/b.git");
        f.env.tty = false;
        https_mut(&mut f).askpass.push(askpass("GIT_ASKPASS", gone()));
        // git never tries SSH_ASKPASS after a failing GIT_ASKPASS.
        https_mut(&mut f).askpass.push(askpass(
            "SSH_ASKPASS",
            Program::Found {
                path: "/usr/bin/ssh-askpass".into(),
            },
        ));
        assert_eq!(severities(&ASKPASS_PROGRAM_MISSING, &f), vec![Error]);
        let d = diagnose(&ASKPASS_PROGRAM_MISSING, &f);
        assert_eq!(
            d[0].finding.message,
            "git will run the askpass program of GIT_ASKPASS for remote `origin` (https://github.com/a/b.git), and it does not exist"
        );
        assert!(fix_commands(&d[0]).starts_with("unset GIT_ASKPASS"));
        f.env.tty = true;
        assert_eq!(severities(&ASKPASS_PROGRAM_MISSING, &f), vec![Warning]);
    }

    #[test]
    fn core_askpass_is_unset_in_its_scope() {
        let mut f = with_push_url("https://github.com/a/b.git");
        f.env.tty = false;
        https_mut(&mut f).askpass.push(askpass("core.askPass", gone()));
        let d = diagnose(&ASKPASS_PROGRAM_MISSING, &f);
        assert_eq!(fix_commands(&d[0]), "git config --global --unset core.askPass");
    }

    #[test]
    fn silent_when_a_helper_answers_or_the_program_exists() {
        let mut f = with_store("https://github.com/a/b.git", Some("alice"), "pw");
        f.env.tty = false;
        https_mut(&mut f).askpass.push(askpass("GIT_ASKPASS", gone()));
        assert!(severities(&ASKPASS_PROGRAM_MISSING, &f).is_empty());
        let mut f = with_push_url("https://github.com/a/b.git");
        f.env.tty = false;
        https_mut(&mut f).helpers.push(helper(
            HelperKind::Libsecret,
            Program::Found { path: "/x".into() },
            Answer::Maybe,
        ));
        https_mut(&mut f).askpass.push(askpass("GIT_ASKPASS", gone()));
        assert!(severities(&ASKPASS_PROGRAM_MISSING, &f).is_empty());
        let mut f = with_push_url("https://github.com/a/b.git");
        f.env.tty = false;
        https_mut(&mut f).askpass.push(askpass(
            "GIT_ASKPASS",
            Program::Found {
                path: "/opt/ide/askpass.sh".into(),
            },
        ));
        https_mut(&mut f).askpass.push(askpass("SSH_ASKPASS", gone()));
        assert!(severities(&ASKPASS_PROGRAM_MISSING, &f).is_empty());
    }
}
