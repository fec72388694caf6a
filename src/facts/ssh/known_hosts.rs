//! Whether ssh knows the host: the known_hosts files ssh reads (user files, then global
//! ones), matched line by line as OpenSSH matches them, and which of the matching keys a
//! provider has retired.

use super::client::expand;
use super::keys::{fingerprint, public_key_line, read_head};
use super::{ClientConfig, HostKeyEntry, KnownHost, Probed};
use crate::provider::ProviderKind;
use std::path::{Path, PathBuf};

pub(crate) fn probe_known_hosts(
    c: &ClientConfig,
    home: &Path,
    provider: Option<ProviderKind>,
) -> Probed<KnownHost> {
    // HostKeyAlias replaces the host and the port (sshconnect.c
    // `get_hostfile_hostname_ipaddr`): `[alias]:port` is never looked up.
    let name = match &c.host_key_alias {
        Some(alias) => alias.to_ascii_lowercase(),
        None if c.port == 22 => c.hostname.to_ascii_lowercase(),
        None => format!("[{}]:{}", c.hostname.to_ascii_lowercase(), c.port),
    };
    let files: Vec<PathBuf> = c
        .user_known_hosts
        .iter()
        .chain(c.global_known_hosts.iter())
        .map(|f| expand(f, home, &c.hostname, &c.user))
        .filter(|f| f.exists())
        .collect();
    let retired_list = provider.map(|p| p.info().retired_host_keys).unwrap_or(&[]);
    let mut known = false;
    let mut retired = Vec::new();
    let mut entries = Vec::new();
    let mut unread = None;
    for f in &files {
        let bytes = match read_head(f, 16 << 20) {
            Ok(b) => b,
            Err(e) => {
                unread.get_or_insert(format!("{}: {}", f.display(), e.reason()));
                continue;
            }
        };
        for (n, line) in String::from_utf8_lossy(&bytes).lines().enumerate() {
            let Some((t, b64)) = known_hosts_match(line, &name) else {
                continue;
            };
            known = true;
            let fp = public_key_line(&format!("{t} {b64}")).map(|(_, blob)| fingerprint(&blob));
            let is_retired = fp.as_ref().is_some_and(|fp| {
                retired_list
                    .iter()
                    .any(|(pinned, _)| pinned == fp || b64.contains(pinned))
            });
            if let (true, Some(fp)) = (is_retired, &fp) {
                if !retired.contains(fp) {
                    retired.push(fp.clone());
                }
            }
            entries.push(HostKeyEntry {
                file: f.clone(),
                line: u32::try_from(n + 1).unwrap_or(u32::MAX),
                key_type: t.to_owned(),
                fingerprint: fp,
                retired: is_retired,
                cert_authority: line.trim_start().starts_with("@cert-authority"),
            });
        }
    }
    // A file we could not read may hold the host: unknown, not "not known" (issue 18).
    if let (false, Some(why)) = (known, unread) {
        return Probed::Failed(format!("could not read {why}"));
    }
    Probed::Found(KnownHost {
        name,
        known,
        files,
        retired,
        entries,
    })
}

/// If this known_hosts line applies to `name`, its key type and base64 key.
/// Handles hashed entries (`|1|salt|hash`, HMAC-SHA1), comma-separated patterns with
/// `*`/`?` wildcards and `!` negation, and the `@cert-authority` marker; `@revoked`
/// lines never make a host known (sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT").
pub(crate) fn known_hosts_match<'a>(line: &'a str, name: &str) -> Option<(&'a str, &'a str)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let mut fields = line.split_whitespace();
    let mut hosts = fields.next()?;
    if hosts.starts_with('@') {
        if hosts != "@cert-authority" {
            return None;
        }
        hosts = fields.next()?;
    }
    let (t, b64) = (fields.next()?, fields.next()?);
    let hit = if let Some(hashed) = hosts.strip_prefix("|1|") {
        hashed_match(hashed, name)
    } else {
        let mut positive = false;
        for pattern in hosts.split(',') {
            let (negated, p) = match pattern.strip_prefix('!') {
                Some(p) => (true, p),
                None => (false, pattern),
            };
            if wildcard(&p.to_ascii_lowercase(), name) {
                if negated {
                    return None;
                }
                positive = true;
            }
        }
        positive
    };
    hit.then_some((t, b64))
}

fn hashed_match(hashed: &str, name: &str) -> bool {
    use base64::Engine;
    use hmac::Mac;
    let Some((salt, hash)) = hashed.split_once('|') else {
        return false;
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let (Ok(salt), Ok(hash)) = (b64.decode(salt), b64.decode(hash)) else {
        return false;
    };
    let Ok(mut mac) = hmac::Hmac::<sha1::Sha1>::new_from_slice(&salt) else {
        return false;
    };
    mac.update(name.as_bytes());
    mac.verify_slice(&hash).is_ok()
}

/// OpenSSH's `match_pattern`: `*` any run, `?` one character.
fn wildcard(pattern: &str, s: &str) -> bool {
    let (p, s) = (pattern.as_bytes(), s.as_bytes());
    let (mut pi, mut si, mut star, mut mark) = (0, 0, None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_hosts_lines() {
        assert!(
            known_hosts_match("github.com,140.82.112.3 ssh-ed25519 AAAA", "github.com").is_some()
        );
        assert!(known_hosts_match("*.github.com ssh-ed25519 AAAA", "api.github.com").is_some());
        assert!(known_hosts_match(
            "*.example.com,!bad.example.com ssh-ed25519 AAAA",
            "bad.example.com"
        )
        .is_none());
        assert!(known_hosts_match(
            "[git.example.com]:7999 ssh-rsa AAAA",
            "[git.example.com]:7999"
        )
        .is_some());
        assert!(
            known_hosts_match("git.example.com ssh-rsa AAAA", "[git.example.com]:7999").is_none()
        );
        assert!(known_hosts_match("@revoked github.com ssh-rsa AAAA", "github.com").is_none());
        assert!(known_hosts_match(
            "@cert-authority *.example.com ssh-rsa AAAA",
            "a.example.com"
        )
        .is_some());
        assert!(known_hosts_match("# github.com ssh-rsa AAAA", "github.com").is_none());
        assert!(known_hosts_match("gith?b.com ssh-rsa AAAA", "github.com").is_some());
    }

    #[test]
    fn hashed_known_hosts_match_ssh_keygen() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = dir.path().join("kh");
        std::fs::write(&f, "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n[h.example]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n").expect("write");
        let st = std::process::Command::new("ssh-keygen")
            .arg("-H")
            .arg("-f")
            .arg(&f)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        if !st.is_ok_and(|s| s.success()) {
            return; // ssh-keygen not installed: the e2e suite covers this.
        }
        let text = std::fs::read_to_string(&f).expect("read");
        assert!(text.starts_with("|1|"), "{text}");
        let hit = |name: &str| text.lines().any(|l| known_hosts_match(l, name).is_some());
        assert!(hit("github.com") && hit("[h.example]:2222"));
        assert!(!hit("gitlab.com") && !hit("h.example"));
    }
}
