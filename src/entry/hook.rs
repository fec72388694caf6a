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
use crate::facts::{files, Stage};
use std::time::{Duration, Instant};

/// A ref line longer than this is not git's pre-push protocol (refs are at most a few
/// hundred bytes): it is counted as malformed, never kept.
const MAX_LINE: usize = 64 * 1024;

/// Reading git's ref lines may take this long even when the run's deadline is spent:
/// git writes them all before it waits for the hook.
const STDIN_GRACE: Duration = Duration::from_secs(2);

pub(crate) fn pre_push(remote: &str, url: &str, output: &OutputArgs) -> anyhow::Result<bool> {
    let setup = Setup::new(output.today.as_deref())?;
    ledger_for_hints(&setup);
    let mut facts = setup.facts(Stage::PrePush, vec![remote.to_owned()], Some(url));
    // Ref lines are read after the facts, and streamed: each line is checked and, when a
    // rule needs the pushed range, inspected as it comes (issue 18: a mirror push of a
    // million refs costs a buffer and one lookup per distinct commit, not their size).
    let dirs = pushed::guarded_dirs(&facts);
    let until = Instant::now() + setup.ctx.deadline.remaining().max(STDIN_GRACE);
    let mut inspector = match (&setup.repo, dirs.is_empty()) {
        (Some(repo), false) => Some(pushed::Inspector::new(&repo.git_dir, remote, &dirs, until)),
        _ => None,
    };
    let mut stdin = files::Stdin::new(until);
    let mut line = Vec::new();
    let (mut count, mut malformed, mut first_bad, mut number) = (0usize, 0usize, 0usize, 0usize);
    while let Some(read) = stdin.next_line(&mut line, MAX_LINE) {
        number += 1;
        let oids = match read {
            files::Line::Text(text) if text.iter().all(u8::is_ascii_whitespace) => continue,
            files::Line::Text(text) => pushed::oids(text),
            files::Line::TooLong => None,
        };
        let Some((local, remote_oid)) = oids else {
            malformed += 1;
            if first_bad == 0 {
                first_bad = number;
            }
            continue;
        };
        count += 1;
        if let Some(i) = &mut inspector {
            i.add(local, remote_oid);
        }
    }
    if malformed > 0 {
        super::say(format_args!("git-credcheck: ignoring {malformed} malformed pre-push input line(s) (first: line {first_bad})"));
    }
    if stdin.timed_out {
        files::skipped(
            "the rest of the pre-push input",
            format!("not read within the run's deadline ({count} ref lines read)"),
        );
    }
    facts.pushed = Some(match inspector {
        Some(i) => i.finish(),
        None => pushed::Pushed {
            refs: count,
            ..Default::default()
        },
    });
    judge(&setup, remote, facts, output)
}

/// The end of every hook run, once the pushed range is in the facts: settle what the
/// ledger knows of earlier hints, judge, remember the hints given, and print.
fn judge(
    setup: &Setup,
    remote: &str,
    mut facts: crate::facts::Facts,
    output: &OutputArgs,
) -> anyhow::Result<bool> {
    crate::facts::hints::settle(
        &setup.ctx,
        setup.repo.as_ref().map(|r| r.git_dir.as_path()),
        remote,
        &mut facts,
    );
    facts.unchecked.extend(files::take_skipped());
    let report = setup.hook_report(&facts);
    remember_hints(setup, &facts, &report);
    tell_skipped(&facts, &report, output);
    emit(output, &facts, &report, true)
}

/// With the opt-in ledger (`guard: record: true`), a path-guarded hint is not repeated
/// once the credential has pushed such a change (issue 13): the ledger needs its key
/// before the facts are gathered, to know stored credentials by a keyed hash.
fn ledger_for_hints(setup: &Setup) {
    if setup.settings.guard_record {
        let _ = crate::facts::ledger::ensure_key(&setup.ctx.state_dir());
    }
}

/// After the report: the ledger keeps what a path-guarded hint was given for.
fn remember_hints(setup: &Setup, facts: &crate::facts::Facts, report: &crate::render::Report) {
    if !setup.settings.guard_record {
        return;
    }
    let hinted: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| {
            crate::rules::scope::PATH_GUARDED
                .iter()
                .any(|r| std::ptr::eq(*r, d.rule))
        })
        .filter_map(|d| {
            let l = d.finding.location.as_ref()?;
            Some((d.finding.url.clone()?, l.file.clone()?, l.line?))
        })
        .collect();
    crate::facts::hints::remember(&setup.ctx, facts, &hinted);
}

/// A hook with nothing to report prints nothing, but what it skipped it says (issue 18):
/// a push checked in part must not look like a push checked in full. With findings, the
/// notes under the report say it.
fn tell_skipped(facts: &crate::facts::Facts, report: &crate::render::Report, output: &OutputArgs) {
    let human = output
        .format
        .is_none_or(|f| f == crate::render::Format::Human);
    if !report.diagnostics.is_empty() || !human || output.facts || output.quiet {
        return;
    }
    for u in &facts.unchecked {
        super::say(format_args!("git-credcheck: skipped {}: {}", u.what, u.why));
    }
}

fn range(
    setup: &Setup,
    remote: &str,
    count: usize,
    updates: &[RefUpdate],
    dirs: &[&str],
) -> pushed::Pushed {
    match (&setup.repo, !dirs.is_empty() && !updates.is_empty()) {
        (Some(repo), true) => pushed::inspect(
            &repo.git_dir,
            remote,
            updates,
            dirs,
            Instant::now() + setup.ctx.deadline.remaining().max(STDIN_GRACE),
        ),
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
            tell_skipped(&facts, &report, output);
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
    ledger_for_hints(&setup);
    let mut facts = setup.facts(stage, vec![remote.to_owned()], url);
    let dirs = pushed::guarded_dirs(&facts);
    facts.pushed = Some(range(&setup, remote, updates.len(), &updates, &dirs));
    judge(&setup, remote, facts, output)
}
