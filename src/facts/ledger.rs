//! The guard's opt-in ledger of accepted credentials: a keyed hash, the host, the kind and
//! the date a credential was first accepted — never the secret. It lets rules tell how old
//! a stored token is and warn before the provider's maximum lifetime ends it.
//!
//! Files, both mode 0600 under `$XDG_STATE_HOME/git-credcheck/` (default
//! `~/.local/state/git-credcheck/`): `key` (32 random bytes) and `credentials.jsonl`.

use crate::date::Date;
use crate::secret::Shape;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

pub(crate) struct Ledger {
    key: Vec<u8>,
    first_seen: HashMap<String, Date>,
}

fn hash(key: &[u8], host: &str, user: &str, password: &str) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(key);
    h.update(host.as_bytes());
    h.update([0]);
    h.update(user.as_bytes());
    h.update([0]);
    h.update(password.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl Ledger {
    /// Reads the ledger, if the guard ever recorded anything.
    pub(crate) fn load(dir: &Path) -> Option<Ledger> {
        let key = std::fs::read(dir.join("key"))
            .ok()
            .filter(|k| k.len() == 32)?;
        let text = std::fs::read_to_string(dir.join("credentials.jsonl")).unwrap_or_default();
        let mut first_seen = HashMap::new();
        for line in text.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if let (Some(h), Some(d)) = (
                v["hash"].as_str(),
                v["first_seen"].as_str().and_then(Date::parse),
            ) {
                first_seen.entry(h.to_owned()).or_insert(d);
            }
        }
        Some(Ledger { key, first_seen })
    }

    pub(crate) fn first_seen(&self, host: &str, user: &str, password: &str) -> Option<Date> {
        self.first_seen
            .get(&hash(&self.key, host, user, password))
            .copied()
    }
}

/// Records that `password` was accepted for `user` at `host` on `today`, once.
pub(crate) fn record(
    dir: &Path,
    host: &str,
    user: &str,
    password: &str,
    today: Date,
) -> anyhow::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let key_path = dir.join("key");
    let key = match std::fs::read(&key_path) {
        Ok(k) if k.len() == 32 => k,
        _ => {
            let mut k = vec![0u8; 32];
            std::fs::File::open("/dev/urandom")?.read_exact(&mut k)?;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&key_path)?;
            f.write_all(&k)?;
            k
        }
    };
    let h = hash(&key, host, user, password);
    let file = dir.join("credentials.jsonl");
    if std::fs::read_to_string(&file)
        .unwrap_or_default()
        .contains(&h)
    {
        return Ok(());
    }
    let line = serde_json::json!({ "hash": h, "host": host, "kind": Shape::of(password).kind, "first_seen": today.to_string() });
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(&file)?;
    writeln!(f, "{line}")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_once_keeps_no_secret_and_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tmp");
        let d = dir.path().join("state");
        record(
            &d,
            "gitlab.com",
            "alice",
            "glpat-SECRETSECRETSECRET",
            Date::new(2026, 11, 29),
        )
        .expect("record");
        record(
            &d,
            "gitlab.com",
            "alice",
            "glpat-SECRETSECRETSECRET",
            Date::new(2026, 11, 30),
        )
        .expect("record");
        let text = std::fs::read_to_string(d.join("credentials.jsonl")).expect("file");
        assert_eq!(text.lines().count(), 1);
        assert!(!text.contains("SECRET"));
        assert!(text.contains("gitlab-personal-token") && text.contains("2026-11-29"));
        for f in ["credentials.jsonl", "key"] {
            let mode = std::fs::metadata(d.join(f))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }
        let l = Ledger::load(&d).expect("ledger");
        assert_eq!(
            l.first_seen("gitlab.com", "alice", "glpat-SECRETSECRETSECRET"),
            Some(Date::new(2026, 11, 29))
        );
        assert_eq!(
            l.first_seen("gitlab.com", "bob", "glpat-SECRETSECRETSECRET"),
            None
        );
    }
}
