//! The one place that turns text that may hold a secret into text that may be printed.
//!
//! Secrets are found two ways, without ever being known (issue 18):
//! - by **position**: the password of every `scheme://user:password@` (and a token used
//!   as the user name), every value of a URL's query string (`?access_token=…`), and
//!   the arguments of a command line that are neither options, paths nor numbers
//!   ([`command`]: `core.askPass = /bin/echo <token>`);
//! - by **shape**: any word that starts with a provider's fixed token prefix (`ghp_`,
//!   `glpat-`, `ATBB`…, from the provider tables) is replaced by its description, wherever
//!   it sits: a URL path, a subsection name, a file name, an error message.
//!
//! [`text`] applies both to free text and is what every URL, configuration key, message
//! and error passes through. [`finding`] and [`json`] apply it to everything a report or a
//! `--facts` dump holds, as the last step before output.

use crate::secret;

/// Redacts URL user-info and query values, then token-shaped words, anywhere in `s`.
pub(crate) fn text(s: &str) -> String {
    shapes(&urls(s))
}

/// Redacts a URL or scp-like location (`user@host:path`) for display.
pub(crate) fn url(s: &str) -> String {
    if s.contains("://") {
        return text(s);
    }
    // scp-like or local path: only a token-shaped user name can be a secret here.
    let s = match s.split_once('@') {
        Some((user, rest)) if !user.contains('/') => format!("{}@{rest}", userinfo(user)),
        _ => s.to_owned(),
    };
    shapes(&query(&s))
}

/// A URL path as it may be printed: query values removed, token-shaped segments
/// described (`https://host/<token>/repo.git` happens).
pub(crate) fn path(p: &str) -> String {
    shapes(&query(p))
}

/// A command line as it may be printed: the program, options (`-x`, `--name`), paths,
/// numbers and subcommands stay; any other argument, and the value of `--name=value`
/// unless it is one of those, is `***`. git runs such lines (askpass programs, helpers) with arguments a
/// user may have put a token in.
pub(crate) fn command(line: &str) -> String {
    let words =
        shell_words::split(line).unwrap_or_else(|_| line.split(' ').map(str::to_owned).collect());
    let mut words = words.iter().map(String::as_str);
    let mut out = vec![text(words.next().unwrap_or(""))];
    for w in words {
        let kept = if w.is_empty() || w.starts_with('-') && !w.contains('=') || harmless(w) {
            w.to_owned()
        } else if let Some((name, value)) = w.split_once('=').filter(|(n, _)| n.starts_with('-')) {
            if harmless(value) {
                w.to_owned()
            } else {
                format!("{name}=***")
            }
        } else {
            "***".to_owned()
        };
        out.push(text(&kept));
    }
    out.join(" ")
}

/// A path, a number or a subcommand (`guard`, `auth`, `git-credential`: lower-case
/// letters and hyphens): an argument that carries no secret.
fn harmless(w: &str) -> bool {
    let w = w.trim_matches(['"', '\'']);
    w.bytes().all(|b| b.is_ascii_digit())
        || w.starts_with(|c: char| c.is_ascii_lowercase())
            && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        || ["/", "~/", "./", "../", "$HOME/"]
            .iter()
            .any(|p| w.starts_with(p))
}

/// Every `scheme://` occurrence: user-info, then query values.
fn urls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find("://") {
        let (head, tail) = rest.split_at(pos + 3);
        out.push_str(head);
        // The URL ends at whitespace or a quote; the authority at the first '/', '?' or '#';
        // user-info at its last '@'.
        let url_end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '`' | '>'))
            .unwrap_or(tail.len());
        let (url, after) = tail.split_at(url_end);
        // A password may hold a '/' or '?': with an '@', the authority ends after the last.
        let from = url.rfind('@').unwrap_or(0);
        let end = url[from..]
            .find(['/', '?', '#'])
            .map_or(url.len(), |e| from + e);
        let authority = &url[..end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str(&userinfo(&authority[..at]));
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        out.push_str(&query(&url[end..]));
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `path?key=value&flag` → `path?key=***&***`: every query value, by position.
fn query(s: &str) -> String {
    let Some((path, q)) = s.split_once('?') else {
        return s.to_owned();
    };
    let (q, fragment) = match q.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (q, None),
    };
    // A value ends at the next parameter, or at what closes the text around the URL
    // ("(https://h/a?x=1)"): that is kept.
    let kept_tail = |v: &str| {
        v.find([')', ']', ',', '>'])
            .map_or("", |i| &v[i..])
            .to_owned()
    };
    let params: Vec<String> = q
        .split(['&', ';'])
        .map(|p| match p.split_once('=') {
            Some((k, v)) => format!("{k}=***{}", kept_tail(v)),
            None if p.is_empty() => String::new(),
            None => format!("***{}", kept_tail(p)),
        })
        .collect();
    let mut out = format!("{path}?{}", params.join("&"));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Replaces every word that starts with a known token prefix by the token's description.
fn shapes(s: &str) -> String {
    let token_char =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '=' | '+' | '.');
    let mut out = String::with_capacity(s.len());
    let mut word_start: Option<usize> = None;
    fn flush(out: &mut String, word: &str) {
        let shape = (word.len() >= 12).then(|| secret::Shape::of(word));
        match shape {
            Some(shape) if shape.prefix.is_some() => {
                out.push('<');
                out.push_str(&shape.describe());
                out.push('>');
            }
            // `name=<token>`: '=' is part of some tokens, so it joins words; look behind it.
            _ => match word.split_once('=') {
                Some((name, value)) => {
                    out.push_str(name);
                    out.push('=');
                    flush(out, value);
                }
                None => out.push_str(word),
            },
        }
    }
    for (i, c) in s.char_indices() {
        match (token_char(c), word_start) {
            (true, None) => word_start = Some(i),
            (true, Some(_)) => {}
            (false, Some(start)) => {
                flush(&mut out, &s[start..i]);
                word_start = None;
                out.push(c);
            }
            (false, None) => out.push(c),
        }
    }
    if let Some(start) = word_start {
        flush(&mut out, &s[start..]);
    }
    out
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

/// Every text of a finding (message, cause, fix, location, remote, URL), as the last step
/// before a report is rendered: whatever a rule copied from the facts is printed redacted.
pub(crate) fn finding(f: &mut crate::rules::Finding) {
    f.message = text(&f.message);
    for s in [&mut f.cause, &mut f.remote, &mut f.url]
        .into_iter()
        .flatten()
    {
        *s = text(s);
    }
    if let Some(fix) = &mut f.fix {
        fix.title = text(&fix.title);
        for c in &mut fix.commands {
            *c = text(c);
        }
    }
    if let Some(loc) = &mut f.location {
        loc.what = text(&loc.what);
    }
}

/// Every string in a JSON document (`--facts`, `-v`), redacted.
pub(crate) fn json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => *s = text(s),
        serde_json::Value::Array(a) => a.iter_mut().for_each(json),
        serde_json::Value::Object(o) => o.values_mut().for_each(json),
        _ => {}
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

    const GHP: &str = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";

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
        assert_eq!(text("https://u:p@h?x=1"), "https://u:***@h?x=***");
        assert_eq!(text("https://u:p/w?z@h/r"), "https://u:***@h/r");
        assert_eq!(text("https://h/a@b/c"), "https://h/a@b/c");
    }

    #[test]
    fn token_as_user_name_is_shape_only() {
        let out = text(&format!("https://{GHP}@github.com/a/b"));
        assert!(!out.contains("abcdefghij"), "{out}");
        assert!(out.contains("ghp_"), "{out}");
    }

    #[test]
    fn query_values_by_position() {
        assert_eq!(
            text("https://h/a.git?access_token=Xy7Qw9Er&private=1#frag"),
            "https://h/a.git?access_token=***&private=***#frag"
        );
        assert_eq!(
            text("see https://h/a?opaque1234 now"),
            "see https://h/a?*** now"
        );
        assert_eq!(path("a/b.git?token=Xy7Qw9Er"), "a/b.git?token=***");
        assert_eq!(url("git@h:a/b.git"), "git@h:a/b.git");
    }

    #[test]
    fn token_shapes_anywhere() {
        for s in [
            format!("https://h/{GHP}/repo.git"),
            format!("url.https://{GHP}@github.com/.insteadof"),
            format!("/home/u/{GHP}.txt: not a regular file"),
            format!("x-access-token={GHP}"),
        ] {
            let out = text(&s);
            assert!(!out.contains("0123456789abc"), "{s} → {out}");
        }
        // Words that only look a little like tokens stay.
        assert_eq!(text("ghp_ short ATBB ok"), "ghp_ short ATBB ok");
        assert_eq!(text("refs/heads/ghp-notes"), "refs/heads/ghp-notes");
    }

    #[test]
    fn commands_keep_program_options_paths_and_numbers() {
        assert_eq!(command("/bin/echo Hq4Zx8Lk2Mn6"), "/bin/echo ***");
        assert_eq!(
            command("store --file /home/u/.creds"),
            "store --file /home/u/.creds"
        );
        assert_eq!(command("cache --timeout 3600"), "cache --timeout 3600");
        assert_eq!(
            command("helper --token=Hq4Zx8Lk2Mn6 -v"),
            "helper --token=*** -v"
        );
        assert_eq!(command("/usr/bin/helper"), "/usr/bin/helper");
        assert_eq!(
            command("/usr/bin/gh auth git-credential"),
            "/usr/bin/gh auth git-credential"
        );
        assert_eq!(
            command("/opt/git-credcheck guard"),
            "/opt/git-credcheck guard"
        );
        assert_eq!(
            command("store --file '/a b/c' x'y z'"),
            "store --file /a b/c ***"
        );
    }

    #[test]
    fn scp_like_kept() {
        assert_eq!(url("git@github.com:a/b.git"), "git@github.com:a/b.git");
    }

    #[test]
    fn idempotent() {
        for s in [
            format!("https://alice:pw@h/{GHP}?t=1"),
            format!("https://{GHP}@h/"),
        ] {
            let once = text(&s);
            assert_eq!(text(&once), once);
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%40b"), "a@b");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%4"), "%4");
    }
}
