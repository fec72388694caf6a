//! The pre-push hook (`hook pre-push <remote> <url>`, refs on stdin) and the pre-commit
//! framework's pre-push stage (`hook pre-commit`, PRE_COMMIT_* variables, no stdin).
//!
//! git has authenticated to `<url>` before it runs the hook, so rules that predict a
//! rejected credential stay silent for that URL; the hook checks every other push URL of
//! the remote (git connects to each in turn) and what fails after the connection. A push
//! that will work prints nothing: only errors and warnings that must be acted on now
//! are said here ([`Setup::hook_report`]); the rest is for the doctor.

use super::{emit, Setup};
use crate::cli::OutputArgs;
use crate::facts::pushed::{self, RefUpdate};
use crate::facts::Stage;
use std::io::Read;

/// More input than this is not git's pre-push protocol.
const MAX_STDIN: u64 = 64 << 20;

pub(crate) fn pre_push(remote: &str, url: &str, output: &OutputArgs) -> anyhow::Result<bool> {
    let setup = Setup::new(output.today.as_deref())?;
    let mut facts = setup.facts(Stage::PrePush, vec![remote.to_owned()], Some(url));
    // Ref lines are read after the facts, so that they are kept only when a rule needs them;
    // otherwise they stream through a small buffer (10,000 lines cost next to nothing).
    let dirs = pushed::guarded_dirs(&facts);
    let keep = !dirs.is_empty();
    let mut stdin =
        std::io::BufReader::with_capacity(64 * 1024, std::io::stdin().lock().take(MAX_STDIN));
    let mut line = Vec::new();
    let (mut count, mut malformed, mut first_bad, mut number) = (0usize, 0usize, 0usize, 0usize);
    let mut updates = Vec::new();
    while {
        line.clear();
        std::io::BufRead::read_until(&mut stdin, b'\n', &mut line)? > 0
    } {
        number += 1;
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if !pushed::valid_line(text) {
            malformed += 1;
            if first_bad == 0 {
                first_bad = number;
            }
            continue;
        }
        count += 1;
        if keep {
            updates.extend(std::str::from_utf8(text).ok().and_then(pushed::parse_line));
        }
    }
    if malformed > 0 {
        super::say(format_args!("git-credcheck: ignoring {malformed} malformed pre-push input line(s) (first: line {first_bad})"));
    }
    facts.pushed = Some(range(&setup, remote, count, &updates, &dirs));
    let report = setup.hook_report(&facts);
    emit(output, &facts, &report, true)
}

fn range(
    setup: &Setup,
    remote: &str,
    count: usize,
    updates: &[RefUpdate],
    dirs: &[&str],
) -> pushed::Pushed {
    match (&setup.repo, !dirs.is_empty() && !updates.is_empty()) {
        (Some(repo), true) => pushed::inspect(&repo.git_dir, remote, updates, dirs),
        _ => pushed::Pushed {
            refs: count,
            ..Default::default()
        },
    }
}

pub(crate) fn pre_commit(output: &OutputArgs) -> anyhow::Result<bool> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let setup_remote = var("PRE_COMMIT_REMOTE_NAME");
    let url = var("PRE_COMMIT_REMOTE_URL");
    let mut updates = Vec::new();
    if let (Some(from), Some(to)) = (var("PRE_COMMIT_FROM_REF"), var("PRE_COMMIT_TO_REF")) {
        let line = format!(
            "{} {to} {} {from}",
            var("PRE_COMMIT_LOCAL_BRANCH").unwrap_or_else(|| "HEAD".into()),
            var("PRE_COMMIT_REMOTE_BRANCH").unwrap_or_else(|| "HEAD".into())
        );
        updates.extend(pushed::parse_line(&line));
    }
    match setup_remote {
        Some(remote) => run(Stage::PreCommit, &remote, url.as_deref(), updates, output),
        None => {
            // The manual stage (CI lint) or a push the framework could not describe: check
            // the remote `git push` would use, with nothing authenticated.
            let setup = Setup::new(output.today.as_deref())?;
            let remote = crate::facts::default_push_remote(&setup.git_config, setup.repo.as_ref());
            let facts = setup.facts(Stage::PreCommit, vec![remote], None);
            let report = setup.hook_report(&facts);
            emit(output, &facts, &report, true)
        }
    }
}

fn run(
    stage: Stage,
    remote: &str,
    url: Option<&str>,
    updates: Vec<RefUpdate>,
    output: &OutputArgs,
) -> anyhow::Result<bool> {
    let setup = Setup::new(output.today.as_deref())?;
    let mut facts = setup.facts(stage, vec![remote.to_owned()], url);
    let dirs = pushed::guarded_dirs(&facts);
    facts.pushed = Some(range(&setup, remote, updates.len(), &updates, &dirs));
    let report = setup.hook_report(&facts);
    emit(output, &facts, &report, true)
}
