//! The guard's opt-in ledger of accepted credentials: a keyed hash, the host, the kind and
//! the date a credential was first accepted — never the secret. It lets rules tell how old
//! a stored token is and warn before the provider's maximum lifetime ends it.
//!
//! Files, both mode 0600 under `$XDG_STATE_HOME/git-credcheck/` (default
//! `~/.local/state/git-credcheck/`): `key` (32 random bytes) and `credentials.jsonl`, one
//! JSON object a line: `{"hmac": <hex HMAC-SHA-256>, "host", "kind", "first_seen"}`.
//!
//! Ledgers written before the HMAC have `"hash"` lines (SHA-256 of the key followed by the
//! fields). They are still read; when the guard next sees such a credential it appends an
//! `"hmac"` line that carries the old `first_seen` forward, so no date is lost.
//!
//! Path-guarded hints (issue 13): when the pre-push hook warns that a credential may lack
//! the scope a guarded path needs (GitHub's `workflow`), it appends to `hints.jsonl`
//! `{"hint": <HMAC of credential, push URL, guarded path>, "commit": <pushed tip>,
//! "recorded"}`. Once a later run sees that commit on the remote (the push went through),
//! it appends `{"hint", "accepted"}` and the hint for that credential, URL and path is
//! silent from then on. The URL and path are only inside the HMAC.

use crate::date::Date;
use crate::secret::Shape;
use hmac::Mac;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

const KEY_FILE: &str = "key";
const LINES_FILE: &str = "credentials.jsonl";
const HINTS_FILE: &str = "hints.jsonl";
/// A hint keeps at most this many pending commits: the newest.
const MAX_PENDING: usize = 8;
const KEY_LEN: usize = 32;

pub(crate) struct Ledger {
    key: Vec<u8>,
    /// First-seen dates by `"hmac"` value.
    first_seen: HashMap<String, Date>,
    /// First-seen dates by legacy `"hash"` value.
    legacy: HashMap<String, Date>,
    /// Path-guarded hints by key: accepted, and the commits pushed after the hint.
    hints: HashMap<String, Hint>,
    /// The hint each commit was last recorded under: a commit pushed again with another
    /// credential proves nothing about the first one.
    last_hint: HashMap<String, String>,
}

#[derive(Default)]
struct Hint {
    accepted: bool,
    commits: Vec<String>,
}

/// HMAC-SHA-256 under the ledger key of host, user and password, NUL-separated, as hex.
fn keyed_hash(key: &[u8], host: &str, user: &str, password: &str) -> String {
    mac(key, &[host, user, password])
}

/// HMAC-SHA-256 under the ledger key of the NUL-separated fields, as hex.
fn mac(key: &[u8], fields: &[&str]) -> String {
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            mac.update(&[0]);
        }
        mac.update(field.as_bytes());
    }
    format!("{:x}", mac.finalize().into_bytes())
}

/// The hash of ledgers written before [`keyed_hash`]: SHA-256 of the key and the fields.
fn legacy_hash(key: &[u8], host: &str, user: &str, password: &str) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(key);
    h.update(host.as_bytes());
    h.update([0]);
    h.update(user.as_bytes());
    h.update([0]);
    h.update(password.as_bytes());
    format!("{:x}", h.finalize())
}

/// The ledger's files are ours, but live in the user's state directory: read them as
/// any other file, bounded.
fn read(path: &Path) -> Result<Vec<u8>, crate::facts::files::Skipped> {
    crate::facts::files::read_capped(path, crate::facts::files::CONFIG_CAP)
}

impl Ledger {
    /// Reads the ledger, if the guard ever recorded anything.
    pub(crate) fn load(dir: &Path) -> Option<Ledger> {
        let key = read(&dir.join(KEY_FILE))
            .ok()
            .filter(|k| k.len() == KEY_LEN)?;
        Some(Ledger::with_key(dir, key))
    }

    fn with_key(dir: &Path, key: Vec<u8>) -> Ledger {
        let text = read(&dir.join(LINES_FILE)).unwrap_or_default();
        let text = String::from_utf8_lossy(&text);
        let mut first_seen = HashMap::new();
        let mut legacy = HashMap::new();
        for line in text.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let Some(date) = v["first_seen"].as_str().and_then(Date::parse) else {
                continue;
            };
            if let Some(h) = v["hmac"].as_str() {
                first_seen.entry(h.to_owned()).or_insert(date);
            } else if let Some(h) = v["hash"].as_str() {
                legacy.entry(h.to_owned()).or_insert(date);
            }
        }
        let (hints, last_hint) = read_hints(dir);
        Ledger {
            key,
            first_seen,
            legacy,
            hints,
            last_hint,
        }
    }

    /// The credential's identity in the ledger (the `"hmac"` of its line): never the secret.
    pub(crate) fn credential_id(&self, host: &str, user: &str, password: &str) -> String {
        keyed_hash(&self.key, host, user, password)
    }

    /// The key of a path-guarded hint: credential, push URL (as printed) and guarded path.
    pub(crate) fn hint_key(&self, credential: &str, url: &str, path: &str) -> String {
        mac(&self.key, &["guarded-path-hint", credential, url, path])
    }

    /// A push made after this hint was seen on the remote.
    pub(crate) fn hint_accepted(&self, key: &str) -> bool {
        self.hints.get(key).is_some_and(|h| h.accepted)
    }

    /// The commits pushed after this hint and not pushed again under another since.
    pub(crate) fn hint_commits(&self, key: &str) -> Vec<&str> {
        self.hints.get(key).map_or_else(Vec::new, |h| {
            h.commits
                .iter()
                .filter(|c| self.last_hint.get(*c).is_some_and(|k| k == key))
                .map(String::as_str)
                .collect()
        })
    }

    pub(crate) fn first_seen(&self, host: &str, user: &str, password: &str) -> Option<Date> {
        self.first_seen
            .get(&keyed_hash(&self.key, host, user, password))
            .or_else(|| {
                self.legacy
                    .get(&legacy_hash(&self.key, host, user, password))
            })
            .copied()
    }
}

fn read_hints(dir: &Path) -> (HashMap<String, Hint>, HashMap<String, String>) {
    let text = read(&dir.join(HINTS_FILE)).unwrap_or_default();
    let mut hints: HashMap<String, Hint> = HashMap::new();
    let mut last = HashMap::new();
    for line in String::from_utf8_lossy(&text).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let Some(key) = v["hint"].as_str() else {
            continue;
        };
        let hint = hints.entry(key.to_owned()).or_default();
        if v["accepted"].is_string() {
            hint.accepted = true;
        } else if let Some(c) = v["commit"].as_str().filter(|c| is_hex_oid(c)) {
            hint.commits.retain(|x| x != c);
            hint.commits.push(c.to_owned());
            if hint.commits.len() > MAX_PENDING {
                hint.commits.remove(0);
            }
            last.insert(c.to_owned(), key.to_owned());
        }
    }
    (hints, last)
}

fn is_hex_oid(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The ledger's key, created (32 random bytes, mode 0600) when there is none yet.
pub(crate) fn ensure_key(dir: &Path) -> anyhow::Result<Vec<u8>> {
    crate::platform::private_dir(std::fs::DirBuilder::new().recursive(true)).create(dir)?;
    let key_path = dir.join(KEY_FILE);
    Ok(match read(&key_path) {
        Ok(k) if k.len() == KEY_LEN => k,
        Ok(_) | Err(crate::facts::files::Skipped::Missing) => {
            let mut k = vec![0u8; KEY_LEN];
            std::fs::File::open("/dev/urandom")?.read_exact(&mut k)?;
            open_private(&key_path, false)?.write_all(&k)?;
            k
        }
        Err(e) => anyhow::bail!("ledger key {}: {}", key_path.display(), e.reason()),
    })
}

/// Records that a path-guarded hint was given for a push of `commit` (once per pair,
/// unless another hint recorded the commit since).
pub(crate) fn record_hint(
    dir: &Path,
    ledger: &Ledger,
    key: &str,
    commit: &str,
    today: Date,
) -> anyhow::Result<()> {
    if !is_hex_oid(commit)
        || ledger.hint_accepted(key)
        || ledger.last_hint.get(commit).is_some_and(|k| k == key)
    {
        return Ok(());
    }
    let line = serde_json::json!({"hint": key, "commit": commit, "recorded": today.to_string()});
    writeln!(open_private(&dir.join(HINTS_FILE), true)?, "{line}")?;
    Ok(())
}

/// Records that a push made after the hint was seen on the remote: the hint is silent
/// from then on.
pub(crate) fn record_accepted(dir: &Path, key: &str, today: Date) -> anyhow::Result<()> {
    let line = serde_json::json!({"hint": key, "accepted": today.to_string()});
    writeln!(open_private(&dir.join(HINTS_FILE), true)?, "{line}")?;
    Ok(())
}

/// Records that `password` was accepted for `user` at `host` on `today`, once (a
/// credential known only by its legacy hash is recorded again with its old date).
pub(crate) fn record(
    dir: &Path,
    host: &str,
    user: &str,
    password: &str,
    today: Date,
) -> anyhow::Result<()> {
    let key = ensure_key(dir)?;
    let ledger = Ledger::with_key(dir, key);
    let hmac = keyed_hash(&ledger.key, host, user, password);
    if ledger.first_seen.contains_key(&hmac) {
        return Ok(());
    }
    let first_seen = ledger
        .legacy
        .get(&legacy_hash(&ledger.key, host, user, password))
        .copied()
        .unwrap_or(today);
    let line = serde_json::json!({
        "hmac": hmac,
        "host": host,
        "kind": Shape::of(password).kind,
        "first_seen": first_seen.to_string(),
    });
    let mut f = open_private(&dir.join(LINES_FILE), true)?;
    writeln!(f, "{line}")?;
    Ok(())
}

/// Opens a ledger file for writing, mode 0600, never through a symlink and never waiting
/// on a FIFO (issue 18); anything but a regular file is refused.
fn open_private(path: &Path, append: bool) -> anyhow::Result<std::fs::File> {
    let f = crate::platform::private_file_no_follow(
        std::fs::OpenOptions::new()
            .write(true)
            .append(append)
            .truncate(!append)
            .create(true),
    )
    .open(path)
    .map_err(|e| anyhow::anyhow!("ledger file {}: {e}", path.display()))?;
    if !f.metadata()?.is_file() {
        anyhow::bail!("ledger file {}: not a regular file", path.display());
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(windows, allow(dead_code))]
    const SECRET: &str = "glpat-SECRETSECRETSECRET";

    #[cfg(unix)]
    #[test]
    fn records_once_keeps_no_secret_and_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tmp");
        let d = dir.path().join("state");
        record(&d, "gitlab.com", "alice", SECRET, Date::new(2026, 11, 29)).expect("record");
        record(&d, "gitlab.com", "alice", SECRET, Date::new(2026, 11, 30)).expect("record");
        let text = std::fs::read_to_string(d.join(LINES_FILE)).expect("file");
        assert_eq!(text.lines().count(), 1);
        assert!(!text.contains("SECRET"));
        assert!(text.contains("\"hmac\":"));
        assert!(text.contains("gitlab-personal-token") && text.contains("2026-11-29"));
        for f in [LINES_FILE, KEY_FILE] {
            let mode = std::fs::metadata(d.join(f))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }
        let l = Ledger::load(&d).expect("ledger");
        assert_eq!(
            l.first_seen("gitlab.com", "alice", SECRET),
            Some(Date::new(2026, 11, 29))
        );
        assert_eq!(l.first_seen("gitlab.com", "bob", SECRET), None);
    }

    #[test]
    fn the_hash_is_hmac_sha256_of_the_nul_separated_fields() {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"k").expect("key");
        mac.update(b"host\0user\0password");
        let want = format!("{:x}", mac.finalize().into_bytes());
        assert_eq!(keyed_hash(b"k", "host", "user", "password"), want);
        assert_eq!(want.len(), 64);
        assert_ne!(
            keyed_hash(b"k", "h", "u", "p"),
            keyed_hash(b"k", "h", "up", "")
        );
        assert_ne!(
            keyed_hash(b"k", "h", "u", "p"),
            legacy_hash(b"k", "h", "u", "p")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_legacy_ledger_keeps_its_dates() {
        use std::os::unix::fs::OpenOptionsExt;
        let dir = tempfile::tempdir().expect("tmp");
        let d = dir.path().join("state");
        std::fs::create_dir_all(&d).expect("mkdir");
        let key = [7u8; KEY_LEN];
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(d.join(KEY_FILE))
            .and_then(|mut f| f.write_all(&key))
            .expect("key");
        let old = serde_json::json!({
            "hash": legacy_hash(&key, "gitlab.com", "alice", SECRET),
            "host": "gitlab.com",
            "kind": "gitlab-personal-token",
            "first_seen": "2025-01-02",
        });
        std::fs::write(d.join(LINES_FILE), format!("{old}\n")).expect("write");
        let was = Some(Date::new(2025, 1, 2));
        let l = Ledger::load(&d).expect("ledger");
        assert_eq!(l.first_seen("gitlab.com", "alice", SECRET), was);

        // Seen again: carried forward as an HMAC line with the old date, once.
        record(&d, "gitlab.com", "alice", SECRET, Date::new(2026, 11, 29)).expect("record");
        record(&d, "gitlab.com", "alice", SECRET, Date::new(2026, 11, 30)).expect("record");
        let text = std::fs::read_to_string(d.join(LINES_FILE)).expect("file");
        assert_eq!(text.lines().count(), 2);
        let l = Ledger::load(&d).expect("ledger");
        assert!(l.legacy.len() == 1 && l.first_seen.len() == 1);
        assert_eq!(l.first_seen("gitlab.com", "alice", SECRET), was);
    }

    #[cfg(unix)]
    #[test]
    fn hints_are_keyed_pending_then_accepted() {
        let dir = tempfile::tempdir().expect("tmp");
        let d = dir.path().join("state");
        ensure_key(&d).expect("key");
        let (a, b) = ("a".repeat(40), "b".repeat(40));
        let l = Ledger::load(&d).expect("ledger");
        let alice = l.credential_id("github.com", "alice", SECRET);
        let bob = l.credential_id("github.com", "bob", SECRET);
        let url = "https://github.com/o/r.git";
        let (ka, kb) = (
            l.hint_key(&alice, url, ".github/workflows/"),
            l.hint_key(&bob, url, ".github/workflows/"),
        );
        assert_ne!(ka, kb);
        assert_ne!(
            ka,
            l.hint_key(&alice, "https://github.com/o/s.git", ".github/workflows/")
        );
        let today = Date::new(2026, 11, 29);
        record_hint(&d, &l, &ka, &a, today).expect("hint");
        let l = Ledger::load(&d).expect("ledger");
        record_hint(&d, &l, &ka, &a, today).expect("same again: not written");
        record_hint(&d, &l, &ka, &b, today).expect("hint");
        let l = Ledger::load(&d).expect("ledger");
        assert_eq!(l.hint_commits(&ka), vec![a.as_str(), b.as_str()]);
        assert!(!l.hint_accepted(&ka));
        // Commit `a` pushed again with bob's credential: it proves nothing for alice.
        record_hint(&d, &l, &kb, &a, today).expect("hint");
        let l = Ledger::load(&d).expect("ledger");
        assert_eq!(l.hint_commits(&ka), vec![b.as_str()]);
        assert_eq!(l.hint_commits(&kb), vec![a.as_str()]);
        record_accepted(&d, &ka, today).expect("accepted");
        let l = Ledger::load(&d).expect("ledger");
        assert!(l.hint_accepted(&ka) && !l.hint_accepted(&kb));
        let text = std::fs::read_to_string(d.join(HINTS_FILE)).expect("file");
        assert_eq!(text.lines().count(), 4);
        assert!(!text.contains("github.com") && !text.contains("workflows"));
    }
}
