use super::ssh_urls;
use crate::facts::ssh::Probed;
use crate::facts::Facts;
use crate::rules::{declare_rule, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for an SSH push URL whose client configuration could not be read
    /// (`ssh -G` failed or timed out), so the other SSH rules could not run.
    ///
    /// ## Why is this bad?
    /// It is not a failure by itself, but nothing about the keys or host keys was checked;
    /// a broken `~/.ssh/config` also breaks the push.
    ///
    /// ## Example
    /// ```console
    /// $ ssh -G bitbucket.org
    /// /root/.ssh/config: line 3: Bad configuration option: identityfle
    /// ```
    ///
    /// ## Fix
    /// Run `ssh -G <host>` and correct what it reports.
    ///
    /// ## When it is silent
    /// - `ssh -G` answered.
    /// - The ssh program cannot be found (`ssh-program-missing` says so).
    /// - The program is not OpenSSH (plink, putty, TortoisePlink, a "simple" ssh):
    ///   `ssh -G` is not run for it.
    ///
    /// ## References
    /// - [ssh(1): -G](https://man.openbsd.org/ssh#G)
    SSH_CONFIG_UNREADABLE, "CC310", "ssh-config-unreadable", Ssh, Info,
    "ssh -G could not read the SSH configuration", ssh_config_unreadable
}

fn ssh_config_unreadable(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        let Probed::Failed(why) = &s.config else {
            continue;
        };
        if !s.program.found {
            continue;
        }
        out.push(
            Finding::at(
                u,
                format!(
                    "ssh configuration for {} could not be read: {why}",
                    u.label()
                ),
            )
            .cause("the SSH checks did not run")
            .fix(
                "check the SSH configuration",
                vec![format!("ssh -G {}", s.host)],
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;

    const URL: &str = "git@bitbucket.org:ws/r.git";

    #[test]
    fn fires_when_ssh_g_fails() {
        let mut f = ssh_facts(URL, vec![key("/a")], Probed::Absent);
        ssh_mut(&mut f).config = Probed::Failed("`ssh -G` timed out".into());
        let d = diagnose(&SSH_CONFIG_UNREADABLE, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Info);
        assert_eq!(
            d[0].finding.message,
            "ssh configuration for remote `origin` (git@bitbucket.org:ws/r.git) could not be read: `ssh -G` timed out"
        );
        assert_eq!(fix_commands(&d[0]), "ssh -G bitbucket.org");
    }

    #[test]
    fn silent_when_the_program_is_missing() {
        let mut f = ssh_facts(URL, vec![key("/a")], Probed::Absent);
        let s = ssh_mut(&mut f);
        s.program.found = false;
        s.config = Probed::Failed("the ssh program `ssh` was not found".into());
        assert!(severities(&SSH_CONFIG_UNREADABLE, &f).is_empty());
    }

    #[test]
    fn silent_when_ssh_g_answers() {
        let f = ssh_facts(URL, vec![key("/a")], Probed::Absent);
        assert!(severities(&SSH_CONFIG_UNREADABLE, &f).is_empty());
    }
}
