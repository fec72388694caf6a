//! CC207 `conflicting-stored-accounts`.

use crate::facts::credential::{Answer, Helper, Https, Stored};
use crate::facts::Facts;
use crate::rules::support::https_urls;
use crate::rules::{advice, declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for several persistent credential helpers that may each hold an account for
    /// the same host, and for `store` files with several lines for one host.
    ///
    /// ## Why is this bad?
    /// The first helper that answers wins. When it holds another account (a work and a
    /// personal login), the push fails with `Permission denied` or `Repository not found`
    /// while the right credential sits in the next helper.
    ///
    /// ## Example
    /// ```ini
    /// [credential]
    ///     helper = store
    ///     helper = libsecret
    /// ```
    ///
    /// ## Fix
    /// Keep one persistent helper, or set the user name per host so each helper answers for
    /// the right account: `git config --global credential.https://github.com.username alice`.
    /// For a `store` file the command pins the account git answers with today and names
    /// the others; where the accounts are not known the fix says so in words.
    ///
    /// When the helper asked first comes from a file git reads earlier (the system config
    /// of Git for Windows or of Xcode's git, a global file under a repository's own
    /// helper) than the last one, the later helper is most often a replacement that never
    /// gets to answer: the fix empties the helper list in the later file, before its own
    /// helper (`helper =` with an empty value resets the list), exactly as `git config`
    /// commands when the values can be written back as they were, else in words.
    ///
    /// ## When it is silent
    /// - When the push URL carries a password, or a user name is set for the request (in
    ///   the URL or by `credential.username`): each helper then answers for that account.
    /// - When fewer than two persistent helpers (`store`, a keyring, Git Credential
    ///   Manager) may answer; `cache`, `gh`, custom helpers and helpers that cannot answer
    ///   do not count.
    /// - When each `store` file holds one line for the host.
    /// - For SSH push URLs.
    ///
    /// ## References
    /// - [gitcredentials(7)](https://git-scm.com/docs/gitcredentials)
    CONFLICTING_STORED_ACCOUNTS, "CC207", "conflicting-stored-accounts", Credential, Warning,
    "several stored accounts may answer for the same host", conflicting_stored_accounts
}

fn conflicting_stored_accounts(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        if u.url.password.is_some() || https.request.username.is_some() {
            continue;
        }
        let key = format!(
            "credential.{}://{}.username",
            https.request.protocol, https.request.host
        );
        let persistent: Vec<_> = https
            .helpers
            .iter()
            .filter(|h| h.kind.persistent() && h.answer != Answer::No)
            .collect();
        if persistent.len() >= 2 {
            let names: Vec<_> = persistent
                .iter()
                .map(|h| format!("`{}`", h.display))
                .collect();
            let (first, last) = (persistent[0], persistent[persistent.len() - 1]);
            let finding = Finding::at(u, format!("{} has {} persistent helpers that may answer: {}", u.label(), names.len(), names.join(", ")))
                .location(Location::from(&first.source))
                .likely();
            let finding = match last.source.file.as_ref().filter(|_| read_later(first, last)) {
                Some(later) => finding
                    .cause(format!(
                        "git asks the helpers in the order it reads its config files: `{}` from {} answers before `{}` from {}, which is asked only when the first has nothing; a credential left there from before is sent instead",
                        first.display,
                        place(first),
                        last.display,
                        later.display()
                    ))
                    .fix(format!("if `{}` is the helper you mean to use, empty the list before it in {}", last.display, later.display()), reset(https, last)),
                None => finding
                    .cause("the first helper to answer wins; if it holds another account the push is refused")
                    .fix("pin the user name for this host", vec![format!("# set {key} to the account this push should use: git config --global {key} '<user>'")]),
            };
            out.push(finding);
        }
        for h in &https.helpers {
            if let Some(s) = h.stored.as_ref().filter(|s| !s.other_usernames.is_empty()) {
                out.push(
                    Finding::at(u, format!("{} holds {} accounts for {}; git uses line {}", s.file.display(), s.other_usernames.len() + 1, https.request.host, s.line))
                        .location(Location { file: Some(s.file.clone()), line: Some(s.line), what: "stored credential".into() })
                        .cause("without a user name in the URL or credential.username, the first matching line wins")
                        .fix("pin the user name for this host", pin(&key, s))
                        .likely(),
                );
            }
        }
    }
    out
}

/// Whether git reads `b`'s file after `a`'s: system, global, local, worktree.
fn read_later(a: &Helper, b: &Helper) -> bool {
    matches!(
        (a.source.scope.file_order(), b.source.scope.file_order()),
        (Some(x), Some(y)) if y > x
    )
}

fn place(h: &Helper) -> String {
    match &h.source.file {
        Some(f) => format!("{}", f.display()),
        None => format!("{:?} configuration", h.source.scope).to_lowercase(),
    }
}

/// Empties the helper list in `last`'s file, just before its own values (git resets the
/// list at an empty `helper =`): every value of that key in that file is unset and written
/// back after an empty one. Words instead when a value cannot be written back as it was
/// (a `!` snippet shown by its first word, a redacted word, a word with spaces).
fn reset(https: &Https, last: &Helper) -> Vec<String> {
    let Some(file) = &last.source.file else {
        return Vec::new();
    };
    let key = &last.source.key;
    let values: Vec<&str> = https
        .helpers
        .iter()
        .filter(|h| h.source.file.as_ref() == Some(file) && &h.source.key == key)
        .map(|h| h.display.as_str())
        .collect();
    let exact = |v: &str| {
        !v.starts_with('!')
            && !v.contains('…')
            && !v.contains("***")
            && crate::facts::shell::words(v).join(" ") == v
    };
    if key.contains("***") || !values.iter().all(|v| exact(v)) {
        return vec![format!(
            "# in {}, add a line `helper =` (empty) in the section of `{key}`, just before its `helper = …` line",
            file.display()
        )];
    }
    let f = advice::sh_quote(&file.display().to_string());
    let k = advice::sh_quote(key);
    let mut out = vec![
        format!("git config --file {f} --unset-all {k}"),
        format!("git config --file {f} --add {k} ''"),
    ];
    out.extend(
        values
            .iter()
            .map(|v| format!("git config --file {f} --add {k} {}", advice::sh_quote(v))),
    );
    out
}

/// Pins the account git answers with today (the others named as the alternatives); a
/// user name that is itself a secret is named in words only.
fn pin(key: &str, s: &Stored) -> Vec<String> {
    match s.username.as_deref().filter(|_| s.username_secret.is_none()) {
        Some(user) => vec![format!(
            "git config --global {key} {}   # or one of: {}",
            advice::sh_quote(user),
            s.other_usernames.join(", ")
        )],
        None => vec![format!(
            "# set {key} to the account this push should use (one of the lines of {})",
            s.file.display()
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::credential::{HelperKind, Program};
    use crate::facts::testing::*;
    use crate::rules::support::samples::GHP;
    use crate::rules::testing::{diagnose, severities};
    use crate::rules::Severity::*;

    fn store_and_keyring() -> Facts {
        let mut f = with_store("https://github.com/a/b.git", None, GHP);
        https_mut(&mut f).helpers.push(helper(
            HelperKind::Libsecret,
            Program::Found { path: "/x".into() },
            Answer::Maybe,
        ));
        f
    }

    #[test]
    fn conflicting() {
        let f = store_and_keyring();
        assert_eq!(severities(&CONFLICTING_STORED_ACCOUNTS, &f), vec![Warning]);
        assert_eq!(
            diagnose(&CONFLICTING_STORED_ACCOUNTS, &f)[0].finding.message,
            "remote `origin` (https://github.com/a/b.git) has 2 persistent helpers that may answer: `store`, `libsecret`"
        );
    }

    #[test]
    fn a_later_file_gets_the_list_emptied_before_its_helper() {
        use crate::facts::gitconfig::Scope;
        let mut f = store_and_keyring();
        let h = &mut https_mut(&mut f).helpers;
        h[0].source.scope = Scope::System;
        h[0].source.file = Some("/etc/gitconfig".into());
        h[1].source.scope = Scope::Global;
        h[1].source.file = Some("/home/u/.gitconfig".into());
        h[1].source.key = "credential.helper".into();
        let d = diagnose(&CONFLICTING_STORED_ACCOUNTS, &f);
        assert!(d[0].finding.cause.as_deref().unwrap_or("").contains("`store` from /etc/gitconfig answers before `libsecret`"));
        assert_eq!(
            d[0].finding.fix.as_ref().expect("fix").commands,
            vec![
                "git config --file '/home/u/.gitconfig' --unset-all 'credential.helper'",
                "git config --file '/home/u/.gitconfig' --add 'credential.helper' ''",
                "git config --file '/home/u/.gitconfig' --add 'credential.helper' 'libsecret'",
            ]
        );
        // A `!` snippet cannot be written back from its first word: words.
        https_mut(&mut f).helpers[1].display = "!f …".into();
        let d = diagnose(&CONFLICTING_STORED_ACCOUNTS, &f);
        let fix = &d[0].finding.fix.as_ref().expect("fix").commands;
        assert_eq!(fix.len(), 1);
        assert!(fix[0].starts_with("# in /home/u/.gitconfig, add a line `helper =`"));
    }

    #[test]
    fn several_lines_in_one_store() {
        let mut f = with_store("https://github.com/a/b.git", None, GHP);
        https_mut(&mut f).helpers[0]
            .stored
            .as_mut()
            .expect("stored")
            .other_usernames = vec!["bob".into()];
        let d = diagnose(&CONFLICTING_STORED_ACCOUNTS, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].finding.message,
            "/home/u/.git-credentials holds 2 accounts for github.com; git uses line 2"
        );
    }

    #[test]
    fn silent_with_a_pinned_user_name_or_one_helper() {
        let mut f = store_and_keyring();
        https_mut(&mut f).request.username = Some("alice".into());
        assert!(severities(&CONFLICTING_STORED_ACCOUNTS, &f).is_empty());
        let f = with_store("https://github.com/a/b.git", None, GHP);
        assert!(severities(&CONFLICTING_STORED_ACCOUNTS, &f).is_empty());
        // A cache daemon is not persistent.
        let mut f = with_store("https://github.com/a/b.git", None, GHP);
        https_mut(&mut f)
            .helpers
            .push(helper(HelperKind::Cache, Program::Builtin, Answer::Maybe));
        assert!(severities(&CONFLICTING_STORED_ACCOUNTS, &f).is_empty());
    }
}
