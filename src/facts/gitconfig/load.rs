//! Reading git's configuration files ourselves, as config.c does.
//!
//! Files, in git's order: system, global (XDG then `~/.gitconfig`, or
//! `GIT_CONFIG_GLOBAL`), local, worktree, then `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_<n>` and
//! `GIT_CONFIG_PARAMETERS`. Each file is read once through the bounded reader and parsed
//! by gix-config into events, from which we take each entry and the line it is on.
//!
//! Includes follow `git_config_include()`: the included entries come right after the
//! `include.path`/`includeIf.<cond>.path` entry, up to 10 levels deep. Conditions:
//! `gitdir:`, `gitdir/i:` (the pattern rules of `prepare_include_condition_pattern`, tried
//! on the real path then the absolute one), `onbranch:`, and `hasconfig:remote.*.url:`,
//! which git evaluates against the remote URLs of the *whole* configuration, read in a
//! first pass where every `includeIf` file is followed but may not set a remote URL.
//!
//! Which failures stop git, and so us, was measured with git 2.47 (issue 18): a global file
//! it may not read is skipped without a word; an unreadable system, local or included file
//! is fatal ("unable to access"). A file that is not a regular file or is huge is skipped
//! and noted (git would hang on a FIFO).

use super::command::env_items;
use super::{Config, Entry, Error, Scope};
use crate::facts::files::{self, Skipped};
use gix::bstr::{BStr, ByteSlice};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// config.c `MAX_INCLUDE_DEPTH`.
const MAX_DEPTH: usize = 10;

/// Where git would look for configuration, and how it names the sources.
pub(crate) struct Sources {
    pub system: Option<PathBuf>,
    pub global: Vec<PathBuf>,
    pub local: Option<PathBuf>,
    pub worktree: Option<PathBuf>,
}

/// One `name = value` of a file, before includes.
#[derive(Debug)]
pub(super) struct Item {
    pub(super) section: String,
    pub(super) subsection: Option<String>,
    pub(super) name: String,
    pub(super) value: Option<String>,
    pub(super) line: u32,
}

impl Config {
    /// Reads the configuration as git does, without running git. `git_dir` and `branch`
    /// decide `gitdir:` and `onbranch:` includes.
    pub(crate) fn load(
        sources: &Sources,
        home: &Path,
        git_dir: Option<&Path>,
        branch: Option<&str>,
    ) -> Result<Config, Error> {
        let mut loader = Loader {
            sources,
            home,
            git_dir,
            branch,
            cache: HashMap::new(),
            remote_urls: None,
            first_pass: false,
        };
        Ok(Config::new(loader.all()?))
    }
}

struct Loader<'a> {
    sources: &'a Sources,
    home: &'a Path,
    git_dir: Option<&'a Path>,
    branch: Option<&'a str>,
    /// Each file parsed once, for both passes and for repeated includes.
    cache: HashMap<PathBuf, Option<Rc<Vec<Item>>>>,
    /// The remote URLs `hasconfig:remote.*.url:` looks at, once asked for.
    remote_urls: Option<Rc<Vec<String>>>,
    /// The first pass of `hasconfig`: every `includeIf` is followed, its entries not kept.
    first_pass: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Level {
    System,
    Global,
    Repository,
    Included,
}

impl Loader<'_> {
    fn all(&mut self) -> Result<Vec<Entry>, Error> {
        let mut out = Vec::new();
        let tops = [(self.sources.system.clone(), Scope::System, Level::System)]
            .into_iter()
            .chain(
                self.sources
                    .global
                    .iter()
                    .map(|g| (Some(g.clone()), Scope::Global, Level::Global)),
            )
            .chain([
                (self.sources.local.clone(), Scope::Local, Level::Repository),
                (
                    self.sources.worktree.clone(),
                    Scope::Worktree,
                    Level::Repository,
                ),
            ]);
        for (path, scope, level) in tops.collect::<Vec<_>>() {
            let Some(path) = path else { continue };
            if let Some(items) = self.read(&path, level)? {
                self.walk(&items, Some(&path), scope, 0, false, &mut out)?;
            }
        }
        let command = env_items();
        self.walk(&command, None, Scope::Command, 0, false, &mut out)?;
        Ok(out)
    }

    /// The parsed file; `None` for one git does not read either (or that we skip, noted).
    fn read(&mut self, path: &Path, level: Level) -> Result<Option<Rc<Vec<Item>>>, Error> {
        if let Some(cached) = self.cache.get(path) {
            return Ok(cached.clone());
        }
        let parsed = match files::read_capped(path, files::CONFIG_CAP) {
            Ok(bytes) => Some(Rc::new(parse_items(&bytes).map_err(|line| {
                Error::Read(format!("bad config line {line} in file {}", path.display()))
            })?)),
            Err(Skipped::Missing | Skipped::NotRegular | Skipped::TooLarge(_)) => None,
            Err(Skipped::Unreadable(std::io::ErrorKind::PermissionDenied))
                if level == Level::Global =>
            {
                files::skipped(
                    path.display().to_string(),
                    "permission denied (git skips it too)",
                );
                None
            }
            Err(e) => {
                return Err(Error::Read(format!(
                    "unable to access '{}': {} (git stops here too)",
                    path.display(),
                    e.reason()
                )))
            }
        };
        self.cache.insert(path.to_owned(), parsed.clone());
        Ok(parsed)
    }

    /// Appends `items` of `file` to `out`, each followed by what it includes.
    /// `forbid`: inside an `includeIf` of the first pass, where a remote URL is fatal.
    fn walk(
        &mut self,
        items: &[Item],
        file: Option<&Path>,
        scope: Scope,
        depth: usize,
        forbid: bool,
        out: &mut Vec<Entry>,
    ) -> Result<(), Error> {
        for it in items {
            if forbid {
                if it.section == "remote" && it.subsection.is_some() && it.name == "url" {
                    return Err(Error::Read("remote URLs cannot be configured in file directly or indirectly included by includeIf.hasconfig:remote.*.url".into()));
                }
            } else {
                out.push(Entry {
                    scope,
                    file: file.map(Path::to_owned),
                    line: file.map(|_| it.line),
                    section: it.section.clone(),
                    subsection: it.subsection.clone(),
                    name: it.name.clone(),
                    value: it.value.clone(),
                });
            }
            if it.name != "path" {
                continue;
            }
            let conditional = match (it.section.as_str(), it.subsection.as_deref()) {
                ("include", None) => false,
                ("includeif", Some(cond)) if self.condition(cond, file)? => true,
                _ => continue,
            };
            let Some(path) = it.value.as_deref().and_then(|v| self.include_path(v, file)) else {
                continue;
            };
            if depth + 1 > MAX_DEPTH {
                return Err(Error::Read(format!(
                    "exceeded maximum include depth ({MAX_DEPTH}) while including {}",
                    path.display()
                )));
            }
            if let Some(included) = self.read(&path, Level::Included)? {
                let forbid = forbid || conditional && self.first_pass;
                self.walk(&included, Some(&path), scope, depth + 1, forbid, out)?;
            }
        }
        Ok(())
    }

    /// config.c `handle_path_include`: `~/` is the home directory; a relative path is
    /// relative to the including file (and ignored from the command line).
    fn include_path(&self, value: &str, file: Option<&Path>) -> Option<PathBuf> {
        let p = self.interpolate(value);
        if p.is_absolute() {
            return Some(p);
        }
        Some(file?.parent()?.join(p))
    }

    fn interpolate(&self, value: &str) -> PathBuf {
        match value.strip_prefix("~/") {
            Some(rest) => self.home.join(rest),
            None if value == "~" => self.home.to_owned(),
            None => PathBuf::from(value),
        }
    }

    fn condition(&mut self, cond: &str, file: Option<&Path>) -> Result<bool, Error> {
        let Some((kind, pattern)) = cond.split_once(':') else {
            return Ok(false);
        };
        Ok(match kind {
            "gitdir" => self.gitdir(pattern, file, false),
            "gitdir/i" => self.gitdir(pattern, file, true),
            "onbranch" => self.branch.is_some_and(|b| {
                let mut p = pattern.to_owned();
                if p.ends_with('/') {
                    p.push_str("**");
                }
                wildmatch(&p, b, false)
            }),
            "hasconfig" => match pattern.strip_prefix("remote.*.url:") {
                Some(_) if self.first_pass => true,
                Some(glob) => self
                    .remote_urls()?
                    .iter()
                    .any(|u| wildmatch(glob, u, false)),
                None => false,
            },
            _ => false,
        })
    }

    /// config.c `include_by_gitdir`.
    fn gitdir(&self, pattern: &str, file: Option<&Path>, icase: bool) -> bool {
        let Some(git_dir) = self.git_dir else {
            return false;
        };
        let mut pat = self.interpolate(pattern).to_string_lossy().into_owned();
        let mut prefix = 0;
        if pat.starts_with("./") {
            // Relative to the including file's directory (its real path).
            let Some(dir) = file
                .map(|f| std::fs::canonicalize(f).unwrap_or_else(|_| f.to_owned()))
                .and_then(|f| f.parent().map(Path::to_owned))
            else {
                return false;
            };
            let dir = dir.to_string_lossy().into_owned();
            pat = format!("{dir}{}", &pat[1..]);
            prefix = dir.len() + 1;
        } else if !Path::new(&pat).is_absolute() {
            pat.insert_str(0, "**/");
        }
        if pat.ends_with('/') {
            pat.push_str("**");
        }
        let real = std::fs::canonicalize(git_dir).unwrap_or_else(|_| git_dir.to_owned());
        [real, git_dir.to_owned()].iter().any(|text| {
            let text = text.to_string_lossy();
            if text.len() < prefix {
                return false;
            }
            let (pp, tp) = (&pat.as_bytes()[..prefix], &text.as_bytes()[..prefix]);
            let same = if icase {
                pp.eq_ignore_ascii_case(tp)
            } else {
                pp == tp
            };
            same && wildmatch(&pat[prefix..], &text[prefix..], icase)
        })
    }

    /// The values of every `remote.<name>.url` in the configuration, from a first pass
    /// that follows every `includeIf` (config.c `populate_remote_urls`).
    fn remote_urls(&mut self) -> Result<Rc<Vec<String>>, Error> {
        if let Some(urls) = &self.remote_urls {
            return Ok(urls.clone());
        }
        let mut first = Loader {
            sources: self.sources,
            home: self.home,
            git_dir: self.git_dir,
            branch: self.branch,
            cache: std::mem::take(&mut self.cache),
            remote_urls: None,
            first_pass: true,
        };
        let entries = first.all();
        self.cache = first.cache;
        let urls: Vec<String> = entries?
            .into_iter()
            .filter(|e| e.section == "remote" && e.subsection.is_some() && e.name == "url")
            .filter_map(|e| e.value)
            .collect();
        let urls = Rc::new(urls);
        self.remote_urls = Some(urls.clone());
        Ok(urls)
    }
}

/// git's `wildmatch(pattern, text, WM_PATHNAME [| WM_CASEFOLD])`.
fn wildmatch(pattern: &str, text: &str, icase: bool) -> bool {
    use gix::glob::wildmatch::Mode;
    let mut mode = Mode::NO_MATCH_SLASH_LITERAL;
    if icase {
        mode |= Mode::IGNORE_CASE;
    }
    gix::glob::wildmatch(BStr::new(pattern), BStr::new(text), mode)
}

/// One file's entries with their lines, from gix-config's parse events; `Err(line)` for a
/// file git would refuse ("bad config line N").
fn parse_items(bytes: &[u8]) -> Result<Vec<Item>, usize> {
    use gix::config::parse::{EventRef, Events};
    let events = Events::from_bytes(bytes, None).map_err(|e| e.line_number())?;
    let lines = |s: &BStr| s.iter().filter(|b| **b == b'\n').count() as u32;
    let mut line = 1u32;
    for e in events.frontmatter() {
        if let EventRef::Newline(n) = e {
            line += lines(n);
        }
    }
    let mut items = Vec::new();
    for section in events.sections() {
        let EventRef::SectionHeader {
            name,
            separator,
            subsection_name,
        } = section.header()
        else {
            continue;
        };
        let section_name = name.to_str_lossy().to_ascii_lowercase();
        let legacy = separator.is_some_and(|s| s == ".");
        let subsection = subsection_name.map(|s| {
            let s = s.to_str_lossy().into_owned();
            // `[section.Sub]` (deprecated) is lower-cased by git.
            if legacy {
                s.to_ascii_lowercase()
            } else {
                s
            }
        });
        let mut pending = Vec::new();
        // A name without `=` is implicitly true (`None`); gix still sends an empty value.
        let mut separator = false;
        for e in section.body() {
            match e {
                EventRef::SectionValueName(k) => {
                    separator = false;
                    items.push(Item {
                        section: section_name.clone(),
                        subsection: subsection.clone(),
                        name: k.to_str_lossy().to_ascii_lowercase(),
                        value: None,
                        line,
                    })
                }
                EventRef::KeyValueSeparator => {
                    separator = true;
                    if let Some(it) = items.last_mut() {
                        it.value = Some(String::new());
                    }
                }
                EventRef::Value(v) => {
                    if let Some(it) = items.last_mut() {
                        it.value = (separator || !v.is_empty()).then(|| normalize(v));
                    }
                }
                EventRef::ValueNotDone(v) => pending.extend_from_slice(v),
                EventRef::ValueDone(v) => {
                    pending.extend_from_slice(v);
                    if let Some(it) = items.last_mut() {
                        it.value = Some(normalize(BStr::new(&pending)));
                    }
                    pending.clear();
                }
                EventRef::Newline(n) => line += lines(n),
                _ => {}
            }
        }
    }
    Ok(items)
}

fn normalize(v: &BStr) -> String {
    gix::config::value::normalize(v).to_str_lossy().into_owned()
}

/// Gives entries read by git (which prints no lines) the line they are on: each origin
/// file is parsed once, and its entries are matched in order.
pub(super) fn assign_lines(entries: &mut [Entry]) {
    let mut by_file: HashMap<PathBuf, Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(f) = &e.file {
            by_file.entry(f.clone()).or_default().push(i);
        }
    }
    for (file, indices) in by_file {
        let Ok(bytes) = files::read_capped(&file, files::CONFIG_CAP) else {
            continue;
        };
        let Ok(items) = parse_items(&bytes) else {
            continue;
        };
        let same = |e: &Entry, it: &Item| {
            e.section == it.section
                && e.subsection == it.subsection
                && e.name == it.name
                && e.value == it.value
        };
        let mut next = 0;
        for i in indices {
            let e = &entries[i];
            // In order from the last match; from the top if git saw it elsewhere.
            let found = items[next..]
                .iter()
                .position(|it| same(e, it))
                .map(|p| p + next)
                .or_else(|| items.iter().position(|it| same(e, it)));
            if let Some(p) = found {
                entries[i].line = Some(items[p].line);
                next = p + 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_bool;
    use super::*;

    fn global(text: &str) -> (tempfile::TempDir, Sources) {
        let dir = tempfile::tempdir().expect("tmp");
        let f = dir.path().join("config");
        std::fs::write(&f, text).expect("write");
        let sources = Sources {
            system: None,
            global: vec![f],
            local: None,
            worktree: None,
        };
        (dir, sources)
    }

    /// `[credential] useHttpPath` with no `=` is true, as `git config --type=bool` reads it;
    /// `key =` is the empty string (false).
    #[test]
    fn bare_key_means_true() {
        let (dir, sources) =
            global("[credential]\n\tuseHttpPath\n\thelper =\n[core]\n\tbare\n\tbare = \n");
        let c = Config::load(&sources, dir.path(), None, None).expect("load");
        let v = |s: &str, n: &str| c.last(s, n).map(|e| e.value.clone());
        assert_eq!(v("credential", "usehttppath"), Some(None));
        assert!(parse_bool(None));
        assert_eq!(v("credential", "helper"), Some(Some(String::new())));
        // The last `bare` has an `=`: empty, not implicit.
        assert_eq!(v("core", "bare"), Some(Some(String::new())));
    }

    #[test]
    fn entries_know_their_lines_and_values_are_normalised() {
        let (dir, sources) = global(
            "# comment\n[core]\n\tbare = false\n[credential \"https://h\"]\n\thelper = store\n\
             \thelper = \"cache --timeout 1\" ; comment\n\tusername = al\\\n  ice\n[Section.SUB]\n\tKey = v\n",
        );
        let c = Config::load(&sources, dir.path(), None, None).expect("load");
        let got: Vec<_> = c
            .entries
            .iter()
            .map(|e| (e.key(), e.value.clone().unwrap_or_default(), e.line))
            .collect();
        let want = [
            ("core.bare", "false", 3),
            ("credential.https://h.helper", "store", 5),
            ("credential.https://h.helper", "cache --timeout 1", 6),
            ("credential.https://h.username", "al  ice", 7),
            ("section.sub.key", "v", 10),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(k, v, l)| (k.to_string(), v.to_string(), Some(*l)))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_bad_file_names_its_line_and_never_its_content() {
        let (dir, sources) = global("[core]\n\tbare = false\n[http\nSECRETSECRET");
        let e = Config::load(&sources, dir.path(), None, None).expect_err("bad");
        let e = e.to_string();
        assert!(e.starts_with("bad config line 3 in file "), "{e}");
        assert!(!e.contains("SECRET"), "{e}");
    }

    #[test]
    fn includes_come_after_their_entry_and_loops_stop() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(
            dir.path().join("a"),
            "[x]\n\tv = a1\n[include]\n\tpath = b\n[x]\n\tv = a2\n",
        )
        .expect("write");
        std::fs::write(dir.path().join("b"), "[x]\n\tv = b\n").expect("write");
        let sources = Sources {
            system: None,
            global: vec![dir.path().join("a")],
            local: None,
            worktree: None,
        };
        let c = Config::load(&sources, dir.path(), None, None).expect("load");
        let vs: Vec<_> = c.all("x", "v").filter_map(|e| e.value.clone()).collect();
        assert_eq!(vs, ["a1", "b", "a2"]);
        std::fs::write(dir.path().join("b"), "[include]\n\tpath = a\n").expect("write");
        let e = Config::load(&sources, dir.path(), None, None).expect_err("a loop");
        assert!(e.to_string().contains("maximum include depth (10)"), "{e}");
    }

    #[test]
    fn wildmatch_is_gits() {
        assert!(wildmatch(
            "https://github.com/**",
            "https://github.com/a/b.git",
            false
        ));
        assert!(!wildmatch(
            "https://github.com/*",
            "https://github.com/a/b.git",
            false
        ));
        assert!(wildmatch("**/r/.git/**", "/t/r/.git/", false));
        assert!(wildmatch("feat/**", "feat/x/y", false));
        assert!(wildmatch("**/R/.GIT", "/t/r/.git", true));
    }
}
