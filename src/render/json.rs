//! One versioned JSON document (schema: docs/report.schema.json).

use super::Report;
use serde::Serialize;
use std::io::{self, Write};

pub(crate) const VERSION: u32 = 1;

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<Finding<'a>>,
    unused_suppressions: &'a [String],
}

#[derive(Serialize)]
pub(crate) struct Tool {
    pub name: &'static str,
    pub version: &'static str,
    /// The platform whose rules the report applied (`linux`, `macos`, `windows`).
    pub platform: &'static str,
}

pub(crate) fn tool() -> Tool {
    Tool {
        name: "git-credcheck",
        version: env!("CARGO_PKG_VERSION"),
        platform: std::env::consts::OS,
    }
}

#[derive(Serialize)]
struct Finding<'a> {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    remote: Option<&'a str>,
    url: Option<&'a str>,
    provider: Option<&'static str>,
    source: Option<Source<'a>>,
    cause: Option<&'a str>,
    fix: Option<&'a crate::rules::Fix>,
    /// `--online` findings only: whether the server confirmed push access.
    #[serde(skip_serializing_if = "Option::is_none")]
    confirmed: Option<crate::rules::Confirmed>,
}

#[derive(Serialize)]
struct Source<'a> {
    file: Option<String>,
    line: Option<u32>,
    key: &'a str,
}

pub(crate) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let findings = report
        .diagnostics
        .iter()
        .map(|d| {
            let f = &d.finding;
            Finding {
                code: d.rule.code,
                name: d.rule.name,
                severity: d.severity.as_str(),
                message: &f.message,
                remote: f.remote.as_deref(),
                url: f.url.as_deref(),
                provider: f.provider.map(|p| p.id()),
                source: f.location.as_ref().map(|l| Source {
                    file: l.file.as_ref().map(|p| p.display().to_string()),
                    line: l.line,
                    key: &l.what,
                }),
                cause: f.cause.as_deref(),
                fix: f.fix.as_ref(),
                confirmed: f.confirmed,
            }
        })
        .collect();
    let doc = Doc {
        version: VERSION,
        tool: tool(),
        findings,
        unused_suppressions: &report.unused_suppressions,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
