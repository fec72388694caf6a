//! SARIF 2.1.0 for code-scanning UIs: the rule table from the registry, one result per
//! finding, located at the config file and line that holds the offending value.

use super::Report;
use crate::rules::{Severity, ALL};
use serde_json::{json, Value};
use std::io::{self, Write};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn location(report: &Report, loc: &crate::rules::Location) -> Option<Value> {
    let file = loc.file.as_ref()?;
    let artifact = match report.root.as_ref().and_then(|r| file.strip_prefix(r).ok()) {
        Some(rel) => {
            json!({ "uri": rel.to_string_lossy().replace('\\', "/"), "uriBaseId": "%SRCROOT%" })
        }
        None => json!({ "uri": format!("file://{}", file.display()) }),
    };
    let mut physical = json!({ "artifactLocation": artifact });
    if let Some(line) = loc.line.filter(|l| *l > 0) {
        physical["region"] = json!({ "startLine": line });
    }
    Some(json!({ "physicalLocation": physical, "message": { "text": loc.what } }))
}

pub(crate) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<Value> = ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.explanation() },
                "help": { "text": r.explanation(), "markdown": r.explanation() },
                "defaultConfiguration": { "level": level(r.default_severity) },
                "properties": { "category": r.category },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let f = &d.finding;
            let mut text = f.message.clone();
            if let Some(c) = &f.cause {
                text.push_str(&format!(" ({c})"));
            }
            let mut r = json!({
                "ruleId": d.rule.code,
                "ruleIndex": ALL.iter().position(|x| x.code == d.rule.code).unwrap_or(0),
                "level": level(d.severity),
                "message": { "text": text },
                "properties": { "remote": f.remote, "url": f.url, "provider": f.provider.map(|p| p.id()) },
            });
            if let Some(l) = f.location.as_ref().and_then(|l| location(report, l)) {
                r["locations"] = json!([l]);
            }
            if let Some(c) = f.confirmed {
                r["properties"]["confirmed"] = json!(c);
            }
            if let Some(fix) = &f.fix {
                r["properties"]["fix"] = json!({ "title": fix.title, "commands": fix.commands });
            }
            r
        })
        .collect();
    let mut run = json!({
        "tool": { "driver": {
            "name": "git-credcheck",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://github.com/git-credcheck/git-credcheck",
            "rules": rules,
        }},
        "results": results,
    });
    if let Some(root) = &report.root {
        run["originalUriBaseIds"] =
            json!({ "%SRCROOT%": { "uri": format!("file://{}/", root.display()) } });
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
