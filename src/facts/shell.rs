//! Shell words as `sh` reads them. git runs `!` credential helpers, absolute-path helpers,
//! `git credential-<name>` helpers, `core.sshCommand` and `GIT_SSH_COMMAND` through `sh -c`,
//! so the program and its arguments are the words `sh` would see.
//!
//! The quoting (backslash escapes outside quotes, inside double quotes and not inside single
//! quotes; `#` comments) is the `shell-words` crate's. This module only adds what that crate
//! leaves to the shell: the snippet's first command ends at an unquoted `;`, `&` or `|`.
//! Nothing is expanded here: `$VAR` stays literal and `~/` is expanded later, by
//! [`super::Ctx::expand_home`], where a path is resolved. It never runs a shell.

/// The words of the first command of a shell snippet.
///
/// `sh` rejects an unclosed quote, so git could not run such a command either; it is read
/// as if the quote closed at the end, which still names the program the user meant.
pub(crate) fn words(snippet: &str) -> Vec<String> {
    let command = first_command(snippet);
    shell_words::split(command)
        .or_else(|_| shell_words::split(&format!("{command}'")))
        .or_else(|_| shell_words::split(&format!("{command}\"")))
        .unwrap_or_default()
}

/// The snippet up to its first control operator (`;`, `&`, `|`) that is neither quoted nor
/// escaped nor part of a redirection (`2>&1`, `<&3`, `>|`). A candidate operator is
/// outside quotes exactly when the text before it splits without an unclosed quote, and
/// unescaped when an even number of backslashes precede it (a backslash run at the end
/// of balanced text lies outside quotes).
fn first_command(snippet: &str) -> &str {
    snippet
        .match_indices([';', '&', '|'])
        .map(|(i, _)| &snippet[..i])
        .find(|head| {
            let backslashes = head.len() - head.trim_end_matches('\\').len();
            backslashes % 2 == 0 && !head.ends_with(['>', '<']) && shell_words::split(head).is_ok()
        })
        .unwrap_or(snippet)
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn backslash_escaped_spaces_outside_quotes() {
        assert_eq!(
            words(r"/mnt/c/Program\ Files/Git/mingw64/bin/git-credential-manager.exe get"),
            vec![
                "/mnt/c/Program Files/Git/mingw64/bin/git-credential-manager.exe",
                "get"
            ]
        );
    }

    #[test]
    fn double_quotes_keep_spaces_and_unescape_only_specials() {
        assert_eq!(
            words(r#""C:/Program Files/x.exe" get"#),
            vec!["C:/Program Files/x.exe", "get"]
        );
        assert_eq!(words(r#""a\"b\\c\d""#), vec![r#"a"b\c\d"#]);
    }

    #[test]
    fn single_quotes_are_literal() {
        assert_eq!(words("'a b'"), vec!["a b"]);
        assert_eq!(words(r"'a\ b'"), vec![r"a\ b"]);
        assert_eq!(
            words("store --file '/a b/c'"),
            vec!["store", "--file", "/a b/c"]
        );
    }

    #[test]
    fn variables_and_tilde_stay_literal() {
        assert_eq!(
            words("$HOME/bin/x --file ~/creds"),
            vec!["$HOME/bin/x", "--file", "~/creds"]
        );
        assert_eq!(words(r#""$HOME/bin/x""#), vec!["$HOME/bin/x"]);
    }

    #[test]
    fn first_command_ends_at_an_unquoted_operator() {
        assert_eq!(words("f() { echo x; }; f"), vec!["f()", "{", "echo", "x"]);
        assert_eq!(words("helper get || true"), vec!["helper", "get"]);
        assert_eq!(
            words("helper 2>/dev/null & wait"),
            vec!["helper", "2>/dev/null"]
        );
        assert_eq!(
            words("echo 'a;b' \"c|d\" e\\;f; g"),
            vec!["echo", "a;b", "c|d", "e;f"]
        );
        assert_eq!(words(r"echo a\\; g"), vec!["echo", r"a\"]);
        assert_eq!(
            words("helper get 2>&1 >|log <&0; x"),
            vec!["helper", "get", "2>&1", ">|log", "<&0"]
        );
    }

    #[test]
    fn comments_and_empty_words() {
        assert_eq!(words("ssh -v # the usual"), vec!["ssh", "-v"]);
        assert_eq!(words("a '' b"), vec!["a", "", "b"]);
        assert!(words("   ").is_empty());
    }

    #[test]
    fn an_unclosed_quote_closes_at_the_end() {
        assert_eq!(words("store --file '/a b"), vec!["store", "--file", "/a b"]);
        assert_eq!(words("x \"a;b"), vec!["x", "a;b"]);
    }
}
