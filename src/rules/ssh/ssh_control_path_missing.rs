//! CC311 `ssh-control-path-missing`.

use super::ssh_urls;
use crate::facts::Facts;
use crate::rules::{declare_rule, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for an SSH connection that would be a multiplexing master
    /// (`ControlMaster auto`/`yes`) with a `ControlPath` in a directory that does not
    /// exist.
    ///
    /// ## Why is this bad?
    /// ssh cannot create its control socket there and exits with
    /// `unix_listener: cannot bind to path …: No such file or directory`, so the push
    /// fails with `fatal: Could not read from remote repository`. Dotfiles often set
    /// `ControlPath ~/.ssh/sockets/%r@%h-%p` and the directory is missing on a new machine.
    ///
    /// ## Example
    /// ```ssh-config
    /// Host *
    ///     ControlMaster auto
    ///     ControlPath ~/.ssh/sockets/%r@%h-%p
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// mkdir -p -m 700 ~/.ssh/sockets
    /// ```
    ///
    /// ## When it is silent
    /// - `ControlMaster` is `no` (the default) or `ControlPath` is `none`.
    /// - The directory exists, or its name still holds `%` tokens that only ssh expands.
    /// - For ssh programs that are not OpenSSH (`ssh -G` is not run for them).
    ///
    /// ## References
    /// - [ssh_config(5): ControlPath](https://man.openbsd.org/ssh_config#ControlPath)
    SSH_CONTROL_PATH_MISSING, "CC311", "ssh-control-path-missing", Ssh, Error,
    "the ssh ControlPath directory does not exist", ssh_control_path_missing
}

fn ssh_control_path_missing(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        let Some(dir) = &s.control_dir_missing else {
            continue;
        };
        let dir = dir.display();
        out.push(
            Finding::at(
                u,
                format!("ssh for {} would put its control socket in {dir}, which does not exist", u.label()),
            )
            .cause(format!("ssh exits with `unix_listener: cannot bind to path {dir}/…: No such file or directory`"))
            .fix("create the directory", vec![format!("mkdir -p -m 700 '{dir}'")]),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::facts::ssh::Probed;
    use crate::rules::testing::{diagnose, fix_commands, severities};

    const URL: &str = "git@github.com:a/b.git";

    #[test]
    fn fires_for_a_missing_socket_directory() {
        let mut f = ssh_facts(URL, vec![key("/a")], Probed::Absent);
        ssh_mut(&mut f).control_dir_missing = Some("/home/u/.ssh/sockets".into());
        let d = diagnose(&SSH_CONTROL_PATH_MISSING, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(fix_commands(&d[0]), "mkdir -p -m 700 '/home/u/.ssh/sockets'");
    }

    #[test]
    fn silent_when_the_directory_exists() {
        let f = ssh_facts(URL, vec![key("/a")], Probed::Absent);
        assert!(severities(&SSH_CONTROL_PATH_MISSING, &f).is_empty());
    }
}
