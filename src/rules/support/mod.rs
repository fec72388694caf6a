//! Code shared by the credential rules of several areas (`helper/`, `stored/`,
//! `username/`, `scope/`): which credentials git may send for an HTTPS push URL, and
//! the fix that forgets one of them.
//!
//! - [`candidates`] lists, by shape only, every credential we can see for a push URL in
//!   the order git uses them: the password in the URL, an `http.extraHeader`
//!   Authorization header, a `~/.netrc` entry, a token variable read by `gh`/`glab`, the
//!   line a `store` helper holds. Each rule then asks one question of that list.
//! - [`erase_then_new`] is the fix that goes with a [`Candidate`]: forget it where it
//!   lives, then create the right token (built on [`crate::rules::advice`]).
//! - Why a provider refuses a secret on a given day is the provider table's answer
//!   ([`crate::provider::Provider::refusal`]), not code here.
//!
//! Like every rule module this one is pure: it reads [`crate::facts`], the provider
//! tables ([`crate::provider`]) and secret shapes ([`crate::secret`]), never
//! `src/entry`, the environment, the clock or the file system. It never holds a secret,
//! only [`crate::secret::Shape`]s. Code used by one area only belongs in that area's
//! `mod.rs`; code used by one rule only belongs in the rule's file.

mod candidates;

pub(crate) use candidates::{candidates, erase_then_new, https_urls, Candidate};

/// An e-mail address where a user name belongs: text, `@`, then a domain with a dot
/// (`alice@example.com`, not `alice@localhost`).
pub(crate) fn is_email(s: &str) -> bool {
    s.split_once('@')
        .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
}

/// Why `provider` refuses `secret` outright (its table's retired kinds and password
/// cutoff), for a credential a helper cascade answered with: when Git Credential Manager
/// is in that cascade and the provider's GCM sign-in stores tokens of no published shape
/// (`gcm_oauth_shapeless`), a secret of no known shape may be such a token, so it is not
/// called an account password.
pub(crate) fn refusal_from_cascade(
    provider: &crate::provider::Provider,
    today: crate::date::Date,
    username: Option<&str>,
    secret: &crate::secret::Shape,
    https: &crate::facts::credential::Https,
) -> Option<(String, bool)> {
    use crate::facts::credential::HelperKind::{Manager, ManagerCore};
    let gcm = https
        .helpers
        .iter()
        .any(|h| matches!(h.kind, Manager | ManagerCore));
    if gcm && provider.gcm_oauth_shapeless && secret.kind == crate::secret::SecretKind::Password {
        return None;
    }
    provider.refusal(today, username, secret)
}

/// Secrets of known shapes for rule tests. Made-up values: none was ever a real token.
#[cfg(test)]
pub(crate) mod samples {
    /// A Bitbucket Cloud app password (`ATBB…`).
    pub(crate) const ATBB: &str = "ATBB0123456789abcdefABCDEF0123456789";
    /// An Atlassian API token (`ATATT…`).
    pub(crate) const ATATT: &str = "ATATT3xFfGF0abcdefghijklmnopqrstuvwxyz0123=0A1B2C3D";
    /// A GitHub classic personal access token.
    pub(crate) const GHP: &str = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";
    /// A GitLab personal access token.
    pub(crate) const GLPAT: &str = "glpat-aaaaaaaaaaaaaaaaaaaa";
}
