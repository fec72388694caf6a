//! Online rules (CC4xx): the server's answer to `git credcheck --online`, joined with the
//! offline facts into one finding per probed push URL.
//!
//! - `push-access-confirmed` (CC401): the server advertised receive-pack; a push may start.
//! - `push-credential-refused` (CC402): HTTP 401/410, a proxy's 407, or SSH keys refused.
//! - `push-permission-denied` (CC403): authenticated, but no push (HTTP 403, a read-only
//!   key, a fetch-only service).
//! - `push-repository-not-found` (CC404): HTTP 404 or the server's "not found".
//! - `push-access-unconfirmed` (CC405): no answer to judge (network, TLS, host key,
//!   deadline): a warning, never an error, so a flaky network does not fail a CI job.
//! - `push-probe-withheld` (CC406): not asked, because an offline rule already calls the
//!   credential refused and another refusal can lock the account.
//!
//! Each rule reads [`crate::facts::online::Probe`] on the push URL (present only after
//! `--online`), the URL's other facts, the provider tables and the shared credential
//! code in [`crate::rules::support`] and [`crate::rules::advice`]. [`support`] holds what
//! several of these rules share: which credential was sent, the server's words, the time
//! taken. Like every rule they are pure: never `src/entry`, no I/O, no environment, no
//! clock (the probe's timing is a fact).

mod support;

// One line per rule: `file::RULE` declares the file and lists the rule.
crate::rules::area_rules! {
    push_access_confirmed::PUSH_ACCESS_CONFIRMED,
    push_credential_refused::PUSH_CREDENTIAL_REFUSED,
    push_permission_denied::PUSH_PERMISSION_DENIED,
    push_repository_not_found::PUSH_REPOSITORY_NOT_FOUND,
    push_access_unconfirmed::PUSH_ACCESS_UNCONFIRMED,
    push_probe_withheld::PUSH_PROBE_WITHHELD,
}
