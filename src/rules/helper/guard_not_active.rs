//! CC212 `guard-not-active`.

use crate::facts::credential::{GuardState, HelperKind, Program};
use crate::facts::{Facts, Stage};
use crate::rules::support::https_urls;
use crate::rules::{declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for a git-credcheck guard that is installed but not reached in the helper
    /// cascade of an HTTPS push URL: a later `credential.<url>.helper =` reset (as `gh auth setup-git`
    /// writes) silently removes it, and a helper before it may answer first. The doctor
    /// also runs the installed guard once, as git would, with an empty request: a guard
    /// git cannot run (or that does not answer) is installed but not active.
    ///
    /// ## Why is this bad?
    /// Without the guard a doomed credential is sent and the user gets only the server's
    /// `Authentication failed`, not the cause.
    ///
    /// ## Example
    /// ```ini
    /// [credential "https://github.com"]
    ///     helper =
    ///     helper = !gh auth git-credential
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git-credcheck install --guard --global
    /// ```
    ///
    /// ## When it is silent
    /// - When the guard is not installed at all, or is active: in the cascade before every
    ///   helper that can answer.
    /// - For SSH push URLs, which use no credential helper.
    /// - Inside the guard itself: git has just reached it.
    /// - When the guard's program cannot be found at all: `credential-helper-missing`
    ///   (CC201) reports that cause.
    ///
    /// ## References
    /// - [gitcredentials(7)](https://git-scm.com/docs/gitcredentials)
    GUARD_NOT_ACTIVE, "CC212", "guard-not-active", Credential, Warning,
    "the credential guard is installed but not reached for this URL", guard_not_active
}

fn guard_not_active(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    if facts.stage == Stage::Guard {
        return out;
    }
    for (u, https) in https_urls(facts) {
        let f = match &https.guard {
            GuardState::Reset => Finding::at(u, format!("the credential guard is not active for {}", u.label()))
                .location(https.reset.as_ref().map(Location::from))
                .cause("a later empty `helper =` reset removes it from the cascade for this URL")
                .fix(
                    "add the guard after the reset",
                    // In the reset's own file (a later one would do too): an entry in an
                    // earlier file is read before the reset and removed by it again.
                    vec![format!(
                        "git config {} --add credential.{}://{}.helper \"$(command -v git-credcheck | sed 's/ /\\\\ /g') guard\"",
                        https.reset.as_ref().map_or("--global", |r| r.scope.flag()),
                        https.request.protocol,
                        https.request.host
                    )],
                ),
            GuardState::AfterOtherHelpers => {
                let first = https.first_answering().map(|(_, h)| h.display.clone()).unwrap_or_default();
                Finding::at(u, format!("the credential guard runs after helper `{first}` for {}", u.label()))
                    .cause("a helper before it may answer, so the guard never sees the credential")
                    .fix("put the guard first", vec!["git-credcheck uninstall --guard --global".into(), "git-credcheck install --guard --global".into()])
                    .likely()
            }
            GuardState::CannotRun { reason } => {
                let Some(h) = https.helpers.iter().find(|h| h.kind == HelperKind::Guard) else {
                    continue;
                };
                if matches!(h.program, Program::Missing { .. } | Program::NotExecutable { .. }) {
                    continue;
                }
                Finding::at(u, format!("the credential guard is installed but git cannot run it for {}", u.label()))
                    .location(Location::from(&h.source))
                    .cause(format!("git runs `{} get` through sh: {reason}", h.display))
                    .fix(
                        "install the guard again from the git-credcheck you run",
                        vec![format!("git-credcheck install --guard {}", h.source.scope.flag())],
                    )
            }
            _ => continue,
        };
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::testing::*;
    use crate::rules::testing::{diagnose, severities};
    use crate::rules::Severity::*;

    #[test]
    fn guard_reset_is_reported() {
        let mut f = with_push_url("https://github.com/a/b.git");
        https_mut(&mut f).guard = GuardState::Reset;
        assert_eq!(severities(&GUARD_NOT_ACTIVE, &f), vec![Warning]);
        https_mut(&mut f).guard = GuardState::Active;
        assert!(severities(&GUARD_NOT_ACTIVE, &f).is_empty());
        https_mut(&mut f).guard = GuardState::NotInstalled;
        assert!(severities(&GUARD_NOT_ACTIVE, &f).is_empty());
    }

    #[test]
    fn guard_after_a_helper_that_answers() {
        let mut f = with_store("https://github.com/a/b.git", Some("alice"), "pw");
        https_mut(&mut f).guard = GuardState::AfterOtherHelpers;
        let d = diagnose(&GUARD_NOT_ACTIVE, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].finding.message,
            "the credential guard runs after helper `store` for remote `origin` (https://github.com/a/b.git)"
        );
    }

    #[test]
    fn guard_that_git_cannot_run() {
        let mut f = with_push_url("https://github.com/a/b.git");
        let guard = helper(
            HelperKind::Guard,
            Program::Found {
                path: "/opt/a b/git-credcheck".into(),
            },
            crate::facts::credential::Answer::No,
        );
        https_mut(&mut f).helpers.push(guard);
        https_mut(&mut f).guard = GuardState::CannotRun {
            reason: "running it ends with status 127".into(),
        };
        let d = diagnose(&GUARD_NOT_ACTIVE, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].finding.message,
            "the credential guard is installed but git cannot run it for remote `origin` (https://github.com/a/b.git)"
        );
        // A guard whose program is gone is CC201's.
        https_mut(&mut f).helpers[0].program = Program::Missing {
            looked_for: "/opt/git-credcheck".into(),
        };
        assert!(severities(&GUARD_NOT_ACTIVE, &f).is_empty());
    }

    #[test]
    fn silent_inside_the_guard() {
        let mut f = with_push_url("https://github.com/a/b.git");
        https_mut(&mut f).guard = GuardState::Reset;
        f.stage = Stage::Guard;
        assert!(severities(&GUARD_NOT_ACTIVE, &f).is_empty());
    }
}
