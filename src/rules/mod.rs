//! Rules: pure checks over [`Facts`], and the registry that lists them.
//!
//! A rule reads facts and returns findings. It does no I/O, reads no clock or
//! environment, and returns no error: a failed probe is a fact it can read. The
//! registry [`ALL`] is the single list behind `rules`, `explain`, SARIF's rule table and
//! `docs/rules.md`. Codes are never renumbered or reused.

pub(crate) mod advice;
pub(crate) mod helper;
pub(crate) mod online;
pub(crate) mod remote;
pub(crate) mod scope;
pub(crate) mod ssh;
pub(crate) mod stored;
pub(crate) mod support;
pub(crate) mod username;

use crate::facts::{Facts, PushUrl};
use crate::provider::ProviderKind;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Category {
    Remote,
    Credential,
    Ssh,
    /// The server's answer to `--online`.
    Online,
}

impl Category {
    #[cfg(test)]
    fn digit(self) -> char {
        match self {
            Category::Remote => '1',
            Category::Credential => '2',
            Category::Ssh => '3',
            Category::Online => '4',
        }
    }
}

/// One rule: stable identity, its documentation and a pure check.
#[derive(Debug)]
pub(crate) struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub category: Category,
    pub default_severity: Severity,
    pub summary: &'static str,
    pub explanation: &'static str,
    pub check: fn(&Facts) -> Vec<Finding>,
}

impl Rule {
    /// The explanation with rustdoc's one leading space per line removed.
    pub(crate) fn explanation(&self) -> String {
        self.explanation
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Where the offending value lives: a config entry or a credential store line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Location {
    pub file: Option<PathBuf>,
    pub line: Option<u32>,
    /// The config key, or what the line holds ("stored credential").
    pub what: String,
}

impl Location {
    pub(crate) fn describe(&self) -> String {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => format!("{}:{l} ({})", f.display(), self.what),
            (Some(f), None) => format!("{} ({})", f.display(), self.what),
            (None, _) => format!("git -c / GIT_CONFIG_PARAMETERS ({})", self.what),
        }
    }
}

impl From<&crate::facts::gitconfig::Source> for Location {
    fn from(s: &crate::facts::gitconfig::Source) -> Location {
        Location {
            file: s.file.clone(),
            line: s.line,
            what: s.key.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Fix {
    /// Imperative, lower case: "remove the token from the URL".
    pub title: String,
    /// Exact commands, filled from facts, never holding a secret.
    pub commands: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Finding {
    pub message: String,
    pub remote: Option<String>,
    pub url: Option<String>,
    pub provider: Option<ProviderKind>,
    pub location: Option<Location>,
    pub cause: Option<String>,
    pub fix: Option<Fix>,
    /// The failure is certain (else the finding is at most a warning).
    #[serde(skip)]
    pub certain: bool,
    /// The finding predicts the server will refuse authentication to this URL.
    #[serde(skip)]
    pub rejects_auth: bool,
    #[serde(skip)]
    pub authenticated_now: bool,
    /// Worth saying during a push that works: the user must act before the next push (a
    /// secret leaking into logs, an expiry within the warning window) or this push is
    /// refused after it authenticated. Other warnings are for the doctor.
    #[serde(skip)]
    pub urgent: bool,
    /// What an online finding says about push access (JSON `confirmed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<Confirmed>,
}

/// Whether the server confirmed push access: `true`, `false` or `"unknown"` in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Confirmed {
    Yes,
    No,
    Unknown,
}

impl Serialize for Confirmed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Confirmed::Yes => s.serialize_bool(true),
            Confirmed::No => s.serialize_bool(false),
            Confirmed::Unknown => s.serialize_str("unknown"),
        }
    }
}

impl Finding {
    pub(crate) fn new(message: impl Into<String>) -> Finding {
        Finding {
            message: message.into(),
            remote: None,
            url: None,
            provider: None,
            location: None,
            cause: None,
            fix: None,
            certain: true,
            rejects_auth: false,
            authenticated_now: false,
            urgent: false,
            confirmed: None,
        }
    }

    /// A finding about one push URL.
    pub(crate) fn at(url: &PushUrl, message: impl Into<String>) -> Finding {
        Finding {
            remote: Some(url.remote.clone()),
            url: Some(url.url.display.clone()),
            provider: url.provider,
            authenticated_now: url.authenticated_now,
            ..Finding::new(message)
        }
    }

    pub(crate) fn location(mut self, l: impl Into<Option<Location>>) -> Self {
        self.location = l.into();
        self
    }

    pub(crate) fn cause(mut self, c: impl Into<String>) -> Self {
        self.cause = Some(c.into());
        self
    }

    pub(crate) fn fix(mut self, title: impl Into<String>, commands: Vec<String>) -> Self {
        self.fix = Some(Fix {
            title: title.into(),
            commands,
        });
        self
    }

    pub(crate) fn likely(mut self) -> Self {
        self.certain = false;
        self
    }

    pub(crate) fn certain_if(mut self, certain: bool) -> Self {
        self.certain = certain;
        self
    }

    /// See [`Finding::urgent`].
    pub(crate) fn urgent(mut self) -> Self {
        self.urgent = true;
        self
    }

    pub(crate) fn rejects_auth(mut self) -> Self {
        self.rejects_auth = true;
        self
    }

    pub(crate) fn confirmed(mut self, c: Confirmed) -> Self {
        self.confirmed = Some(c);
        self
    }
}

/// A finding with its rule and effective severity.
#[derive(Clone, Debug)]
pub(crate) struct Diagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub finding: Finding,
}

macro_rules! declare_rule {
    ($(#[doc = $d:literal])* $static:ident, $code:literal, $name:literal, $cat:ident, $sev:ident, $summary:literal, $check:path) => {
        $(#[doc = $d])*
        pub(crate) static $static: crate::rules::Rule = crate::rules::Rule {
            code: $code,
            name: $name,
            category: crate::rules::Category::$cat,
            default_severity: crate::rules::Severity::$sev,
            summary: $summary,
            explanation: concat!($($d, "\n",)*),
            check: $check,
        };
    };
}
pub(crate) use declare_rule;

/// Declares the rule files of an area and lists their rules, one `file::RULE` line per
/// rule: adding a rule is its file plus that line. The area's `RULES` feed [`ALL`].
macro_rules! area_rules {
    ($($file:ident::$rule:ident),* $(,)?) => {
        $(mod $file; pub(crate) use $file::$rule;)*
        /// This area's rules.
        pub(crate) static RULES: &[&crate::rules::Rule] = &[$(&$rule),*];
    };
}
pub(crate) use area_rules;

/// The registry, sorted by code: every area's rules. Codes are never renumbered or reused.
pub(crate) static ALL: std::sync::LazyLock<Vec<&'static Rule>> = std::sync::LazyLock::new(|| {
    let mut all: Vec<&'static Rule> = [
        remote::RULES,
        helper::RULES,
        stored::RULES,
        username::RULES,
        scope::RULES,
        ssh::RULES,
        online::RULES,
    ]
    .concat();
    all.sort_by_key(|r| r.code);
    all
});

/// Finds a rule by code or name.
pub(crate) fn find(code_or_name: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// docs/rules.md, generated from the registry (a test fails when the file is stale).
#[cfg(test)]
pub(crate) fn docs_markdown() -> String {
    let mut s = String::from("# git-credcheck rules\n\n<!-- generated from src/rules by `UPDATE_DOCS=1 cargo test docs_are_fresh`; do not edit -->\n\n| code | name | default | summary |\n|---|---|---|---|\n");
    for r in ALL.iter() {
        s.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} |\n",
            r.code,
            r.code.to_lowercase(),
            r.name,
            r.default_severity.as_str(),
            r.summary
        ));
    }
    for r in ALL.iter() {
        let body = r.explanation().replace("\n## ", "\n#### ");
        let body = body
            .strip_prefix("## ")
            .map(|b| format!("#### {b}"))
            .unwrap_or(body);
        s.push_str(&format!(
            "\n## {}\n\n`{}` · default severity: {} · {}\n\n{}\n",
            r.code,
            r.name,
            r.default_severity.as_str(),
            r.summary,
            body.trim_end()
        ));
    }
    s
}

/// Per-rule severity overrides (`None` = off).
pub(crate) trait Levels {
    fn level(&self, rule: &Rule) -> Option<Severity>;
}

/// Runs every enabled rule and applies the severity policy:
/// - an uncertain finding is at most a warning;
/// - a finding that predicts a rejected credential is dropped for the URL git has just
///   authenticated to (the pre-push stage): there it is wrong by definition.
pub(crate) fn run(facts: &Facts, levels: &dyn Levels) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in ALL.iter() {
        let Some(level) = levels.level(rule) else {
            continue;
        };
        for finding in (rule.check)(facts) {
            if finding.rejects_auth && finding.authenticated_now {
                continue;
            }
            let severity = if finding.certain {
                level
            } else {
                level.min(Severity::Warning)
            };
            out.push(Diagnostic {
                rule,
                severity,
                finding,
            });
        }
    }
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.rule.code.cmp(b.rule.code))
    });
    out
}

/// Default levels: every rule at its default severity.
#[cfg(test)]
pub(crate) struct Defaults;

#[cfg(test)]
impl Levels for Defaults {
    fn level(&self, rule: &Rule) -> Option<Severity> {
        Some(rule.default_severity)
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Runs one rule with its default level and the run() policy.
    pub(crate) fn diagnose(rule: &'static Rule, facts: &Facts) -> Vec<Diagnostic> {
        struct Only(&'static str);
        impl Levels for Only {
            fn level(&self, rule: &Rule) -> Option<Severity> {
                (rule.code == self.0).then_some(rule.default_severity)
            }
        }
        let out = run(facts, &Only(rule.code));
        for d in &out {
            check_convention(&d.finding);
        }
        out
    }

    /// Message convention, checked on every finding the unit tests produce (clippy's
    /// lint_message_convention): lower case start, no trailing period.
    pub(crate) fn check_convention(f: &Finding) {
        assert!(
            f.message.chars().next().is_some_and(|c| !c.is_uppercase()),
            "message starts upper case: {}",
            f.message
        );
        assert!(
            !f.message.ends_with('.'),
            "message ends with a period: {}",
            f.message
        );
        if let Some(fix) = &f.fix {
            assert!(
                fix.title.chars().next().is_some_and(|c| !c.is_uppercase()),
                "fix title: {}",
                fix.title
            );
        }
    }

    /// The fix commands of a diagnostic, one per line.
    pub(crate) fn fix_commands(d: &Diagnostic) -> String {
        d.finding
            .fix
            .as_ref()
            .map(|x| x.commands.join("\n"))
            .unwrap_or_default()
    }

    pub(crate) fn severities(rule: &'static Rule, facts: &Facts) -> Vec<Severity> {
        diagnose(rule, facts).iter().map(|d| d.severity).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_and_match_category() {
        for pair in ALL.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        for r in ALL.iter() {
            assert_eq!(r.code.len(), 5, "{}", r.code);
            assert!(r.code.starts_with("CC"));
            assert_eq!(
                r.code.chars().nth(2),
                Some(r.category.digit()),
                "{}",
                r.code
            );
            assert!(
                r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                r.name
            );
            assert!(!r.name.starts_with("no-"), "{}", r.name);
        }
        let names: std::collections::HashSet<_> = ALL.iter().map(|r| r.name).collect();
        assert_eq!(names.len(), ALL.len());
    }

    #[test]
    fn code_list_is_pinned() {
        let codes: Vec<&str> = ALL.iter().map(|r| r.code).collect();
        assert_eq!(
            codes.join(" "),
            "CC101 CC102 CC103 CC104 CC105 CC201 CC202 CC203 CC204 CC205 CC206 CC207 CC208 CC209 CC210 CC211 CC212 CC213 CC214 \
             CC215 CC216 CC217 CC218 CC219 CC220 CC225 CC230 \
             CC301 CC302 CC303 CC304 CC305 CC306 CC307 CC308 CC309 CC310 CC311 CC312 CC313 \
             CC401 CC402 CC403 CC404 CC405 CC406"
        );
    }

    /// docs/rules.md and docs/providers.md match the registry and the provider table.
    #[test]
    fn docs_are_fresh() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
        for (file, text) in [
            ("rules.md", docs_markdown()),
            ("providers.md", crate::provider::docs_markdown()),
        ] {
            let path = root.join(file);
            if std::env::var_os("UPDATE_DOCS").is_some() {
                std::fs::write(&path, &text).expect("write docs");
            }
            let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                on_disk == text,
                "docs/{file} is stale: run `UPDATE_DOCS=1 cargo test docs_are_fresh`"
            );
        }
    }

    #[test]
    fn docs_have_the_sections() {
        for r in ALL.iter() {
            let e = r.explanation();
            assert!(e.contains("## What it does\nChecks for"), "{}", r.code);
            assert!(e.contains("## Why is this bad?"), "{}", r.code);
            assert!(e.contains("## Example"), "{}", r.code);
            assert!(e.contains("## Fix"), "{}", r.code);
            // Every rule says when it stays silent, after its fix.
            let fix = e.find("\n## Fix").unwrap_or(0);
            let silent = e.find("\n## When it is silent\n");
            assert!(
                silent.is_some_and(|s| s > fix),
                "{}: needs `## When it is silent` after `## Fix`",
                r.code
            );
            assert!(
                !e.contains("```\n") || e.matches("```").count() % 2 == 0,
                "{}",
                r.code
            );
            for fence in e.split("```").skip(1).step_by(2) {
                assert!(!fence.starts_with('\n'), "{}: untagged code fence", r.code);
            }
            assert!(
                r.summary.chars().next().is_some_and(|c| c.is_lowercase()),
                "{}",
                r.code
            );
            assert!(!r.summary.ends_with('.'), "{}", r.code);
        }
    }
}
