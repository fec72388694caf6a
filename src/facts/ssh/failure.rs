//! How an ssh connection failed, read from the messages ssh printed on its stderr.
//!
//! Only the SSH guard (`git-credcheck ssh`) has them: it passes ssh's stderr through and
//! keeps the tail of it. ssh exits 255 on its own failures (a refused key, an unknown or
//! changed host key, no common host key type, a host that cannot be reached); exits of
//! the remote command (a missing repository, a read-only key) are not ssh's and are not
//! read here. Only the class of failure and the few values the explanation needs are
//! kept (the offending known_hosts line, the host key types the server offered, the
//! fingerprint it sent): never the text itself.

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
}

/// Classifies a failed ssh run from its exit status and what it printed on stderr.
/// `None` when ssh did not fail by itself (another exit status) or said nothing known.
pub(crate) fn classify(status: i32, stderr: &[u8]) -> Option<Failure> {
    if status != SSH_FAILED {
        return None;
    }
    let text = String::from_utf8_lossy(stderr);
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
        let f = classify(255, b"git@github.com: Permission denied (publickey).\r\n");
        assert_eq!(
            f,
            Some(Failure::KeyRefused {
                methods: "publickey".into()
            })
        );
        let f = classify(
            255,
            b"root@127.0.0.1: Permission denied (publickey,password).\n",
        );
        assert!(
            matches!(f, Some(Failure::KeyRefused { methods }) if methods == "publickey,password")
        );
    }

    #[test]
    fn password_only_refusals_are_not_a_key_problem() {
        assert_eq!(classify(255, b"u@h: Permission denied (password).\n"), None);
    }

    #[test]
    fn host_key_messages() {
        assert_eq!(
            classify(255, b"No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\nHost key verification failed.\n"),
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
            classify(255, changed),
            Some(Failure::HostKeyChanged {
                offending: Some((PathBuf::from("/root/.ssh/known_hosts"), 3)),
                fingerprint: Some("SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU".into()),
            })
        );
        assert_eq!(
            classify(255, b"Unable to negotiate with 10.0.0.1 port 22: no matching host key type found. Their offer: ssh-rsa,ssh-dss\n"),
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
                b"ssh: Could not resolve hostname gihtub.com: Name or service not known\n"
            ),
            Some(Failure::HostUnresolved)
        );
        assert_eq!(
            classify(
                255,
                b"ssh: connect to host 127.0.0.1 port 1: Connection refused\n"
            ),
            Some(Failure::ConnectionRefused)
        );
        assert_eq!(
            classify(
                255,
                b"ssh: connect to host 10.255.255.1 port 22: Connection timed out\n"
            ),
            Some(Failure::ConnectionTimedOut)
        );
    }

    #[test]
    fn only_ssh_own_failures() {
        // The remote command failed (git-receive-pack exit 1 / 128): not ssh's failure.
        assert_eq!(
            classify(128, b"u@h: Permission denied (publickey).\n"),
            None
        );
        assert_eq!(
            classify(255, b"Connection closed by 10.0.0.1 port 22\n"),
            None
        );
        assert_eq!(classify(0, b""), None);
    }
}
