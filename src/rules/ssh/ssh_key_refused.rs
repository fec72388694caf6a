use super::{agent_identities, ssh_urls, verify};
use crate::facts::ssh::{KeyFile, Probed};
use crate::facts::Facts;
use crate::rules::{declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for key files OpenSSH will refuse to use: readable by group or others
    /// (`UNPROTECTED PRIVATE KEY FILE`), a public key where the private key belongs, a DSA
    /// key (disabled in OpenSSH and refused by GitHub since 2022-03-15), a PuTTY `.ppk` file.
    ///
    /// ## Why is this bad?
    /// ssh skips the key. When it was the only one, the server answers
    /// `Permission denied (publickey)`.
    ///
    /// ## Example
    /// ```console
    /// $ ls -l ~/.ssh/id_ed25519
    /// -rw-r--r-- 1 alice alice 411 id_ed25519
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// chmod 600 ~/.ssh/id_ed25519
    /// ```
    ///
    /// ## When it is silent
    /// - A key file that does not exist (`ssh-no-identity` speaks when none does).
    /// - `ssh -G` could not be read or the program is not OpenSSH: the key files ssh would
    ///   try are unknown.
    /// - In the pre-push hook, for the URL git has just connected to.
    ///
    /// It is only a warning when ssh has something else to offer: another usable key, an
    /// agent key (or an agent that could not be asked), or a PKCS#11 or security key.
    ///
    /// ## References
    /// - [ssh(1): FILES](https://man.openbsd.org/ssh#FILES)
    SSH_KEY_REFUSED, "CC303", "ssh-key-refused", Ssh, Error,
    "an SSH key file is one OpenSSH refuses to use", ssh_key_refused
}

fn ssh_key_refused(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        let Probed::Found(c) = &s.config else {
            continue;
        };
        let agent_has = agent_identities(s).is_none_or(|a| !a.is_empty());
        let any_usable = s.keys.iter().any(KeyFile::usable);
        for k in &s.keys {
            let Some((why, cmd)) = refusal(k) else {
                continue;
            };
            out.push(
                Finding::at(u, format!("ssh key {} for {} will be skipped: {why}", k.path.display(), u.label()))
                    .location(Location { file: Some(k.path.clone()), line: None, what: "SSH private key".into() })
                    .cause(if any_usable || agent_has {
                        "ssh skips it and tries the other identities".to_owned()
                    } else {
                        "it is the only key ssh could offer, so the server will answer `Permission denied (publickey)`".to_owned()
                    })
                    .fix("make the key usable", vec![cmd, verify(u, s)])
                    .certain_if(!any_usable && !agent_has && !c.other_key_source)
                    .rejects_auth(),
            );
        }
    }
    out
}

/// Why OpenSSH will skip this key file, and the command that makes it usable.
fn refusal(k: &KeyFile) -> Option<(String, String)> {
    let p = k.path.display();
    if !k.exists {
        return None;
    }
    if k.too_open {
        return Some((
            format!(
                "mode {:04o} lets others read it (UNPROTECTED PRIVATE KEY FILE)",
                k.mode.unwrap_or(0)
            ),
            format!("chmod 600 '{p}'"),
        ));
    }
    if k.public_in_private_slot {
        return Some((
            "it holds a public key, not the private key".into(),
            format!("# point IdentityFile (or -i) at the private key, not '{p}'"),
        ));
    }
    if k.foreign_format {
        return Some((
            "it is a PuTTY .ppk file, which OpenSSH cannot read".into(),
            format!("puttygen '{p}' -O private-openssh -o '{p}.openssh'"),
        ));
    }
    if k.is_dsa() {
        return Some((
            "it is a DSA key, which OpenSSH disables and providers refuse".into(),
            "ssh-keygen -t ed25519 -f ~/.ssh/id_ed25519".into(),
        ));
    }
    if !k.readable {
        return Some(("it cannot be read".into(), format!("ls -l '{p}'")));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;

    const URL: &str = "git@bitbucket.org:ws/r.git";

    fn open(path: &str) -> KeyFile {
        let mut k = key(path);
        k.too_open = true;
        k.mode = Some(0o644);
        k
    }

    #[test]
    fn fires_on_the_only_key_readable_by_others() {
        let f = ssh_facts(URL, vec![open("/k")], Probed::Absent);
        let d = diagnose(&SSH_KEY_REFUSED, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Error);
        assert_eq!(
            d[0].finding.message,
            "ssh key /k for remote `origin` (git@bitbucket.org:ws/r.git) will be skipped: \
             mode 0644 lets others read it (UNPROTECTED PRIVATE KEY FILE)"
        );
        assert!(fix_commands(&d[0]).starts_with("chmod 600 '/k'"));
    }

    #[test]
    fn warns_when_another_key_is_usable() {
        let f = ssh_facts(URL, vec![open("/k"), key("/good")], Probed::Absent);
        assert_eq!(severities(&SSH_KEY_REFUSED, &f), vec![Warning]);
    }

    #[test]
    fn fires_on_a_dsa_key() {
        let mut dsa = key("/dsa");
        dsa.key_type = Some("ssh-dss".into());
        let f = ssh_facts(URL, vec![dsa], Probed::Absent);
        assert_eq!(severities(&SSH_KEY_REFUSED, &f), vec![Error]);
    }

    #[test]
    fn silent_on_a_usable_key() {
        let f = ssh_facts(URL, vec![key("/good")], Probed::Absent);
        assert!(severities(&SSH_KEY_REFUSED, &f).is_empty());
    }

    #[test]
    fn silent_on_a_missing_key_file() {
        let mut gone = open("/gone");
        gone.exists = false;
        let f = ssh_facts(URL, vec![gone], Probed::Absent);
        assert!(severities(&SSH_KEY_REFUSED, &f).is_empty());
    }
}
