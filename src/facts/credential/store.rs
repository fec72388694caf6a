//! The passive stores git's credential sources read without prompting: `store` helper
//! files (`~/.git-credentials`, `$XDG_CONFIG_HOME/git/credentials`, `--file`) and the
//! `.netrc` libcurl reads. Secrets are read to take their shape and then dropped.

use super::{Request, Stored};
use crate::facts::Ctx;
use crate::secret::Shape;
use std::path::{Path, PathBuf};

/// Reading a credential store stops here: a store is a few lines.
const MAX_STORE_BYTES: u64 = 4 << 20;
const MAX_LINE: usize = 8192;

/// The files a `store` helper reads, in order (git-credential-store(1)).
pub(crate) fn store_files(ctx: &Ctx, file_arg: Option<&Path>) -> Vec<PathBuf> {
    match file_arg {
        Some(f) => vec![f.to_owned()],
        None => {
            let mut v = vec![ctx.home.join(".git-credentials")];
            v.push(ctx.xdg_config_home().join("git/credentials"));
            v
        }
    }
}

pub(super) fn store_lookup(ctx: &Ctx, file_arg: Option<&Path>, req: &Request) -> Option<Stored> {
    for file in store_files(ctx, file_arg) {
        if let Some(found) = store_lookup_file(&file, req, ctx) {
            return Some(found);
        }
    }
    None
}

/// One parsed `store` line: `protocol://[user[:password]@]host[/path]`.
pub(crate) struct StoreLine {
    pub protocol: String,
    pub host: String,
    pub path: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
}

pub(crate) fn parse_store_line(line: &str) -> Option<StoreLine> {
    let (protocol, rest) = line.split_once("://")?;
    if protocol.is_empty() {
        return None;
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (userinfo, host) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    let (username, password) = match userinfo {
        Some(u) => match u.split_once(':') {
            Some((u, p)) => (
                Some(crate::redact::percent_decode(u)),
                Some(crate::redact::percent_decode(p)),
            ),
            None => (Some(crate::redact::percent_decode(u)), None),
        },
        None => (None, None),
    };
    Some(StoreLine {
        protocol: protocol.to_owned(),
        host: crate::redact::percent_decode(host),
        path: path
            .filter(|p| !p.is_empty())
            .map(crate::redact::percent_decode),
        username,
        password,
    })
}

fn store_lookup_file(file: &Path, req: &Request, ctx: &Ctx) -> Option<Stored> {
    let text = read_bounded(file)?;
    let mut found: Option<Stored> = None;
    let mut others = Vec::new();
    for (i, raw) in text.split(|b| *b == b'\n').enumerate() {
        if raw.len() > MAX_LINE {
            continue;
        }
        let Ok(line) = std::str::from_utf8(raw) else {
            continue;
        };
        let line = line.trim_end_matches('\r');
        let Some(entry) = parse_store_line(line) else {
            continue;
        };
        if entry.protocol != req.protocol || entry.host != req.host {
            continue;
        }
        if let (Some(want), Some(have)) = (&req.path, &entry.path) {
            if want != have {
                continue;
            }
        } else if req.path.is_some() {
            continue;
        }
        let user_ok = req.username.is_none() || req.username == entry.username;
        if found.is_none() && user_ok && entry.password.is_some() {
            let (username, username_secret) = split_user(entry.username.as_deref());
            found = Some(Stored {
                file: file.to_owned(),
                line: i as u32 + 1,
                username,
                username_secret,
                secret: Shape::of(entry.password.as_deref().unwrap_or("")),
                other_usernames: Vec::new(),
                first_seen: ctx.ledger().and_then(|l| {
                    l.first_seen(
                        &req.host,
                        entry.username.as_deref().unwrap_or(""),
                        entry.password.as_deref().unwrap_or(""),
                    )
                }),
                ledger_id: ctx.ledger().map(|l| {
                    l.credential_id(
                        &req.host,
                        entry.username.as_deref().unwrap_or(""),
                        entry.password.as_deref().unwrap_or(""),
                    )
                }),
            });
        } else if let (Some(u), Some(f)) = (entry.username.as_deref(), &found) {
            if f.username.as_deref() != Some(u) {
                others.push(crate::redact::display_user(u));
            }
        }
    }
    found.map(|mut f| {
        f.other_usernames = others;
        f
    })
}

fn split_user(user: Option<&str>) -> (Option<String>, Option<Shape>) {
    match user {
        Some(u) if crate::secret::username_is_secret(u) => (None, Some(Shape::of(u))),
        Some(u) => (Some(u.to_owned()), None),
        None => (None, None),
    }
}

/// A FIFO or device is skipped, not waited on; a store above the cap is skipped, not
/// cut (issue 18). Both are noted by the reader.
fn read_bounded(file: &Path) -> Option<Vec<u8>> {
    crate::facts::files::read_capped(file, MAX_STORE_BYTES).ok()
}

/// `~/.netrc` (or `$NETRC`), which git asks libcurl to read (CURLOPT_NETRC optional): the
/// entry curl would send for the request's host. A file curl cannot parse gives none.
pub(super) fn netrc(ctx: &Ctx, req: &Request) -> Option<Stored> {
    let file = ctx
        .env
        .netrc
        .clone()
        .unwrap_or_else(|| ctx.home.join(".netrc"));
    let text = read_bounded(&file)?;
    let entries = crate::facts::netrc::parse(&String::from_utf8_lossy(&text)).ok()?;
    let host = req.host.split(':').next().unwrap_or(&req.host);
    let entry = crate::facts::netrc::find(&entries, host)?;
    let (username, username_secret) = split_user(entry.login.as_deref());
    Some(Stored {
        file,
        line: entry.line,
        username,
        username_secret,
        secret: entry.password.clone()?,
        other_usernames: Vec::new(),
        first_seen: None,
        ledger_id: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::credential::{gather, Answer};

    #[test]
    fn store_lines() {
        let l = parse_store_line("https://alice%40x:p%3Ass@host.example:8443/a").expect("line");
        assert_eq!(l.username.as_deref(), Some("alice@x"));
        assert_eq!(l.password.as_deref(), Some("p:ss"));
        assert_eq!(l.host, "host.example:8443");
        assert!(parse_store_line("garbage").is_none());
    }

    #[test]
    fn quoted_store_file_argument() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = dir.path().join("my creds");
        std::fs::write(&store, "https://alice:ghp_x@github.com\n").expect("write");
        let value = format!("store --file \"{}\"", store.display());
        let ctx = Ctx::for_test(dir.path(), "");
        let config = crate::facts::testing::config(&[("credential.helper", &value)]);
        let url = crate::facts::url::parse("https://github.com/a/b.git").expect("url");
        let https = gather(&ctx, &config, &url).expect("https facts");
        assert_eq!(https.helpers[0].file_arg.as_deref(), Some(store.as_path()));
        assert_eq!(https.helpers[0].answer, Answer::Yes);
    }

    #[test]
    fn netrc_entry_by_shape() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(
            dir.path().join(".netrc"),
            "macdef init\nmachine github.com login mallory password x\n\n\
             machine github.com login \"alice\" password \"ghp_SECRET SECRET\"\n",
        )
        .expect("write");
        let ctx = Ctx::for_test(dir.path(), "");
        let config = crate::facts::testing::config(&[]);
        let url = crate::facts::url::parse("https://github.com/a/b.git").expect("url");
        let netrc = gather(&ctx, &config, &url)
            .and_then(|h| h.netrc)
            .expect("a netrc entry");
        assert_eq!((netrc.line, netrc.username.as_deref()), (4, Some("alice")));
        assert_eq!(netrc.secret, Shape::of("ghp_SECRET SECRET"));
        let json = serde_json::to_string(&netrc).expect("json");
        assert!(!json.contains("SECRET"), "{json}");
    }
}
