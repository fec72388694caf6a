//! Whether git can run an installed guard and it answers (issue 14): the doctor's
//! "guard active" must not be said of a helper value git cannot run (a path that moved
//! on an upgrade, a value `sh` splits). This is the one place that runs a helper, and
//! only the guard, with an empty request it answers with nothing: no credential, no
//! network, no prompt (`crate::process`: own session, deadline, no askpass).

use super::{is_guard, GuardState, HelperKind, Https};
use crate::facts::gitconfig::Config;
use crate::facts::{Ctx, Facts};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(5);

/// Runs each distinct guard of `facts` once and marks the URLs whose guard git cannot run.
pub(crate) fn probe_guards(ctx: &Ctx, config: &Config, facts: &mut Facts) {
    let mut seen: HashMap<String, Result<(), String>> = HashMap::new();
    for remote in &mut facts.remotes {
        for u in &mut remote.urls {
            let Some(https) = u.https.as_mut() else {
                continue;
            };
            if !matches!(
                https.guard,
                GuardState::Active | GuardState::AfterOtherHelpers
            ) {
                continue;
            }
            let Some(value) = guard_value(config, https) else {
                continue;
            };
            let outcome = seen
                .entry(value.clone())
                .or_insert_with(|| probe(ctx, &value));
            if let Err(reason) = outcome {
                https.guard = GuardState::CannotRun {
                    reason: reason.clone(),
                };
            }
        }
    }
}

/// The configured value of the first guard in this URL's cascade.
fn guard_value(config: &Config, https: &Https) -> Option<String> {
    let h = https.helpers.iter().find(|h| h.kind == HelperKind::Guard)?;
    config
        .entries
        .iter()
        .filter(|e| e.section == "credential" && e.name == "helper")
        .filter(|e| e.scope == h.source.scope && e.file == h.source.file)
        .filter_map(|e| e.value.clone())
        .find(|v| is_guard(v))
}

/// Runs `value` as git runs a helper: `sh -c "<command> get"`, where the command is the
/// value after `!`, an absolute path verbatim, or `git credential-<value>`, with git's
/// exec path first on PATH.
fn probe(ctx: &Ctx, value: &str) -> Result<(), String> {
    let v = value.trim();
    let command = match v.strip_prefix('!') {
        Some(snippet) => snippet.to_owned(),
        None if Path::new(v).is_absolute() => v.to_owned(),
        None => format!("git credential-{v}"),
    };
    let path = format!("{}:{}", ctx.exec_path().display(), ctx.env.path);
    let out = crate::process::run_with_env(
        "sh",
        &["-c", &format!("{command} get")],
        b"",
        DEADLINE,
        &[("PATH", &path)],
    )
    .map_err(|e| format!("sh cannot be started: {e}"))?;
    if out.timed_out {
        return Err(format!("it did not answer within {} s", DEADLINE.as_secs()));
    }
    if out.status == Some(0) {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&out.stderr);
    let said = said.lines().next().unwrap_or("").trim();
    let status = out
        .status
        .map_or_else(|| "a signal".to_owned(), |s| format!("status {s}"));
    Err(if said.is_empty() {
        format!("running it ends with {status}")
    } else {
        format!(
            "running it ends with {status}: {}",
            crate::redact::text(said)
        )
    })
}

/// The keys (`username`, `password`, …) an inline `!` helper prints for `get`, read from
/// its text, never by running it: a user's helper may prompt, open a keyring window or
/// reach the network, and this runs in the pre-push hook too. Only the real-world shape
/// is read: a function or command list made of `echo`/`printf` lines (`!f() { echo
/// "password=${TOKEN}"; }; f`), with `sleep`, `test`/`[`, `:`, assignments, `if … fi`
/// and commands whose output is redirected away (`cat >/dev/null`). The keys of every
/// branch are gathered, so a key printed only sometimes still counts as printed.
/// `None`: some part is anything else (a program, a pipe, a key built at run time).
pub(crate) fn answer_keys(snippet: &str) -> Option<Vec<String>> {
    let toks = tokens(snippet)?;
    let body = match toks.as_slice() {
        [Tok::Word(name, false), Tok::Op("("), Tok::Op(")"), Tok::Word(open, false), rest @ ..]
            if open == "{" =>
        {
            let close = matching_brace(rest)?;
            // After the body: `;` then a call of the function, and nothing else.
            let after: Vec<&Tok> = rest[close + 1..]
                .iter()
                .filter(|t| !matches!(t, Tok::Op(";")))
                .collect();
            match after.as_slice() {
                [Tok::Word(call, _), args @ ..]
                    if call == name && args.iter().all(|t| matches!(t, Tok::Word(..))) => {}
                _ => return None,
            }
            &rest[..close]
        }
        all => all,
    };
    let mut keys: Vec<String> = Vec::new();
    for command in body.split(|t| matches!(t, Tok::Op(";" | "&&" | "||" | "&" | "(" | ")"))) {
        let mut words: Vec<(&str, bool)> = Vec::new();
        for t in command {
            match t {
                Tok::Word(w, quoted) => words.push((w, *quoted)),
                // A pipe changes what is printed: only running it would tell.
                Tok::Op(_) => return None,
            }
        }
        for key in command_keys(&words)? {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    Some(keys)
}

#[derive(Debug, PartialEq)]
enum Tok {
    /// A word with its quotes removed, and whether any part of it was quoted.
    Word(String, bool),
    Op(&'static str),
}

/// `sh`'s tokens, enough for [`answer_keys`]: quotes removed, `$VAR`, `$(…)` and `` `…` ``
/// kept as text, `#` comments dropped. `None` for an unclosed quote (sh refuses it too).
fn tokens(s: &str) -> Option<Vec<Tok>> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut in_word, mut quoted) = (false, false);
    let flush = |out: &mut Vec<Tok>, cur: &mut String, in_word: &mut bool, quoted: &mut bool| {
        if *in_word {
            out.push(Tok::Word(std::mem::take(cur), *quoted));
        }
        *in_word = false;
        *quoted = false;
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' => {
                let end = chars[i + 1..].iter().position(|&x| x == '\'')? + i + 1;
                cur.extend(&chars[i + 1..end]);
                (in_word, quoted, i) = (true, true, end);
            }
            '"' => {
                i += 1;
                while chars.get(i) != Some(&'"') {
                    match *chars.get(i)? {
                        '\\' if matches!(chars.get(i + 1), Some('"' | '\\' | '$' | '`')) => {
                            cur.push(chars[i + 1]);
                            i += 1;
                        }
                        '$' if chars.get(i + 1) == Some(&'(') => {
                            i = substitution(&chars, i, &mut cur)?
                        }
                        x => cur.push(x),
                    }
                    i += 1;
                }
                (in_word, quoted) = (true, true);
            }
            '\\' => {
                if let Some(&n) = chars.get(i + 1) {
                    if n != '\n' {
                        cur.push(n);
                    }
                    i += 1;
                }
                (in_word, quoted) = (true, true);
            }
            '$' if chars.get(i + 1) == Some(&'(') => {
                i = substitution(&chars, i, &mut cur)?;
                in_word = true;
            }
            '`' => {
                let end = chars[i + 1..].iter().position(|&x| x == '`')? + i + 1;
                cur.extend(&chars[i..=end]);
                (in_word, i) = (true, end);
            }
            '#' if !in_word => {
                while chars.get(i + 1).is_some_and(|&x| x != '\n') {
                    i += 1;
                }
            }
            ' ' | '\t' => flush(&mut out, &mut cur, &mut in_word, &mut quoted),
            // `>&2`, `<&3`, `>|`: part of a redirection, not an operator.
            '&' | '|' if cur.ends_with(['>', '<']) => cur.push(c),
            '\n' | ';' | '&' | '|' | '(' | ')' => {
                flush(&mut out, &mut cur, &mut in_word, &mut quoted);
                let double = chars.get(i + 1) == Some(&c) && matches!(c, '&' | '|');
                out.push(Tok::Op(match (c, double) {
                    ('&', true) => "&&",
                    ('|', true) => "||",
                    ('&', false) => "&",
                    ('|', false) => "|",
                    ('(', _) => "(",
                    (')', _) => ")",
                    _ => ";",
                }));
                i += usize::from(double);
            }
            _ => {
                cur.push(c);
                in_word = true;
            }
        }
        i += 1;
    }
    flush(&mut out, &mut cur, &mut in_word, &mut quoted);
    Some(out)
}

/// Copies `$(…)` starting at `chars[i]` into `cur`; returns the index of its `)`.
fn substitution(chars: &[char], i: usize, cur: &mut String) -> Option<usize> {
    let mut depth = 0;
    for (j, &c) in chars.iter().enumerate().skip(i + 1) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    cur.extend(&chars[i..=j]);
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

/// The index in `toks` of the unquoted `}` that closes an already opened `{`.
fn matching_brace(toks: &[Tok]) -> Option<usize> {
    let mut depth = 1;
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Word(w, false) if w == "{" => depth += 1,
            Tok::Word(w, false) if w == "}" => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The keys one simple command prints to git, `None` when it cannot be known.
fn command_keys(words: &[(&str, bool)]) -> Option<Vec<String>> {
    const RESERVED: &[&str] = &["{", "}", "if", "then", "else", "elif", "fi", "!"];
    const SILENT: &[&str] = &[
        ":", "true", "false", "sleep", "test", "[", "exit", "return", "shift", "local", "export",
        "read",
    ];
    let mut words: Vec<&str> = words
        .iter()
        .skip_while(|(w, quoted)| !quoted && RESERVED.contains(w))
        .map(|(w, _)| *w)
        .collect();
    // Redirections: output sent elsewhere is not part of the answer.
    let mut away = false;
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let target = w.trim_start_matches(|c: char| c.is_ascii_digit());
        if target.starts_with(['>', '<']) {
            let fd = &w[..w.len() - target.len()];
            if target.starts_with('>') && (fd.is_empty() || fd == "1") {
                away = true;
            }
            let bare = target.trim_start_matches(['>', '<', '|', '&']).is_empty();
            let n = if bare && !target.ends_with('&') { 2 } else { 1 };
            words.drain(i..(i + n).min(words.len()));
        } else {
            i += 1;
        }
    }
    let first = words
        .iter()
        .position(|w| !is_assignment(w))
        .unwrap_or(words.len());
    let Some((&name, args)) = words[first..].split_first() else {
        return Some(Vec::new());
    };
    if away || SILENT.contains(&name) {
        return Some(Vec::new());
    }
    let text = match name {
        "echo" => {
            let args: Vec<&str> = args
                .iter()
                .copied()
                .skip_while(|a| {
                    a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| "neE".contains(c))
                })
                .collect();
            args.join(" ")
        }
        "printf" => (*args.first()?).to_owned(),
        _ => return None,
    };
    let mut keys = Vec::new();
    for line in text.split("\\n").flat_map(|l| l.split('\n')) {
        if line.is_empty() {
            continue;
        }
        let (key, _) = line.split_once('=')?;
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_[]".contains(c))
        {
            return None;
        }
        keys.push(key.to_owned());
    }
    Some(keys)
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(k, _)| {
        !k.is_empty()
            && !k.starts_with(|c: char| c.is_ascii_digit())
            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(windows, ignore = "needs git for Windows (its sh runs the guard)")]
    fn a_guard_that_runs_answers_and_one_that_does_not_is_named() {
        let dir = tempfile::tempdir().expect("tmp");
        let ctx = Ctx::for_test(dir.path(), "/usr/bin:/bin");
        let ok = dir.path().join("a b/git-credcheck");
        crate::facts::testing::executable(&ok);
        std::fs::write(&ok, "#!/bin/sh\ncat >/dev/null\n").expect("write");
        let quoted = format!("!'{}' guard", ok.display());
        assert_eq!(probe(&ctx, &quoted), Ok(()));
        // The same path unquoted: sh splits it at the space.
        let err = probe(&ctx, &format!("{} guard", ok.display())).expect_err("split");
        assert!(err.contains("status 127"), "{err}");
        let err = probe(&ctx, "/nowhere/git-credcheck guard").expect_err("missing");
        assert!(err.contains("not found"), "{err}");
    }

    fn keys(snippet: &str) -> Option<Vec<String>> {
        answer_keys(snippet)
    }

    #[test]
    fn the_keys_of_an_echo_helper_are_read_without_running_it() {
        let pw = Some(vec!["password".to_owned()]);
        assert_eq!(keys("f() { echo password=$TOKEN; }; f"), pw);
        assert_eq!(keys(r#"f() { echo "password=${TOKEN}"; }; f"#), pw);
        assert_eq!(keys("f() { printf 'password=%s\\n' \"$T\"; }; f"), pw);
        assert_eq!(keys("echo password=$(cat ~/.token)"), pw);
        assert_eq!(
            keys(r#"f() { test "$1" = get && echo "password=$T"; }; f"#),
            pw
        );
        assert_eq!(
            keys(r#"f() { if [ "$1" = get ]; then sleep 1; echo "password=$T"; fi; }; f"#),
            pw
        );
        assert_eq!(
            keys(r#"f() { cat >/dev/null; echo "oops" >&2; echo password=$T; }; f"#),
            pw
        );
        let both = Some(vec!["username".to_owned(), "password".to_owned()]);
        assert_eq!(
            keys(r#"f() { echo username=x-access-token; echo "password=$T"; }; f"#),
            both
        );
        assert_eq!(
            keys(r#"f() { printf "username=u\npassword=%s\n" "$T"; }; f"#),
            both
        );
        // A user name printed only on one branch still counts as printed.
        assert_eq!(
            keys(r#"f() { if [ -n "$U" ]; then echo username=$U; fi; echo password=$T; }; f"#),
            both
        );
        // Anything else: only running it would tell.
        assert_eq!(keys("f() { pass show git/token; }; f"), None);
        assert_eq!(keys("f() { echo password=$T | tr -d x; }; f"), None);
        assert_eq!(keys("f() { echo $LINE; }; f"), None);
        assert_eq!(keys("f() { printf '%s\\n' \"password=$T\"; }; f"), None);
        assert_eq!(keys("f() { echo password=$T; }; g"), None);
        assert_eq!(keys("gh auth git-credential"), None);
        assert_eq!(keys("f() { echo 'password=x; }; f"), None);
    }
}
