//! Push URLs: how git turns a remote's configuration into the URLs it pushes to, and
//! what each URL says about authentication (scheme, host, user, the shape of a password).
//!
//! Rewriting follows git's `alias_all_urls()` (remote.c): `insteadOf` applies to `url`
//! and `pushurl`; `pushInsteadOf` applies only to `url`, and only when the remote has no
//! `pushurl`; the longest matching prefix wins.

use super::gitconfig::{Config, Source};
use crate::secret::Shape;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Scheme {
    Https,
    Http,
    Ssh,
    Git,
    File,
    Other,
}

/// What a URL says, without the secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ParsedUrl {
    pub scheme: Scheme,
    /// The scheme as written (`https`, `ext`, `persistent-https`…).
    pub scheme_text: String,
    /// Lower-cased host without brackets, if any.
    pub host: Option<String>,
    pub port: Option<u16>,
    /// Path without the leading slash.
    pub path: String,
    /// The user name (a token-shaped user name is kept as its shape, see `user_secret`).
    pub user: Option<String>,
    /// The user name, when it is itself a token: its shape only.
    pub user_secret: Option<Shape>,
    pub password: Option<Shape>,
    /// The URL as it may be printed.
    pub display: String,
}

/// Parses a URL as git would use it; `None` when git could not use it as a network URL.
pub(crate) fn parse(url: &str) -> Result<ParsedUrl, String> {
    let display = crate::redact::url(url);
    if url.trim().is_empty() {
        return Err("empty URL".into());
    }
    // gix refuses upper-case schemes (`HTTPS://`); git treats the scheme literally and looks
    // for a remote helper by that name, so keep what gix parses and report the rest as other.
    let parsed = gix::url::parse(gix::bstr::BStr::new(url.as_bytes()));
    let (u, written) = match parsed {
        Ok(u) => (u, None),
        Err(_) => {
            let scheme_text = url
                .split_once("://")
                .map(|(s, _)| s.to_owned())
                .unwrap_or_default();
            // `HTTPS://alice:pw@host/x` still carries a user and a password: read them
            // from the lower-cased spelling, but keep the scheme as git sees it.
            let lowered = format!(
                "{}{}",
                scheme_text.to_ascii_lowercase(),
                &url[scheme_text.len()..]
            );
            match gix::url::parse(gix::bstr::BStr::new(lowered.as_bytes())) {
                Ok(u) if scheme_text != scheme_text.to_ascii_lowercase() => (u, Some(scheme_text)),
                _ => return Ok(ParsedUrl::unusable(scheme_text, display)),
            }
        }
    };
    let scheme_text = written
        .clone()
        .unwrap_or_else(|| u.scheme.as_str().to_owned());
    let scheme = match u.scheme {
        // git looks up a remote helper named after the scheme as written.
        _ if written.is_some() => Scheme::Other,
        gix::url::Scheme::Https => Scheme::Https,
        gix::url::Scheme::Http => Scheme::Http,
        gix::url::Scheme::Ssh => Scheme::Ssh,
        gix::url::Scheme::Git => Scheme::Git,
        gix::url::Scheme::File => Scheme::File,
        _ => Scheme::Other,
    };
    let (user, user_secret) = match u.user() {
        Some(user) if crate::secret::username_is_secret(user) => (None, Some(Shape::of(user))),
        Some(user) => (Some(user.to_owned()), None),
        None => (None, None),
    };
    Ok(ParsedUrl {
        scheme,
        scheme_text,
        host: u.host().map(|h| {
            h.trim_start_matches('[')
                .trim_end_matches(']')
                .to_ascii_lowercase()
        }),
        port: u.port,
        // The path, as every string that leaves here, is printable: a query's values and
        // token-shaped segments are redacted (issue 18).
        path: crate::redact::path(String::from_utf8_lossy(&u.path).trim_start_matches('/')),
        user,
        user_secret,
        password: u.password().map(Shape::of),
        display,
    })
}

impl ParsedUrl {
    /// A location git cannot use as a network URL: only its scheme and display survive.
    pub(crate) fn unusable(scheme_text: String, display: String) -> ParsedUrl {
        ParsedUrl {
            scheme: Scheme::Other,
            scheme_text,
            host: None,
            port: None,
            path: String::new(),
            user: None,
            user_secret: None,
            password: None,
            display,
        }
    }

    pub(crate) fn is_http(&self) -> bool {
        matches!(self.scheme, Scheme::Https | Scheme::Http)
    }

    /// `host[:port]` with the port only when it is not the scheme's default, as git's
    /// credential code formats it.
    pub(crate) fn credential_host(&self) -> Option<String> {
        let host = self.host.clone()?;
        let default = match self.scheme {
            Scheme::Https => Some(443),
            Scheme::Http => Some(80),
            _ => None,
        };
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host
        };
        Some(match self.port {
            Some(p) if Some(p) != default => format!("{host}:{p}"),
            _ => host,
        })
    }
}

/// A rewrite that changed a URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Rewrite {
    /// `insteadOf` or `pushInsteadOf`.
    pub kind: String,
    /// The URL as configured (redacted).
    pub from: String,
    pub source: Source,
}

/// One URL git will push to, before parsing.
#[derive(Clone, Debug)]
pub(crate) struct RawPushUrl {
    /// The URL as git will use it: keep private, print only through `redact`.
    pub url: String,
    pub configured: Option<Source>,
    pub rewrite: Option<Rewrite>,
}

/// The push URLs of `remote` (a configured remote name, or a URL pushed to directly).
pub(crate) fn push_urls(config: &Config, remote: &str) -> Vec<RawPushUrl> {
    let mut urls: Vec<(&str, Source)> = Vec::new();
    let mut pushurls: Vec<(&str, Source)> = Vec::new();
    for e in config.subsection("remote", Some(remote)) {
        let list = match e.name.as_str() {
            "url" => &mut urls,
            "pushurl" => &mut pushurls,
            _ => continue,
        };
        match e.value.as_deref() {
            // An empty value resets the list (git ≥ 2.46).
            Some("") => list.clear(),
            Some(v) => list.push((v, e.source())),
            None => {}
        }
    }
    if urls.is_empty() && pushurls.is_empty() && looks_like_url(remote) {
        return push_urls_for_direct(config, remote);
    }
    if !pushurls.is_empty() {
        return pushurls
            .into_iter()
            .map(|(u, src)| rewritten(config, u, Some(src), "insteadof"))
            .collect();
    }
    let with_push_alias: Vec<RawPushUrl> = urls
        .iter()
        .filter_map(|(u, src)| {
            let r = rewritten(config, u, Some(src.clone()), "pushinsteadof");
            r.rewrite.is_some().then_some(r)
        })
        .collect();
    if !with_push_alias.is_empty() {
        return with_push_alias;
    }
    urls.into_iter()
        .map(|(u, src)| rewritten(config, u, Some(src), "insteadof"))
        .collect()
}

/// Pushing to a URL directly: an anonymous remote with that URL.
fn push_urls_for_direct(config: &Config, url: &str) -> Vec<RawPushUrl> {
    let pushed = rewritten(config, url, None, "pushinsteadof");
    if pushed.rewrite.is_some() {
        return vec![pushed];
    }
    vec![rewritten(config, url, None, "insteadof")]
}

/// The remote helper git runs for `url` (`git-remote-<name>`), as transport.c's
/// `transport_get()` picks it: `<name>::<address>`, or `<name>://…` for any scheme git
/// does not speak itself (`file`, `git`, `ssh`, `git+ssh`, `ssh+git`). http, https, ftp
/// and ftps are helpers too, but git ships them (`git-remote-https`), so they are not
/// looked for. Scheme names are case-sensitive: `HTTPS://` asks for `git-remote-HTTPS`.
pub(crate) fn remote_helper_name(url: &str) -> Option<String> {
    let end = url
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_alphabetic() || i > 0 && (c.is_ascii_digit() || "+-.".contains(c)))
        })
        .map_or(url.len(), |(i, _)| i);
    let (name, rest) = url.split_at(end);
    if name.is_empty() {
        return None;
    }
    if rest.starts_with("::") {
        return Some(name.to_owned());
    }
    let native = [
        "file", "git", "ssh", "git+ssh", "ssh+git", "http", "https", "ftp", "ftps",
    ];
    (rest.starts_with("://") && !native.contains(&name)).then(|| name.to_owned())
}

/// A remote helper a push URL needs, and whether git can find it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RemoteHelper {
    /// `HTTPS` for `git-remote-HTTPS`.
    pub name: String,
    /// Found on PATH or in git's exec path.
    pub found: bool,
}

#[cfg(test)]
#[test]
fn remote_helper_names_follow_transport_get() {
    let name = |u: &str| remote_helper_name(u);
    assert_eq!(name("https://github.com/a/b.git"), None);
    assert_eq!(name("HTTPS://github.com/a/b.git").as_deref(), Some("HTTPS"));
    assert_eq!(
        name("codecommit::us-east-1://repo").as_deref(),
        Some("codecommit")
    );
    assert_eq!(
        name("persistent-https://h/x").as_deref(),
        Some("persistent-https")
    );
    assert_eq!(name("ext::ssh -i k host %S 'r'").as_deref(), Some("ext"));
    assert_eq!(name("git@github.com:a/b.git"), None);
    assert_eq!(name("ssh://git@h/x"), None);
    assert_eq!(name("/srv/repo.git"), None);
    assert_eq!(name("C:/repo"), None);
}

pub(crate) fn looks_like_url(s: &str) -> bool {
    s.contains("://") || s.contains(':') || s.contains('/') || s.starts_with('.')
}

fn rewritten(config: &Config, url: &str, configured: Option<Source>, kind: &str) -> RawPushUrl {
    let mut best: Option<(&str, &str, Source)> = None;
    for e in config.section("url") {
        if e.name != kind {
            continue;
        }
        let (Some(base), Some(prefix)) = (e.subsection.as_deref(), e.value.as_deref()) else {
            continue;
        };
        if !prefix.is_empty()
            && url.starts_with(prefix)
            && best.as_ref().is_none_or(|(p, _, _)| prefix.len() > p.len())
        {
            best = Some((prefix, base, e.source()));
        }
    }
    match best {
        Some((prefix, base, source)) => RawPushUrl {
            url: format!("{base}{}", &url[prefix.len()..]),
            configured,
            rewrite: Some(Rewrite {
                kind: if kind == "insteadof" {
                    "insteadOf".into()
                } else {
                    "pushInsteadOf".into()
                },
                from: crate::redact::url(url),
                source,
            }),
        },
        None => RawPushUrl {
            url: url.to_owned(),
            configured,
            rewrite: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config(lines: &[(&str, &str)]) -> Config {
        let mut raw = Vec::new();
        for (k, v) in lines {
            raw.extend_from_slice(format!("local\0file:.git/config\0{k}\n{v}\0").as_bytes());
        }
        Config::parse(&raw, Path::new("/r"))
    }

    #[test]
    fn push_insteadof_only_without_pushurl() {
        let c = config(&[
            ("url.ssh://git@h/.pushinsteadof", "https://h/"),
            ("url.https://mirror/.insteadof", "https://old/"),
            ("remote.origin.url", "https://h/a.git"),
        ]);
        let urls = push_urls(&c, "origin");
        assert_eq!(urls.len(), 1);
        assert_eq!(urls[0].url, "ssh://git@h/a.git");
        assert_eq!(
            urls[0].rewrite.as_ref().map(|r| r.kind.as_str()),
            Some("pushInsteadOf")
        );
        let c = config(&[
            ("url.ssh://git@h/.pushinsteadof", "https://h/"),
            ("remote.origin.url", "https://h/a.git"),
            ("remote.origin.pushurl", "https://h/b.git"),
        ]);
        assert_eq!(push_urls(&c, "origin")[0].url, "https://h/b.git");
    }

    #[test]
    fn longest_insteadof_wins_and_reset_clears() {
        let c = config(&[
            ("url.https://a/.insteadof", "gh:"),
            ("url.https://b/.insteadof", "gh:x/"),
            ("remote.o.url", "https://stale/"),
            ("remote.o.url", ""),
            ("remote.o.url", "gh:x/y"),
        ]);
        let urls = push_urls(&c, "o");
        assert_eq!(urls.len(), 1);
        assert_eq!(urls[0].url, "https://b/y");
    }

    #[test]
    fn parses_shapes_not_secrets() {
        let p = parse("https://alice:hunter2hunter2@Example.COM:8443/a/b.git").expect("parse");
        assert_eq!(p.scheme, Scheme::Https);
        assert_eq!(p.host.as_deref(), Some("example.com"));
        assert_eq!(p.credential_host().as_deref(), Some("example.com:8443"));
        assert_eq!(p.user.as_deref(), Some("alice"));
        assert_eq!(p.password.as_ref().map(|s| s.len), Some(14));
        assert!(!p.display.contains("hunter2"));
        let p = parse("git@bitbucket.org:ws/r.git").expect("parse");
        assert_eq!(p.scheme, Scheme::Ssh);
        assert_eq!(p.path, "ws/r.git");
        assert_eq!(parse("HTTPS://x/y").expect("parse").scheme, Scheme::Other);
    }
}
