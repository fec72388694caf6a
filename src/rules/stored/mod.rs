//! Credential rules about the secret git will send: one the provider no longer takes,
//! one issued by another provider, one that nears its maximum lifetime, and credentials
//! that hide one another.
//!
//! - `retired-secret-kind` (CC202): an app password or account password the provider
//!   refuses since a known date.
//! - `token-for-other-provider` (CC206): a token whose prefix names another provider.
//! - `conflicting-stored-accounts` (CC207): several helpers or store lines may answer for
//!   one host.
//! - `extra-header-shadows-credential` (CC210): an `Authorization` extraHeader is sent
//!   instead of the stored credential.
//! - `token-max-age` (CC213): a token's first accepted use, from the guard's ledger, is
//!   close to its provider's maximum lifetime.
//! - `credential-rejected` (CC214): the server has just refused a credential (the
//!   guard's `erase`); says why when its shape tells.
//! - `placeholder-credential` (CC216): documentation text (`<token>`, `$GITHUB_TOKEN`
//!   written literally, `USERNAME`) where a credential belongs.
//! - `env-token-shadows-cli-login` (CC217): `gh`/`glab` answer with a token variable
//!   instead of their own login.
//! - `temporary-credential-expired` (CC219): a short-lived credential (a JWT past its
//!   `exp`, a CodeCommit helper password, a `ghs_` token) kept past its lifetime.
//!
//! Secrets are known by [`crate::secret::Shape`] only. These rules read the HTTPS facts
//! of each push URL, the provider tables and the shared code in
//! [`crate::rules::support`] (the credentials git may send, and when a provider refuses
//! one) and [`crate::rules::advice`]. Like every rule they are pure: never `src/entry`,
//! no I/O, no environment, no clock (today's date is a fact).

// One line per rule: `file::RULE` declares the file and lists the rule.
crate::rules::area_rules! {
    conflicting_stored_accounts::CONFLICTING_STORED_ACCOUNTS,
    credential_rejected::CREDENTIAL_REJECTED,
    extra_header_shadows_credential::EXTRA_HEADER_SHADOWS_CREDENTIAL,
    retired_secret_kind::RETIRED_SECRET_KIND,
    token_for_other_provider::TOKEN_FOR_OTHER_PROVIDER,
    token_max_age::TOKEN_MAX_AGE,
    placeholder_credential::PLACEHOLDER_CREDENTIAL,
    env_token_shadows_cli_login::ENV_TOKEN_SHADOWS_CLI_LOGIN,
    temporary_credential_expired::TEMPORARY_CREDENTIAL_EXPIRED,
}
