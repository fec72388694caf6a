//! Placeholders from documentation where a secret belongs: `<token>`, `YOUR_TOKEN`,
//! `$GITHUB_TOKEN` written literally, `xxxxxxxx`, `ghp_XXXX…`. They are recognised by their
//! general forms (enclosed, a variable, filler, words that name a secret), never by a list
//! of examples, so that a new spelling of the same mistake is caught too.

use super::PROVIDERS;

/// Characters documentation fills a secret with (`xxxxxxxx`, `****`, `ghp_XXXX…`).
const FILLER: &[char] = &['x', 'X', '*', '.', '#', '•', '…', '?'];

/// Words placeholders are made of (`YOUR_PERSONAL_ACCESS_TOKEN`, `my-api-key-here`), with
/// the provider names of [`PROVIDERS`] and the variable names people paste.
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "a", "access", "account", "actual", "add", "an", "api", "app", "application", "auth", "bot",
    "change", "changeme", "ci", "classic", "copied", "cred", "creds", "credential",
    "credentials", "deploy", "dummy", "email", "enter", "env", "example", "fake", "fine",
    "generated", "gh", "git", "gl", "glab", "goes", "grained", "group", "here", "hf",
    "huggingface", "id", "insert", "job", "key", "login", "me", "my", "name", "new", "oauth",
    "org", "organization", "our", "pass", "passphrase", "passwd", "password", "paste", "pat",
    "personal", "placeholder", "project", "put", "pwd", "read", "real", "redacted", "replace",
    "repo", "repository", "sample", "secret", "the", "this", "token", "tokens", "user",
    "username", "value", "with", "write", "your",
    // Halves of provider names written in camel case (`YourGitHubToken`).
    "bit", "bucket", "dev", "face", "hub", "hugging", "lab", "ops",
];

/// Words that make a string of [`WORDS`] stand for a secret.
#[rustfmt::skip]
const SECRET_WORDS: &[&str] = &[
    "changeme", "cred", "creds", "credential", "credentials", "key", "pass", "passphrase",
    "passwd", "password", "pat", "placeholder", "pwd", "redacted", "secret", "token", "tokens",
];

/// Words that make a string of [`WORDS`] stand for a user name.
const USER_WORDS: &[&str] = &["email", "login", "name", "user", "username"];

/// Is `secret` documentation text rather than a secret? `<token>`, `{token}`,
/// `$GITHUB_TOKEN`, `${TOKEN}`, `${{ secrets.X }}`, `%TOKEN%` (variables written
/// literally), `xxxxx`, a token prefix followed by filler (`ghp_XXXX`), or words such
/// as `YOUR_TOKEN`, `my-api-key-here`, `password`, `changeme`.
pub(crate) fn is_placeholder_secret(secret: &str) -> bool {
    placeholder(secret, SECRET_WORDS) || provider_prefix_then_placeholder(secret)
}

/// Is `user` documentation text rather than a user name? `USERNAME`, `<username>`,
/// `your_username`, `$USER`, `YOUR_EMAIL`. Fixed service user names (`x-token-auth`) and
/// plain names are not.
pub(crate) fn is_placeholder_user(user: &str) -> bool {
    !super::is_service_username(user) && placeholder(user, USER_WORDS)
}

fn placeholder(text: &str, core: &[&str]) -> bool {
    let t = text.trim();
    if t.chars().count() < 3 {
        return false;
    }
    let enclosed = [('<', '>'), ('{', '}'), ('[', ']'), ('%', '%')]
        .iter()
        .any(|(open, close)| t.starts_with(*open) && t.ends_with(*close));
    let variable = t.strip_prefix('$').is_some_and(|rest| {
        rest.starts_with('{')
            || rest.starts_with('(')
            || rest.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
                && rest
                    .bytes()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
    });
    let filler = t.chars().all(|c| FILLER.contains(&c));
    enclosed || variable || filler || made_of_words(t, core)
}

/// `ghp_XXXXXXXX`, `glpat-<your token>`: a provider's fixed prefix, then a placeholder.
fn provider_prefix_then_placeholder(secret: &str) -> bool {
    PROVIDERS
        .iter()
        .flat_map(|p| p.shapes.iter())
        .filter_map(|s| s.pattern.prefix())
        .any(|p| {
            secret.split_once(p).is_some_and(|(_, rest)| {
                rest.chars().count() >= 3
                    && (rest.chars().all(|c| FILLER.contains(&c))
                        || placeholder(rest, SECRET_WORDS))
            })
        })
}

/// Split on anything but letters and digits and at lower-to-upper case changes: every
/// word is a placeholder word (or a provider's name) and one of them is in `core`.
fn made_of_words(text: &str, core: &[&str]) -> bool {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if (!c.is_alphanumeric() || (c.is_uppercase() && prev_lower)) && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        }
        prev_lower = c.is_lowercase();
    }
    if !current.is_empty() {
        words.push(current);
    }
    let provider_word = |w: &str| {
        PROVIDERS.iter().any(|p| {
            p.name
                .split(|c: char| !c.is_alphanumeric())
                .any(|n| n.eq_ignore_ascii_case(w))
        })
    };
    !words.is_empty()
        && words
            .iter()
            .all(|w| WORDS.contains(&w.as_str()) || provider_word(w))
        && words.iter().any(|w| core.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::{SecretKind, Shape};

    #[test]
    fn placeholders_by_their_general_forms() {
        for p in [
            "<token>",
            "<YOUR-PAT>",
            "{token}",
            "[TOKEN]",
            "%GH_TOKEN%",
            "$GITHUB_TOKEN",
            "${TOKEN}",
            "$(cat token.txt)",
            "${{ secrets.GITHUB_TOKEN }}",
            "xxxxxxxx",
            "********",
            "ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "glpat-xxxxxxxxxxxxxxxxxxxx",
            "YOUR_TOKEN",
            "your_personal_access_token",
            "YourGitHubToken",
            "my-api-key-here",
            "INSERT_TOKEN_HERE",
            "token",
            "password",
            "changeme",
            "REDACTED",
        ] {
            assert_eq!(Shape::of(p).kind, SecretKind::Placeholder, "{p}");
            assert!(!Shape::of(p).is_token(), "{p}");
        }
        for real in [
            "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
            "glpat-aaaaaaaaaaaaaaaaaaaa",
            "Tr0ub4dor&3-horse",
            "correct horse battery staple",
            "$ecretPa55",
            "pw",
            "bLHDMmvlk7L9wGerIfMg",
        ] {
            assert_ne!(Shape::of(real).kind, SecretKind::Placeholder, "{real}");
        }
        for user in [
            "USERNAME",
            "<username>",
            "your_username",
            "$USER",
            "YOUR_EMAIL",
            "user",
        ] {
            assert!(is_placeholder_user(user), "{user}");
        }
        for user in [
            "alice",
            "git",
            "pat",
            "x-token-auth",
            "oauth2",
            "gitlab-ci-token",
            "token",
        ] {
            assert!(!is_placeholder_user(user), "{user}");
        }
    }
}
