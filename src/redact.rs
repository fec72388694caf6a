//! The one place that turns text that may hold a secret into text that may be printed.
//!
//! Every URL printed by git-credcheck, and every error message that might embed one
//! (gix errors print URLs in full), goes through [`text`]. It never needs to know the
//! secret: it removes the password of every `scheme://user:password@` it finds and
//! replaces a token-shaped user name with its shape.

use crate::secret;

/// Redacts every URL userinfo found anywhere in `s`.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find("://") {
        let (head, tail) = rest.split_at(pos + 3);
        out.push_str(head);
        // The authority ends at the first '/', whitespace, or quote; userinfo at its last '@'.
        let end = tail
            .find(|c: char| {
                c == '/' || c.is_whitespace() || c == '\'' || c == '"' || c == '`' || c == '>'
            })
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str(&userinfo(&authority[..at]));
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Redacts a URL or scp-like location (`user@host:path`) for display.
pub(crate) fn url(s: &str) -> String {
    if s.contains("://") {
        return text(s);
    }
    // scp-like or local path: only a token-shaped user name can be a secret here.
    match s.split_once('@') {
        Some((user, rest)) if !user.contains('/') => format!("{}@{rest}", userinfo(user)),
        _ => s.to_owned(),
    }
}

fn userinfo(info: &str) -> String {
    let (user, password) = match info.split_once(':') {
        Some((u, p)) => (u, Some(p)),
        None => (info, None),
    };
    let user = display_user(&percent_decode(user));
    match password {
        Some(_) => format!("{user}:***"),
        None => user,
    }
}

/// A user name as it may be printed: a token used as a user name shows only its shape.
pub(crate) fn display_user(user: &str) -> String {
    if secret::username_is_secret(user) {
        format!("<{}>", secret::Shape::of(user).describe())
    } else {
        user.chars().filter(|c| !c.is_control()).collect()
    }
}

pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_passwords_everywhere() {
        assert_eq!(
            text("https://alice:s3cr3tpw@example.com/r.git"),
            "https://alice:***@example.com/r.git"
        );
        assert_eq!(
            text("failed for 'https://u:pw@h/x' and http://a:b@c"),
            "failed for 'https://u:***@h/x' and http://a:***@c"
        );
        assert_eq!(
            text("https://example.com/r.git"),
            "https://example.com/r.git"
        );
        assert_eq!(text("https://a:b:c@d@host/"), "https://a:***@host/");
    }

    #[test]
    fn token_as_user_name_is_shape_only() {
        let out = text("https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/a/b");
        assert!(!out.contains("abcdefghij"), "{out}");
        assert!(out.contains("ghp_"), "{out}");
    }

    #[test]
    fn scp_like_kept() {
        assert_eq!(url("git@github.com:a/b.git"), "git@github.com:a/b.git");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%40b"), "a@b");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%4"), "%4");
    }
}
