//! Credential rules about what a token may do once the provider has accepted it: the
//! push authenticates, then the provider refuses the upload or the ref.
//!
//! - `gitlab-token-cannot-push` (CC205): a GitLab deploy token or CI/CD job token.
//! - `workflow-scope-unknown` (CC211): a push that changes GitHub workflows with a token
//!   whose `workflow` scope cannot be seen.
//!
//! Because the refusal comes after authentication, these rules are not dropped for the
//! URL git has just authenticated to (they never set `rejects_auth`). They read the
//! HTTPS facts of each push URL, what is being pushed ([`crate::facts::pushed`]), the
//! provider tables, and the shared code in [`crate::rules::support`] and
//! [`crate::rules::advice`]. Like every rule they are pure: never `src/entry`, no I/O,
//! no environment, no clock.

// One line per rule: `file::RULE` declares the file and lists the rule.
crate::rules::area_rules! {
    gitlab_token_cannot_push::GITLAB_TOKEN_CANNOT_PUSH,
    workflow_scope_unknown::WORKFLOW_SCOPE_UNKNOWN,
}
