use super::{agent_identities, publickey_only, ssh_urls, verify};
use crate::facts::ssh::{KeyFile, Probed};
use crate::facts::Facts;
use crate::rules::advice::sh_quote;
use crate::rules::{declare_rule, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for an SSH push with no identity at all: none of the key files ssh will
    /// try exists, and no agent holds a key.
    ///
    /// ## Why is this bad?
    /// The server refuses the connection with `Permission denied (publickey)`.
    ///
    /// ## Example
    /// ```console
    /// $ ls ~/.ssh
    /// known_hosts
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// ssh-keygen -t ed25519 -f ~/.ssh/id_ed25519
    /// cat ~/.ssh/id_ed25519.pub   # add it to your account's SSH keys
    /// ssh -T git@bitbucket.org
    /// ```
    /// The key file is one ssh already tries for the host (its `IdentityFile`, an
    /// ed25519 name first), so the new key is offered without more configuration.
    ///
    /// ## When it is silent
    /// - One of the key files exists, even one ssh will refuse (`ssh-key-refused` names it).
    /// - The agent holds a key, or asking the agent failed: a failed `ssh-add -l` is not
    ///   "no keys".
    /// - The SSH configuration names a key source that cannot be inspected (a PKCS#11
    ///   provider or a security key).
    /// - `ssh -G` could not be read (`ssh-config-unreadable`) or the program is not
    ///   OpenSSH.
    /// - In the pre-push hook, for the URL git has just connected to.
    ///
    /// It is only a warning when someone can answer a prompt and the server is not a
    /// provider known to accept only keys over SSH (those that require the `git` user),
    /// because such a server may ask for a password instead.
    ///
    /// ## References
    /// - [ssh_config(5): IdentityFile](https://man.openbsd.org/ssh_config#IdentityFile)
    SSH_NO_IDENTITY, "CC302", "ssh-no-identity", Ssh, Error,
    "no SSH key file and no agent identity", ssh_no_identity
}

fn ssh_no_identity(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        let Probed::Found(c) = &s.config else {
            continue;
        };
        let Some(agent) = agent_identities(s) else {
            continue;
        };
        if c.other_key_source || !agent.is_empty() || s.keys.iter().any(|k| k.exists) {
            continue;
        }
        let tried: Vec<_> = s
            .keys
            .iter()
            .map(|k| k.path.display().to_string())
            .collect();
        out.push(
            Finding::at(
                u,
                format!(
                    "{} has no SSH key: none of {} exists and no agent holds a key",
                    u.label(),
                    tried.join(", ")
                ),
            )
            .cause("the server will answer `Permission denied (publickey)`")
            .fix(
                "create a key, add its public half to your account, and verify",
                {
                    let file = new_key_file(&s.keys);
                    vec![
                        format!("ssh-keygen -t ed25519 -f {file}"),
                        format!("cat {file}.pub   # add it to your account's SSH keys"),
                        verify(u, s),
                    ]
                },
            )
            .certain_if(publickey_only(u) || !s.can_prompt)
            .rejects_auth(),
        );
    }
    out
}

/// Where the new key goes: a file ssh will try for this host (an ed25519 name first), so
/// that it is offered without more configuration; `~/.ssh/id_ed25519` when ssh named none.
fn new_key_file(keys: &[KeyFile]) -> String {
    let name = |k: &&KeyFile| {
        k.path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with("ed25519"))
    };
    keys.iter()
        .find(name)
        .or(keys.first())
        .map(|k| sh_quote(&k.path.display().to_string()))
        .unwrap_or_else(|| "~/.ssh/id_ed25519".into())
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::rules::testing::{diagnose, severities};
    use crate::rules::Severity::*;

    fn missing() -> KeyFile {
        let mut k = key("/none");
        k.exists = false;
        k
    }

    #[test]
    fn fires_with_no_key_file_and_no_agent() {
        let f = ssh_facts(
            "git@bitbucket.org:ws/r.git",
            vec![missing()],
            Probed::Absent,
        );
        let d = diagnose(&SSH_NO_IDENTITY, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Error);
        assert_eq!(
            d[0].finding.message,
            "remote `origin` (git@bitbucket.org:ws/r.git) has no SSH key: none of /none exists and no agent holds a key"
        );
    }

    #[test]
    fn warns_when_a_password_prompt_may_follow() {
        let mut f = ssh_facts(
            "git@git.example.test:ws/r.git",
            vec![missing()],
            Probed::Absent,
        );
        ssh_mut(&mut f).can_prompt = true;
        assert_eq!(severities(&SSH_NO_IDENTITY, &f), vec![Warning]);
    }

    #[test]
    fn silent_when_the_agent_holds_a_key() {
        let f = ssh_facts(
            "git@bitbucket.org:ws/r.git",
            vec![missing()],
            agent(&["SHA256:x"]),
        );
        assert!(severities(&SSH_NO_IDENTITY, &f).is_empty());
    }

    #[test]
    fn silent_when_the_agent_probe_failed() {
        let f = ssh_facts(
            "git@bitbucket.org:ws/r.git",
            vec![missing()],
            Probed::Failed("timeout".into()),
        );
        assert!(severities(&SSH_NO_IDENTITY, &f).is_empty());
    }

    #[test]
    fn silent_with_another_key_source() {
        let mut f = ssh_facts(
            "git@bitbucket.org:ws/r.git",
            vec![missing()],
            Probed::Absent,
        );
        config_mut(&mut f).other_key_source = true;
        assert!(severities(&SSH_NO_IDENTITY, &f).is_empty());
    }
}
