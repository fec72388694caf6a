//! `git-credcheck guard <get|store|erase>`: a credential helper that never returns a
//! credential. git calls `get` after the server's first 401 and before it sends anything;
//! when a rule is certain the credential the rest of the cascade will supply is refused,
//! the guard explains why on stderr and answers `quit=1`, so nothing is sent. `erase`
//! explains a credential the server just rejected. On any internal failure it answers
//! nothing and git carries on.

use super::Setup;
use crate::facts::request::{self, Attributes};
use crate::facts::{Facts, PushUrl, Rejected, Remote, Stage};
use crate::render;
use crate::rules::{Category, Severity};
use std::io::Write;

/// A credential request is a few lines; more is not git's protocol.
const MAX_INPUT: usize = 1 << 20;

/// How long git may take to write its request.
const INPUT_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);

pub(crate) fn run(operation: &str, today: Option<&str>) -> anyhow::Result<()> {
    let input = request();
    let attrs = Attributes::parse(&input);
    match operation {
        "get" => get(&attrs, today),
        "erase" => erase(&attrs, today),
        "store" => store(&attrs, today),
        _ => Ok(()),
    }
}

/// git's request, up to the blank line that ends it (gitcredentials(7)): the guard does
/// not wait for the end of its input, which a caller may keep open (issue 18). Bounded in
/// size and time.
fn request() -> Vec<u8> {
    let mut stdin = crate::facts::files::Stdin::new(std::time::Instant::now() + INPUT_DEADLINE);
    let mut input = Vec::new();
    let mut line = Vec::new();
    while let Some(read) = stdin.next_line(&mut line, MAX_INPUT) {
        let crate::facts::files::Line::Text(text) = read else {
            continue;
        };
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.is_empty() || input.len() + text.len() > MAX_INPUT {
            break;
        }
        input.extend_from_slice(text);
        input.push(b'\n');
    }
    input
}

/// The URL facts of a credential request.
fn request_url(setup: &Setup, a: &Attributes) -> Option<PushUrl> {
    request::push_url(&setup.ctx, &setup.git_config, &setup.settings.hosts, a)
}

fn facts_for(setup: &Setup, u: PushUrl, rejected: Option<Rejected>) -> Facts {
    Facts {
        today: setup.today,
        stage: Stage::Guard,
        env: setup.ctx.env.clone(),
        repo: None,
        remotes: vec![Remote {
            name: u.remote.clone(),
            urls: vec![u],
        }],
        pushed: None,
        rejected,
        unchecked: crate::facts::files::take_skipped(),
    }
}

fn get(a: &Attributes, today: Option<&str>) -> anyhow::Result<()> {
    let setup = Setup::new(today)?;
    let Some(u) = request_url(&setup, a) else {
        return Ok(());
    };
    let facts = facts_for(&setup, u, None);
    let diagnostics: Vec<_> = crate::rules::run(&facts, &setup.settings)
        .into_iter()
        .filter(|d| d.severity == Severity::Error && d.rule.category == Category::Credential)
        .collect();
    if diagnostics.is_empty() {
        return Ok(());
    }
    super::show_on_stderr(
        diagnostics,
        render::git_color(&setup.git_config),
        Some("git-credcheck guard: stopped git before it sent a credential that will be refused"),
        Some("git-credcheck guard: fix the above, or bypass once with `git -c credential.helper= -c credential.helper=<your helper> push`"),
    );
    let mut out = std::io::stdout().lock();
    writeln!(out, "quit=1")?;
    Ok(())
}

/// The server refused the credential git just sent: explain it (rule CC214) on stderr.
fn erase(a: &Attributes, today: Option<&str>) -> anyhow::Result<()> {
    let setup = Setup::new(today)?;
    let Some(u) = request_url(&setup, a) else {
        return Ok(());
    };
    let facts = facts_for(&setup, u, Some(a.rejected()));
    let diagnostics: Vec<_> = crate::rules::run(&facts, &setup.settings)
        .into_iter()
        .filter(|d| std::ptr::eq(d.rule, &crate::rules::stored::CREDENTIAL_REJECTED))
        .collect();
    super::show_on_stderr(
        diagnostics,
        render::git_color(&setup.git_config),
        None,
        None,
    );
    Ok(())
}

/// Opt-in (`guard: record: true`): remember that a credential was accepted, by a keyed
/// hash, so its age can be told later. Never the secret.
fn store(a: &Attributes, today: Option<&str>) -> anyhow::Result<()> {
    let setup = Setup::new(today)?;
    if !setup.settings.guard_record {
        return Ok(());
    }
    let (Some(host), Some(password)) = (a.host.as_deref(), a.password.as_deref()) else {
        return Ok(());
    };
    let dir = setup.ctx.state_dir();
    crate::facts::ledger::record(
        &dir,
        &host.to_ascii_lowercase(),
        a.username.as_deref().unwrap_or(""),
        password,
        setup.today,
    )
}
