//! Private key files, read for their header only: whether ssh will accept the file
//! (mode, format), its key type, whether it is encrypted, and its fingerprint (from the
//! public half, never from the secret part).

use super::KeyFile;
use std::path::Path;

pub(super) fn key_file(path: &Path) -> KeyFile {
    let mut k = KeyFile {
        path: path.to_owned(),
        exists: false,
        readable: false,
        mode: None,
        too_open: false,
        public_in_private_slot: false,
        foreign_format: false,
        key_type: None,
        encrypted: None,
        fingerprint: None,
    };
    let Ok(meta) = std::fs::metadata(path) else {
        return k;
    };
    k.exists = meta.is_file();
    (k.mode, k.too_open) = crate::platform::key_mode(&meta);
    let Ok(bytes) = read_head(path, 64 * 1024) else {
        return k;
    };
    k.readable = true;
    let text = String::from_utf8_lossy(&bytes);
    let first = text.lines().next().unwrap_or("").trim();
    if first.starts_with("PuTTY-User-Key-File") {
        k.foreign_format = true;
    } else if let Some((t, blob)) = public_key_line(first) {
        k.public_in_private_slot = true;
        k.key_type = Some(t);
        k.fingerprint = Some(fingerprint(&blob));
    } else if first == "-----BEGIN OPENSSH PRIVATE KEY-----" {
        if let Some((cipher, blob)) = openssh_private(&text) {
            k.encrypted = Some(cipher != "none");
            k.key_type = blob_type(&blob);
            k.fingerprint = Some(fingerprint(&blob));
        }
    } else if first.starts_with("-----BEGIN ") {
        k.encrypted = Some(text.contains("ENCRYPTED"));
        k.key_type = match first {
            f if f.contains("RSA") => Some("ssh-rsa".into()),
            f if f.contains("DSA") => Some("ssh-dss".into()),
            f if f.contains("EC ") => Some("ecdsa".into()),
            _ => None,
        };
    }
    // The .pub beside the key gives the fingerprint of an encrypted PEM key.
    if k.fingerprint.is_none() && !k.public_in_private_slot {
        let mut pubpath = path.as_os_str().to_owned();
        pubpath.push(".pub");
        if let Ok(pubtext) = read_head(Path::new(&pubpath), 16 * 1024) {
            if let Some((t, blob)) = public_key_line(
                String::from_utf8_lossy(&pubtext)
                    .lines()
                    .next()
                    .unwrap_or(""),
            ) {
                k.key_type.get_or_insert(t);
                k.fingerprint = Some(fingerprint(&blob));
            }
        }
    }
    k
}

/// Reads a key or known_hosts file through the bounded reader: a FIFO or a device is
/// skipped (and noted), never waited on.
pub(super) fn read_head(path: &Path, max: u64) -> Result<Vec<u8>, crate::facts::files::Skipped> {
    crate::facts::files::read_capped(path, max)
}

pub(super) fn public_key_line(line: &str) -> Option<(String, Vec<u8>)> {
    use base64::Engine;
    let mut parts = line.split_whitespace();
    let t = parts.next()?;
    if !(t.starts_with("ssh-") || t.starts_with("ecdsa-") || t.starts_with("sk-")) {
        return None;
    }
    let blob = base64::engine::general_purpose::STANDARD
        .decode(parts.next()?)
        .ok()?;
    Some((t.to_owned(), blob))
}

/// Reads the cipher name and the first public key of an `openssh-key-v1` file.
fn openssh_private(text: &str) -> Option<(String, Vec<u8>)> {
    use base64::Engine;
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()?;
    let mut r = raw.strip_prefix(b"openssh-key-v1\0")?;
    let cipher = read_string(&mut r)?;
    let _kdf = read_string(&mut r)?;
    let _kdfopts = read_string(&mut r)?;
    let n = read_u32(&mut r)?;
    if n == 0 {
        return None;
    }
    let pubkey = read_string(&mut r)?;
    Some((String::from_utf8_lossy(&cipher).into_owned(), pubkey))
}

pub(super) fn read_u32(r: &mut &[u8]) -> Option<u32> {
    let (head, rest) = r.split_at_checked(4)?;
    *r = rest;
    Some(u32::from_be_bytes(head.try_into().ok()?))
}

pub(super) fn read_string(r: &mut &[u8]) -> Option<Vec<u8>> {
    let len = read_u32(r)? as usize;
    let (s, rest) = r.split_at_checked(len)?;
    *r = rest;
    Some(s.to_vec())
}

fn blob_type(blob: &[u8]) -> Option<String> {
    let mut r = blob;
    read_string(&mut r).map(|t| String::from_utf8_lossy(&t).into_owned())
}

/// `SHA256:<base64 without padding>`, as ssh prints it.
pub(super) fn fingerprint(blob: &[u8]) -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(blob);
    format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_generated_keys() {
        let dir = tempfile::tempdir().expect("tmp");
        let key = dir.path().join("k");
        let st = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "pass phrase", "-f"])
            .arg(&key)
            .status();
        if !st.is_ok_and(|s| s.success()) {
            return; // ssh-keygen not installed: the e2e suite covers this.
        }
        let k = key_file(&key);
        assert_eq!(k.encrypted, Some(true));
        assert_eq!(k.key_type.as_deref(), Some("ssh-ed25519"));
        assert!(!k.too_open);
        let p = key_file(&dir.path().join("k.pub"));
        assert!(p.public_in_private_slot);
        assert_eq!(p.fingerprint, k.fingerprint);
    }
}
