//! How an ssh connection failed, read from the messages ssh printed on its stderr.
//!
//! Only the SSH guard (`git-credcheck ssh`) has them: it passes ssh's stderr through and
//! keeps the tail of it. ssh exits 255 on its own failures (a refused key, an unknown or
//! changed host key, no common host key type, a bad configuration option, a key file
//! others can read, a signature the agent refused, a host that cannot be reached). When
//! the remote command fails instead (another non-zero status), only a provider's own
//! refusal texts are read (a read-only deploy key, a repository the account cannot see:
//! `ssh_refusals` in the provider tables). Only the class of failure and the few values
//! the explanation needs are kept (the offending known_hosts line, the host key types the
//! server offered, the fingerprint it sent, the file and line of a bad option, the key
//! file): never the text itself.

use crate::provider::ProviderKind;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The exit status ssh uses for its own failures.
pub(crate) const SSH_FAILED: i32 = 255;

/// What made an ssh connection fail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub(crate) enum Failure {
    /// `Permission denied (publickey…)`: the server accepted none of the keys ssh offered.
    KeyRefused {
        /// The methods the server still allows, as it listed them (`publickey,password`).
        methods: String,
    },
    /// `Host key verification failed.`: the host is in no known_hosts file ssh read and
    /// nobody confirmed its key.
    HostKeyUnknown,
    /// `REMOTE HOST IDENTIFICATION HAS CHANGED`: known_hosts pins another key.
    HostKeyChanged {
        /// The known_hosts line that pins the other key (`Offending … key in FILE:LINE`).
        offending: Option<(PathBuf, u32)>,
        /// The fingerprint of the key the server sent.
        fingerprint: Option<String>,
    },
    /// `no matching host key type found. Their offer: …`: the server offers only host key
    /// types this ssh no longer accepts.
    HostKeyTypeRefused { offered: Vec<String> },
    /// `Could not resolve hostname`.
    HostUnresolved,
    /// `Connection refused`: nothing listens on that port.
    ConnectionRefused,
    /// `Connection timed out`: no answer at all.
    ConnectionTimedOut,
    /// `FILE: line N: Bad configuration option: NAME` (or `FILE: terminating, N bad
    /// configuration options`): ssh stopped before connecting.
    BadConfigOption {
        /// The file ssh named (`command-line` for `-o`), and the line.
        file: Option<String>,
        line: Option<u32>,
        /// The option as ssh printed it (lower case).
        option: Option<String>,
    },
    /// `UNPROTECTED PRIVATE KEY FILE` / `Load key "FILE": bad permissions`: ssh ignored a
    /// key file others can read.
    KeyPermissions {
        key: Option<PathBuf>,
        /// The mode ssh printed (`Permissions 0644 for …`).
        mode: Option<u32>,
    },
    /// `sign_and_send_pubkey: signing failed … agent refused operation`: the agent
    /// holds the key but would not sign with it.
    SigningFailed {
        /// The key ssh named, when it did.
        key: Option<String>,
        agent_refused: bool,
    },
    /// The server accepted the key, then refused the push with one of its own texts
    /// (the provider table's `ssh_refusals`).
    RemoteRefused {
        provider: ProviderKind,
        /// The `id` of the refusal in the provider table.
        refusal: String,
    },
}

/// The provider refusal that one of these lines reports, if any: the URL's provider's
/// texts first, then every other provider's (a self-hosted GitLab is not detected).
pub(crate) fn remote_refusal(
    text: &str,
    provider: Option<ProviderKind>,
) -> Option<(ProviderKind, &'static crate::provider::SshRefusal)> {
    let mut order: Vec<&crate::provider::Provider> = crate::provider::PROVIDERS.to_vec();
    order.sort_by_key(|p| Some(p.kind) != provider);
    for p in order {
        for r in p.ssh_refusals {
            if text
                .lines()
                .any(|l| r.text.iter().all(|needle| l.contains(needle)))
            {
                return Some((p.kind, r));
            }
        }
    }
    None
}

/// Classifies a failed ssh run from its exit status and what it printed on stderr.
/// `None` when ssh did not fail by itself (another exit status) or said nothing known.
pub(crate) fn classify(
    status: i32,
    stderr: &[u8],
    provider: Option<ProviderKind>,
) -> Option<Failure> {
    if status == 0 {
        return None;
    }
    let text = String::from_utf8_lossy(stderr);
    if status != SSH_FAILED {
        // The remote command failed: only a provider's own refusal explains it.
        return remote_refusal(&text, provider).map(|(provider, r)| Failure::RemoteRefused {
            provider,
            refusal: r.id.to_owned(),
        });
    }
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let has = |needle: &str| text.contains(needle);
    if has("REMOTE HOST IDENTIFICATION HAS CHANGED") {
        return Some(Failure::HostKeyChanged {
            offending: lines.iter().find_map(|l| offending(l)),
            fingerprint: lines
                .iter()
                .map(|l| l.trim_end_matches('.'))
                .find(|l| l.starts_with("SHA256:") && !l.contains(' '))
                .map(str::to_owned),
        });
    }
    if let Some(l) = lines
        .iter()
        .find(|l| l.contains("no matching host key type found"))
    {
        let offered = l
            .split_once("Their offer:")
            .map(|(_, o)| {
                o.split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty() && t.bytes().all(is_algorithm_byte))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        return Some(Failure::HostKeyTypeRefused { offered });
    }
    if has("Host key verification failed") {
        return Some(Failure::HostKeyUnknown);
    }
    if let Some(f) = bad_option(&lines) {
        return Some(f);
    }
    if has("UNPROTECTED PRIVATE KEY FILE") || has("bad permissions") {
        let key = lines.iter().find_map(|l| {
            let rest = l.strip_prefix("Load key \"")?;
            let (file, why) = rest.split_once("\":")?;
            why.contains("bad permissions").then(|| PathBuf::from(file))
        });
        let mode = lines.iter().find_map(|l| {
            let rest = l.strip_prefix("Permissions ")?;
            let (mode, _) = rest.split_once(' ')?;
            u32::from_str_radix(mode, 8).ok()
        });
        let key = key.or_else(|| {
            lines.iter().find_map(|l| {
                let (_, rest) = l.split_once(" for '")?;
                let (file, _) = rest.split_once("' are too open")?;
                Some(PathBuf::from(file))
            })
        });
        return Some(Failure::KeyPermissions { key, mode });
    }
    if let Some(l) = lines.iter().find(|l| {
        l.contains("sign_and_send_pubkey: signing failed") || l.contains("agent refused operation")
    }) {
        let key = l
            .split_once('"')
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(k, _)| k.to_owned());
        return Some(Failure::SigningFailed {
            key,
            agent_refused: l.contains("agent refused operation") || has("agent refused operation"),
        });
    }
    if has("Could not resolve hostname") {
        return Some(Failure::HostUnresolved);
    }
    if has("Connection refused") {
        return Some(Failure::ConnectionRefused);
    }
    if has("Connection timed out") || has("Operation timed out") {
        return Some(Failure::ConnectionTimedOut);
    }
    lines.iter().find_map(|l| {
        let (_, rest) = l.split_once("Permission denied (")?;
        let methods = rest.split(')').next()?;
        methods
            .split(',')
            .any(|m| m == "publickey")
            .then(|| Failure::KeyRefused {
                methods: methods.to_owned(),
            })
    })
}

/// `FILE: line N: Bad configuration option: NAME`, else `FILE: terminating, N bad
/// configuration options` (readconf.c). `FILE line N: Unsupported option` is only a
/// warning: ssh goes on.
fn bad_option(lines: &[&str]) -> Option<Failure> {
    if let Some((head, option)) = lines
        .iter()
        .find_map(|l| l.split_once(": Bad configuration option: "))
    {
        let (file, line) = match head.rsplit_once(": line ") {
            Some((f, n)) => (Some(f.to_owned()), n.trim().parse().ok()),
            None => (None, None),
        };
        return Some(Failure::BadConfigOption {
            file,
            line,
            option: Some(option.trim().to_owned()),
        });
    }
    let file = lines.iter().find_map(|l| {
        let (file, rest) = l.split_once(": terminating, ")?;
        rest.ends_with("bad configuration options")
            .then(|| file.to_owned())
    })?;
    Some(Failure::BadConfigOption {
        file: Some(file),
        line: None,
        option: None,
    })
}

/// `Offending ED25519 key in /root/.ssh/known_hosts:3` → the file and the line.
fn offending(line: &str) -> Option<(PathBuf, u32)> {
    let rest = line.strip_prefix("Offending ")?;
    let (_, at) = rest.split_once(" key in ")?;
    let (file, number) = at.rsplit_once(':')?;
    Some((PathBuf::from(file), number.trim().parse().ok()?))
}

fn is_algorithm_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'@' | b'.' | b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_key() {
        let f = classify(
            255,
            b"git@github.com: Permission denied (publickey).\r\n",
            None,
        );
        assert_eq!(
            f,
            Some(Failure::KeyRefused {
                methods: "publickey".into()
            })
        );
        let f = classify(
            255,
            b"root@127.0.0.1: Permission denied (publickey,password).\n",
            None,
        );
        assert!(
            matches!(f, Some(Failure::KeyRefused { methods }) if methods == "publickey,password")
        );
    }

    #[test]
    fn password_only_refusals_are_not_a_key_problem() {
        assert_eq!(
            classify(255, b"u@h: Permission denied (password).\n", None),
            None
        );
    }

    #[test]
    fn host_key_messages() {
        assert_eq!(
            classify(255, b"No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\nHost key verification failed.\n", None),
            Some(Failure::HostKeyUnknown)
        );
        let changed = b"@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n\
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n\
The fingerprint for the ED25519 key sent by the remote host is\n\
SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU.\n\
Please contact your system administrator.\n\
Add correct host key in /root/.ssh/known_hosts to get rid of this message.\n\
Offending ED25519 key in /root/.ssh/known_hosts:3\n\
Host key for github.com has changed and you have requested strict checking.\n\
Host key verification failed.\n";
        assert_eq!(
            classify(255, changed, None),
            Some(Failure::HostKeyChanged {
                offending: Some((PathBuf::from("/root/.ssh/known_hosts"), 3)),
                fingerprint: Some("SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU".into()),
            })
        );
        assert_eq!(
            classify(255, b"Unable to negotiate with 10.0.0.1 port 22: no matching host key type found. Their offer: ssh-rsa,ssh-dss\n", None),
            Some(Failure::HostKeyTypeRefused {
                offered: vec!["ssh-rsa".into(), "ssh-dss".into()]
            })
        );
    }

    #[test]
    fn network_messages() {
        assert_eq!(
            classify(
                255,
                b"ssh: Could not resolve hostname gihtub.com: Name or service not known\n",
                None
            ),
            Some(Failure::HostUnresolved)
        );
        assert_eq!(
            classify(
                255,
                b"ssh: connect to host 127.0.0.1 port 1: Connection refused\n",
                None
            ),
            Some(Failure::ConnectionRefused)
        );
        assert_eq!(
            classify(
                255,
                b"ssh: connect to host 10.255.255.1 port 22: Connection timed out\n",
                None
            ),
            Some(Failure::ConnectionTimedOut)
        );
    }

    #[test]
    fn only_ssh_own_failures() {
        // The remote command failed (git-receive-pack exit 1 / 128): not ssh's failure.
        assert_eq!(
            classify(128, b"u@h: Permission denied (publickey).\n", None),
            None
        );
        assert_eq!(
            classify(255, b"Connection closed by 10.0.0.1 port 22\n", None),
            None
        );
        assert_eq!(classify(0, b"", None), None);
    }

    #[test]
    fn configuration_and_key_messages() {
        let bad = b"/home/u/.ssh/config: line 2: Bad configuration option: usekeychain\n/home/u/.ssh/config line 3: Unsupported option \"rsaauthentication\"\n/home/u/.ssh/config: terminating, 1 bad configuration options\n";
        assert_eq!(
            classify(255, bad, None),
            Some(Failure::BadConfigOption {
                file: Some("/home/u/.ssh/config".into()),
                line: Some(2),
                option: Some("usekeychain".into()),
            })
        );
        assert_eq!(
            classify(
                255,
                b"command-line: line 0: Bad configuration option: foo\n",
                None
            ),
            Some(Failure::BadConfigOption {
                file: Some("command-line".into()),
                line: Some(0),
                option: Some("foo".into()),
            })
        );
        // An unsupported (removed) option is only a warning: ssh goes on.
        assert_eq!(
            classify(255, b"/etc/ssh/ssh_config line 5: Unsupported option \"rsaauthentication\"\nConnection closed by 10.0.0.1 port 22\n", None),
            None
        );
        let open = b"@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
@         WARNING: UNPROTECTED PRIVATE KEY FILE!          @\n\
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n\
Permissions 0644 for '/home/u/.ssh/id_ed25519' are too open.\n\
It is required that your private key files are NOT accessible by others.\n\
This private key will be ignored.\n\
Load key \"/home/u/.ssh/id_ed25519\": bad permissions\n\
git@github.com: Permission denied (publickey).\n";
        assert_eq!(
            classify(255, open, None),
            Some(Failure::KeyPermissions {
                key: Some(PathBuf::from("/home/u/.ssh/id_ed25519")),
                mode: Some(0o644),
            })
        );
        let agent = b"sign_and_send_pubkey: signing failed for ED25519 \"/home/u/.ssh/id_ed25519\" from agent: agent refused operation\ngit@github.com: Permission denied (publickey).\n";
        assert_eq!(
            classify(255, agent, None),
            Some(Failure::SigningFailed {
                key: Some("/home/u/.ssh/id_ed25519".into()),
                agent_refused: true,
            })
        );
    }

    #[test]
    fn a_provider_s_refusal_after_authentication() {
        let ro = b"ERROR: The key you are authenticating with has been marked as read only.\nfatal: Could not read from remote repository.\n";
        assert_eq!(
            classify(1, ro, Some(ProviderKind::Github)),
            Some(Failure::RemoteRefused {
                provider: ProviderKind::Github,
                refusal: "read-only-key".into(),
            })
        );
        assert_eq!(
            classify(
                128,
                b"ERROR: Permission to o/r.git denied to deploy key\n",
                None
            ),
            Some(Failure::RemoteRefused {
                provider: ProviderKind::Github,
                refusal: "deploy-key-other-repository".into(),
            })
        );
        // A self-hosted GitLab is not detected: its text still tells.
        assert_eq!(
            classify(1, b"GitLab: The project you were looking for could not be found or you don't have permission to view it.\n", None),
            Some(Failure::RemoteRefused {
                provider: ProviderKind::Gitlab,
                refusal: "repository-not-found".into(),
            })
        );
        assert_eq!(
            classify(
                1,
                b"conq: repository access denied. access via a deployment key is read-only.\n",
                None
            ),
            Some(Failure::RemoteRefused {
                provider: ProviderKind::BitbucketCloud,
                refusal: "read-only-key".into(),
            })
        );
        // Success, or another failure of the remote command: nothing to explain.
        assert_eq!(classify(0, ro, Some(ProviderKind::Github)), None);
        assert_eq!(
            classify(1, b"error: failed to push some refs\n", None),
            None
        );
    }
}
