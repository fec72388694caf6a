use super::support::{self, host_block, published_keys};
use super::{agent_identities, connect_host, keyscan, ssh_urls, verify};
use crate::facts::ssh::failure::Failure;
use crate::facts::ssh::{ClientConfig, KeyFile, Probed, Ssh};
use crate::facts::{Facts, PushUrl};
use crate::rules::advice::sh_quote;
use crate::rules::{declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for an SSH connection that the SSH guard (`git-credcheck ssh`) saw fail: ssh
    /// exited 255 after `Permission denied (publickey)`, `Host key verification failed`,
    /// `REMOTE HOST IDENTIFICATION HAS CHANGED`, `no matching host key type found`,
    /// `Bad configuration option`, `UNPROTECTED PRIVATE KEY FILE`, `agent refused
    /// operation` / `sign_and_send_pubkey: signing failed`, `Could not resolve hostname`,
    /// `Connection refused` or `Connection timed out`; or the server accepted the key and
    /// then refused the push with one of the provider's own texts (a read-only deploy key,
    /// a deploy key of another repository, a repository the account cannot see: the
    /// provider table's `ssh_refusals`). It explains the failure from the SSH facts
    /// gathered before the connection: the keys ssh offered (by file and fingerprint), the
    /// agent, the known_hosts file and line, the configuration file and line, the host and
    /// port ssh used; each fix ends with the provider's `ssh -T` as a check.
    ///
    /// ## Why is this bad?
    /// git prints ssh's last line and `fatal: Could not read from remote repository.`,
    /// which names neither the key that was offered nor the file to fix.
    ///
    /// ## Example
    /// ```console
    /// $ git push
    /// git@bitbucket.org: Permission denied (publickey).
    /// error[CC312]: bitbucket.org refused every key ssh offered as `git` for remote `origin` (git@bitbucket.org:ws/app.git)
    ///   = cause: ssh offered /home/alice/.ssh/id_ed25519 (SHA256:…); none of them is registered for this account
    /// fatal: Could not read from remote repository.
    /// ```
    ///
    /// ## Fix
    /// It depends on the failure: register the offered key's public half with the account
    /// (or point the host's `IdentityFile` at the key that is registered), check a changed
    /// host key against the provider's published fingerprints before `ssh-keygen -R`, add
    /// an unknown host key with `ssh-keyscan`, or correct the host name or port.
    /// ```sh
    /// cat ~/.ssh/id_ed25519.pub   # add it to your account's SSH keys
    /// ssh -T git@bitbucket.org
    /// ```
    ///
    /// ## When it is silent
    /// - Outside the SSH guard (the doctor, the hooks, the CI lint stage): nothing has
    ///   connected, so nothing has failed.
    /// - When the connection worked (exit status 0): nothing is printed at all.
    /// - When the remote command failed with a text no provider table lists, or ssh
    ///   failed with another message (`Unsupported option` is only ssh's warning: ssh goes
    ///   on, so it explains nothing).
    /// - When the guard stopped the connection before it was made: the rule that stopped
    ///   it (CC301–CC308) has already said why.
    SSH_CONNECTION_FAILED, "CC312", "ssh-connection-failed", Ssh, Error,
    "an ssh connection failed; its cause, from the SSH facts", ssh_connection_failed
}

fn ssh_connection_failed(facts: &Facts) -> Vec<Finding> {
    ssh_urls(facts)
        .filter_map(|(u, s)| {
            let failure = s.failure.as_ref()?;
            support::explain(u, s, failure).or_else(|| explain(u, s, failure))
        })
        .collect()
}

fn explain(u: &PushUrl, s: &Ssh, failure: &Failure) -> Option<Finding> {
    let host = connect_host(s);
    let config = match &s.config {
        Probed::Found(c) => Some(c),
        _ => None,
    };
    let port = config.map(|c| c.port).or(s.port).unwrap_or(22);
    let user = s.effective_user().unwrap_or("git");
    let label = u.label();
    Some(match failure {
        Failure::KeyRefused { .. } => key_refused(u, s, config),
        Failure::HostKeyUnknown => {
            let name = known_name(s, host, port);
            let f = Finding::at(
                u,
                format!("ssh could not verify the host key of {name} for {label}"),
            )
            .cause(format!(
                "{name} is in no known_hosts file ssh read{} and nobody confirmed its key",
                config
                    .and_then(|c| c.user_known_hosts.first())
                    .map(|f| format!(" ({})", f.display()))
                    .unwrap_or_default()
            ));
            match config {
                Some(c) => f.fix(
                    "add the host key after checking its fingerprint",
                    keyscan(u, c),
                ),
                None => f,
            }
        }
        Failure::HostKeyChanged {
            offending,
            fingerprint,
        } => {
            let name = known_name(s, host, port);
            let sent = fingerprint
                .as_deref()
                .map(|fp| format!("the server sent {fp}; "))
                .unwrap_or_default();
            let retired = matches!(&s.known_hosts, Probed::Found(k) if !k.retired.is_empty());
            let cause = if retired {
                format!("{sent}known_hosts still pins the key the provider retired")
            } else {
                format!("{sent}either the server's key changed or someone is intercepting the connection, so ssh refuses until known_hosts is corrected")
            };
            let mut cmds = Vec::new();
            if let Some(page) = u.provider.and_then(|p| p.info().host_keys_page) {
                cmds.push(format!(
                    "# first compare {} with the published fingerprints: {page}",
                    fingerprint.as_deref().unwrap_or("the new key")
                ));
            }
            match offending.as_ref().and_then(|(file, _)| published_keys(u, &name, file)) {
                // The provider publishes its keys: no need to trust what the server sends.
                Some(steps) => cmds.extend(steps),
                None => {
                    cmds.push(match offending {
                        Some((file, _)) => format!(
                            "ssh-keygen -R {} -f {}",
                            sh_quote(&name),
                            sh_quote(&file.display().to_string())
                        ),
                        None => format!("ssh-keygen -R {}", sh_quote(&name)),
                    });
                    if let Some(c) = config {
                        cmds.extend(keyscan(u, c));
                    }
                }
            }
            Finding::at(
                u,
                format!("the host key of {name} for {label} does not match the one known_hosts pins"),
            )
            .location(offending.as_ref().map(|(file, line)| Location {
                file: Some(file.clone()),
                line: Some(*line),
                what: "known_hosts entry".into(),
            }))
            .cause(cause)
            .fix("check the new host key, then replace the pinned one", cmds)
        }
        Failure::HostKeyTypeRefused { offered } => {
            let types = if offered.is_empty() {
                "an old type".to_owned()
            } else {
                offered.join(", ")
            };
            // ssh-rsa is the type OpenSSH still has but no longer offers (8.8 and later).
            let first = offered
                .iter()
                .find(|t| *t == "ssh-rsa")
                .or(offered.first())
                .map(String::as_str)
                .unwrap_or("ssh-rsa");
            let mut cmds = host_block(s, &[format!("HostKeyAlgorithms +{first}")]);
            cmds.push("# better: ask the server's administrator for an ed25519 or ecdsa host key".into());
            cmds.push(support::show_option(s, "HostKeyAlgorithms", &format!("now lists {first}")));
            cmds.push(verify(u, s));
            Finding::at(
                u,
                format!("{host} offers only host key types this ssh refuses ({types}) for {label}"),
            )
            .cause("this ssh no longer accepts them (OpenSSH 8.8 and later disable `ssh-rsa`, SHA-1 signatures) and the server offers no other type")
            .fix("accept the server's host key type for this host only", cmds)
        }
        Failure::HostUnresolved => Finding::at(
            u,
            format!("ssh could not resolve the host name {host} for {label}"),
        )
        .cause(if host != s.host {
            format!(
                "`{}` is a Host alias in the ssh configuration and its HostName `{host}` does not resolve",
                s.host
            )
        } else {
            "the name does not resolve: a typo in the remote URL, or no network or DNS here"
                .to_owned()
        })
        .fix(
            "correct the host name",
            vec![
                format!("ssh -G {} | grep -i '^hostname'", s.host),
                format!("getent hosts {host}"),
                "git remote -v".into(),
            ],
        ),
        Failure::ConnectionRefused => Finding::at(
            u,
            format!("{host} refused the SSH connection on port {port} for {label}"),
        )
        .cause(format!(
            "nothing accepts SSH connections on port {port} there: a wrong port in the URL or the ssh configuration, or the SSH service is down"
        ))
        .fix(
            "check the port ssh uses",
            vec![format!("ssh -G {} | grep -i '^port'", s.host), verify(u, s)],
        ),
        Failure::ConnectionTimedOut => Finding::at(
            u,
            format!("the SSH connection to {host} port {port} timed out for {label}"),
        )
        .cause(format!(
            "no answer at all: a firewall or proxy drops connections to port {port}, or the host is down"
        ))
        .fix(
            format!("check that port {port} is reachable from here"),
            vec![
                format!("ssh -v -o ConnectTimeout=10 -p {port} {user}@{host} exit"),
                "# behind a firewall: ask whether the server offers SSH on port 443".into(),
            ],
        ),
        // Explained in support.rs.
        _ => return None,
    })
}

/// The name known_hosts files it under: `host`, or `[host]:port` off port 22.
fn known_name(s: &Ssh, host: &str, port: u16) -> String {
    match &s.known_hosts {
        Probed::Found(k) => k.name.clone(),
        _ if port == 22 => host.to_owned(),
        _ => format!("[{host}]:{port}"),
    }
}

/// What ssh offered: the agent's keys (unless IdentitiesOnly keeps only the key files'),
/// then the key files it could load; and the key files it skipped, with why.
fn offered(s: &Ssh, c: Option<&ClientConfig>) -> (Vec<String>, Vec<String>) {
    let identities_only = c.is_some_and(|c| c.identities_only);
    let agent = agent_identities(s).unwrap_or(&[]);
    let fp = |k: &KeyFile| k.fingerprint.clone().unwrap_or_else(|| "fingerprint unknown".into());
    let mut offered = Vec::new();
    let mut skipped = Vec::new();
    if !identities_only {
        for id in agent {
            if !s.keys.iter().any(|k| k.fingerprint.as_ref() == Some(id)) {
                offered.push(format!("agent key {id}"));
            }
        }
    }
    for k in s.keys.iter().filter(|k| k.exists) {
        let in_agent = k.fingerprint.as_ref().is_some_and(|f| agent.contains(f));
        if !k.usable() {
            skipped.push(format!("{} ({})", k.path.display(), why_skipped(k)));
        } else if k.encrypted == Some(true) && !in_agent && !s.can_prompt {
            skipped.push(format!(
                "{} (needs a passphrase nobody can type)",
                k.path.display()
            ));
        } else {
            offered.push(format!("{} ({})", k.path.display(), fp(k)));
        }
    }
    (offered, skipped)
}

fn why_skipped(k: &KeyFile) -> String {
    if k.too_open {
        format!("mode {:04o} lets others read it", k.mode.unwrap_or(0))
    } else if k.public_in_private_slot {
        "a public key where the private key belongs".into()
    } else if k.foreign_format {
        "a PuTTY .ppk file".into()
    } else if k.is_dsa() {
        "a DSA key".into()
    } else {
        "unreadable".into()
    }
}

fn key_refused(u: &PushUrl, s: &Ssh, c: Option<&ClientConfig>) -> Finding {
    let host = connect_host(s);
    let user = s.effective_user().unwrap_or("git");
    let label = u.label();
    let (offered, skipped) = offered(s, c);
    let skipped_text = if skipped.is_empty() {
        String::new()
    } else {
        format!("; skipped {}", skipped.join(", "))
    };
    let usable: Vec<&KeyFile> = s.keys.iter().filter(|k| k.exists && k.usable()).collect();
    let mut cmds = Vec::new();
    for k in s.keys.iter().filter(|k| k.exists && k.too_open) {
        cmds.push(format!("chmod 600 {}", sh_quote(&k.path.display().to_string())));
    }
    if let Some(k) = usable.first() {
        cmds.push(format!(
            "cat {}   # add it to the account's SSH keys (or the server's authorized_keys)",
            sh_quote(&format!("{}.pub", k.path.display()))
        ));
        if k.encrypted == Some(true) && !s.can_prompt {
            cmds.push(format!("ssh-add {}", sh_quote(&k.path.display().to_string())));
        }
    } else {
        cmds.push("ssh-keygen -t ed25519 -f ~/.ssh/id_ed25519".into());
        cmds.push("cat ~/.ssh/id_ed25519.pub   # add it to the account's SSH keys".into());
    }
    if offered.len() > 1 || c.is_some_and(|c| !c.identities_only) && !offered.is_empty() {
        cmds.push(format!(
            "# or, if another key is registered: in the `Host {}` block of ~/.ssh/config, `IdentityFile <that key>` and `IdentitiesOnly yes`",
            s.host
        ));
    }
    cmds.push(verify(u, s));
    let (message, cause) = if offered.is_empty() {
        (
            format!("ssh had no key to offer to {host} as `{user}` for {label}"),
            format!("no key file ssh could load and no agent key{skipped_text}"),
        )
    } else {
        (
            format!("{host} refused every key ssh offered as `{user}` for {label}"),
            format!(
                "ssh offered {}; none of them is registered for this account{skipped_text}",
                offered.join(", ")
            ),
        )
    };
    Finding::at(u, message)
        .location(usable.first().map(|k| Location {
            file: Some(k.path.clone()),
            line: None,
            what: "SSH private key offered".into(),
        }))
        .cause(cause)
        .fix("offer a key the server knows for this account", cmds)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;
    use std::path::PathBuf;

    const URL: &str = "git@bitbucket.org:ws/r.git";

    fn failed(keys: Vec<KeyFile>, agent: Probed<Agent>, failure: Failure) -> Facts {
        let mut f = ssh_facts(URL, keys, agent);
        ssh_mut(&mut f).failure = Some(failure);
        f
    }

    fn refused() -> Failure {
        Failure::KeyRefused {
            methods: "publickey".into(),
        }
    }

    #[test]
    fn fires_on_a_refused_key_and_names_what_was_offered() {
        let f = failed(vec![key("/k")], agent(&["SHA256:agent"]), refused());
        let d = diagnose(&SSH_CONNECTION_FAILED, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Error);
        assert_eq!(
            d[0].finding.message,
            "bitbucket.org refused every key ssh offered as `git` for remote `origin` (git@bitbucket.org:ws/r.git)"
        );
        let cause = d[0].finding.cause.clone().unwrap_or_default();
        assert!(cause.contains("agent key SHA256:agent"), "{cause}");
        assert!(cause.contains("/k (SHA256:/k)"), "{cause}");
        let cmds = fix_commands(&d[0]);
        assert!(cmds.contains("cat '/k.pub'"), "{cmds}");
        assert!(cmds.ends_with("ssh -T git@bitbucket.org"), "{cmds}");
    }

    #[test]
    fn identities_only_leaves_the_agent_out() {
        let mut f = failed(vec![key("/k")], agent(&["SHA256:agent"]), refused());
        config_mut(&mut f).identities_only = true;
        let d = diagnose(&SSH_CONNECTION_FAILED, &f);
        let cause = d[0].finding.cause.clone().unwrap_or_default();
        assert!(!cause.contains("agent"), "{cause}");
    }

    #[test]
    fn a_refusal_with_nothing_to_offer_names_the_skipped_key() {
        let mut open = key("/open");
        open.too_open = true;
        open.mode = Some(0o644);
        let f = failed(vec![open], Probed::Absent, refused());
        let d = diagnose(&SSH_CONNECTION_FAILED, &f);
        assert!(d[0].finding.message.starts_with("ssh had no key to offer"));
        let cause = d[0].finding.cause.clone().unwrap_or_default();
        assert!(cause.contains("/open (mode 0644"), "{cause}");
        assert!(fix_commands(&d[0]).starts_with("chmod 600 '/open'"));
    }

    #[test]
    fn a_changed_host_key_points_at_the_known_hosts_line() {
        let f = failed(
            vec![key("/k")],
            Probed::Absent,
            Failure::HostKeyChanged {
                offending: Some((PathBuf::from("/home/u/.ssh/known_hosts"), 3)),
                fingerprint: Some("SHA256:new".into()),
            },
        );
        let d = diagnose(&SSH_CONNECTION_FAILED, &f);
        let loc = d[0].finding.location.clone().expect("location");
        assert_eq!(loc.line, Some(3));
        let cmds = fix_commands(&d[0]);
        assert!(cmds.contains("https://bitbucket.org/site/ssh"), "{cmds}");
        assert!(
            cmds.contains("ssh-keygen -R 'bitbucket.org' -f '/home/u/.ssh/known_hosts'"),
            "{cmds}"
        );
    }

    #[test]
    fn network_failures_name_host_and_port() {
        let f = failed(vec![key("/k")], Probed::Absent, Failure::ConnectionRefused);
        let d = diagnose(&SSH_CONNECTION_FAILED, &f);
        assert!(d[0].finding.message.contains("on port 22"));
        let f = failed(vec![key("/k")], Probed::Absent, Failure::HostUnresolved);
        assert_eq!(severities(&SSH_CONNECTION_FAILED, &f), vec![Error]);
        let f = failed(
            vec![key("/k")],
            Probed::Absent,
            Failure::HostKeyTypeRefused {
                offered: vec!["ssh-rsa".into()],
            },
        );
        assert!(fix_commands(&diagnose(&SSH_CONNECTION_FAILED, &f)[0])
            .contains("HostKeyAlgorithms +ssh-rsa"));
    }

    #[test]
    fn silent_without_a_failed_connection() {
        // The doctor and the hooks never connect: no failure is known.
        let f = ssh_facts(URL, vec![key("/k")], Probed::Absent);
        assert!(severities(&SSH_CONNECTION_FAILED, &f).is_empty());
    }

    #[test]
    fn a_bad_option_names_the_file_and_line() {
        let f = failed(
            vec![key("/k")],
            Probed::Absent,
            Failure::BadConfigOption {
                file: Some("/home/u/.ssh/config".into()),
                line: Some(2),
                option: Some("usekeychain".into()),
            },
        );
        let d = diagnose(&SSH_CONNECTION_FAILED, &f);
        let loc = d[0].finding.location.clone().expect("location");
        assert_eq!((loc.file, loc.line), (Some(PathBuf::from("/home/u/.ssh/config")), Some(2)));
        let cmds = fix_commands(&d[0]);
        assert!(cmds.starts_with("sed -n '2p' '/home/u/.ssh/config'"), "{cmds}");
        assert!(cmds.contains("IgnoreUnknown usekeychain"), "{cmds}");
        assert!(cmds.ends_with("ssh -T git@bitbucket.org"), "{cmds}");
    }

    #[test]
    fn an_open_key_and_a_refused_signature() {
        let f = failed(
            vec![key("/k")],
            Probed::Absent,
            Failure::KeyPermissions {
                key: Some(PathBuf::from("/home/u/.ssh/id_ed25519")),
                mode: Some(0o644),
            },
        );
        let d = diagnose(&SSH_CONNECTION_FAILED, &f);
        assert!(d[0].finding.message.contains("/home/u/.ssh/id_ed25519 (mode 0644)"));
        assert!(fix_commands(&d[0]).starts_with("chmod 600 '/home/u/.ssh/id_ed25519'"));
        let f = failed(
            vec![key("/k")],
            agent(&["SHA256:a"]),
            Failure::SigningFailed {
                key: Some("/home/u/.ssh/id_ed25519".into()),
                agent_refused: true,
            },
        );
        let d = diagnose(&SSH_CONNECTION_FAILED, &f);
        let cmds = fix_commands(&d[0]);
        assert!(cmds.contains("ssh-add -d '/home/u/.ssh/id_ed25519'"), "{cmds}");
        assert!(d[0].finding.cause.clone().unwrap_or_default().contains("agent refused operation"));
    }

    #[test]
    fn a_provider_s_refusal_is_explained_from_its_table() {
        let mut f = ssh_facts("git@github.com:o/r.git", vec![key("/k")], Probed::Absent);
        ssh_mut(&mut f).failure = Some(Failure::RemoteRefused {
            provider: crate::provider::ProviderKind::Github,
            refusal: "read-only-key".into(),
        });
        let d = diagnose(&SSH_CONNECTION_FAILED, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].finding.message,
            "github.com refused the push for remote `origin` (git@github.com:o/r.git): the key is a deploy key without write access"
        );
        assert!(d[0].finding.cause.clone().unwrap_or_default().contains("/k (SHA256:/k)"));
        let cmds = fix_commands(&d[0]);
        assert!(cmds.contains("Allow write access"), "{cmds}");
        assert!(cmds.ends_with("ssh -T git@github.com"), "{cmds}");
        // An id the table does not hold (facts from another version): silent.
        ssh_mut(&mut f).failure = Some(Failure::RemoteRefused {
            provider: crate::provider::ProviderKind::Github,
            refusal: "gone".into(),
        });
        assert!(severities(&SSH_CONNECTION_FAILED, &f).is_empty());
    }

    #[test]
    fn a_changed_provider_key_is_replaced_with_the_published_ones() {
        let mut f = ssh_facts("git@github.com:o/r.git", vec![key("/k")], Probed::Absent);
        ssh_mut(&mut f).failure = Some(Failure::HostKeyChanged {
            offending: Some((PathBuf::from("/home/u/.ssh/known_hosts"), 1)),
            fingerprint: None,
        });
        let cmds = fix_commands(&diagnose(&SSH_CONNECTION_FAILED, &f)[0]);
        assert!(
            cmds.contains("ssh-keygen -R 'github.com' -f '/home/u/.ssh/known_hosts'\nprintf '%s\\n' 'github.com ssh-ed25519 "),
            "{cmds}"
        );
        assert!(!cmds.contains("ssh-keyscan"), "{cmds}");
    }
}
