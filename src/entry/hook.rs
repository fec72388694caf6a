//! The pre-push hook (`hook pre-push <remote> <url>`, refs on stdin) and the pre-commit
//! framework's pre-push stage (`hook pre-commit`, PRE_COMMIT_* variables, no stdin).
//!
//! git has authenticated to `<url>` before it runs the hook, so rules that predict a
//! rejected credential stay silent for that URL; the hook checks every other push URL of
//! the remote (git connects to each in turn) and what fails after the connection.

use super::{emit, Setup};
use crate::cli::OutputArgs;
use crate::facts::pushed::{self, RefUpdate};
use crate::facts::{Facts, Stage};
use std::io::Read;

/// More input than this is not git's pre-push protocol.
const MAX_STDIN: u64 = 64 << 20;

pub(crate) fn pre_push(remote: &str, url: &str, output: &OutputArgs) -> anyhow::Result<bool> {
    let mut input = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_STDIN)
        .read_to_end(&mut input)?;
    let text = String::from_utf8_lossy(&input);
    let mut updates = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match pushed::parse_line(line) {
            Some(u) => updates.push(u),
            None => eprintln!(
                "git-credcheck: ignoring malformed pre-push input line {}",
                i + 1
            ),
        }
    }
    run(Stage::PrePush, remote, Some(url), &updates, output)
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
        Some(remote) => run(Stage::PreCommit, &remote, url.as_deref(), &updates, output),
        None => {
            // The manual stage (CI lint) or a push the framework could not describe: check
            // the remote `git push` would use, with nothing authenticated.
            let setup = Setup::new(output.today.as_deref())?;
            let remote = crate::facts::default_push_remote(&setup.git_config, setup.repo.as_ref());
            let facts = setup.facts(Stage::PreCommit, vec![remote], None);
            let report = setup.report(&facts);
            emit(output, &facts, &report, true)
        }
    }
}

fn run(
    stage: Stage,
    remote: &str,
    url: Option<&str>,
    updates: &[RefUpdate],
    output: &OutputArgs,
) -> anyhow::Result<bool> {
    let setup = Setup::new(output.today.as_deref())?;
    let mut facts = setup.facts(stage, vec![remote.to_owned()], url);
    inspect_range(&setup, &mut facts, remote, updates);
    let report = setup.report(&facts);
    emit(output, &facts, &report, true)
}

/// Reads the pushed range only when a rule needs it (a GitHub push URL).
fn inspect_range(setup: &Setup, facts: &mut Facts, remote: &str, updates: &[RefUpdate]) {
    let github = facts.push_urls().any(|u| {
        u.provider.map(crate::provider::ProviderKind::family)
            == Some(crate::provider::ProviderKind::Github)
    });
    if !github || updates.is_empty() {
        facts.pushed = Some(pushed::Pushed {
            refs: updates.len(),
            ..Default::default()
        });
        return;
    }
    if let Some(repo) = &setup.repo {
        facts.pushed = Some(pushed::inspect(&repo.git_dir, remote, updates));
    }
}
