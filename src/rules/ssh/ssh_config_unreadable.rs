use super::{command_options, ssh_urls, support};
use crate::facts::ssh::{Probed, Ssh};
use crate::rules::advice::sh_quote;
use crate::facts::Facts;
use crate::rules::{declare_rule, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for an SSH push URL whose client configuration `ssh -G` refuses (an
    /// unknown option such as `UseKeychain` on Linux without `IgnoreUnknown`, an
    /// algorithm this OpenSSH does not know, a `Match exec` it cannot parse), or could
    /// not read in time.
    ///
    /// ## Why is this bad?
    /// When `ssh -G` refuses the configuration, ssh refuses it too and never starts:
    /// every SSH push fails with ssh's own message (it names the file and line) and
    /// `fatal: Could not read from remote repository`. A probe that only timed out is a
    /// warning: nothing about the keys or host keys was checked.
    ///
    /// ## Example
    /// ```console
    /// $ ssh -G bitbucket.org
    /// /root/.ssh/config: line 3: Bad configuration option: identityfle
    /// ```
    ///
    /// ## Fix
    /// Correct or delete the line ssh names. For an option of another ssh (macOS
    /// `UseKeychain` on Linux), have this ssh ignore it with a line at the top of that
    /// file (written through, so a symlinked dotfile stays a symlink); then check:
    /// ```sh
    /// { printf '%s\n' 'IgnoreUnknown usekeychain'; cat '/root/.ssh/config' 2>/dev/null || true; } > '/root/.ssh/config'.new && cat '/root/.ssh/config'.new > '/root/.ssh/config' && rm '/root/.ssh/config'.new
    /// ssh -G bitbucket.org >/dev/null   # check: prints nothing once ssh accepts its configuration
    /// ```
    ///
    /// ## When it is silent
    /// - `ssh -G` answered (a warning, not an error, when it only timed out or could not
    ///   be run, or when the program is not OpenSSH by name: git probes other programs
    ///   with `-G` and runs them as the "simple" variant when the probe fails).
    /// - The ssh program cannot be found (`ssh-program-missing` says so).
    /// - The program is not OpenSSH (plink, putty, TortoisePlink, a "simple" ssh):
    ///   `ssh -G` is not run for it.
    /// - On macOS for `UseKeychain` and `AddKeysToAgent`: Apple's ssh knows them, so its
    ///   `ssh -G` answers. The verdict is always the one of the ssh git runs: Homebrew's
    ///   OpenSSH has no `UseKeychain` and refuses it, as Linux's does without
    ///   `IgnoreUnknown UseKeychain`.
    ///
    /// ## References
    /// - [ssh(1): -G](https://man.openbsd.org/ssh#G)
    SSH_CONFIG_UNREADABLE, "CC310", "ssh-config-unreadable", Ssh, Error,
    "ssh refuses the SSH configuration, or it could not be read", ssh_config_unreadable
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
        // ssh exited with its own complaint (not a timeout, not a failure to start it):
        // ssh reads the same files for the push and stops the same way.
        // Only OpenSSH by name: git probes any other program with `-G` and, when that
        // fails, runs it as the "simple" variant; the failure then means nothing.
        let openssh = std::path::Path::new(&s.program.name)
            .file_name()
            .is_some_and(|n| n == "ssh" || n == "ssh.exe");
        let refused = openssh && why.contains(" -G` failed: ");
        let finding = if refused {
            Finding::at(
                u,
                format!("ssh refuses its configuration for {}: {why}", u.label()),
            )
            .cause("ssh will not start, so every SSH push fails with `fatal: Could not read from remote repository`")
            .fix(
                "correct the line ssh names (or add `IgnoreUnknown <option>` above it)",
                refused_fix(s, why),
            )
        } else {
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
            )
            .likely()
        };
        out.push(finding);
    }
    out
}

/// What to change, then the check (last: pasted before the change, it fails). An option
/// this ssh does not know (macOS `UseKeychain` on Linux) is ignored by an `IgnoreUnknown`
/// line at the top of the file that names it; anything else is named in words, with
/// ssh's file and line.
fn refused_fix(s: &Ssh, why: &str) -> Vec<String> {
    let said = why.split_once(" -G` failed: ").map_or(why, |(_, m)| m);
    let bad = said
        .split_once(": Bad configuration option: ")
        .and_then(|(head, option)| {
            let (file, line) = head.rsplit_once(": line ")?;
            Some((file, line.trim(), option.trim()))
        })
        .filter(|(file, _, option)| {
            file.starts_with('/') && !option.is_empty() && option.chars().all(|c| c.is_ascii_alphanumeric())
        });
    let mut cmds = match bad {
        Some((file, line, option)) => vec![
            format!("# {file} line {line} sets `{option}`, which this ssh does not know: delete or correct it, or (an option of another ssh, e.g. macOS `UseKeychain`) have ssh ignore it:"),
            support::prepend(&sh_quote(file), &[format!("IgnoreUnknown {option}")]),
        ],
        None => vec![format!("# correct what ssh reports: {said}")],
    };
    let options = command_options(s);
    let options = if options.is_empty() {
        String::new()
    } else {
        format!("{options} ")
    };
    cmds.push(format!(
        "ssh {options}-G {} >/dev/null   # check: prints nothing once ssh accepts its configuration",
        s.host
    ));
    cmds
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
        assert_eq!(d[0].severity, Warning);
        assert_eq!(
            d[0].finding.message,
            "ssh configuration for remote `origin` (git@bitbucket.org:ws/r.git) could not be read: `ssh -G` timed out"
        );
        assert_eq!(fix_commands(&d[0]), "ssh -G bitbucket.org");
    }

    #[test]
    fn an_option_ssh_refuses_is_an_error_with_its_file_and_line() {
        let mut f = ssh_facts(URL, vec![key("/a")], Probed::Absent);
        ssh_mut(&mut f).config = Probed::Failed(
            "`ssh -G` failed: /root/.ssh/config: line 3: Bad configuration option: usekeychain"
                .into(),
        );
        let d = diagnose(&SSH_CONFIG_UNREADABLE, &f);
        assert_eq!(d[0].severity, Error);
        assert!(d[0].finding.message.contains("/root/.ssh/config: line 3"));
        let cmds = fix_commands(&d[0]);
        assert!(
            cmds.contains("{ printf '%s\\n' 'IgnoreUnknown usekeychain'; cat '/root/.ssh/config'"),
            "{cmds}"
        );
        assert!(cmds.ends_with("ssh -G bitbucket.org >/dev/null   # check: prints nothing once ssh accepts its configuration"), "{cmds}");
    }

    #[test]
    fn another_program_failing_the_probe_is_only_a_warning() {
        let mut f = ssh_facts(URL, vec![key("/a")], Probed::Absent);
        let s = ssh_mut(&mut f);
        s.program.name = "/usr/local/bin/fake-ssh".into();
        s.config = Probed::Failed("`fake-ssh -G` failed: unknown option -G".into());
        assert_eq!(severities(&SSH_CONFIG_UNREADABLE, &f), vec![Warning]);
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
