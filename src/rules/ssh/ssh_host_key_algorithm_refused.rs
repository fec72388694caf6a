use super::support::{host_block, show_option};
use super::{connect_host, ssh_urls, verify};
use crate::facts::ssh::Probed;
use crate::facts::Facts;
use crate::rules::{declare_rule, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for an SSH host whose provider's endpoint offers only host key algorithms
    /// (`ssh_host_key_algorithms` in the provider table) that this ssh will not accept:
    /// none of them is in the `HostKeyAlgorithms` that `ssh -G` prints for the host.
    ///
    /// ## Why is this bad?
    /// The key exchange needs one host key algorithm both sides have. Without one ssh
    /// stops before authenticating: `Unable to negotiate with … port 22: no matching host
    /// key type found. Their offer: ssh-rsa`. OpenSSH 8.8 and later leave `ssh-rsa`
    /// (SHA-1 signatures) out of the default list, so a host that signs only with it is
    /// refused; a `HostKeyAlgorithms` setting (a `Host *` block, a system crypto policy)
    /// can leave out what a provider needs in the same way.
    ///
    /// ## Example
    /// ```sshconfig
    /// Host *
    ///     HostKeyAlgorithms ssh-ed25519
    /// ```
    /// with `git@ssh.dev.azure.com:v3/org/project/repo`, whose only host key is RSA.
    ///
    /// ## Fix
    /// Add the provider's algorithm for that host only, at the top of the configuration
    /// file ssh reads (the `-F` file of the ssh command, else `~/.ssh/config`): ssh keeps
    /// the first value it reads, so the block must come before any `Host *` that sets
    /// the option; it ends with `Host *` so the rest of the file keeps its meaning, and
    /// the file is written through (a symlinked dotfile stays a symlink):
    /// ```sh
    /// { printf '%s\n' 'Host ssh.dev.azure.com' '  HostKeyAlgorithms +rsa-sha2-512' 'Host *'; cat ~/.ssh/config 2>/dev/null || true; } > ~/.ssh/config.new && cat ~/.ssh/config.new > ~/.ssh/config && rm ~/.ssh/config.new
    /// ssh -G ssh.dev.azure.com | grep -i '^hostkeyalgorithms'
    /// ssh -T git@ssh.dev.azure.com
    /// ```
    ///
    /// ## When it is silent
    /// - The provider table lists no host key algorithms for the provider (a self-hosted
    ///   server, or a provider no source describes: AWS CodeCommit), or the host has no
    ///   provider.
    /// - `ssh -G` printed no `HostKeyAlgorithms` (not OpenSSH, or it could not run).
    /// - ssh accepts at least one algorithm the endpoint can offer.
    /// - After a failed connection, CC312 explains the server's actual offer instead.
    ///
    /// ## References
    /// - [OpenSSH 8.8 release notes](https://www.openssh.com/txt/release-8.8)
    /// - [Azure DevOps: supporting SHA-2 algorithm in SSH](https://devblogs.microsoft.com/devops/supporting-sha-2-algorithm-in-ssh-on-azure-devops/)
    SSH_HOST_KEY_ALGORITHM_REFUSED, "CC313", "ssh-host-key-algorithm-refused", Ssh, Error,
    "ssh accepts none of the host key algorithms the provider's SSH endpoint offers",
    ssh_host_key_algorithm_refused
}

fn ssh_host_key_algorithm_refused(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        let Probed::Found(c) = &s.config else {
            continue;
        };
        let Some(accepted) = &c.host_key_algorithms else {
            continue;
        };
        let Some(p) = u.provider.map(|p| p.info()) else {
            continue;
        };
        let offered = p.ssh_host_key_algorithms;
        if offered.is_empty() || offered.iter().any(|a| accepted.iter().any(|b| b == a)) {
            continue;
        }
        let first = offered[0];
        let mut cmds = host_block(s, &[format!("HostKeyAlgorithms +{first}")]);
        cmds.push(show_option(
            s,
            "HostKeyAlgorithms",
            &format!("now lists {first}"),
        ));
        cmds.push(verify(u, s));
        out.push(
            Finding::at(
                u,
                format!(
                    "ssh accepts none of the host key algorithms {} offers ({}) for {}",
                    connect_host(s),
                    offered.join(", "),
                    u.label()
                ),
            )
            .cause(format!(
                "this ssh's HostKeyAlgorithms ({}) leave them all out, so ssh will stop with `no matching host key type found`",
                summary(accepted)
            ))
            .fix(format!("accept {first} for this host only"), cmds),
        );
    }
    out
}

/// The list, or its first few entries and how many more.
fn summary(list: &[String]) -> String {
    if list.len() <= 4 {
        list.join(",")
    } else {
        format!("{},… {} in all", list[..3].join(","), list.len())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;

    const AZURE: &str = "git@ssh.dev.azure.com:v3/org/proj/repo";

    fn with_algorithms(url: &str, algorithms: Option<&[&str]>) -> Facts {
        let mut f = ssh_facts(url, vec![key("/k")], Probed::Absent);
        config_mut(&mut f).host_key_algorithms =
            algorithms.map(|a| a.iter().map(|&s| s.to_owned()).collect());
        f
    }

    #[test]
    fn fires_when_ssh_accepts_none_of_the_provider_s_algorithms() {
        let f = with_algorithms(AZURE, Some(&["ssh-ed25519", "ecdsa-sha2-nistp256"]));
        let d = diagnose(&SSH_HOST_KEY_ALGORITHM_REFUSED, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Error);
        assert!(
            d[0].finding.message.starts_with(
                "ssh accepts none of the host key algorithms ssh.dev.azure.com offers (rsa-sha2-512, rsa-sha2-256, ssh-rsa)"
            ),
            "{}",
            d[0].finding.message
        );
        let cmds = fix_commands(&d[0]);
        assert!(
            cmds.starts_with(
                "{ printf '%s\\n' 'Host ssh.dev.azure.com' '  HostKeyAlgorithms +rsa-sha2-512' 'Host *'; cat ~/.ssh/config 2>/dev/null || true; } > ~/.ssh/config.new"
            ),
            "{cmds}"
        );
        assert!(cmds.ends_with("ssh -T git@ssh.dev.azure.com"), "{cmds}");
    }

    #[test]
    fn the_fix_names_the_config_file_of_the_ssh_command() {
        let mut f = with_algorithms(AZURE, Some(&["ssh-ed25519"]));
        ssh_mut(&mut f).program.options = vec!["-F".into(), "/ci/ssh config".into()];
        let cmds = fix_commands(&diagnose(&SSH_HOST_KEY_ALGORITHM_REFUSED, &f)[0]);
        assert!(
            cmds.contains("cat '/ci/ssh config'.new > '/ci/ssh config'"),
            "{cmds}"
        );
        assert!(
            cmds.contains("ssh -F '/ci/ssh config' -G ssh.dev.azure.com"),
            "{cmds}"
        );
    }

    #[test]
    fn silent_when_one_algorithm_is_shared() {
        // OpenSSH 9's default list: no ssh-rsa, but rsa-sha2-512.
        let f = with_algorithms(
            AZURE,
            Some(&["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256"]),
        );
        assert!(severities(&SSH_HOST_KEY_ALGORITHM_REFUSED, &f).is_empty());
    }

    #[test]
    fn silent_without_a_table_entry_or_an_algorithm_list() {
        // CodeCommit: no source describes its host key algorithms.
        let f = with_algorithms(
            "ssh://APKAEXAMPLE@git-codecommit.eu-west-1.amazonaws.com/v1/repos/r",
            Some(&["ssh-ed25519"]),
        );
        assert!(severities(&SSH_HOST_KEY_ALGORITHM_REFUSED, &f).is_empty());
        let f = with_algorithms("git@host.example:r.git", Some(&["ssh-ed25519"]));
        assert!(severities(&SSH_HOST_KEY_ALGORITHM_REFUSED, &f).is_empty());
        let f = with_algorithms(AZURE, None);
        assert!(severities(&SSH_HOST_KEY_ALGORITHM_REFUSED, &f).is_empty());
    }
}
