//! Path-guarded hints said once per credential (issue 13).
//!
//! A hint that a token may lack a guarded path's scope (GitHub's `workflow`) is not
//! repeated once that very credential has pushed such a change to that URL. The pre-push
//! hook [`remember`]s, in the opt-in ledger, the commits pushed after each hint (keyed by
//! a hash of credential, URL and path); a later push [`settle`]s them: a commit the remote
//! now has marks the hint accepted for good. The evidence, cheapest first, needs no
//! network and walks no history beyond the pushed range: the old ids of the pushed refs
//! (what the remote advertised to git before it ran the hook) and the remote-tracking
//! tips (git moves them after a successful push), then, only when the ledger holds a
//! pending commit for a hint that would fire, one `git for-each-ref --contains`.
//!
//! A credential the guard saw accepted is no such proof: git calls `credential approve`
//! (the helper's `store`) as soon as a request succeeds (`handle_curl_result()` in git's
//! http.c), which is `GET info/refs?service=git-receive-pack`, before the pack is sent
//! and before GitHub judges the workflow files in it.

use super::pushed::{Proven, Pushed};
use super::{Ctx, Facts, PushUrl};
use std::path::{Path, PathBuf};

/// The guarded paths of `u`'s provider that the push changes.
pub(crate) fn changed_guarded(pushed: &Pushed, u: &PushUrl) -> Vec<&'static str> {
    let Some(g) = u.provider.and_then(|p| p.info().guarded_paths) else {
        return Vec::new();
    };
    g.prefixes
        .iter()
        .copied()
        .filter(|p| pushed.workflow_files.iter().any(|f| f.starts_with(p)))
        .collect()
}

/// Which credentials of `facts` have pushed this kind of change before (issue 13): for
/// each stored credential with a ledger identity and each guarded path the push changes,
/// a hint accepted before, or one whose pushed commit the remote now has. The last check
/// runs one `git for-each-ref --contains` per hint, and only when the ledger holds a
/// pending commit for it, which is only after a hint fired: a push without a ledger, or
/// without a guarded change, costs nothing.
pub(crate) fn settle(ctx: &Ctx, git_dir: Option<&Path>, remote: &str, facts: &mut Facts) {
    let (Some(pushed), Some(ledger)) = (facts.pushed.as_ref(), ctx.ledger()) else {
        return;
    };
    if pushed.workflow_files.is_empty() {
        return;
    }
    let mut proven = Vec::new();
    for u in facts.push_urls() {
        let Some(https) = &u.https else { continue };
        let ids = https
            .helpers
            .iter()
            .filter_map(|h| h.stored.as_ref())
            .chain(&https.netrc)
            .filter_map(|s| s.ledger_id.as_deref());
        for id in ids {
            for path in changed_guarded(pushed, u) {
                let key = ledger.hint_key(id, &u.url.display, path);
                let seen = ledger.hint_accepted(&key) || {
                    let commits = ledger.hint_commits(&key);
                    let on_remote = !commits.is_empty()
                        && (commits
                            .iter()
                            .any(|c| pushed.remote_has.iter().any(|r| r == c))
                            || git_dir.is_some_and(|d| tracked(ctx, d, remote, &commits)));
                    if on_remote {
                        let _ = super::ledger::record_accepted(&ctx.state_dir(), &key, facts.today);
                    }
                    on_remote
                };
                if seen {
                    proven.push(Proven {
                        url: u.url.display.clone(),
                        credential: id.to_owned(),
                        path: path.to_owned(),
                    });
                }
            }
        }
    }
    if let Some(p) = facts.pushed.as_mut() {
        p.proven = proven;
    }
}

/// After a path-guarded hint about the stored credential at `file:line` for push URL
/// `url` (`hinted`), the opt-in ledger keeps the pushed tips, for [`settle`] to find on
/// the remote later. Writes nothing without a ledger.
pub(crate) fn remember(ctx: &Ctx, facts: &Facts, hinted: &[(String, PathBuf, u32)]) {
    let (Some(pushed), Some(ledger)) = (facts.pushed.as_ref(), ctx.ledger()) else {
        return;
    };
    let dir = ctx.state_dir();
    for u in facts.push_urls() {
        let Some(https) = &u.https else { continue };
        let stored = https
            .helpers
            .iter()
            .filter_map(|h| h.stored.as_ref())
            .chain(&https.netrc);
        for s in stored {
            let Some(id) = s.ledger_id.as_deref() else {
                continue;
            };
            if !hinted.iter().any(|(url, file, line)| {
                *url == u.url.display && *file == s.file && *line == s.line
            }) {
                continue;
            }
            for path in changed_guarded(pushed, u) {
                let key = ledger.hint_key(id, &u.url.display, path);
                for tip in &pushed.tips {
                    // Best effort: a ledger that cannot be written only means the hint repeats.
                    let _ = super::ledger::record_hint(&dir, ledger, &key, tip, facts.today);
                }
            }
        }
    }
}

/// Whether a remote-tracking branch of `remote` contains one of `commits`: one git process.
fn tracked(ctx: &Ctx, git_dir: &Path, remote: &str, commits: &[&str]) -> bool {
    if commits
        .iter()
        .any(|c| !c.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return false;
    }
    let dir = format!("--git-dir={}", git_dir.display());
    let refs = format!("refs/remotes/{remote}/");
    let contains: Vec<String> = commits.iter().map(|c| format!("--contains={c}")).collect();
    let mut args = vec![
        dir.as_str(),
        "for-each-ref",
        "--count=1",
        "--format=%(objectname)",
    ];
    args.extend(contains.iter().map(String::as_str));
    args.push(refs.as_str());
    crate::process::run(&ctx.git, &args, b"", ctx.deadline.remaining())
        .is_ok_and(|o| o.success() && !o.stdout.iter().all(u8::is_ascii_whitespace))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one process a settled hint may cost: is a pushed commit on a remote-tracking
    /// branch (it or a descendant)? Several commits in one `for-each-ref --contains`.
    #[test]
    #[cfg_attr(windows, ignore = "needs git (not in the wine prefix)")]
    fn tracked_finds_a_pushed_commit_under_the_remote_tracking_branches() {
        let dir = tempfile::tempdir().expect("tmp");
        let git = |args: &[&str]| {
            let o = std::process::Command::new("git")
                .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
                .args(args)
                .current_dir(dir.path())
                .output()
                .expect("git runs");
            assert!(
                o.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            String::from_utf8_lossy(&o.stdout).trim().to_owned()
        };
        git(&["init", "-q"]);
        git(&["commit", "-q", "--allow-empty", "-m", "a"]);
        let a = git(&["rev-parse", "HEAD"]);
        git(&["commit", "-q", "--allow-empty", "-m", "b"]);
        let b = git(&["rev-parse", "HEAD"]);
        git(&["checkout", "-q", "--orphan", "other"]);
        git(&["commit", "-q", "--allow-empty", "-m", "c"]);
        let c = git(&["rev-parse", "HEAD"]);
        let ctx = crate::facts::Ctx::for_test(dir.path(), "");
        let git_dir = dir.path().join(".git");
        assert!(
            !tracked(&ctx, &git_dir, "origin", &[&a]),
            "no remote-tracking branch yet"
        );
        git(&["update-ref", "refs/remotes/origin/main", &b]);
        assert!(
            tracked(&ctx, &git_dir, "origin", &[&a]),
            "an ancestor of the tip"
        );
        assert!(
            tracked(&ctx, &git_dir, "origin", &[&c, &b]),
            "any of several"
        );
        assert!(
            !tracked(&ctx, &git_dir, "origin", &[&c]),
            "not on the remote"
        );
        assert!(
            !tracked(&ctx, &git_dir, "upstream", &[&a]),
            "another remote"
        );
        assert!(
            !tracked(&ctx, &git_dir, "origin", &["--all"]),
            "only object ids"
        );
    }
}
