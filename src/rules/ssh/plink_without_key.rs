use super::ssh_urls;
use crate::facts::ssh::Variant;
use crate::facts::Facts;
use crate::rules::{declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for PuTTY's `plink` (or TortoisePlink) as the SSH program with no key given
    /// on its command line.
    ///
    /// ## Why is this bad?
    /// plink reads keys only from Pageant or `-i`; without either the server answers
    /// `No supported authentication methods available`.
    ///
    /// ## Example
    /// ```console
    /// GIT_SSH=C:\Program Files\PuTTY\plink.exe
    /// ```
    ///
    /// ## Fix
    /// Load the key into Pageant, or add `-i key.ppk` to the command.
    ///
    /// ## When it is silent
    /// - The SSH program is OpenSSH or a "simple" ssh, not plink, putty or TortoisePlink.
    /// - The command line passes a key with `-i`.
    ///
    /// It is at most a warning: whether Pageant holds a key cannot be seen.
    ///
    /// ## References
    /// - [git-config: ssh.variant](https://git-scm.com/docs/git-config#Documentation/git-config.txt-sshvariant)
    PLINK_WITHOUT_KEY, "CC309", "plink-without-key", Ssh, Warning,
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
        out.push(
            Finding::at(
                u,
                format!(
                    "ssh program `{}` for remote `{}` has no key on its command line",
                    s.program.name, u.remote
                ),
            )
            .location(s.program.source.as_ref().map(Location::from))
            .cause(
                "plink uses only Pageant or -i; without a loaded key the server refuses the login",
            )
            .fix(
                "load the key into Pageant, or pass it with -i",
                vec![format!("{} -i <key.ppk>", s.program.name)],
            )
            .likely(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
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
