use super::{keyscan, ssh_urls};
use crate::facts::ssh::Probed;
use crate::facts::Facts;
use crate::rules::{declare_rule, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for an SSH host that is not in any known_hosts file ssh reads (hashed
    /// entries and `[host]:port` included) when nobody can confirm its key and
    /// `StrictHostKeyChecking` is not `accept-new` or `no`.
    ///
    /// ## Why is this bad?
    /// ssh stops with `Host key verification failed.` before authenticating.
    ///
    /// ## Example
    /// ```console
    /// $ GIT_SSH_COMMAND='ssh -o BatchMode=yes' git push
    /// Host key verification failed.
    /// ```
    ///
    /// ## Fix
    /// Add the host key after checking it against the provider's published fingerprints:
    /// ```sh
    /// ssh-keyscan bitbucket.org >> ~/.ssh/known_hosts
    /// ssh-keygen -lf ~/.ssh/known_hosts
    /// ```
    /// With a `HostKeyAlias`, ssh looks the key up under the alias alone (no `[…]:port`),
    /// so the scanned lines are written under it:
    /// `ssh-keyscan -p 2222 git.example.test | sed 's/^[^ ]*/myalias/' >> ~/.ssh/known_hosts`.
    ///
    /// ## When it is silent
    /// - `StrictHostKeyChecking` is `no`, `off`, `false` or `accept-new`: ssh adds the key
    ///   itself.
    /// - A `KnownHostsCommand` supplies host keys that cannot be seen, `ssh -G` could not
    ///   be read, or the program is not OpenSSH.
    /// - In the pre-push hook, for the URL git has just connected to.
    ///
    /// It is only a warning when `StrictHostKeyChecking` is `ask` and someone can answer
    /// ssh's question.
    ///
    /// ## References
    /// - [Bitbucket host keys](https://bitbucket.org/site/ssh)
    SSH_HOST_UNKNOWN, "CC305", "ssh-host-unknown", Ssh, Error,
    "the SSH host key is unknown and nobody can confirm it", ssh_host_unknown
}

fn ssh_host_unknown(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        let (Probed::Found(c), Probed::Found(k)) = (&s.config, &s.known_hosts) else {
            continue;
        };
        if k.known
            || matches!(
                c.strict_host_key_checking.as_str(),
                "no" | "off" | "false" | "accept-new"
            )
        {
            continue;
        }
        let will_ask = c.strict_host_key_checking == "ask" && s.can_prompt;
        out.push(
            Finding::at(
                u,
                format!(
                    "ssh host {} for {} is not in known_hosts",
                    k.name,
                    u.label()
                ),
            )
            .cause(if will_ask {
                "ssh will ask you to confirm the host key".to_owned()
            } else {
                "nobody can confirm the host key, so ssh stops with `Host key verification failed.`"
                    .to_owned()
            })
            .fix(
                "add the host key after checking its fingerprint",
                keyscan(u, c),
            )
            .certain_if(!will_ask)
            .rejects_auth(),
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
    use std::path::PathBuf;

    const URL: &str = "git@bitbucket.org:ws/r.git";

    #[test]
    fn fires_when_nobody_can_confirm_the_key() {
        let mut f = ssh_facts(URL, vec![key("/k")], Probed::Absent);
        unknown_host(&mut f);
        let d = diagnose(&SSH_HOST_UNKNOWN, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Error);
        assert_eq!(
            d[0].finding.message,
            "ssh host bitbucket.org for remote `origin` (git@bitbucket.org:ws/r.git) is not in known_hosts"
        );
    }

    #[test]
    fn warns_when_ssh_will_ask() {
        let mut f = ssh_facts(URL, vec![key("/k")], Probed::Absent);
        unknown_host(&mut f);
        ssh_mut(&mut f).can_prompt = true;
        assert_eq!(severities(&SSH_HOST_UNKNOWN, &f), vec![Warning]);
    }

    #[test]
    fn silent_on_a_known_host() {
        let f = ssh_facts(URL, vec![key("/k")], Probed::Absent);
        assert!(severities(&SSH_HOST_UNKNOWN, &f).is_empty());
    }

    #[test]
    fn silent_with_accept_new() {
        let mut f = ssh_facts(URL, vec![key("/k")], Probed::Absent);
        unknown_host(&mut f);
        config_mut(&mut f).strict_host_key_checking = "accept-new".into();
        assert!(severities(&SSH_HOST_UNKNOWN, &f).is_empty());
    }

    #[test]
    fn fix_targets_the_file_ssh_reads() {
        let mut f = ssh_facts(URL, vec![key("/k")], Probed::Absent);
        unknown_host(&mut f);
        config_mut(&mut f).user_known_hosts = vec![PathBuf::from("/srv/ci/known_hosts")];
        let d = diagnose(&SSH_HOST_UNKNOWN, &f);
        let cmds = fix_commands(&d[0]);
        assert!(
            cmds.contains("ssh-keyscan bitbucket.org >> /srv/ci/known_hosts"),
            "{cmds}"
        );
    }

    #[test]
    fn fix_writes_the_host_key_alias() {
        let mut f = ssh_facts(URL, vec![key("/k")], Probed::Absent);
        unknown_host(&mut f);
        config_mut(&mut f).host_key_alias = Some("bb".into());
        config_mut(&mut f).port = 2222;
        let cmds = fix_commands(&diagnose(&SSH_HOST_UNKNOWN, &f)[0]);
        assert!(
            cmds.contains("ssh-keyscan -p 2222 bitbucket.org | sed 's/^[^ ]*/bb/' >> "),
            "{cmds}"
        );
    }
}
