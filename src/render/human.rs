//! rustc-style text for people.

use super::{Report, Style};
use crate::rules::Severity;
use std::io::{self, Write};

fn paint(style: Style, code: &str, text: &str) -> String {
    if style.color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

pub(crate) fn render(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.diagnostics {
        if style.quiet && d.severity != Severity::Error {
            continue;
        }
        let (label, code) = match d.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
            Severity::Info => ("info", "1;36"),
        };
        let f = &d.finding;
        writeln!(
            out,
            "{}: {}",
            paint(style, code, &format!("{label}[{}]", d.rule.code)),
            paint(style, "1", &f.message)
        )?;
        if let Some(loc) = &f.location {
            writeln!(out, "  --> {}", loc.describe())?;
        }
        if let Some(c) = &f.cause {
            writeln!(out, "  = cause: {c}")?;
        }
        if let Some(fix) = &f.fix {
            writeln!(out, "  = fix: {}", fix.title)?;
            for c in &fix.commands {
                writeln!(out, "        {c}")?;
            }
        }
        writeln!(
            out,
            "  = help: git-credcheck explain {} ({})",
            d.rule.code, d.rule.name
        )?;
        writeln!(out)?;
    }
    if !style.quiet {
        for s in &report.unused_suppressions {
            writeln!(out, "note: {s}")?;
        }
        for n in &report.notes {
            writeln!(out, "note: {n}")?;
        }
    }
    let (e, w, i) = (
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.count(Severity::Info),
    );
    if e + w + i > 0 && !(style.quiet && e == 0) {
        writeln!(out, "git-credcheck: {e} error(s), {w} warning(s), {i} info")?;
    } else if !style.quiet && !style.hook {
        writeln!(out, "git-credcheck: no problems found")?;
    }
    if style.hook && e > 0 {
        writeln!(out, "git-credcheck: push blocked. To push anyway this once: `git push --no-verify` (under pre-commit: `SKIP=credcheck git push`)")?;
    }
    Ok(())
}
