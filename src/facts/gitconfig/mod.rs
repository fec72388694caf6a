//! git's configuration, read the way git reads it.
//!
//! [`Config::load`] (in [`load`]) reads the files git reads, in git's order, through the
//! bounded reader, and resolves `include.path` and every `includeIf` condition
//! (`gitdir`, `gitdir/i`, `onbranch`, `hasconfig:remote.*.url`) as config.c does, then
//! `GIT_CONFIG_COUNT`/`GIT_CONFIG_PARAMETERS`. gix-config parses each file; the
//! includes are ours, because gix looks for `hasconfig` remotes only in the including
//! file and reads included files without bounds. Each entry keeps the line it was read
//! from, counted once while parsing.
//!
//! [`Config::read`] asks git instead (`GIT_CREDCHECK_CONFIG_READER=git`):
//! `git config --list -z --show-origin --show-scope`; git prints no line numbers, so
//! they are found by parsing each origin file once.
//!
//! Lookups go through an index by section and by (section, subsection), built once:
//! with 5,000 remotes, finding one remote's entries must not scan all of them (issue 18).

mod command;
mod load;

pub(crate) use load::Sources;

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Scope {
    System,
    Global,
    Local,
    Worktree,
    Command,
    Unknown,
}

impl Scope {
    fn parse(s: &str) -> Scope {
        match s {
            "system" => Scope::System,
            "global" => Scope::Global,
            "local" => Scope::Local,
            "worktree" => Scope::Worktree,
            "command" => Scope::Command,
            _ => Scope::Unknown,
        }
    }

    /// Where git reads this scope's files in its order (system, global, local, worktree);
    /// `None` for `git -c` and the environment, which are not files in that order.
    pub(crate) fn file_order(self) -> Option<u8> {
        match self {
            Scope::System => Some(0),
            Scope::Global => Some(1),
            Scope::Local => Some(2),
            Scope::Worktree => Some(3),
            Scope::Command | Scope::Unknown => None,
        }
    }

    /// The `git config` flag that writes to this scope.
    pub(crate) fn flag(self) -> &'static str {
        match self {
            Scope::System => "--system",
            Scope::Global => "--global",
            Scope::Worktree => "--worktree",
            _ => "--local",
        }
    }
}

/// Where a configuration value came from: what a finding cites and SARIF points at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Source {
    pub scope: Scope,
    /// The file (absolute where git gave one), or `None` for `git -c` / the environment.
    pub file: Option<PathBuf>,
    pub line: Option<u32>,
    /// The key as written in `git config` syntax (`credential.https://h.helper`), redacted:
    /// a subsection is often a URL, and URLs carry secrets.
    pub key: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub scope: Scope,
    pub file: Option<PathBuf>,
    /// The 1-based line the entry was read from, when it came from a file.
    pub line: Option<u32>,
    /// Section, lower case.
    pub section: String,
    /// Subsection, as written (case matters).
    pub subsection: Option<String>,
    /// Variable name, lower case.
    pub name: String,
    /// `None` for a bare `key` line (boolean true).
    pub value: Option<String>,
}

impl Entry {
    pub(crate) fn key(&self) -> String {
        match &self.subsection {
            Some(sub) => format!("{}.{}.{}", self.section, sub, self.name),
            None => format!("{}.{}", self.section, self.name),
        }
    }

    pub(crate) fn source(&self) -> Source {
        Source {
            scope: self.scope,
            file: self.file.clone(),
            line: self.line,
            key: crate::redact::text(&self.key()),
        }
    }
}

/// Every configuration entry git sees, in the order git sees them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Config {
    pub entries: Vec<Entry>,
    index: OnceLock<Index>,
}

/// Positions of entries by section and by (section, subsection), in order.
#[derive(Clone, Debug, Default)]
struct Index {
    section: HashMap<String, Vec<usize>>,
    sub: HashMap<(String, Option<String>), Vec<usize>>,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    #[error("could not run git: {0}")]
    Spawn(#[from] std::io::Error),
    #[error("`git config --list` did not finish within {0:?}")]
    Timeout(Duration),
    #[error("`git config --list` failed: {0}")]
    Failed(String),
    #[error("{0}")]
    Read(String),
}

impl Config {
    pub(crate) fn new(entries: Vec<Entry>) -> Config {
        Config {
            entries,
            index: OnceLock::new(),
        }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut index = Index::default();
            for (i, e) in self.entries.iter().enumerate() {
                index.section.entry(e.section.clone()).or_default().push(i);
                index
                    .sub
                    .entry((e.section.clone(), e.subsection.clone()))
                    .or_default()
                    .push(i);
            }
            index
        })
    }

    /// Asks git for its configuration as seen from the current directory.
    pub(crate) fn read(git: &str, deadline: &crate::facts::Deadline) -> Result<Config, Error> {
        let cap = Duration::from_secs(10);
        let allowed = deadline.allow(cap).unwrap_or_default();
        let out = crate::process::run(
            git,
            &["config", "--list", "-z", "--show-origin", "--show-scope"],
            b"",
            allowed,
        )?;
        if out.timed_out {
            return Err(Error::Timeout(allowed));
        }
        if !out.success() {
            let msg = String::from_utf8_lossy(&out.stderr);
            let first = msg
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("no message");
            return Err(Error::Failed(crate::redact::text(first)));
        }
        let cwd = std::env::current_dir().unwrap_or_default();
        let mut config = Config::parse(&out.stdout, &cwd);
        load::assign_lines(&mut config.entries);
        Ok(config)
    }

    /// Parses `git config --list -z --show-origin --show-scope` output.
    pub(crate) fn parse(raw: &[u8], cwd: &Path) -> Config {
        let mut entries = Vec::new();
        let mut fields = raw.split(|b| *b == 0);
        while let (Some(scope), Some(origin), Some(kv)) =
            (fields.next(), fields.next(), fields.next())
        {
            if scope.is_empty() && origin.is_empty() {
                break;
            }
            let scope = Scope::parse(&String::from_utf8_lossy(scope));
            let origin = String::from_utf8_lossy(origin);
            let file = origin.strip_prefix("file:").map(|p| {
                let p = PathBuf::from(p);
                if p.is_absolute() {
                    p
                } else {
                    cwd.join(p)
                }
            });
            let kv = String::from_utf8_lossy(kv);
            let (key, value) = match kv.split_once('\n') {
                Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                None => (kv.into_owned(), None),
            };
            let Some((section, rest)) = key.split_once('.') else {
                continue;
            };
            let (subsection, name) = match rest.rsplit_once('.') {
                Some((sub, name)) => (Some(sub.to_owned()), name.to_owned()),
                None => (None, rest.to_owned()),
            };
            entries.push(Entry {
                scope,
                file,
                line: None,
                section: section.to_ascii_lowercase(),
                subsection,
                name: name.to_ascii_lowercase(),
                value,
            });
        }
        Config::new(entries)
    }

    /// All entries of `section` (lower case), in order.
    pub(crate) fn section<'a>(&'a self, section: &str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.index()
            .section
            .get(section)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|i| &self.entries[*i])
    }

    /// All entries of `section` with exactly this subsection (`None`: none), in order.
    pub(crate) fn subsection<'a>(
        &'a self,
        section: &str,
        sub: Option<&str>,
    ) -> impl Iterator<Item = &'a Entry> + 'a {
        self.index()
            .sub
            .get(&(section.to_owned(), sub.map(str::to_owned)))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|i| &self.entries[*i])
    }

    /// All entries of `section.name` without subsection, in order.
    pub(crate) fn all<'a>(
        &'a self,
        section: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Entry> + 'a {
        self.subsection(section, None)
            .filter(move |e| e.name == name)
    }

    fn find_last(&self, section: &str, sub: Option<&str>, name: &str) -> Option<&Entry> {
        let index = self
            .index()
            .sub
            .get(&(section.to_owned(), sub.map(str::to_owned)))?;
        index
            .iter()
            .rev()
            .map(|i| &self.entries[*i])
            .find(|e| e.name == name)
    }

    /// The last value of `section.name` (git's "last one wins").
    pub(crate) fn last(&self, section: &str, name: &str) -> Option<&Entry> {
        self.find_last(section, None, name)
    }

    pub(crate) fn last_sub(&self, section: &str, sub: &str, name: &str) -> Option<&Entry> {
        self.find_last(section, Some(sub), name)
    }

    pub(crate) fn value(&self, section: &str, name: &str) -> Option<&str> {
        self.last(section, name).and_then(|e| e.value.as_deref())
    }

    /// Names of all remotes, in first-seen order.
    pub(crate) fn remote_names(&self) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        let mut names: Vec<String> = Vec::new();
        for e in self.section("remote") {
            if let Some(sub) = &e.subsection {
                if (e.name == "url" || e.name == "pushurl") && seen.insert(sub.as_str()) {
                    names.push(sub.clone());
                }
            }
        }
        names
    }
}

pub(crate) fn parse_bool(v: Option<&str>) -> bool {
    match v {
        None => true,
        Some(v) => matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "true" | "yes" | "on" | "1"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_list_output() {
        let raw = b"global\0file:/h/.gitconfig\0credential.helper\nstore\0local\0file:.git/config\0credential.https://Host.example/x.helper\n\0command\0command line:\0core.bare\0";
        let c = Config::parse(raw, Path::new("/repo"));
        assert_eq!(c.entries.len(), 3);
        assert_eq!(c.entries[0].value.as_deref(), Some("store"));
        assert_eq!(
            c.entries[1].subsection.as_deref(),
            Some("https://Host.example/x")
        );
        assert_eq!(c.entries[1].value.as_deref(), Some(""));
        assert_eq!(
            c.entries[1].file.as_deref(),
            Some(Path::new("/repo/.git/config"))
        );
        assert_eq!(c.entries[2].value, None);
        assert_eq!(c.entries[2].scope, Scope::Command);
        assert!(parse_bool(
            c.last("core", "bare").expect("set").value.as_deref()
        ));
        let creds: Vec<_> = c.section("credential").map(|e| e.key()).collect();
        assert_eq!(
            creds,
            [
                "credential.helper",
                "credential.https://Host.example/x.helper"
            ]
        );
        assert_eq!(
            c.subsection("credential", Some("https://Host.example/x"))
                .count(),
            1
        );
        assert_eq!(c.section("nothing").count(), 0);
    }

    #[test]
    fn a_key_with_a_secret_is_printed_redacted() {
        let raw =
            b"global\0file:/h/.gitconfig\0url.https://alice:Sup3rS3cretValue@h/.insteadof\nx:\0";
        let c = Config::parse(raw, Path::new("/repo"));
        let key = c.entries[0].source().key;
        assert!(!key.contains("S3cret"), "{key}");
        assert!(key.starts_with("url.https://alice:"), "{key}");
    }
}
