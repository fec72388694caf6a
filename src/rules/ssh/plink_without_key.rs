use super::{publickey_only, ssh_urls};
use crate::facts::ssh::putty::DEFAULT_SESSION;
use crate::facts::ssh::{Probed, Variant};
use crate::facts::Facts;
use crate::rules::{declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for PuTTY's `plink` (or TortoisePlink) as the SSH program with no key given
    /// on its command line, and no other key it can use: none in the saved PuTTY session
    /// it loads for the host (or in "Default Settings"), and no Pageant holding a key.
    ///
    /// ## Why is this bad?
    /// plink reads keys only from `-i`, its saved session's `PublicKeyFile` and Pageant;
    /// without any the server answers `No supported authentication methods available`
    /// (or plink asks for a password nobody can type).
    ///
    /// ## Example
    /// ```console
    /// GIT_SSH=C:\Program Files\PuTTY\plink.exe
    /// ```
    ///
    /// ## Fix
    /// Load the key into Pageant, save it in the PuTTY session named like the host
    /// (Connection → SSH → Auth → Credentials), or add `-i key.ppk` to the command.
    ///
    /// An error when nothing can supply a key and the host is a hosted provider that
    /// accepts keys only. A warning when anything is unknown: a Pageant whose keys cannot
    /// be listed (an old one without its named pipe, or an agent that did not answer),
    /// PuTTY's sessions that could not be read; and for any other server, where plink may
    /// still log in by GSSAPI/Kerberos (on by default in PuTTY), a typed password, or no
    /// authentication at all.
    ///
    /// ## When it is silent
    /// - The SSH program is OpenSSH or a "simple" ssh, not plink, putty or TortoisePlink.
    /// - The command line passes a key with `-i`.
    /// - The saved session plink loads for the host (or "Default Settings") names a key
    ///   file (`~/.putty/sessions/<host>` on Unix, the registry's
    ///   `HKCU\Software\SimonTatham\PuTTY\Sessions\<host>` on Windows).
    /// - Pageant (on Unix: the agent at `SSH_AUTH_SOCK`) holds at least one key.
    /// - In the pre-push hook, for the URL git has just connected to.
    ///
    /// ## References
    /// - [git-config: ssh.variant](https://git-scm.com/docs/git-config#Documentation/git-config.txt-sshvariant)
    /// - [PuTTY manual: Plink](https://the.earth.li/~sgtatham/putty/latest/htmldoc/Chapter7.html)
    /// - [PuTTY manual: Pageant](https://the.earth.li/~sgtatham/putty/latest/htmldoc/Chapter9.html)
    PLINK_WITHOUT_KEY, "CC309", "plink-without-key", Ssh, Error,
    "plink is used without a key on its command line", plink_without_key
}

fn plink_without_key(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        if !matches!(
            s.program.variant,
            Variant::Plink | Variant::Tortoiseplink | Variant::Putty
        ) || !s.program.identity_args.is_empty()
        {
            continue;
        }
        // What else could give plink a key: known to give none, known to give one, or unknown.
        let (session_key, agent_keys) = match &s.putty {
            Some(p) => (
                match &p.session_key {
                    Probed::Found(_) => Some(true),
                    Probed::Absent => Some(false),
                    Probed::Failed(_) => None,
                },
                match p.agent {
                    Probed::Found(n) => Some(n > 0),
                    Probed::Absent => Some(false),
                    Probed::Failed(_) => None,
                },
            ),
            None => (None, None),
        };
        if session_key == Some(true) || agent_keys == Some(true) {
            continue;
        }
        // Certain only where keys are the one way in (a hosted provider): elsewhere plink
        // may still log in without one, by GSSAPI/Kerberos (on by default in PuTTY), a
        // password typed at a prompt, or a server that asks for none.
        let certain = session_key == Some(false) && agent_keys == Some(false) && publickey_only(u);
        let session = s.putty.as_ref().map_or(DEFAULT_SESSION, |p| p.session.as_str());
        let cause = if certain {
            format!(
                "no saved PuTTY session for `{}` names a key (plink loads `{session}`), and no Pageant holds one: the server refuses the login",
                s.host
            )
        } else {
            "plink uses only -i, its saved session's key and Pageant; without a loaded key the server refuses the login".into()
        };
        let finding = Finding::at(
            u,
            format!(
                "ssh program `{}` for remote `{}` has no key on its command line",
                s.program.name, u.remote
            ),
        )
        .location(s.program.source.as_ref().map(Location::from))
        .cause(cause)
        .fix(
            "load the key into Pageant, or pass it with -i",
            vec![
                "pageant <key.ppk>   # starts Pageant with the key".into(),
                format!("{} -i <key.ppk>", s.program.name),
            ],
        )
        .certain_if(certain);
        out.push(if certain { finding.rejects_auth() } else { finding });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::facts::ssh::putty::Putty;
    use crate::rules::testing::{diagnose, severities};
    use crate::rules::Severity::*;
    use std::path::PathBuf;

    /// plink as git runs it: no `ssh -G`, so no client configuration.
    fn plink() -> crate::facts::Facts {
        let mut f = ssh_facts("git@github.com:a/b.git", vec![], Probed::Absent);
        let s = ssh_mut(&mut f);
        s.program.variant = Variant::Plink;
        s.program.name = "plink".into();
        s.program.via = "GIT_SSH".into();
        s.config = Probed::Absent;
        f
    }

    #[test]
    fn fires_without_a_key_argument() {
        let d = diagnose(&PLINK_WITHOUT_KEY, &plink());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Warning);
        assert_eq!(
            d[0].finding.message,
            "ssh program `plink` for remote `origin` has no key on its command line"
        );
    }

    /// plink as git runs it, with what it can see: a session key, Pageant's key count.
    fn plink_with(session_key: Probed<PathBuf>, agent: Probed<usize>, tty: bool) -> crate::facts::Facts {
        let mut f = plink();
        let s = ssh_mut(&mut f);
        s.can_prompt = tty;
        s.putty = Some(Putty { session: "Default Settings".into(), session_key, agent });
        f
    }

    #[test]
    fn an_error_when_nothing_can_supply_a_key() {
        let f = plink_with(Probed::Absent, Probed::Absent, false);
        let d = diagnose(&PLINK_WITHOUT_KEY, &f);
        assert_eq!(d[0].severity, Error);
        assert!(d[0].finding.cause.as_deref().is_some_and(|c| c.starts_with("no saved PuTTY session for `github.com` names a key")));
        // An agent that holds no key is no better.
        assert_eq!(severities(&PLINK_WITHOUT_KEY, &plink_with(Probed::Absent, Probed::Found(0), false)), vec![Error]);
        // GitHub takes keys only: a terminal to type a password in does not help.
        assert_eq!(severities(&PLINK_WITHOUT_KEY, &plink_with(Probed::Absent, Probed::Absent, true)), vec![Error]);
    }

    /// A server of one's own may let plink in by Kerberos, a password or no
    /// authentication: never certain there, so the SSH guard does not stop it.
    #[test]
    fn a_warning_for_a_self_hosted_server() {
        let mut f = ssh_facts("ssh://git@127.0.0.1:2222/a/b.git", vec![], Probed::Absent);
        let s = ssh_mut(&mut f);
        s.program.variant = Variant::Tortoiseplink;
        s.program.name = "tortoiseplink".into();
        s.config = Probed::Absent;
        s.putty = Some(Putty { session: "Default Settings".into(), session_key: Probed::Absent, agent: Probed::Absent });
        assert_eq!(severities(&PLINK_WITHOUT_KEY, &f), vec![Warning]);
    }

    #[test]
    fn a_warning_when_something_is_unknown() {
        let pageant = Probed::Failed("Pageant runs (an older one, without a named pipe): its keys cannot be listed".into());
        assert_eq!(severities(&PLINK_WITHOUT_KEY, &plink_with(Probed::Absent, pageant, false)), vec![Warning]);
        let registry = Probed::Failed("could not read PuTTY's saved sessions".into());
        assert_eq!(severities(&PLINK_WITHOUT_KEY, &plink_with(registry, Probed::Absent, false)), vec![Warning]);
    }

    #[test]
    fn silent_with_a_session_key_or_a_loaded_pageant() {
        let f = plink_with(Probed::Found(PathBuf::from("C:/keys/work.ppk")), Probed::Absent, false);
        assert!(severities(&PLINK_WITHOUT_KEY, &f).is_empty());
        let f = plink_with(Probed::Absent, Probed::Found(1), false);
        assert!(severities(&PLINK_WITHOUT_KEY, &f).is_empty());
    }

    #[test]
    fn silent_with_a_key_argument() {
        let mut f = plink();
        ssh_mut(&mut f).program.identity_args = vec![PathBuf::from("C:/keys/work.ppk")];
        assert!(severities(&PLINK_WITHOUT_KEY, &f).is_empty());
    }

    #[test]
    fn silent_for_openssh() {
        let f = ssh_facts("git@github.com:a/b.git", vec![], Probed::Absent);
        assert!(severities(&PLINK_WITHOUT_KEY, &f).is_empty());
    }
}
