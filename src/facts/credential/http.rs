//! `http.<url>.extraHeader` (an `Authorization:` header sent on every request, so git
//! never asks a helper) and `http.<url>.proxy` (a proxy may authenticate for the user).

use super::{pattern_matches, ExtraHeader, Request};
use crate::facts::gitconfig::{Config, Source};
use crate::facts::url::ParsedUrl;
use crate::secret::Shape;

pub(super) fn extra_headers(config: &Config, url: &ParsedUrl) -> Vec<ExtraHeader> {
    let Some(host) = url.credential_host() else {
        return Vec::new();
    };
    let req = Request {
        protocol: url.scheme_text.to_ascii_lowercase(),
        host,
        path: Some(url.path.clone()),
        username: url.user.clone(),
    };
    let mut out = Vec::new();
    for e in config.section("http").filter(|e| e.name == "extraheader") {
        if let Some(p) = &e.subsection {
            if !p.contains("://") || !pattern_matches(p, &req) {
                continue;
            }
        }
        let Some(v) = e.value.as_deref() else {
            continue;
        };
        if v.is_empty() {
            out.clear();
            continue;
        }
        let Some((name, value)) = v.split_once(':') else {
            continue;
        };
        if !name.trim().eq_ignore_ascii_case("authorization") {
            continue;
        }
        let mut parts = value.trim().splitn(2, char::is_whitespace);
        let scheme = parts.next().unwrap_or("").to_ascii_lowercase();
        let cred = parts.next().unwrap_or("").trim();
        let (username, secret) = if scheme == "basic" {
            use base64::Engine;
            match base64::engine::general_purpose::STANDARD
                .decode(cred)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
            {
                Some(pair) => match pair.split_once(':') {
                    Some((u, p)) => (
                        Some(crate::redact::display_user(u)).filter(|u| !u.is_empty()),
                        Some(Shape::of(p)),
                    ),
                    None => (None, Some(Shape::of(&pair))),
                },
                None => (None, Some(Shape::of(cred))),
            }
        } else {
            (None, Some(Shape::of(cred)))
        };
        out.push(ExtraHeader {
            scheme,
            username,
            secret,
            source: e.source(),
        });
    }
    out
}

/// The `http.proxy` / `http.<url>.proxy` that applies to the URL, if any.
pub(super) fn proxy(config: &Config, url: &ParsedUrl) -> Option<Source> {
    let host = url.credential_host()?;
    let req = Request {
        protocol: url.scheme_text.to_ascii_lowercase(),
        host,
        path: Some(url.path.clone()),
        username: url.user.clone(),
    };
    let mut found = None;
    for e in config.section("http").filter(|e| e.name == "proxy") {
        if e.subsection
            .as_deref()
            .is_some_and(|p| !p.contains("://") || !pattern_matches(p, &req))
        {
            continue;
        }
        found = e
            .value
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(|_| e.source());
    }
    found
}
