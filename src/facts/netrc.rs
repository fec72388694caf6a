//! `.netrc` as libcurl reads it for git (`CURLOPT_NETRC` optional, lib/netrc.c).
//!
//! No crate was used: the ones on crates.io either predate quoted tokens and `macdef`
//! (`netrc` 0.4, `netrc-rs`), or keep entries in a map without their line and reject
//! keywords curl ignores (`rust-netrc`). What curl does, and so this parser:
//! - Tokens are separated by blanks and may span lines. A token that starts with `"`
//!   runs to the next unescaped `"` on the same line; `\n`, `\r`, `\t` stand for those
//!   characters and `\x` for `x`. An unclosed quote is a syntax error: curl then reads no
//!   credential from the file at all.
//! - A line whose first token starts with `#` is a comment.
//! - Keywords are case-insensitive: `machine NAME`, `default` (any host), `login`,
//!   `password`, `account` (its value is skipped), and `macdef NAME`, whose body (the
//!   following lines, up to an empty line) is skipped. Unknown words are ignored.
//!
//! A password never leaves this module: entries hold its [`Shape`] only.

use crate::secret::Shape;

/// One `machine` or `default` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The host name; `None` for `default`.
    pub machine: Option<String>,
    /// The line of the `machine` or `default` keyword.
    pub line: u32,
    pub login: Option<String>,
    pub password: Option<Shape>,
    /// An `account` (a second password some FTP servers ask for) was given.
    pub account: bool,
}

/// A quote that does not close on its line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub line: u32,
}

/// What the next token is.
enum Want {
    Keyword,
    Machine,
    Login,
    Password,
    Account,
    MacroName,
}

/// Every entry of a `.netrc` text, in file order.
pub(crate) fn parse(text: &str) -> Result<Vec<Entry>, SyntaxError> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut want = Want::Keyword;
    let mut machine_line = 0;
    let mut in_macro = false;
    for (i, line) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if in_macro {
            in_macro = !line.is_empty();
            continue;
        }
        let tokens = tokens(line).ok_or(SyntaxError { line: n })?;
        if tokens.first().is_some_and(|t| t.starts_with('#')) {
            continue;
        }
        for token in tokens {
            want = match want {
                Want::Keyword => match token.to_ascii_lowercase().as_str() {
                    "machine" => {
                        machine_line = n;
                        Want::Machine
                    }
                    "default" => {
                        entries.push(Entry::new(None, n));
                        Want::Keyword
                    }
                    "login" => Want::Login,
                    "password" => Want::Password,
                    "account" => Want::Account,
                    "macdef" => Want::MacroName,
                    _ => Want::Keyword,
                },
                Want::Machine => {
                    entries.push(Entry::new(Some(token), machine_line));
                    Want::Keyword
                }
                Want::Login => {
                    if let Some(e) = entries.last_mut() {
                        e.login = Some(token);
                    }
                    Want::Keyword
                }
                Want::Password => {
                    if let Some(e) = entries.last_mut() {
                        e.password = Some(Shape::of(&token));
                    }
                    Want::Keyword
                }
                Want::Account => {
                    if let Some(e) = entries.last_mut() {
                        e.account = true;
                    }
                    Want::Keyword
                }
                Want::MacroName => {
                    // The body starts on the next line; the rest of this one is ignored.
                    in_macro = true;
                    want = Want::Keyword;
                    break;
                }
            };
        }
    }
    Ok(entries)
}

impl Entry {
    fn new(machine: Option<String>, line: u32) -> Entry {
        Entry {
            machine,
            line,
            login: None,
            password: None,
            account: false,
        }
    }
}

/// The entry curl uses for `host`: the first, in file order, that names it (ignoring
/// case) or is `default`, and has a password.
pub(crate) fn find<'a>(entries: &'a [Entry], host: &str) -> Option<&'a Entry> {
    entries.iter().find(|e| {
        e.password.is_some()
            && e.machine
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(host))
    })
}

/// One line's tokens; `None` when a quote does not close.
fn tokens(line: &str) -> Option<Vec<String>> {
    let blank = |c: &char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.next_if(blank).is_some() {}
        let Some(first) = chars.next() else {
            return Some(out);
        };
        let mut token = String::new();
        if first == '"' {
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => token.push(match chars.next()? {
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        c => c,
                    }),
                    c => token.push(c),
                }
            }
        } else {
            token.push(first);
            while let Some(c) = chars.next_if(|c| !blank(c)) {
                token.push(c);
            }
        }
        out.push(token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(machine: Option<&str>, line: u32, login: Option<&str>, password: &str) -> Entry {
        Entry {
            machine: machine.map(Into::into),
            line,
            login: login.map(Into::into),
            password: Some(Shape::of(password)),
            account: false,
        }
    }

    #[test]
    fn machines_on_one_line_or_many() {
        let text = "machine a.example login alice password pw1\n\
                    machine b.example\n  login bob\n  password pw2\n";
        assert_eq!(
            parse(text).expect("parses"),
            vec![
                entry(Some("a.example"), 1, Some("alice"), "pw1"),
                entry(Some("b.example"), 2, Some("bob"), "pw2"),
            ]
        );
    }

    #[test]
    fn default_matches_any_host_in_file_order() {
        let text = "default login anon password guest\nmachine b.example login bob password pw\n";
        let entries = parse(text).expect("parses");
        assert_eq!(entries[0], entry(None, 1, Some("anon"), "guest"));
        // File order decides, as in curl: a `default` before a machine shadows it.
        assert_eq!(find(&entries, "b.example").map(|e| e.line), Some(1));
        let text = "machine b.example login bob password pw\ndefault login anon password guest\n";
        let entries = parse(text).expect("parses");
        assert_eq!(find(&entries, "B.Example").map(|e| e.line), Some(1));
        assert_eq!(find(&entries, "c.example").map(|e| e.line), Some(2));
    }

    #[test]
    fn macdef_bodies_are_skipped_up_to_the_empty_line() {
        let text = "macdef init\n\
                    machine evil.example login mallory password x\n\
                    \x20\n\
                    cd /pub\n\
                    \n\
                    machine b.example login bob password pw\n";
        assert_eq!(
            parse(text).expect("parses"),
            vec![entry(Some("b.example"), 6, Some("bob"), "pw")]
        );
    }

    #[test]
    fn quoted_tokens_hold_blanks_and_escapes() {
        let text = r#"machine "b.example" login "Alice Smith" password "p w\"x\\y\tz""#;
        let entries = parse(text).expect("parses");
        assert_eq!(
            entries,
            vec![entry(
                Some("b.example"),
                1,
                Some("Alice Smith"),
                "p w\"x\\y\tz"
            )]
        );
        assert_eq!(
            parse("machine a login \"alice"),
            Err(SyntaxError { line: 1 })
        );
    }

    #[test]
    fn account_values_are_skipped_not_read_as_keywords() {
        let text = "machine b.example account password login bob password pw\n";
        let entries = parse(text).expect("parses");
        assert_eq!(entries.len(), 1);
        assert!(entries[0].account);
        assert_eq!(entries[0].login.as_deref(), Some("bob"));
        assert_eq!(entries[0].password, Some(Shape::of("pw")));
    }

    #[test]
    fn comments_keywords_in_any_case_and_unknown_words() {
        let text = "# machine evil.example login x password y\n\
                    MACHINE b.example Login bob port 21 PASSWORD pw\n";
        assert_eq!(
            parse(text).expect("parses"),
            vec![entry(Some("b.example"), 2, Some("bob"), "pw")]
        );
    }

    #[test]
    fn an_entry_without_a_password_gives_way() {
        let text = "machine b.example login bob\ndefault login anon password guest\n";
        let entries = parse(text).expect("parses");
        assert_eq!(find(&entries, "b.example").map(|e| e.line), Some(2));
        assert!(find(
            &parse("machine b.example login bob\n").expect("parses"),
            "b.example"
        )
        .is_none());
    }

    #[test]
    fn the_password_is_kept_as_a_shape_only() {
        let entries = parse("machine b.example password ghp_SECRETSECRETSECRETSECRETSECRETSECR\n")
            .expect("parses");
        assert!(!format!("{entries:?}").contains("SECRET"));
    }
}
