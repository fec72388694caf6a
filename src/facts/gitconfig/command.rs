//! Configuration from the command line: `git -c` reaches us as `GIT_CONFIG_PARAMETERS`,
//! `git --config-env`/`GIT_CONFIG_COUNT` as `GIT_CONFIG_KEY_<n>`/`GIT_CONFIG_VALUE_<n>`.
//! Entries from here have no file: a relative `include.path` among them is ignored, as
//! git ignores it.

use super::load::Item;

/// `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_<n>`/`GIT_CONFIG_VALUE_<n>`, then `GIT_CONFIG_PARAMETERS`,
/// in the order git applies them (config.c `git_config_from_parameters`).
pub(super) fn env_items() -> Vec<Item> {
    let mut pairs: Vec<(String, Option<String>)> = Vec::new();
    if let Some(n) = std::env::var("GIT_CONFIG_COUNT")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    {
        for i in 0..n.min(10_000) {
            if let Ok(k) = std::env::var(format!("GIT_CONFIG_KEY_{i}")) {
                pairs.push((k, std::env::var(format!("GIT_CONFIG_VALUE_{i}")).ok()));
            }
        }
    }
    if let Ok(p) = std::env::var("GIT_CONFIG_PARAMETERS") {
        pairs.extend(parse_parameters(&p));
    }
    pairs
        .into_iter()
        .filter_map(|(key, value)| {
            let (section, rest) = key.split_once('.')?;
            let (subsection, name) = match rest.rsplit_once('.') {
                Some((s, n)) => (Some(s.to_owned()), n.to_owned()),
                None => (None, rest.to_owned()),
            };
            Some(Item {
                section: section.to_ascii_lowercase(),
                subsection,
                name: name.to_ascii_lowercase(),
                value,
                line: 0,
            })
        })
        .collect()
}

/// Parses git's `GIT_CONFIG_PARAMETERS`: shell-quoted `'key'='value'` (or old `'key=value'`)
/// items separated by spaces.
pub(crate) fn parse_parameters(s: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(key) = sq_word(&mut chars) else {
            break;
        };
        if chars.peek() == Some(&'=') {
            chars.next();
            let value = sq_word(&mut chars).unwrap_or_default();
            out.push((key, Some(value)));
        } else {
            match key.split_once('=') {
                Some((k, v)) => out.push((k.to_owned(), Some(v.to_owned()))),
                None => out.push((key, None)),
            }
        }
    }
    out
}

/// One shell single-quoted word, with git's `'\''` escapes.
fn sq_word(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    if chars.peek() != Some(&'\'') {
        return None;
    }
    let mut word = String::new();
    while chars.peek() == Some(&'\'') {
        chars.next();
        for c in chars.by_ref() {
            if c == '\'' {
                break;
            }
            word.push(c);
        }
        if chars.peek() == Some(&'\\') {
            chars.next();
            if let Some(c) = chars.next() {
                word.push(c);
            }
        }
    }
    Some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters() {
        assert_eq!(
            parse_parameters("'credential.helper'='' 'a.b'='it'\\''s' 'old.style=x' 'flag.on'"),
            vec![
                ("credential.helper".into(), Some(String::new())),
                ("a.b".into(), Some("it's".into())),
                ("old.style".into(), Some("x".into())),
                ("flag.on".into(), None)
            ]
        );
        assert!(parse_parameters("").is_empty());
        assert!(parse_parameters("garbage").is_empty());
    }
}
