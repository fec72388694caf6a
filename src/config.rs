//! The configuration file: `.credcheck.yaml` at the repository root and
//! `$XDG_CONFIG_HOME/git-credcheck/config.yaml` for the user (the repository wins).
//!
//! Unknown keys, unknown rule codes and bad values are errors naming the file, line and
//! column and the valid choices. Parsing is separate from validation, as in cargo-deny.

use crate::provider::{ProviderKind, PROVIDERS};
use crate::rules::{Levels, Rule, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub(crate) const FILE_NAME: &str = ".credcheck.yaml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    #[serde(default)]
    rules: BTreeMap<String, String>,
    #[serde(default)]
    hosts: BTreeMap<String, String>,
    on_internal_error: Option<String>,
    #[serde(default)]
    guard: Option<RawGuard>,
    online: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawGuard {
    record: Option<bool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    Set(Severity),
    Off,
}

/// The merged, validated configuration.
#[derive(Debug, Default)]
pub(crate) struct Config {
    /// Rule code → level, with where it was set.
    pub rules: BTreeMap<&'static str, (Level, String)>,
    pub hosts: Vec<(String, ProviderKind)>,
    pub block_on_internal_error: bool,
    pub guard_record: bool,
    /// `git credcheck` also asks the servers (`--online`); the hook and the guard never do.
    pub online: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub(crate) struct Error {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Config {
    /// Loads the user file then the repository file; later values win.
    pub(crate) fn load(user_dir: &Path, repo_root: Option<&Path>) -> Result<Config, Error> {
        let mut config = Config::default();
        let user = user_dir.join("git-credcheck/config.yaml");
        let mut files = vec![user];
        if let Some(root) = repo_root {
            files.push(root.join(FILE_NAME));
        }
        for f in files {
            // A repository brings its own .credcheck.yaml: it may be a FIFO or a symlink
            // to /dev/zero (issue 18). Such a file is skipped, and the run says so.
            match crate::facts::files::read_text(&f, crate::facts::files::SMALL_CAP) {
                Ok(text) => config.merge(&f, &text)?,
                Err(crate::facts::files::Skipped::Unreadable(kind)) => {
                    crate::facts::files::skipped(
                        f.display().to_string(),
                        crate::facts::files::Skipped::Unreadable(kind).reason(),
                    )
                }
                Err(_) => {}
            }
        }
        Ok(config)
    }

    pub(crate) fn merge(&mut self, file: &Path, text: &str) -> Result<(), Error> {
        let name = file.display().to_string();
        let err = |line: usize, column: usize, message: String| Error {
            file: name.clone(),
            line,
            column,
            message,
        };
        let raw: Raw = if text.trim().is_empty() {
            Raw::default()
        } else {
            serde_yaml::from_str(text).map_err(|e| {
                let (line, column) = e
                    .location()
                    .map(|l| (l.line(), l.column()))
                    .unwrap_or((1, 1));
                let mut msg = e.to_string();
                if let Some(i) = msg.find(" at line ") {
                    msg.truncate(i);
                }
                if msg.contains("unknown field") {
                    msg.push_str(" (valid keys: rules, hosts, on-internal-error, guard, online)");
                }
                err(line, column, msg)
            })?
        };
        for (key, value) in &raw.rules {
            let (line, column) = position(text, key);
            let rule = crate::rules::find(key).ok_or_else(|| {
                err(
                    line,
                    column,
                    format!("unknown rule `{key}` (see `git-credcheck rules` for codes and names)"),
                )
            })?;
            let level = match value.to_ascii_lowercase().as_str() {
                "error" => Level::Set(Severity::Error),
                "warning" | "warn" => Level::Set(Severity::Warning),
                "info" | "note" => Level::Set(Severity::Info),
                "off" | "allow" | "false" => Level::Off,
                _ => {
                    return Err(err(
                        line,
                        column,
                        format!(
                        "bad level `{value}` for rule `{key}` (valid: error, warning, info, off)"
                    ),
                    ))
                }
            };
            self.rules
                .insert(rule.code, (level, format!("{name}:{line}")));
        }
        for (host, kind) in &raw.hosts {
            let (line, column) = position(text, host);
            let k = ProviderKind::from_id(kind).ok_or_else(|| {
                let valid: Vec<_> = PROVIDERS.iter().map(|p| p.kind.id()).collect();
                err(
                    line,
                    column,
                    format!(
                        "unknown provider `{kind}` for host `{host}` (valid: {})",
                        valid.join(", ")
                    ),
                )
            })?;
            self.hosts.retain(|(h, _)| !h.eq_ignore_ascii_case(host));
            self.hosts.push((host.to_ascii_lowercase(), k));
        }
        if let Some(v) = &raw.on_internal_error {
            let (line, column) = position(text, "on-internal-error");
            self.block_on_internal_error = match v.as_str() {
                "allow" => false,
                "block" => true,
                _ => {
                    return Err(err(
                        line,
                        column,
                        format!("bad value `{v}` for on-internal-error (valid: allow, block)"),
                    ))
                }
            };
        }
        if let Some(r) = raw.guard.and_then(|g| g.record) {
            self.guard_record = r;
        }
        if let Some(o) = raw.online {
            self.online = o;
        }
        Ok(())
    }

    /// Rules turned off that would have found nothing: suppressions that matched nothing.
    pub(crate) fn unused_suppressions(&self, facts: &crate::facts::Facts) -> Vec<String> {
        let mut out = Vec::new();
        for (code, (level, at)) in &self.rules {
            if *level != Level::Off {
                continue;
            }
            if let Some(rule) = crate::rules::find(code) {
                if (rule.check)(facts).is_empty() {
                    out.push(format!(
                        "suppression of {code} ({}) at {at} matched nothing",
                        rule.name
                    ));
                }
            }
        }
        out
    }
}

impl Levels for Config {
    fn level(&self, rule: &Rule) -> Option<Severity> {
        match self.rules.get(rule.code) {
            Some((Level::Off, _)) => None,
            Some((Level::Set(s), _)) => Some(*s),
            None => Some(rule.default_severity),
        }
    }
}

/// Where `key` first appears as a mapping key (1-based line and column).
fn position(text: &str, key: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let unquoted = trimmed.trim_start_matches(['"', '\'']);
        if unquoted.starts_with(key)
            && unquoted[key.len()..]
                .trim_start_matches(['"', '\''])
                .starts_with(':')
        {
            return (i + 1, line.len() - trimmed.len() + 1);
        }
    }
    (1, 1)
}

/// The commented template `git-credcheck init` writes.
pub(crate) const TEMPLATE: &str = "\
# git-credcheck configuration (https://github.com/git-credcheck/git-credcheck)
# Schema for editors: docs/config.schema.json
# yaml-language-server: $schema=https://raw.githubusercontent.com/git-credcheck/git-credcheck/main/docs/config.schema.json

# Per-rule severity, by code or name: error, warning, info or off.
# `git-credcheck rules` lists them. A rule set to off that finds nothing is reported.
rules: {}
#   CC103: off
#   url-embeds-secret: error

# Self-hosted servers and the provider they run:
# bitbucket-datacenter, github-enterprise, gitlab, gitea, azure-devops (and the hosted ids).
hosts: {}
#   git.example.com: gitlab

# What the hook does when git-credcheck itself fails: allow (default) or block.
on-internal-error: allow

# The credential guard's opt-in record of accepted credentials (a keyed hash, host, kind,
# first-seen date; never the secret), used to warn before a token reaches its maximum age.
guard:
  record: false

# `git credcheck` also asks each push URL's server for push access (as `--online` does),
# through git's own transport; nothing is written. The hook and the guard stay offline.
online: false
";

pub(crate) fn user_dir(ctx: &crate::facts::Ctx) -> PathBuf {
    ctx.xdg_config_home()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Error> {
        let mut c = Config::default();
        c.merge(Path::new("/r/.credcheck.yaml"), text)?;
        Ok(c)
    }

    #[test]
    fn template_parses() {
        let c = parse(TEMPLATE).expect("template is valid");
        assert!(!c.block_on_internal_error);
        assert!(!c.online);
    }

    #[test]
    fn levels_by_code_and_name() {
        let c = parse("rules:\n  CC103: off\n  url-embeds-secret: error\nhosts:\n  git.acme.test: gitlab\non-internal-error: block\n").expect("valid");
        assert_eq!(c.level(&crate::rules::remote::PUSH_URL_REWRITTEN), None);
        assert_eq!(
            c.level(&crate::rules::remote::URL_EMBEDS_SECRET),
            Some(Severity::Error)
        );
        assert_eq!(
            c.hosts,
            vec![("git.acme.test".to_owned(), ProviderKind::Gitlab)]
        );
        assert!(c.block_on_internal_error);
        assert!(parse("online: true\n").expect("valid").online);
    }

    #[test]
    fn errors_name_file_line_column_and_choices() {
        let e = parse("rules:\n  CC999: off\n").expect_err("unknown code");
        assert_eq!((e.line, e.column), (2, 3));
        assert!(
            e.to_string()
                .starts_with("/r/.credcheck.yaml:2:3: unknown rule `CC999`"),
            "{e}"
        );
        let e = parse("rules:\n  CC101: loud\n").expect_err("bad level");
        assert!(
            e.message.contains("valid: error, warning, info, off"),
            "{e}"
        );
        let e = parse("hosts:\n  git.x: fossil\n").expect_err("bad provider");
        assert!(e.message.contains("valid: bitbucket-cloud"), "{e}");
        let e = parse("colour: true\n").expect_err("unknown key");
        assert_eq!(e.line, 1);
        assert!(
            e.message.contains("unknown field `colour`") && e.message.contains("valid keys"),
            "{e}"
        );
        let e = parse("online: sometimes\n").expect_err("not a boolean");
        assert_eq!(e.line, 1);
        let e = parse("on-internal-error: maybe\n").expect_err("bad value");
        assert!(e.message.contains("valid: allow, block"), "{e}");
        let e = parse("rules: [\n").expect_err("syntax");
        assert!(e.line >= 1);
    }
}
