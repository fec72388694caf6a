use super::ssh_urls;
use crate::facts::Facts;
use crate::rules::advice::sh_quote;
use crate::rules::{declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for an SSH program (from `GIT_SSH_COMMAND`, `core.sshCommand` or `GIT_SSH`)
    /// that cannot be found.
    ///
    /// ## Why is this bad?
    /// git fails with `cannot run ssh: No such file or directory` before connecting.
    ///
    /// ## Example
    /// ```ini
    /// [core]
    ///     sshCommand = /opt/old/bin/ssh -i ~/.ssh/work
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git config --file ~/.gitconfig --unset-all core.sshCommand
    /// ```
    /// in the file that sets it (an included file is named itself); a value from `git -c`
    /// is named in words. From the environment:
    /// ```sh
    /// unset GIT_SSH_COMMAND
    /// ```
    ///
    /// ## When it is silent
    /// - The program was found.
    /// - No push URL goes over SSH: the program is only looked up for SSH URLs.
    ///
    /// ## References
    /// - [git-config: core.sshCommand](https://git-scm.com/docs/git-config#Documentation/git-config.txt-coresshCommand)
    SSH_PROGRAM_MISSING, "CC308", "ssh-program-missing", Ssh, Error,
    "the SSH program git will run cannot be found", ssh_program_missing
}

fn ssh_program_missing(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        if s.program.found {
            continue;
        }
        let p = &s.program;
        let fix = match (&p.source, p.via.as_str()) {
            // The file that sets it (an include is not its scope's main file).
            (Some(src), _) => match &src.file {
                Some(file) if !src.key.contains("***") => format!(
                    "git config --file {} --unset-all {}",
                    sh_quote(&file.display().to_string()),
                    sh_quote(&src.key)
                ),
                _ => format!(
                    "# remove {} from the command line or environment that sets it ({})",
                    src.key,
                    Location::from(src).describe()
                ),
            },
            (None, "default") => {
                "apt-get install openssh-client   # or your platform's OpenSSH".into()
            }
            (None, via) => format!("unset {via}"),
        };
        out.push(
            Finding::at(
                u,
                format!(
                    "ssh program `{}` (from {}) for remote `{}` cannot be found",
                    p.name, p.via, u.remote
                ),
            )
            .location(p.source.as_ref().map(Location::from))
            .cause("git fails with `cannot run ssh` before connecting")
            .fix("point git at an installed ssh", vec![fix]),
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

    const URL: &str = "git@github.com:a/b.git";

    #[test]
    fn fires_on_a_missing_ssh_command() {
        let mut f = ssh_facts(URL, vec![key("/a")], Probed::Absent);
        let p = &mut ssh_mut(&mut f).program;
        p.found = false;
        p.via = "GIT_SSH_COMMAND".into();
        p.name = "/opt/old/bin/ssh".into();
        let d = diagnose(&SSH_PROGRAM_MISSING, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Error);
        assert_eq!(
            d[0].finding.message,
            "ssh program `/opt/old/bin/ssh` (from GIT_SSH_COMMAND) for remote `origin` cannot be found"
        );
        assert_eq!(fix_commands(&d[0]), "unset GIT_SSH_COMMAND");
    }

    #[test]
    fn fires_on_a_missing_core_ssh_command() {
        let mut f = ssh_facts(URL, vec![key("/a")], Probed::Absent);
        let p = &mut ssh_mut(&mut f).program;
        p.found = false;
        p.via = "core.sshCommand".into();
        p.source = Some(crate::facts::testing::source("core.sshcommand"));
        let d = diagnose(&SSH_PROGRAM_MISSING, &f);
        assert_eq!(
            fix_commands(&d[0]),
            "git config --file '/home/u/.gitconfig' --unset-all 'core.sshcommand'"
        );
    }

    #[test]
    fn silent_when_the_program_is_found() {
        let f = ssh_facts(URL, vec![key("/a")], Probed::Absent);
        assert!(severities(&SSH_PROGRAM_MISSING, &f).is_empty());
    }
}
