//! git's configuration, read the way git reads it: by asking git once.
//!
//! `git config --list -z --show-origin --show-scope` applies every rule git has (system
//! file location of the `git` on PATH, includes and `includeIf`, `GIT_CONFIG_PARAMETERS`
//! from `git -c`, `GIT_CONFIG_GLOBAL`/`NOSYSTEM`) in one process, which costs about
//! what opening the repository with gix costs and leaves no gap between our view and
//! git's (git-mechanics.md lists the gaps gix has). Line numbers, which git does not
//! print, are found by scanning the origin file only for entries a finding cites.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
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
    /// The key as written in `git config` syntax (`credential.https://h.helper`).
    pub key: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub scope: Scope,
    pub file: Option<PathBuf>,
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
            line: self.line(),
            key: self.key(),
        }
    }

    /// The 1-based line of this entry in its file: the first line in the right section
    /// that sets this variable to this value. Best effort; `None` when not found.
    fn line(&self) -> Option<u32> {
        let text = std::fs::read(self.file.as_ref()?).ok()?;
        let text = String::from_utf8_lossy(&text);
        let mut in_section = false;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if let Some(header) = line.strip_prefix('[') {
                let header = header.split(']').next().unwrap_or("");
                in_section = header_matches(header, &self.section, self.subsection.as_deref());
                // `[section] key = value` on one line.
                let after = line.split_once(']').map(|x| x.1.trim()).unwrap_or("");
                if in_section && !after.is_empty() && self.matches_line(after) {
                    return Some(i as u32 + 1);
                }
                continue;
            }
            if in_section && self.matches_line(line) {
                return Some(i as u32 + 1);
            }
        }
        None
    }

    fn matches_line(&self, line: &str) -> bool {
        let (k, v) = match line.split_once('=') {
            Some((k, v)) => (k.trim(), Some(unquote(v.trim()))),
            None => (line, None),
        };
        if !k.eq_ignore_ascii_case(&self.name) {
            return false;
        }
        match (&self.value, v) {
            (Some(want), Some(got)) => got == *want || got.trim() == want.trim(),
            (None, None) => true,
            _ => false,
        }
    }
}

fn unquote(v: &str) -> String {
    let v = v
        .split(" #")
        .next()
        .unwrap_or(v)
        .split(" ;")
        .next()
        .unwrap_or(v);
    v.replace('"', "")
}

fn header_matches(header: &str, section: &str, subsection: Option<&str>) -> bool {
    let (sec, sub) = match header.split_once(char::is_whitespace) {
        Some((s, rest)) => (
            s,
            Some(
                rest.trim()
                    .trim_matches('"')
                    .replace("\\\"", "\"")
                    .replace("\\\\", "\\"),
            ),
        ),
        None => match header.split_once('.') {
            // Deprecated `[section.subsection]` syntax: subsection is lower-cased by git.
            Some((s, sub)) => (s, Some(sub.to_ascii_lowercase())),
            None => (header, None),
        },
    };
    sec.eq_ignore_ascii_case(section) && sub.as_deref() == subsection
}

/// Every configuration entry git sees, in the order git sees them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Config {
    pub entries: Vec<Entry>,
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
    /// Asks git for its configuration as seen from the current directory.
    pub(crate) fn read(git: &str) -> Result<Config, Error> {
        let deadline = Duration::from_secs(10);
        let out = crate::process::run(
            git,
            &["config", "--list", "-z", "--show-origin", "--show-scope"],
            b"",
            deadline,
        )?;
        if out.timed_out {
            return Err(Error::Timeout(deadline));
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
        Ok(Config::parse(&out.stdout, &cwd))
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
                section: section.to_ascii_lowercase(),
                subsection,
                name: name.to_ascii_lowercase(),
                value,
            });
        }
        Config { entries }
    }

    /// All entries of `section.name` without subsection, in order.
    pub(crate) fn all<'a>(
        &'a self,
        section: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries
            .iter()
            .filter(move |e| e.section == section && e.subsection.is_none() && e.name == name)
    }

    fn find_last(&self, section: &str, sub: Option<&str>, name: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.section == section && e.subsection.as_deref() == sub && e.name == name)
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
        let mut names: Vec<String> = Vec::new();
        for e in &self.entries {
            if e.section == "remote" {
                if let Some(sub) = &e.subsection {
                    if !names.contains(sub) && (e.name == "url" || e.name == "pushurl") {
                        names.push(sub.clone());
                    }
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
    }

    #[test]
    fn finds_lines() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = dir.path().join("config");
        std::fs::write(&f, "[core]\n\tbare = false\n[credential \"https://h\"]\n\thelper = store\n\thelper = \"cache --timeout 1\"\n").expect("write");
        let e = Entry {
            scope: Scope::Local,
            file: Some(f),
            section: "credential".into(),
            subsection: Some("https://h".into()),
            name: "helper".into(),
            value: Some("cache --timeout 1".into()),
        };
        assert_eq!(e.source().line, Some(5));
    }
}

/// Where git would look for configuration, and how it names the sources.
pub(crate) struct Sources {
    pub system: Option<PathBuf>,
    pub global: Vec<PathBuf>,
    pub local: Option<PathBuf>,
    pub worktree: Option<PathBuf>,
}

impl Config {
    /// Reads the configuration as git does, without running git: the files git reads, in
    /// git's order, with includes and `includeIf` resolved by gix-config, then
    /// `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n` and `GIT_CONFIG_PARAMETERS` (`git -c`), which
    /// gix does not read. Set `GIT_CREDCHECK_CONFIG_READER=git` to ask git instead.
    pub(crate) fn load(
        sources: &Sources,
        home: &Path,
        git_dir: Option<&Path>,
        branch: Option<&str>,
    ) -> Result<Config, Error> {
        use gix::config::file::{includes, init};
        let mut metas = Vec::new();
        // git skips configuration files that do not exist.
        let mut push = |path: &Option<PathBuf>, source: gix::config::Source| {
            if let Some(p) = path.as_ref().filter(|p| p.is_file()) {
                metas.push(
                    gix::config::file::Metadata::try_from_path(p, source)
                        .unwrap_or_else(|_| gix::config::file::Metadata::from(source).at(p)),
                );
            }
        };
        push(&sources.system, gix::config::Source::System);
        for g in &sources.global {
            push(&Some(g.clone()), gix::config::Source::User);
        }
        push(&sources.local, gix::config::Source::Local);
        push(&sources.worktree, gix::config::Source::Worktree);
        let branch_ref =
            branch.and_then(|b| gix::refs::FullName::try_from(format!("refs/heads/{b}")).ok());
        let options = init::Options {
            includes: includes::Options::follow(
                gix::config::path::interpolate::Context {
                    git_install_dir: None,
                    home_dir: Some(home),
                    home_for_user: None,
                },
                includes::conditional::Context {
                    git_dir,
                    branch_name: branch_ref.as_ref().map(|b| b.as_ref()),
                },
            ),
            lossy: true,
            ignore_io_errors: false,
        };
        let paths: Vec<PathBuf> = metas.iter().filter_map(|m| m.path.clone()).collect();
        // gix's parse errors quote the file's content: never print them, name the file.
        let file = gix::config::File::from_paths_metadata(metas, options)
            .map_err(|_| Error::Read(unparsable(&paths)))?;
        let mut entries = Vec::new();
        if let Some(file) = &file {
            for section in file.sections() {
                let meta = section.meta();
                let scope = match meta.source {
                    gix::config::Source::System => Scope::System,
                    gix::config::Source::Git | gix::config::Source::User => Scope::Global,
                    gix::config::Source::Local => Scope::Local,
                    gix::config::Source::Worktree => Scope::Worktree,
                    _ => Scope::Command,
                };
                let header = section.header();
                let name = header.name().to_string().to_ascii_lowercase();
                let sub = header.subsection_name().map(|s| s.to_string());
                // One pass over the body: (name, value) pairs in order of occurrence.
                let body = section.body();
                let pairs: Vec<_> = body.into_iter().collect();
                for (i, (key, value)) in pairs.iter().enumerate() {
                    // A bare `key` (no `=`) means true; `key =` is the empty string. gix
                    // yields both as "", and tells them apart only for the last occurrence,
                    // which is the one a single-valued key takes.
                    let last = !pairs[i + 1..]
                        .iter()
                        .any(|(k, _)| k.eq_ignore_ascii_case(key));
                    let implicit = value.is_empty()
                        && last
                        && matches!(section.value_implicit(key), Some(None));
                    entries.push(Entry {
                        scope,
                        file: meta.path.clone(),
                        section: name.clone(),
                        subsection: sub.clone(),
                        name: key.to_ascii_lowercase(),
                        value: (!implicit).then(|| value.to_string()),
                    });
                }
            }
        }
        entries.extend(env_entries());
        Ok(Config { entries })
    }
}

/// Which configuration file (or file it includes) does not parse, for a one-line message.
fn unparsable(paths: &[PathBuf]) -> String {
    for p in paths {
        if gix::config::File::from_path_no_includes(p.clone(), gix::config::Source::Local).is_err()
        {
            return format!(
                "bad config file {} (`git config --list` shows where)",
                p.display()
            );
        }
    }
    "a configuration file included from git's configuration does not parse (`git config --list` shows which)".to_owned()
}

/// `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_<n>`/`GIT_CONFIG_VALUE_<n>`, then `GIT_CONFIG_PARAMETERS`,
/// in the order git applies them (config.c `git_config_from_parameters`).
fn env_entries() -> Vec<Entry> {
    let mut pairs: Vec<(String, Option<String>)> = Vec::new();
    if let Some(n) = std::env::var("GIT_CONFIG_COUNT")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    {
        for i in 0..n.min(10_000) {
            if let Ok(k) = std::env::var(format!("GIT_CONFIG_KEY_{i}")) {
                pairs.push((k, std::env::var(format!("GIT_CONFIG_VALUE_{i}")).ok()));
            }
        }
    }
    if let Ok(p) = std::env::var("GIT_CONFIG_PARAMETERS") {
        pairs.extend(parse_parameters(&p));
    }
    pairs
        .into_iter()
        .filter_map(|(key, value)| {
            let (section, rest) = key.split_once('.')?;
            let (subsection, name) = match rest.rsplit_once('.') {
                Some((s, n)) => (Some(s.to_owned()), n.to_owned()),
                None => (None, rest.to_owned()),
            };
            Some(Entry {
                scope: Scope::Command,
                file: None,
                section: section.to_ascii_lowercase(),
                subsection,
                name: name.to_ascii_lowercase(),
                value,
            })
        })
        .collect()
}

/// Parses git's `GIT_CONFIG_PARAMETERS`: shell-quoted `'key'='value'` (or old `'key=value'`)
/// items separated by spaces.
pub(crate) fn parse_parameters(s: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(key) = sq_word(&mut chars) else {
            break;
        };
        if chars.peek() == Some(&'=') {
            chars.next();
            let value = sq_word(&mut chars).unwrap_or_default();
            out.push((key, Some(value)));
        } else {
            match key.split_once('=') {
                Some((k, v)) => out.push((k.to_owned(), Some(v.to_owned()))),
                None => out.push((key, None)),
            }
        }
    }
    out
}

/// One shell single-quoted word, with git's `'\''` escapes.
fn sq_word(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    if chars.peek() != Some(&'\'') {
        return None;
    }
    let mut word = String::new();
    while chars.peek() == Some(&'\'') {
        chars.next();
        for c in chars.by_ref() {
            if c == '\'' {
                break;
            }
            word.push(c);
        }
        if chars.peek() == Some(&'\\') {
            chars.next();
            if let Some(c) = chars.next() {
                word.push(c);
            }
        }
    }
    Some(word)
}

#[cfg(test)]
mod load_tests {
    use super::*;

    #[test]
    fn parameters() {
        assert_eq!(
            parse_parameters("'credential.helper'='' 'a.b'='it'\\''s' 'old.style=x' 'flag.on'"),
            vec![
                ("credential.helper".into(), Some(String::new())),
                ("a.b".into(), Some("it's".into())),
                ("old.style".into(), Some("x".into())),
                ("flag.on".into(), None)
            ]
        );
        assert!(parse_parameters("").is_empty());
        assert!(parse_parameters("garbage").is_empty());
    }

    /// `[credential] useHttpPath` with no `=` is true, as `git config --type=bool` reads it;
    /// `key =` is the empty string (false).
    #[test]
    fn bare_key_means_true() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = dir.path().join("config");
        std::fs::write(
            &f,
            "[credential]\n\tuseHttpPath\n\thelper =\n[core]\n\tbare\n\tbare = \n",
        )
        .expect("write");
        let sources = Sources {
            system: None,
            global: vec![f],
            local: None,
            worktree: None,
        };
        let c = Config::load(&sources, dir.path(), None, None).expect("load");
        let v = |s: &str, n: &str| c.last(s, n).map(|e| e.value.clone());
        assert_eq!(v("credential", "usehttppath"), Some(None));
        assert!(parse_bool(None));
        assert_eq!(v("credential", "helper"), Some(Some(String::new())));
        // The last `bare` has an `=`: empty, not implicit.
        assert_eq!(v("core", "bare"), Some(Some(String::new())));
    }
}
