//! Rendering: a [`Report`] to text. Renderers decide nothing: severity, exit codes and
//! what is reported are settled before they run.

pub(crate) mod human;
pub(crate) mod json;
pub(crate) mod sarif;

use crate::rules::{Diagnostic, Severity};
use std::io::{self, Write};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
    Sarif,
}

/// Everything a run reports.
pub(crate) struct Report {
    pub diagnostics: Vec<Diagnostic>,
    /// Config suppressions that matched nothing.
    pub unused_suppressions: Vec<String>,
    /// The work tree, for repository-relative SARIF locations.
    pub root: Option<PathBuf>,
    /// Short notes for people (guard status…), not findings.
    pub notes: Vec<String>,
}

impl Report {
    pub(crate) fn count(&self, s: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == s).count()
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }
}

/// How human output looks.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Style {
    pub color: bool,
    pub quiet: bool,
    /// Text appended after a blocking report (how to bypass once).
    pub hook: bool,
}

pub(crate) fn render(
    format: Format,
    report: &Report,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, style, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
    }
}

/// Colour only on a terminal, honouring NO_COLOR and CLICOLOR_FORCE.
pub(crate) fn use_color(is_terminal: bool) -> bool {
    let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty() && v != "0");
    if set("NO_COLOR") {
        return false;
    }
    set("CLICOLOR_FORCE") || is_terminal
}
