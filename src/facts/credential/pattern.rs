//! git's URL matching for `credential.<url>.*` and `http.<url>.*` keys: urlmatch.c for
//! patterns with a scheme, `credential_match` for scheme-less ones.

use super::Request;

/// git's credential URL matching (`credential_apply_config()` with urlmatch and the
/// `match_partial_url` fallback for scheme-less patterns).
pub(crate) fn pattern_matches(pattern: &str, req: &Request) -> bool {
    match pattern.split_once("://") {
        Some((scheme, rest)) => {
            if !scheme.eq_ignore_ascii_case(&req.protocol) {
                return false;
            }
            let (authority, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, ""),
            };
            let (user, hostport) = match authority.rsplit_once('@') {
                Some((u, h)) => (
                    Some(crate::redact::percent_decode(
                        u.split(':').next().unwrap_or(u),
                    )),
                    h,
                ),
                None => (None, authority),
            };
            if hostport.is_empty() {
                // `https://` does not normalise; git's partial match then matches by protocol only.
                return path.is_empty() || req.path.as_deref() == Some(path);
            }
            if let Some(u) = user {
                if req.username.as_deref() != Some(u.as_str()) {
                    return false;
                }
            }
            if !host_matches(
                &default_port(hostport, scheme),
                &default_port(&req.host, &req.protocol),
            ) {
                return false;
            }
            let want = path.trim_end_matches('/');
            if want.is_empty() {
                return true;
            }
            // A path in the pattern is a prefix of the request path, on a segment boundary.
            let have = req.path.as_deref().unwrap_or("");
            have == want || have.starts_with(want) && have[want.len()..].starts_with('/')
        }
        None => {
            // Scheme-less: host[/path], compared exactly (credential_match).
            let (host, path) = match pattern.split_once('/') {
                Some((h, p)) => (h, Some(p)),
                None => (pattern, None),
            };
            (host.is_empty() || host == req.host)
                && path.is_none_or(|p| p.is_empty() || req.path.as_deref() == Some(p))
        }
    }
}

fn default_port(hostport: &str, scheme: &str) -> String {
    let lower = hostport.to_ascii_lowercase();
    let default = match scheme.to_ascii_lowercase().as_str() {
        "https" => ":443",
        "http" => ":80",
        _ => return lower,
    };
    lower
        .strip_suffix(default)
        .map(str::to_owned)
        .unwrap_or(lower)
}

/// Host match with `*` standing for one whole label (urlmatch.c `match_host`).
fn host_matches(pattern: &str, host: &str) -> bool {
    let (pattern, pport) = split_port(pattern);
    let (host, hport) = split_port(host);
    if pport != hport {
        return false;
    }
    let p: Vec<&str> = pattern.split('.').collect();
    let h: Vec<&str> = host.split('.').collect();
    p.len() == h.len() && p.iter().zip(&h).all(|(p, h)| label_matches(p, h))
}

fn split_port(s: &str) -> (&str, Option<&str>) {
    match s.rsplit_once(':') {
        Some((h, _)) if !h.ends_with(']') && h.contains(':') => (s, None),
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => (h, Some(p)),
        _ => (s, None),
    }
}

fn label_matches(pattern: &str, label: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == label,
        Some((pre, post)) => {
            label.len() >= pre.len() + post.len() && label.starts_with(pre) && label.ends_with(post)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(protocol: &str, host: &str, path: Option<&str>, user: Option<&str>) -> Request {
        Request {
            protocol: protocol.into(),
            host: host.into(),
            path: path.map(Into::into),
            username: user.map(Into::into),
        }
    }

    #[test]
    fn url_patterns_follow_git() {
        let r = req("https", "bitbucket.org", Some("ws/repo.git"), None);
        assert!(pattern_matches("https://bitbucket.org", &r));
        assert!(pattern_matches("https://bitbucket.org/", &r));
        assert!(pattern_matches("https://Bitbucket.org:443", &r));
        assert!(pattern_matches("https://*.org", &r));
        assert!(pattern_matches("bitbucket.org", &r));
        assert!(pattern_matches("https://", &r));
        assert!(pattern_matches("https://bitbucket.org/ws", &r));
        assert!(!pattern_matches("https://bitbucket.org/w", &r));
        assert!(!pattern_matches("http://bitbucket.org", &r));
        assert!(!pattern_matches("https://github.com", &r));
        assert!(!pattern_matches("https://alice@bitbucket.org", &r));
        assert!(pattern_matches(
            "https://alice@bitbucket.org",
            &req("https", "bitbucket.org", None, Some("alice"))
        ));
        assert!(!pattern_matches("https://bitbucket.org:8443", &r));
        assert!(!pattern_matches("bitbucket.org/ws", &r));
    }
}
