//! rustc-style text for people.
//!
//! The text is composed with its ANSI styles (anstyle) always; without colour, anstream's
//! stripper removes every escape sequence from it, including any that a configured value
//! (a remote name, a URL) smuggled into a message.

use super::{Report, Style};
use crate::rules::Severity;
use anstyle::{AnsiColor, Style as Paint};
use std::io::{self, Write};

const ERROR: Paint = AnsiColor::Red.on_default().bold();
const WARNING: Paint = AnsiColor::Yellow.on_default().bold();
const INFO: Paint = AnsiColor::Cyan.on_default().bold();
const MESSAGE: Paint = Paint::new().bold();

pub(crate) fn render(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let mut text = Vec::new();
    write(report, style, &mut text)?;
    if style.color {
        out.write_all(&text)
    } else {
        out.write_all(&anstream::adapter::strip_bytes(&text).into_vec())
    }
}

fn write(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    // One fix block per cause: a second finding about the same credential (same place,
    // same commands) points at the first instead of repeating its steps.
    let mut shown: Vec<(&str, Option<&crate::rules::Location>, &[String])> = Vec::new();
    for d in &report.diagnostics {
        if style.quiet && d.severity != Severity::Error {
            continue;
        }
        let (label, paint) = match d.severity {
            Severity::Error => ("error", ERROR),
            Severity::Warning => ("warning", WARNING),
            Severity::Info => ("info", INFO),
        };
        let f = &d.finding;
        writeln!(
            out,
            "{paint}{label}[{}]{paint:#}: {MESSAGE}{}{MESSAGE:#}",
            d.rule.code, f.message
        )?;
        if let Some(loc) = &f.location {
            writeln!(out, "  --> {}", loc.describe())?;
        }
        if let Some(c) = &f.cause {
            writeln!(out, "  = cause: {c}")?;
        }
        if let Some(fix) = &f.fix {
            let same = shown.iter().find(|(_, loc, cmds)| {
                *loc == f.location.as_ref() && *cmds == fix.commands.as_slice()
            });
            match same {
                Some((code, _, _)) if !fix.commands.is_empty() => {
                    writeln!(out, "  = fix: the same steps as [{code}] above")?;
                }
                _ => {
                    writeln!(out, "  = fix: {}", fix.title)?;
                    for c in &fix.commands {
                        writeln!(out, "        {c}")?;
                    }
                    shown.push((d.rule.code, f.location.as_ref(), &fix.commands));
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Diagnostic, Finding};

    fn report(message: &str) -> Report {
        Report {
            diagnostics: vec![Diagnostic {
                rule: crate::rules::ALL[0],
                severity: Severity::Error,
                finding: Finding::new(message),
            }],
            unused_suppressions: Vec::new(),
            root: None,
            notes: Vec::new(),
            color: crate::render::ColorChoice::Auto,
        }
    }

    fn text(report: &Report, color: bool) -> String {
        let mut out = Vec::new();
        let style = Style {
            color,
            ..Style::default()
        };
        render(report, style, &mut out).expect("render");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn colour_styles_the_label_and_the_message() {
        let code = crate::rules::ALL[0].code;
        let out = text(&report("it broke"), true);
        assert!(
            out.starts_with(&format!(
                "\x1b[1m\x1b[31merror[{code}]\x1b[0m: \x1b[1mit broke\x1b[0m\n"
            )),
            "{out:?}"
        );
    }

    #[test]
    fn plain_text_has_no_escape_sequences_at_all() {
        let code = crate::rules::ALL[0].code;
        let out = text(&report("remote `o\x1b[2J\x1b]0;x\x07` is\tbad ✓"), false);
        assert!(
            out.starts_with(&format!("error[{code}]: remote `o` is\tbad ✓\n")),
            "{out:?}"
        );
        assert!(!out.contains('\x1b'));
    }

    /// Two findings about one stored credential print its fix steps once.
    #[test]
    fn one_fix_block_per_credential() {
        let loc = crate::rules::Location {
            file: Some("/home/u/.git-credentials".into()),
            line: Some(1),
            what: "stored credential".into(),
        };
        let finding = |m: &str| {
            Finding::new(m).location(loc.clone()).fix(
                "replace it",
                vec!["sed -i '1d' '/home/u/.git-credentials'".into()],
            )
        };
        let mut r = report("first");
        r.diagnostics[0].finding = finding("first");
        r.diagnostics.push(Diagnostic {
            rule: crate::rules::ALL[1],
            severity: Severity::Error,
            finding: finding("second"),
        });
        let out = text(&r, false);
        assert_eq!(out.matches("sed -i '1d'").count(), 1, "{out}");
        assert!(
            out.contains(&format!(
                "the same steps as [{}] above",
                crate::rules::ALL[0].code
            )),
            "{out}"
        );
    }
}
