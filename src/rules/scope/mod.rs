//! Credential rules about what a token may do once the provider has accepted it: the
//! push authenticates, then the provider refuses the upload or the ref; and tokens of a
//! kind the provider never takes as a git login at all.
//!
//! - `gitlab-token-cannot-push` (CC205): a GitLab deploy token or CI/CD job token.
//! - `workflow-scope-unknown` (CC211): a push that changes GitHub workflows with a token
//!   whose `workflow` scope cannot be seen, unless that credential has pushed such a
//!   change to that URL before (the opt-in ledger, [`crate::facts::hints`]).
//! - `token-kind-not-for-git` (CC220): a token whose kind never authenticates git (a
//!   GitLab feed or runner token, a GitHub refresh token), from the provider table's
//!   `token_scopes`.
//!
//! Push scope as such (`write_repository`, `write:repository:bitbucket`, Code (Read &
//! write), a Hugging Face `write` token) is checked by each of these providers when git
//! asks for `info/refs?service=git-receive-pack`, before the pre-push hook runs: a token
//! without it never reaches the hook, and a rule warning about it would speak on every
//! push that works. Only path-guarded scopes, judged after the pack is received, are
//! said during a push ([`PATH_GUARDED`]).
//!
//! Because the refusal comes after authentication, CC205 and CC211 are not dropped for
//! the URL git has just authenticated to (they never set `rejects_auth`); CC220 is, since
//! its token is refused at login. They read the HTTPS facts of each push URL, what is
//! being pushed ([`crate::facts::pushed`]), the provider tables, and the shared code in
//! [`crate::rules::support`] and [`crate::rules::advice`]. Like every rule they are pure:
//! never `src/entry`, no I/O, no environment, no clock.

use crate::facts::credential::Https;
use crate::facts::pushed::Pushed;
use crate::facts::PushUrl;
use crate::rules::support::Candidate;

// One line per rule: `file::RULE` declares the file and lists the rule.
crate::rules::area_rules! {
    gitlab_token_cannot_push::GITLAB_TOKEN_CANNOT_PUSH,
    workflow_scope_unknown::WORKFLOW_SCOPE_UNKNOWN,
    token_kind_not_for_git::TOKEN_KIND_NOT_FOR_GIT,
}

/// The rules whose hint is about a path-guarded scope: the hook records in the opt-in
/// ledger what they were said for, so that they fall silent once the credential has
/// pushed such a change.
pub(crate) static PATH_GUARDED: &[&crate::rules::Rule] = &[&WORKFLOW_SCOPE_UNKNOWN];

/// The ledger identity of a candidate kept by a `store` helper, if the ledger knows it.
fn ledger_id<'a>(https: &'a Https, c: &Candidate<'_>) -> Option<&'a str> {
    if !c.kept_in_file() {
        return None;
    }
    let stored = match c.helper {
        Some(i) => https.helpers.get(i)?.stored.as_ref(),
        None => https.netrc.as_ref(),
    };
    stored?.ledger_id.as_deref()
}

/// Whether the candidate has pushed a change under every guarded path this push changes,
/// to this URL, before.
fn proven(pushed: &Pushed, u: &PushUrl, https: &Https, c: &Candidate<'_>) -> bool {
    let Some(id) = ledger_id(https, c) else {
        return false;
    };
    let paths = crate::facts::hints::changed_guarded(pushed, u);
    !paths.is_empty()
        && paths.iter().all(|path| {
            pushed
                .proven
                .iter()
                .any(|p| p.url == u.url.display && p.credential == id && p.path == *path)
        })
}
