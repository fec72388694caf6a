//! Credential rules about the helper cascade itself: whether the helpers git is told to
//! run exist, whether the right one answers first, and whether anything at all can
//! supply a credential.
//!
//! - `credential-helper-missing` (CC201): a configured helper's program cannot be run.
//! - `codecommit-helper-shadowed` (CC208): the AWS CodeCommit helper is answered for, or
//!   lacks `credential.UseHttpPath`.
//! - `credential-source-missing` (CC209): nobody can type and nothing can answer.
//! - `guard-not-active` (CC212): the git-credcheck guard is configured but not reached.
//! - `gcm-credential-store-unusable` (CC215): Git Credential Manager is told to use a
//!   credential store that cannot work on this machine.
//! - `askpass-program-missing` (CC218): the askpass program git would ask cannot be run.
//! - `helper-omits-username` (CC225): the helpers answer a password but no user name, and
//!   the URL names none.
//!
//! These rules read the HTTPS facts of each push URL ([`crate::facts::credential`]),
//! the environment as gathered ([`crate::facts::Env`]), the provider tables, and the
//! shared code in [`crate::rules::support`] and [`crate::rules::advice`]. Like every
//! rule they are pure: never `src/entry`, no I/O, no environment, no clock. Code that
//! several rules of this folder share lives here.

// One line per rule: `file::RULE` declares the file and lists the rule.
crate::rules::area_rules! {
    codecommit_helper_shadowed::CODECOMMIT_HELPER_SHADOWED,
    credential_helper_missing::CREDENTIAL_HELPER_MISSING,
    credential_source_missing::CREDENTIAL_SOURCE_MISSING,
    guard_not_active::GUARD_NOT_ACTIVE,
    gcm_credential_store_unusable::GCM_CREDENTIAL_STORE_UNUSABLE,
    gcm_organization_unknown::GCM_ORGANIZATION_UNKNOWN,
    askpass_program_missing::ASKPASS_PROGRAM_MISSING,
    helper_omits_username::HELPER_OMITS_USERNAME,
}

use crate::facts::credential::{Https, Program};

/// Can the askpass program git would run be run to ask for the credential? git takes the
/// first of `GIT_ASKPASS`, `core.askPass`, `SSH_ASKPASS` that is set and never tries the
/// next when it fails (prompt.c `git_prompt`; measured with git 2.47).
fn askpass_available(https: &Https) -> bool {
    https.askpass.first().is_some_and(|a| {
        !matches!(
            a.program,
            Program::Missing { .. } | Program::NotExecutable { .. }
        )
    })
}
