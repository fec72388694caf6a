use super::{agent_identities, ssh_urls, verify};
use crate::facts::ssh::Probed;
use crate::facts::Facts;
use crate::rules::{declare_rule, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for several SSH identities (key files and agent keys) offered without
    /// `IdentitiesOnly yes`.
    ///
    /// ## Why is this bad?
    /// ssh offers every key in turn. The server may accept another account's key first
    /// (`Repository not found`, `denied to otheruser`) or stop after `MaxAuthTries` with
    /// `Too many authentication failures`.
    ///
    /// ## Example
    /// ```console
    /// $ ssh-add -l
    /// 256 SHA256:… work (ED25519)
    /// 256 SHA256:… personal (ED25519)
    /// ```
    ///
    /// ## Fix
    /// ```ini
    /// Host bitbucket.org
    ///     IdentityFile ~/.ssh/id_work
    ///     IdentitiesOnly yes
    /// ```
    ///
    /// ## When it is silent
    /// - `IdentitiesOnly yes` is set for the host.
    /// - Fewer than two distinct identities: a key file that is also loaded in the agent
    ///   counts once, and key files ssh would refuse do not count. When asking the agent
    ///   failed, only the key files are counted.
    /// - `ssh -G` could not be read, or the program is not OpenSSH.
    ///
    /// ## References
    /// - [ssh_config(5): IdentitiesOnly](https://man.openbsd.org/ssh_config#IdentitiesOnly)
    SSH_MANY_KEYS, "CC307", "ssh-many-keys", Ssh, Info,
    "several SSH identities are offered without IdentitiesOnly", ssh_many_keys
}

fn ssh_many_keys(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        let Probed::Found(c) = &s.config else {
            continue;
        };
        if c.identities_only {
            continue;
        }
        let mut ids: Vec<String> = s
            .keys
            .iter()
            .filter(|k| k.usable())
            .map(|k| {
                k.fingerprint
                    .clone()
                    .unwrap_or_else(|| k.path.display().to_string())
            })
            .collect();
        if let Some(a) = agent_identities(s) {
            ids.extend(a.iter().cloned());
        }
        ids.sort();
        ids.dedup();
        if ids.len() < 2 {
            continue;
        }
        out.push(
            Finding::at(u, format!("{} SSH identities are offered to {} for remote `{}` without IdentitiesOnly", ids.len(), c.hostname, u.remote))
                .cause("the server may accept another account's key first, or stop after MaxAuthTries")
                .fix(
                    "pin the key for this host",
                    vec![
                        // Which key is this account's only the person knows: words, not a
                        // command that would write a placeholder path into the config.
                        format!("# in {}, above any `Host *` block: `Host {}` with `IdentityFile` <this account's key> and `IdentitiesOnly yes`", super::support::config_file(s), s.host),
                        verify(u, s),
                    ],
                ),
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

    const URL: &str = "git@github.com:a/b.git";

    #[test]
    fn fires_on_a_key_file_and_another_agent_key() {
        let f = ssh_facts(URL, vec![key("/a")], agent(&["SHA256:b"]));
        let d = diagnose(&SSH_MANY_KEYS, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Info);
        assert_eq!(
            d[0].finding.message,
            "2 SSH identities are offered to github.com for remote `origin` without IdentitiesOnly"
        );
    }

    #[test]
    fn silent_on_one_key() {
        let f = ssh_facts(URL, vec![key("/a")], Probed::Absent);
        assert!(severities(&SSH_MANY_KEYS, &f).is_empty());
    }

    #[test]
    fn silent_when_the_agent_holds_the_same_key() {
        let f = ssh_facts(URL, vec![key("/a")], agent(&["SHA256:/a"]));
        assert!(severities(&SSH_MANY_KEYS, &f).is_empty());
    }

    #[test]
    fn silent_with_identities_only() {
        let mut f = ssh_facts(URL, vec![key("/a")], agent(&["SHA256:b"]));
        config_mut(&mut f).identities_only = true;
        assert!(severities(&SSH_MANY_KEYS, &f).is_empty());
    }
}
