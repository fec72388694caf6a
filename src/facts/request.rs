//! The facts of one credential request: what git asks a helper for (`protocol`, `host`,
//! `path`, `username`), turned into the same [`PushUrl`] the doctor builds for a remote,
//! so that the guard runs the same rules on it.
//!
//! git has already run every helper before the guard when it reaches the guard, so those
//! helpers are recorded as having answered nothing.

use super::credential::{self, Answer, HelperKind};
use super::gitconfig::Config;
use super::{url, Ctx, PushUrl, Rejected, GUARD_REMOTE};
use crate::provider::{self, ProviderKind, Shape};

/// The attributes of git's credential protocol that name a URL and a credential.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Attributes {
    pub protocol: Option<String>,
    pub host: Option<String>,
    pub path: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl Attributes {
    /// Parses git's request with gix's credential-protocol decoder: `key=value` lines up
    /// to a blank line or the end; unknown keys (`wwwauth[]`, `capability[]`…) are
    /// ignored. Input git would not send (a line without `=`, a NUL, ill-formed UTF-8)
    /// yields an empty request, so the guard answers nothing and git carries on.
    pub(crate) fn parse(input: &[u8]) -> Attributes {
        use gix::credentials::protocol::{Context, ContextOptions};
        let Ok(c) = Context::from_bytes(input, ContextOptions::default()) else {
            return Attributes::default();
        };
        let path = c.path.map(|p| String::from_utf8_lossy(&p).into_owned());
        Attributes {
            protocol: c.protocol,
            host: c.host,
            path,
            username: c.username,
            password: c.password,
        }
    }

    /// The user name, split: a plain name, or the shape of a token sent as the user name
    /// (never both).
    fn username_split(&self) -> (Option<String>, Option<Shape>) {
        let secret = self
            .username
            .as_deref()
            .filter(|u| provider::shape::username_is_secret(u))
            .map(Shape::of);
        (self.username.clone().filter(|_| secret.is_none()), secret)
    }

    /// The credential of an `erase`: the one the server refused, by shape.
    pub(crate) fn rejected(&self) -> Rejected {
        let (username, username_secret) = self.username_split();
        Rejected {
            username,
            username_secret,
            secret: self.password.as_deref().map(Shape::of),
        }
    }
}

/// The push URL a credential request stands for; `None` for a protocol other than
/// HTTP(S) or a request without a host.
pub(crate) fn push_url(
    ctx: &Ctx,
    config: &Config,
    hosts: &[(String, ProviderKind)],
    a: &Attributes,
) -> Option<PushUrl> {
    let protocol = a.protocol.as_deref()?.to_ascii_lowercase();
    let scheme = match protocol.as_str() {
        "https" => url::Scheme::Https,
        "http" => url::Scheme::Http,
        _ => return None,
    };
    let hostport = a.host.as_deref().filter(|h| !h.is_empty())?;
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) && !h.ends_with(':') => {
            (h.trim_matches(['[', ']']).to_owned(), p.parse().ok())
        }
        _ => (hostport.trim_matches(['[', ']']).to_owned(), None),
    };
    // `path=` is git's, verbatim: a query string or a token in it is redacted (issue 18).
    let path = crate::redact::path(a.path.as_deref().unwrap_or_default());
    let (user, user_secret) = a.username_split();
    let parsed = url::ParsedUrl {
        scheme,
        scheme_text: protocol.clone(),
        host: Some(host.to_ascii_lowercase()),
        port,
        path: path.clone(),
        user,
        user_secret,
        password: None,
        display: crate::redact::url(&format!("{protocol}://{hostport}/{path}")),
    };
    let provider = provider::detect(&host, &path, hosts);
    let mut https = credential::gather(ctx, config, &parsed)?;
    // git reached the guard: every helper up to it did not answer.
    if let Some(pos) = https
        .helpers
        .iter()
        .position(|h| h.kind == HelperKind::Guard)
    {
        for h in &mut https.helpers[..=pos] {
            h.answer = Answer::No;
        }
    }
    Some(PushUrl {
        remote: GUARD_REMOTE.into(),
        url: parsed,
        configured: None,
        rewrite: None,
        provider,
        authenticated_now: false,
        https: Some(https),
        ssh: None,
        remote_helper: None,
        local_path_exists: None,
        online: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_protocol_and_ignores_unknown_keys() {
        let a = Attributes::parse(b"capability[]=authtype\nprotocol=https\nhost=bitbucket.org\nwwwauth[]=Basic realm=\"x\"\nusername=alice\n\nhost=ignored\n");
        assert_eq!(a.protocol.as_deref(), Some("https"));
        assert_eq!(a.host.as_deref(), Some("bitbucket.org"));
        assert_eq!(a.username.as_deref(), Some("alice"));
        assert_eq!(Attributes::parse(b""), Attributes::default());
        assert_eq!(
            Attributes::parse(&[0xff, 0xfe, b'\n']),
            Attributes::default()
        );
    }

    #[test]
    fn rejected_holds_shapes_only() {
        let a = Attributes::parse(
            b"protocol=https\nhost=github.com\nusername=ghp_0123456789abcdefghijklmnopqrstuvwxyz\npassword=hunter2hunter2\n",
        );
        let r = a.rejected();
        assert_eq!(r.username, None);
        assert!(r.username_secret.is_some());
        assert!(!format!("{r:?}").contains("hunter2"));
    }
}
