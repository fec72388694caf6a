use super::{agent_identities, ssh_urls, verify};
use crate::facts::ssh::{KeyFile, Probed};
use crate::facts::Facts;
use crate::rules::{declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for SSH keys that are all passphrase-protected, none held by an agent, in a
    /// run where nobody can type the passphrase (CI, `BatchMode yes`, no terminal).
    ///
    /// ## Why is this bad?
    /// ssh cannot decrypt the key and the server answers `Permission denied (publickey)`.
    ///
    /// ## Example
    /// ```console
    /// $ GIT_SSH_COMMAND='ssh -o BatchMode=yes' git push
    /// git@bitbucket.org: Permission denied (publickey).
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// eval "$(ssh-agent -s)"
    /// ssh-add ~/.ssh/id_ed25519
    /// ```
    ///
    /// ## When it is silent
    /// - Someone can type the passphrase: a terminal, or `SSH_ASKPASS` with a display,
    ///   and no `BatchMode yes`.
    /// - One usable key has no passphrase, or its passphrase could not be determined, or
    ///   the agent holds it.
    /// - No key file is usable (`ssh-no-identity` and `ssh-key-refused` cover that), or
    ///   the SSH configuration names a PKCS#11 provider or a security key.
    /// - Asking the agent failed, `ssh -G` could not be read, or the program is not
    ///   OpenSSH.
    /// - In the pre-push hook, for the URL git has just connected to.
    ///
    /// It is only a warning when the agent holds other keys, which the server may accept,
    /// and on macOS unless `ssh -G` reports `usekeychain no`: Apple's ssh takes the
    /// passphrase from the Keychain (`UseKeychain yes`, `ssh-add --apple-use-keychain`).
    ///
    /// ## References
    /// - [ssh-add(1)](https://man.openbsd.org/ssh-add)
    SSH_PASSPHRASE_UNATTENDED, "CC304", "ssh-passphrase-unattended", Ssh, Error,
    "ssh keys need a passphrase nobody can type", ssh_passphrase_unattended
}

fn ssh_passphrase_unattended(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        if s.can_prompt {
            continue;
        }
        let Probed::Found(c) = &s.config else {
            continue;
        };
        let Some(agent) = agent_identities(s) else {
            continue;
        };
        let usable: Vec<&KeyFile> = s.keys.iter().filter(|k| k.usable()).collect();
        if usable.is_empty() || c.other_key_source {
            continue;
        }
        let locked: Vec<&KeyFile> = usable
            .iter()
            .copied()
            .filter(|k| {
                k.encrypted == Some(true)
                    && !k.fingerprint.as_ref().is_some_and(|f| agent.contains(f))
            })
            .collect();
        if locked.len() != usable.len() {
            continue;
        }
        // macOS: Apple's ssh takes the passphrase from the Keychain with `UseKeychain yes`
        // (ssh_config(5) on macOS; `ssh-add --apple-use-keychain` stores it there). Unless
        // `ssh -G` says it is off, the Keychain may hold it: not certain.
        let keychain = facts.env.os == "macos" && c.use_keychain != Some(false);
        let names: Vec<_> = locked
            .iter()
            .map(|k| k.path.display().to_string())
            .collect();
        out.push(
            Finding::at(u, format!("ssh key {} for {} needs a passphrase and no agent holds it", names.join(", "), u.label()))
                .location(Location { file: Some(locked[0].path.clone()), line: None, what: "SSH private key".into() })
                .cause(if keychain {
                    "nobody can type the passphrase here (BatchMode, CI or no terminal); ssh can use the key only if the macOS Keychain holds its passphrase (UseKeychain yes)"
                } else {
                    "nobody can type the passphrase here (BatchMode, CI or no terminal), so ssh cannot use the key"
                })
                .fix(
                    if keychain { "store the passphrase in the macOS Keychain, or load the key into an agent" } else { "load the key into an agent" },
                    if keychain {
                        vec![format!("ssh-add --apple-use-keychain '{}'", names[0]), verify(u, s)]
                    } else {
                        vec!["eval \"$(ssh-agent -s)\"".into(), format!("ssh-add '{}'", names[0]), verify(u, s)]
                    },
                )
                .certain_if(agent.is_empty() && !keychain)
                .rejects_auth(),
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

    const URL: &str = "git@bitbucket.org:ws/r.git";

    fn locked(path: &str) -> KeyFile {
        let mut k = key(path);
        k.encrypted = Some(true);
        k
    }

    #[test]
    fn fires_when_nobody_can_type_the_passphrase() {
        let f = ssh_facts(URL, vec![locked("/k")], Probed::Absent);
        let d = diagnose(&SSH_PASSPHRASE_UNATTENDED, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Error);
        assert_eq!(
            d[0].finding.message,
            "ssh key /k for remote `origin` (git@bitbucket.org:ws/r.git) needs a passphrase and no agent holds it"
        );
    }

    #[test]
    fn warns_when_the_agent_holds_other_keys() {
        let f = ssh_facts(URL, vec![locked("/k")], agent(&["SHA256:other"]));
        assert_eq!(severities(&SSH_PASSPHRASE_UNATTENDED, &f), vec![Warning]);
    }

    #[test]
    fn silent_when_someone_can_type_it() {
        let mut f = ssh_facts(URL, vec![locked("/k")], Probed::Absent);
        ssh_mut(&mut f).can_prompt = true;
        assert!(severities(&SSH_PASSPHRASE_UNATTENDED, &f).is_empty());
    }

    #[test]
    fn silent_when_the_agent_holds_the_key() {
        let f = ssh_facts(URL, vec![locked("/k")], agent(&["SHA256:/k"]));
        assert!(severities(&SSH_PASSPHRASE_UNATTENDED, &f).is_empty());
    }

    /// macOS: the Keychain may hold the passphrase (`UseKeychain yes`, or not reported by
    /// `ssh -G`): a warning; with `UseKeychain no` as certain as elsewhere.
    #[test]
    fn the_macos_keychain_makes_it_a_warning() {
        let mut f = ssh_facts(URL, vec![locked("/Users/me/.ssh/id_ed25519")], Probed::Absent);
        f.env.os = "macos".into();
        for (keychain, want) in [(Some(true), Warning), (None, Warning), (Some(false), Error)] {
            if let Probed::Found(c) = &mut ssh_mut(&mut f).config {
                c.use_keychain = keychain;
            }
            let d = diagnose(&SSH_PASSPHRASE_UNATTENDED, &f);
            assert_eq!(d[0].severity, want, "{keychain:?}");
        }
        // On Linux the Keychain does not exist: an error whatever ssh -G says.
        f.env.os = "linux".into();
        assert_eq!(severities(&SSH_PASSPHRASE_UNATTENDED, &f), vec![Error]);
    }

    #[test]
    fn silent_when_one_key_has_no_passphrase() {
        let f = ssh_facts(URL, vec![locked("/k"), key("/open")], Probed::Absent);
        assert!(severities(&SSH_PASSPHRASE_UNATTENDED, &f).is_empty());
    }
}
