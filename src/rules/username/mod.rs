//! Credential rules about the user name git sends with a secret: providers that check
//! the pair refuse a token sent with the wrong name.
//!
//! - `email-as-username` (CC203): an email address as the Bitbucket Cloud git user name.
//! - `token-username-mismatch` (CC204): a token paired with a user name its provider
//!   does not accept with it (`x-token-auth` rules, a token's label as user name).
//!
//! These rules read the HTTPS facts of each push URL (the URL's user, the
//! `credential.username` in effect, the user names in headers, `~/.netrc` and `store`
//! lines), the provider tables, and the shared code in [`crate::rules::support`] and
//! [`crate::rules::advice`]. Like every rule they are pure: never `src/entry`, no I/O,
//! no environment, no clock.

// One line per rule: `file::RULE` declares the file and lists the rule.
crate::rules::area_rules! {
    email_as_username::EMAIL_AS_USERNAME,
    token_username_mismatch::TOKEN_USERNAME_MISMATCH,
}
