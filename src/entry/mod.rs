//! Entry points: each turns its invocation into facts, runs the rules and returns a
//! report and an exit code. The pipeline is the same for all: read git's configuration
//! once, gather facts once, judge, render.

pub(crate) mod doctor;
pub(crate) mod guard;
pub(crate) mod hook;
pub(crate) mod install;
mod install_guard;
pub(crate) mod install_ssh;
pub(crate) mod online;
pub(crate) mod ssh;

use crate::cli::OutputArgs;
use crate::date::Date;
use crate::facts::{self, gitconfig, Ctx, Facts, Stage};
use crate::render::{self, Format, Report, Style};
use anyhow::Context as _;
use std::io::Write;

/// What every run starts from.
pub(crate) struct Setup {
    pub ctx: Ctx,
    pub git_config: gitconfig::Config,
    pub repo: Option<facts::Repo>,
    pub settings: crate::config::Config,
    pub today: Date,
}

impl Setup {
    pub(crate) fn new(today: Option<&str>) -> anyhow::Result<Setup> {
        let ctx = Ctx::from_process();
        let (git_config, repo) = facts::load(&ctx).context("reading git's configuration")?;
        let settings = crate::config::Config::load(
            &crate::config::user_dir(&ctx),
            repo.as_ref().and_then(|r| r.work_tree.as_deref()),
        )
        .context("reading the git-credcheck configuration")?;
        let today = match today
            .map(str::to_owned)
            .or_else(|| std::env::var("GIT_CREDCHECK_TODAY").ok())
        {
            Some(s) => {
                Date::parse(&s).with_context(|| format!("`{s}` is not a YYYY-MM-DD date"))?
            }
            None => Date::today_utc(),
        };
        Ok(Setup {
            ctx,
            git_config,
            repo,
            settings,
            today,
        })
    }

    /// Gathers the facts of `remotes`.
    pub(crate) fn facts(
        &self,
        stage: Stage,
        remotes: Vec<String>,
        authenticated_url: Option<&str>,
    ) -> Facts {
        let req = facts::Request {
            remotes,
            authenticated_url,
            hosts: &self.settings.hosts,
            work_tree: self.repo.as_ref().and_then(|r| r.work_tree.as_deref()),
        };
        Facts {
            today: self.today,
            stage,
            env: self.ctx.env.clone(),
            repo: self.repo.clone(),
            remotes: facts::gather_remotes(&self.ctx, &self.git_config, &req),
            pushed: None,
            rejected: None,
            unchecked: facts::files::take_skipped(),
        }
    }

    /// The report of a hook run (pre-push, pre-commit): on a push git is carrying out,
    /// only what the user must act on now. Errors, and warnings that predict a refusal or
    /// that must be acted on before the next push ([`Finding::urgent`]); information,
    /// other warnings, notes (guard status) and unused suppressions are for the doctor.
    /// A healthy push prints nothing.
    ///
    /// [`Finding::urgent`]: crate::rules::Finding::urgent
    pub(crate) fn hook_report(&self, facts: &Facts) -> Report {
        let mut report = self.report(facts);
        report.diagnostics.retain(speaks_during_a_push);
        report.notes.clear();
        report.unused_suppressions.clear();
        report
    }

    pub(crate) fn report(&self, facts: &Facts) -> Report {
        Report {
            diagnostics: redacted(crate::rules::run(facts, &self.settings)),
            unused_suppressions: self.settings.unused_suppressions(facts),
            root: self.repo.as_ref().and_then(|r| r.work_tree.clone()),
            notes: notes(facts),
            color: render::git_color(&self.git_config),
        }
    }
}

/// Whether a diagnostic is said while git pushes (see [`Setup::hook_report`]).
fn speaks_during_a_push(d: &crate::rules::Diagnostic) -> bool {
    use crate::rules::Severity;
    match d.severity {
        Severity::Error => true,
        Severity::Warning => d.finding.rejects_auth || d.finding.urgent,
        Severity::Info => false,
    }
}

/// Diagnostics as they may be printed: every text a rule copied from the facts goes
/// through the redactor once more (issue 18).
pub(crate) fn redacted(
    mut diagnostics: Vec<crate::rules::Diagnostic>,
) -> Vec<crate::rules::Diagnostic> {
    for d in &mut diagnostics {
        crate::redact::finding(&mut d.finding);
    }
    diagnostics
}

/// Facts as JSON, every string redacted once more: what `--facts` and `-v` print.
fn facts_json(facts: &Facts) -> anyhow::Result<serde_json::Value> {
    let mut v = serde_json::to_value(facts)?;
    crate::redact::json(&mut v);
    Ok(v)
}

/// What the run skipped, then the guard status per HTTPS push URL (and the SSH guard's),
/// for people (the doctor's notes).
fn notes(facts: &Facts) -> Vec<String> {
    use crate::facts::credential::GuardState;
    let mut out: Vec<String> = facts
        .unchecked
        .iter()
        .map(|u| format!("skipped {}: {}", u.what, u.why))
        .collect();
    out.extend(install_ssh::notes(facts));
    out.extend(ssh::host_key_notes(facts));
    let https: Vec<_> = facts
        .push_urls()
        .filter_map(|u| u.https.as_ref().map(|h| (u, h)))
        .collect();
    if !https.is_empty()
        && https
            .iter()
            .all(|(_, h)| h.guard == GuardState::NotInstalled)
    {
        out.push("credential guard: not installed (`git-credcheck install --guard` stops doomed credentials before git sends them)".to_owned());
        return out;
    }
    for (u, h) in https {
        let state = match &h.guard {
            GuardState::Active => "active".to_owned(),
            GuardState::AfterOtherHelpers => "installed, after other helpers".to_owned(),
            GuardState::Reset => "NOT active (removed by a later `helper =` reset)".to_owned(),
            GuardState::NotInstalled => "not installed".to_owned(),
            GuardState::CannotRun { reason } => {
                format!("installed but git cannot run it ({reason})")
            }
        };
        out.push(format!("credential guard for {}: {state}", u.label()));
    }
    out
}

/// Writes facts or a report as the output arguments ask; returns whether errors were found.
pub(crate) fn emit(
    out_args: &OutputArgs,
    facts: &Facts,
    report: &Report,
    hook: bool,
) -> anyhow::Result<bool> {
    if out_args.verbose {
        say(serde_json::to_string_pretty(&facts_json(facts)?)?);
    }
    if out_args.facts {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, &facts_json(facts)?)?;
        writeln!(stdout)?;
        return Ok(report.has_errors());
    }
    let format = out_args.format.unwrap_or(Format::Human);
    if format == Format::Human && hook {
        let mut err = std::io::stderr().lock();
        let style = Style {
            color: render::use_color(
                report.color,
                std::io::IsTerminal::is_terminal(&std::io::stderr()),
            ),
            quiet: out_args.quiet,
            hook,
        };
        if !report.diagnostics.is_empty() {
            // A closed stderr (`git push 2>&1 | true`) does not change the verdict: the
            // push is still blocked by an error finding, and still allowed without one.
            let _ = render::render(format, report, style, &mut err);
        }
    } else {
        let mut stdout = std::io::stdout().lock();
        let style = Style {
            color: render::use_color(
                report.color,
                std::io::IsTerminal::is_terminal(&std::io::stdout()),
            ),
            quiet: out_args.quiet,
            hook,
        };
        render::render(format, report, style, &mut stdout)?;
    }
    Ok(report.has_errors())
}

/// Writes one line to stderr and ignores a failure to write it: a closed or broken
/// stderr is never a reason to fail a push or a credential request.
pub(crate) fn say(line: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Renders a guard's diagnostics on stderr, redacted, between an optional first and last
/// line, in one write. The verdict never depends on stderr: a closed one loses the
/// words, not the answer.
pub(crate) fn show_on_stderr(
    diagnostics: Vec<crate::rules::Diagnostic>,
    color: anstream::ColorChoice,
    first: Option<&str>,
    last: Option<&str>,
) {
    if diagnostics.is_empty() {
        return;
    }
    let report = Report {
        diagnostics: redacted(diagnostics),
        unused_suppressions: Vec::new(),
        root: None,
        notes: Vec::new(),
        color,
    };
    let mut text = Vec::new();
    if let Some(line) = first {
        let _ = writeln!(text, "{line}");
    }
    let style = Style {
        color: render::use_color(color, std::io::IsTerminal::is_terminal(&std::io::stderr())),
        quiet: false,
        hook: false,
    };
    let _ = render::render(Format::Human, &report, style, &mut text);
    if let Some(line) = last {
        let _ = writeln!(text, "{line}");
    }
    let _ = std::io::stderr().lock().write_all(&text);
}
