//! Whether git can run an installed guard and it answers (issue 14): the doctor's
//! "guard active" must not be said of a helper value git cannot run (a path that moved
//! on an upgrade, a value `sh` splits). This is the one place that runs a helper, and
//! only the guard, with an empty request it answers with nothing: no credential, no
//! network, no prompt (`crate::process`: own session, deadline, no askpass).

use super::{is_guard, GuardState, HelperKind, Https};
use crate::facts::gitconfig::Config;
use crate::facts::{Ctx, Facts};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(5);

/// Runs each distinct guard of `facts` once and marks the URLs whose guard git cannot run.
pub(crate) fn probe_guards(ctx: &Ctx, config: &Config, facts: &mut Facts) {
    let mut seen: HashMap<String, Result<(), String>> = HashMap::new();
    for remote in &mut facts.remotes {
        for u in &mut remote.urls {
            let Some(https) = u.https.as_mut() else {
                continue;
            };
            if !matches!(
                https.guard,
                GuardState::Active | GuardState::AfterOtherHelpers
            ) {
                continue;
            }
            let Some(value) = guard_value(config, https) else {
                continue;
            };
            let outcome = seen
                .entry(value.clone())
                .or_insert_with(|| probe(ctx, &value));
            if let Err(reason) = outcome {
                https.guard = GuardState::CannotRun {
                    reason: reason.clone(),
                };
            }
        }
    }
}

/// The configured value of the first guard in this URL's cascade.
fn guard_value(config: &Config, https: &Https) -> Option<String> {
    let h = https.helpers.iter().find(|h| h.kind == HelperKind::Guard)?;
    config
        .entries
        .iter()
        .filter(|e| e.section == "credential" && e.name == "helper")
        .filter(|e| e.scope == h.source.scope && e.file == h.source.file)
        .filter_map(|e| e.value.clone())
        .find(|v| is_guard(v))
}

/// Runs `value` as git runs a helper: `sh -c "<command> get"`, where the command is the
/// value after `!`, an absolute path verbatim, or `git credential-<value>`, with git's
/// exec path first on PATH.
fn probe(ctx: &Ctx, value: &str) -> Result<(), String> {
    let v = value.trim();
    let command = match v.strip_prefix('!') {
        Some(snippet) => snippet.to_owned(),
        None if Path::new(v).is_absolute() => v.to_owned(),
        None => format!("git credential-{v}"),
    };
    let path = format!("{}:{}", ctx.exec_path().display(), ctx.env.path);
    let out = crate::process::run_with_env(
        "sh",
        &["-c", &format!("{command} get")],
        b"",
        DEADLINE,
        &[("PATH", &path)],
    )
    .map_err(|e| format!("sh cannot be started: {e}"))?;
    if out.timed_out {
        return Err(format!("it did not answer within {} s", DEADLINE.as_secs()));
    }
    if out.status == Some(0) {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&out.stderr);
    let said = said.lines().next().unwrap_or("").trim();
    let status = out
        .status
        .map_or_else(|| "a signal".to_owned(), |s| format!("status {s}"));
    Err(if said.is_empty() {
        format!("running it ends with {status}")
    } else {
        format!(
            "running it ends with {status}: {}",
            crate::redact::text(said)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(windows, ignore = "needs git for Windows (its sh runs the guard)")]
    fn a_guard_that_runs_answers_and_one_that_does_not_is_named() {
        let dir = tempfile::tempdir().expect("tmp");
        let ctx = Ctx::for_test(dir.path(), "/usr/bin:/bin");
        let ok = dir.path().join("a b/git-credcheck");
        crate::facts::testing::executable(&ok);
        std::fs::write(&ok, "#!/bin/sh\ncat >/dev/null\n").expect("write");
        let quoted = format!("!'{}' guard", ok.display());
        assert_eq!(probe(&ctx, &quoted), Ok(()));
        // The same path unquoted: sh splits it at the space.
        let err = probe(&ctx, &format!("{} guard", ok.display())).expect_err("split");
        assert!(err.contains("status 127"), "{err}");
        let err = probe(&ctx, "/nowhere/git-credcheck guard").expect_err("missing");
        assert!(err.contains("not found"), "{err}");
    }
}
