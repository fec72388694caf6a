use super::support::published_keys;
use super::{keyscan, ssh_urls, verify};
use crate::facts::ssh::Probed;
use crate::facts::Facts;
use crate::rules::advice::sh_quote;
use crate::rules::{declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for a known_hosts entry that pins a host key the provider has retired
    /// (GitHub's RSA key replaced on 2023-03-24, Bitbucket's RSA key replaced on 2023-06-20).
    ///
    /// ## Why is this bad?
    /// ssh prints `WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!` and refuses the
    /// connection when the server offers the new key. When every key known_hosts pins for
    /// the host is a retired one, that is certain: ssh asks for the pinned type first, the
    /// server answers with its new key of that type, and unless `StrictHostKeyChecking` is
    /// `no` (ssh -G: `false`; sshconnect.c refuses a changed key for every other value,
    /// measured with OpenSSH 9.2) ssh stops (an error). With a current key beside the
    /// retired one ssh still connects: a warning.
    ///
    /// ## Example
    /// ```console
    /// github.com ssh-rsa AAAAB3NzaC1yc2EAAAABIwAAAQEAq2A7hRGmdnm9tUDbO9IDSwBK6TbQa+PXYPCPy6rbTrTtw7PHkccKrpp0yVhp5HdEIcKr6pLlVDBfOLX9QUsyCOV0wzfjIJNlGEYsdlLJizHhbn2mUjvSAHQqZETYP81eFzLQNnPHt4EVVUh7VfDESU84KezmD5QlWpXLmvU31/yMf+Se8xhHTvKSCZIFImWwoG6mbUoWf9nzpIoaSjB+weqqUUmpaaasXVal72J+UX2B+2RPW3RcT0eOzQgqlJL3RKrTJvdsjE3JEAvGq3lGHSZXy28G3skua2SmVi/w4yCE6gbODqnTWlg7+wC604ydGXA8VJiS5ap43JXiUFFAaQ==
    /// ```
    ///
    /// ## Fix
    /// Remove the host's lines from the file that holds the retired key, then add the
    /// provider's published keys (from the provider table; `ssh-keyscan` and a fingerprint
    /// check where none are published):
    /// ```sh
    /// ssh-keygen -R 'github.com' -f '/home/alice/.ssh/known_hosts'
    /// printf '%s\n' 'github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl' … >> '/home/alice/.ssh/known_hosts'
    /// ssh -T git@github.com
    /// ```
    ///
    /// ## When it is silent
    /// - The known_hosts entries for the host pin no key from the provider's list of
    ///   retired keys; a host with no provider has no such list.
    /// - A `KnownHostsCommand` supplies host keys that cannot be seen, `ssh -G` could not
    ///   be read, or the program is not OpenSSH.
    /// - It is a warning, not an error, when a current key of the host sits beside the
    ///   retired one, or with `StrictHostKeyChecking no` (ssh then connects anyway, with
    ///   password authentication disabled).
    ///
    /// ## References
    /// - [GitHub: we updated our RSA SSH host key](https://github.blog/2023-03-23-we-updated-our-rsa-ssh-host-key/)
    SSH_RETIRED_HOST_KEY, "CC306", "ssh-retired-host-key", Ssh, Error,
    "known_hosts pins a host key the provider has retired", ssh_retired_host_key
}

fn ssh_retired_host_key(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        let (Probed::Found(c), Probed::Found(k)) = (&s.config, &s.known_hosts) else {
            continue;
        };
        if k.retired.is_empty() {
            continue;
        }
        // `no`/`off` (printed `false`) is the only value that lets ssh past a changed key.
        let strict = c.strict_host_key_checking != "false";
        let certain = strict && k.only_retired();
        let first = k.entries.iter().find(|e| e.retired);
        let file = first.map(|e| e.file.clone()).or_else(|| k.files.first().cloned());
        let mut cmds = Vec::new();
        match file.as_ref().and_then(|f| published_keys(u, &k.name, f)) {
            Some(steps) => cmds.extend(steps),
            None => {
                cmds.push(match &file {
                    Some(f) => format!(
                        "ssh-keygen -R {} -f {}",
                        sh_quote(&k.name),
                        sh_quote(&f.display().to_string())
                    ),
                    None => format!("ssh-keygen -R {}", sh_quote(&k.name)),
                });
                cmds.extend(keyscan(u, c));
            }
        }
        cmds.push(verify(u, s));
        let cause = if certain {
            "it is the only key known_hosts pins for the host: ssh will print `REMOTE HOST IDENTIFICATION HAS CHANGED` and refuse the connection".to_owned()
        } else if !strict {
            "ssh will print `REMOTE HOST IDENTIFICATION HAS CHANGED` and, with StrictHostKeyChecking off, connect without checking the host".to_owned()
        } else {
            "ssh will print `REMOTE HOST IDENTIFICATION HAS CHANGED` and refuse the connection if the server offers the key type of the retired key".to_owned()
        };
        out.push(
            Finding::at(
                u,
                format!(
                    "known_hosts pins a retired host key ({}) for {} (remote `{}`)",
                    k.retired.join(", "),
                    k.name,
                    u.remote
                ),
            )
            .location(file.map(|f| Location {
                file: Some(f),
                line: first.map(|e| e.line),
                what: "known_hosts entry".into(),
            }))
            .cause(cause)
            .fix("replace the retired key with the current one", cmds)
            .certain_if(certain),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::facts::ssh::HostKeyEntry;
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;
    use std::path::PathBuf;

    const GITHUB_RSA_2013: &str = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";
    /// GitHub's RSA host key until 2023-03-24 (the line in the rule's example).
    const GITHUB_RSA_2013_LINE: &str = "github.com ssh-rsa AAAAB3NzaC1yc2EAAAABIwAAAQEAq2A7hRGmdnm9tUDbO9IDSwBK6TbQa+PXYPCPy6rbTrTtw7PHkccKrpp0yVhp5HdEIcKr6pLlVDBfOLX9QUsyCOV0wzfjIJNlGEYsdlLJizHhbn2mUjvSAHQqZETYP81eFzLQNnPHt4EVVUh7VfDESU84KezmD5QlWpXLmvU31/yMf+Se8xhHTvKSCZIFImWwoG6mbUoWf9nzpIoaSjB+weqqUUmpaaasXVal72J+UX2B+2RPW3RcT0eOzQgqlJL3RKrTJvdsjE3JEAvGq3lGHSZXy28G3skua2SmVi/w4yCE6gbODqnTWlg7+wC604ydGXA8VJiS5ap43JXiUFFAaQ==";

    fn entry(line: u32, key_type: &str, retired: bool) -> HostKeyEntry {
        HostKeyEntry {
            file: PathBuf::from("/home/u/.ssh/known_hosts"),
            line,
            key_type: key_type.into(),
            fingerprint: Some(if retired { GITHUB_RSA_2013.into() } else { "SHA256:now".into() }),
            retired,
            cert_authority: false,
        }
    }

    fn pinned(entries: Vec<HostKeyEntry>) -> Facts {
        let mut f = ssh_facts("git@github.com:a/b.git", vec![key("/k")], Probed::Absent);
        if let Probed::Found(k) = &mut ssh_mut(&mut f).known_hosts {
            k.retired = vec![GITHUB_RSA_2013.into()];
            k.files = vec![PathBuf::from("/home/u/.ssh/known_hosts")];
            k.entries = entries;
        }
        f
    }

    #[test]
    fn only_the_retired_key_is_an_error_with_the_published_keys_as_fix() {
        let f = pinned(vec![entry(3, "ssh-rsa", true)]);
        let d = diagnose(&SSH_RETIRED_HOST_KEY, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Error);
        assert_eq!(
            d[0].finding.message,
            format!(
                "known_hosts pins a retired host key ({GITHUB_RSA_2013}) for github.com (remote `origin`)"
            )
        );
        assert_eq!(d[0].finding.location.as_ref().and_then(|l| l.line), Some(3));
        let cmds = fix_commands(&d[0]);
        assert!(
            cmds.starts_with("ssh-keygen -R 'github.com' -f '/home/u/.ssh/known_hosts'\nprintf '%s\\n' 'github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'"),
            "{cmds}"
        );
        assert!(cmds.ends_with("ssh -T git@github.com"), "{cmds}");
    }

    #[test]
    fn a_current_key_beside_it_or_strict_checking_off_is_a_warning() {
        let f = pinned(vec![entry(3, "ssh-rsa", true), entry(4, "ssh-ed25519", false)]);
        assert_eq!(severities(&SSH_RETIRED_HOST_KEY, &f), vec![Warning]);
        let mut f = pinned(vec![entry(3, "ssh-rsa", true)]);
        config_mut(&mut f).strict_host_key_checking = "false".into();
        assert_eq!(severities(&SSH_RETIRED_HOST_KEY, &f), vec![Warning]);
        // accept-new refuses a changed key as `yes` does.
        config_mut(&mut f).strict_host_key_checking = "accept-new".into();
        assert_eq!(severities(&SSH_RETIRED_HOST_KEY, &f), vec![Error]);
    }

    #[test]
    fn silent_on_a_current_host_key() {
        let f = ssh_facts("git@github.com:a/b.git", vec![key("/k")], Probed::Absent);
        assert!(severities(&SSH_RETIRED_HOST_KEY, &f).is_empty());
    }

    #[test]
    fn silent_when_known_hosts_come_from_a_command() {
        let mut f = ssh_facts("git@github.com:a/b.git", vec![key("/k")], Probed::Absent);
        ssh_mut(&mut f).known_hosts = Probed::Absent;
        assert!(severities(&SSH_RETIRED_HOST_KEY, &f).is_empty());
    }

    /// The printed fix, pasted into sh in a scratch home, clears the finding.
    #[test]
    fn the_printed_fix_clears_the_finding() {
        if std::process::Command::new("ssh-keygen")
            .arg("-?")
            .output()
            .is_err()
        {
            return; // No ssh-keygen: tests/ssh.rs requires it under CREDCHECK_REQUIRE_TOOLS.
        }
        let home = tempfile::tempdir().expect("tmp");
        let kh = home.path().join(".ssh/known_hosts");
        std::fs::create_dir_all(kh.parent().expect("dir")).expect("mkdir");
        std::fs::write(&kh, format!("gitlab.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAfuCHKVTjquxvt6CM6tdG4SLp1Btn/nOeHHE5UOzRdf\n{GITHUB_RSA_2013_LINE}\n")).expect("write");
        let mut f = ssh_facts("git@github.com:a/b.git", vec![key("/k")], Probed::Absent);
        config_mut(&mut f).user_known_hosts = vec![kh.clone()];
        let probe = |f: &mut Facts| {
            let c = match &ssh_mut(f).config {
                Probed::Found(c) => c.clone(),
                _ => unreachable!(),
            };
            ssh_mut(f).known_hosts = crate::facts::ssh::probe_known_hosts(
                &c,
                home.path(),
                Some(crate::provider::ProviderKind::Github),
            );
        };
        probe(&mut f);
        let d = diagnose(&SSH_RETIRED_HOST_KEY, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Error);
        assert_eq!(d[0].finding.location.as_ref().and_then(|l| l.line), Some(2));
        let script: Vec<String> = fix_commands(&d[0])
            .lines()
            .filter(|l| !l.starts_with("ssh -T"))
            .map(str::to_owned)
            .collect();
        let out = std::process::Command::new("sh")
            .arg("-ec")
            .arg(script.join("\n"))
            .env("HOME", home.path())
            .output()
            .expect("sh");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        probe(&mut f);
        assert!(severities(&SSH_RETIRED_HOST_KEY, &f).is_empty());
        let text = std::fs::read_to_string(&kh).expect("read");
        assert!(text.starts_with("gitlab.com ssh-ed25519"), "{text}");
        assert_eq!(text.matches("github.com ").count(), 3, "{text}");
    }
}
