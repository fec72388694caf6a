//! The pushed range: which files under a provider's guarded directories (GitHub's
//! `.github/workflows/`, from the provider table) a push creates, changes or deletes.
//!
//! GitHub refuses a token without the `workflow` scope when a push changes a workflow
//! file that does not exist with the same path and content on another branch. We compare
//! trees only: the guarded directories of each pushed tip against the tip it replaces
//! and the remote-tracking branches. No history is walked, so the cost does not grow
//! with the repository.
//!
//! The inspection also keeps what [`super::hints`] needs: the pushed tips that change a
//! guarded path and what the remote has (the old ids of the pushed refs and the
//! remote-tracking tips).

use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::rc::Rc;
use std::time::Instant;

/// Remote-tracking tips used as a baseline: bounded so a huge remote stays cheap.
const MAX_BASELINE_REFS: usize = 64;

/// One line of git's pre-push input (or the pre-commit framework's FROM/TO refs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RefUpdate {
    pub local_ref: String,
    pub local_oid: String,
    pub remote_ref: String,
    pub remote_oid: String,
}

impl RefUpdate {
    #[cfg(test)]
    pub(crate) fn is_deletion(&self) -> bool {
        self.local_oid.bytes().all(|b| b == b'0')
    }
}

/// Parses one pre-push line; `None` for a line that is not `<ref> <oid> <ref> <oid>`.
pub(crate) fn parse_line(line: &str) -> Option<RefUpdate> {
    let line = line.trim_end_matches(['\r', '\n']);
    let mut parts = line.split(' ');
    let (lr, lo, rr, ro) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || lr.is_empty()
        || rr.is_empty()
        || !is_oid(lo)
        || !is_oid(ro)
        || lo.len() != ro.len()
    {
        return None;
    }
    Some(RefUpdate {
        local_ref: lr.into(),
        local_oid: lo.into(),
        remote_ref: rr.into(),
        remote_oid: ro.into(),
    })
}

/// Checks a pre-push line's shape without allocating: what 10,000 ref lines cost.
#[cfg(test)]
pub(crate) fn valid_line(line: &[u8]) -> bool {
    oids(line).is_some()
}

/// The local and remote object ids of a well-formed pre-push line, without allocating.
pub(crate) fn oids(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    // Three spaces split four fields; the two object ids are at fixed offsets from them.
    let mut spaces = [0usize; 3];
    let mut n = 0;
    for i in memchr::memchr_iter(b' ', line) {
        if n == 3 {
            return None;
        }
        spaces[n] = i;
        n += 1;
    }
    if n != 3 || spaces[0] == 0 || spaces[2] == spaces[1] + 1 {
        return None;
    }
    let lo = &line[spaces[0] + 1..spaces[1]];
    let ro = &line[spaces[2] + 1..];
    let hex = |o: &[u8]| (o.len() == 40 || o.len() == 64) && all_hex(o);
    (lo.len() == ro.len() && hex(lo) && hex(ro)).then_some((lo, ro))
}

/// Whether every byte is a hex digit, without a branch per byte (it vectorises): a
/// million ref lines make this the hook's inner loop.
fn all_hex(o: &[u8]) -> bool {
    o.iter().fold(true, |ok, &b| {
        let digit = b.wrapping_sub(b'0') < 10;
        let letter = (b | 0x20).wrapping_sub(b'a') < 6;
        ok & (digit | letter)
    })
}

fn is_oid(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Pushed {
    /// Ref updates in the push (deletions included).
    pub refs: usize,
    /// Workflow files the push creates, changes or deletes (paths), sorted.
    pub workflow_files: Vec<String>,
    /// Why the range could not be inspected, if it could not.
    pub probe_error: Option<String>,
    /// The pushed tips whose update changes a guarded path (at most [`MAX_KEPT`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tips: Vec<String>,
    /// What the remote has: the old ids of the pushed refs (as it advertised them) and
    /// the remote-tracking tips (at most [`MAX_KEPT`] of each).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remote_has: Vec<String>,
    /// Credentials that have pushed a change under a guarded path to a push URL before
    /// (from the ledger): the hint for them is not repeated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proven: Vec<Proven>,
}

/// Commits kept for the ledger, per kind: a bound, not a sample.
pub(crate) const MAX_KEPT: usize = 16;

/// A credential (by its ledger identity) seen to push a change under `path` to `url`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Proven {
    pub url: String,
    pub credential: String,
    pub path: String,
}

/// The directories whose changes some push URL's provider guards with an extra scope;
/// empty when no rule needs the pushed range.
pub(crate) fn guarded_dirs(facts: &super::Facts) -> Vec<&'static str> {
    let mut dirs: Vec<&'static str> = facts
        .push_urls()
        .filter_map(|u| u.provider?.info().guarded_paths)
        .flat_map(|g| g.prefixes.iter().map(|p| p.trim_end_matches('/')))
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    dirs
}

/// Inspects the pushed range in the repository at `git_dir`, under `dirs`.
pub(crate) fn inspect(
    git_dir: &Path,
    remote: &str,
    updates: &[RefUpdate],
    dirs: &[&str],
    until: Instant,
) -> Pushed {
    let mut i = Inspector::new(git_dir, remote, dirs, until);
    for u in updates {
        i.add(u.local_oid.as_bytes(), u.remote_oid.as_bytes());
    }
    i.finish()
}

type Files = BTreeSet<(String, gix::ObjectId)>;

/// What a commit holds under the guarded directories: each one's tree id (or none). Two
/// commits with the same state have the same guarded files.
type State = Vec<Option<gix::ObjectId>>;

/// Memos above this many entries start again: a bound on memory, not on correctness.
const MEMO_CAP: usize = 200_000;

/// The pushed range, one ref line at a time (issue 18): each distinct commit costs one
/// lookup per guarded directory, each distinct directory state one tree walk, each
/// distinct (new, old) pair one comparison; identical lines cost a hash lookup. The
/// remote-tracking baseline is read once. Lines past `until` are counted, not inspected.
pub(crate) struct Inspector {
    git_dir: std::path::PathBuf,
    remote: String,
    dirs: Vec<String>,
    until: Instant,
    repo: Option<gix::Repository>,
    baseline: Option<Files>,
    states: HashMap<gix::ObjectId, State>,
    files: HashMap<State, Rc<Files>>,
    compared: HashSet<(State, Option<State>)>,
    /// (new, old) object id pairs already inspected: a mirror push repeats them.
    seen: HashSet<(gix::ObjectId, gix::ObjectId)>,
    /// The previous line's two object ids, as written: the cheapest repeat to spot.
    last: Vec<u8>,
    changed: BTreeSet<String>,
    tips: BTreeSet<String>,
    remote_has: BTreeSet<String>,
    refs: usize,
    inspected: usize,
    /// The deadline passed: the remaining lines are counted, not inspected.
    late: bool,
    error: Option<String>,
}

impl Inspector {
    pub(crate) fn new(git_dir: &Path, remote: &str, dirs: &[&str], until: Instant) -> Inspector {
        Inspector {
            git_dir: git_dir.to_owned(),
            remote: remote.to_owned(),
            dirs: dirs.iter().map(|d| (*d).to_owned()).collect(),
            until,
            repo: None,
            baseline: None,
            states: HashMap::new(),
            files: HashMap::new(),
            compared: HashSet::new(),
            seen: HashSet::new(),
            last: Vec::new(),
            changed: BTreeSet::new(),
            tips: BTreeSet::new(),
            remote_has: BTreeSet::new(),
            refs: 0,
            inspected: 0,
            late: false,
            error: None,
        }
    }

    /// One ref update, by its two object ids (hex).
    pub(crate) fn add(&mut self, local: &[u8], remote: &[u8]) {
        self.refs += 1;
        if self.error.is_some() || self.late {
            return;
        }
        if self.last.len() == local.len() + remote.len()
            && self.last.starts_with(local)
            && self.last.ends_with(remote)
        {
            self.inspected += 1;
            return;
        }
        self.last.clear();
        self.last.extend_from_slice(local);
        self.last.extend_from_slice(remote);
        let (Ok(local), Ok(remote)) = (
            gix::ObjectId::from_hex(local),
            gix::ObjectId::from_hex(remote),
        ) else {
            self.error = Some("a ref line holds an object id of another hash kind".into());
            return;
        };
        if !remote.is_null() && self.remote_has.len() < MAX_KEPT {
            self.remote_has.insert(remote.to_string());
        }
        if local.is_null() {
            self.inspected += 1;
            return;
        }
        // The clock is read once per thousand lines: it is the costliest thing here.
        if self.refs % 1024 == 1 && Instant::now() >= self.until {
            self.late = true;
            return;
        }
        self.inspected += 1;
        if self.seen.len() > MEMO_CAP {
            self.seen.clear();
        }
        if !self.seen.insert((local, remote)) {
            return;
        }
        if let Err(e) = self.compare(local, remote) {
            self.error = Some(crate::redact::text(&format!("{e:#}")));
        }
    }

    pub(crate) fn finish(self) -> Pushed {
        let skipped = self.refs - self.inspected;
        let mut probe_error = self.error;
        if probe_error.is_none() && self.late {
            let why = format!(
                "{skipped} of {} ref updates not inspected: the run's deadline was reached",
                self.refs
            );
            super::files::skipped("part of the pushed range", &why);
            probe_error = Some(why);
        }
        Pushed {
            refs: self.refs,
            workflow_files: self.changed.into_iter().collect(),
            probe_error,
            tips: self.tips.into_iter().collect(),
            remote_has: self.remote_has.into_iter().collect(),
            proven: Vec::new(),
        }
    }

    fn compare(&mut self, local: gix::ObjectId, remote_oid: gix::ObjectId) -> anyhow::Result<()> {
        if self.repo.is_none() {
            self.repo = Some(gix::open_opts(
                &self.git_dir,
                gix::open::Options::isolated(),
            )?);
        }
        if self.baseline.is_none() {
            self.baseline = Some(self.baseline()?);
        }
        let now = self.state(local)?;
        let repo = self.repo.as_ref().expect("opened above");
        let before = if !remote_oid.is_null() && repo.has_object(remote_oid) {
            Some(self.state(remote_oid)?)
        } else {
            None
        };
        if before.as_ref() == Some(&now) {
            return Ok(());
        }
        if self.compared.len() > MEMO_CAP {
            self.compared.clear();
        }
        if !self.compared.insert((now.clone(), before.clone())) {
            return Ok(());
        }
        let now = self.files_of(&now)?;
        let before = match &before {
            Some(b) => self.files_of(b)?,
            None => Rc::new(Files::new()),
        };
        let baseline = self.baseline.as_ref().expect("read above");
        let mut changes = false;
        for (path, id) in now.iter() {
            let key = (path.clone(), *id);
            if !before.contains(&key) && !baseline.contains(&key) {
                self.changed.insert(path.clone());
                changes = true;
            }
        }
        let now_paths: HashSet<&str> = now.iter().map(|(p, _)| p.as_str()).collect();
        for (path, _) in before.iter() {
            if !now_paths.contains(path.as_str()) {
                self.changed.insert(path.clone());
                changes = true;
            }
        }
        if changes && self.tips.len() < MAX_KEPT {
            self.tips.insert(local.to_string());
        }
        Ok(())
    }

    /// The files of every remote-tracking tip of the remote (at most a few dozen).
    fn baseline(&mut self) -> anyhow::Result<Files> {
        let prefix = format!("refs/remotes/{}/", self.remote);
        let mut tips = Vec::new();
        if let Ok(refs) = self.repo.as_ref().expect("opened").references() {
            if let Ok(iter) = refs.prefixed(prefix.as_str()) {
                for mut r in iter.flatten().take(MAX_BASELINE_REFS) {
                    if let Ok(id) = r.peel_to_id() {
                        tips.push(id.detach());
                    }
                }
            }
        }
        let mut baseline = Files::new();
        for tip in &tips {
            if self.remote_has.len() < 2 * MAX_KEPT {
                self.remote_has.insert(tip.to_string());
            }
        }
        for tip in tips {
            let state = self.state(tip)?;
            baseline.extend(self.files_of(&state)?.iter().cloned());
        }
        Ok(baseline)
    }

    fn state(&mut self, commit: gix::ObjectId) -> anyhow::Result<State> {
        if let Some(s) = self.states.get(&commit) {
            return Ok(s.clone());
        }
        let repo = self.repo.as_ref().expect("opened");
        let tree = repo.find_object(commit)?.peel_to_tree()?;
        let mut state = Vec::with_capacity(self.dirs.len());
        for dir in &self.dirs {
            state.push(
                tree.lookup_entry_by_path(dir)?
                    .filter(|e| e.mode().is_tree())
                    .map(|e| e.object_id()),
            );
        }
        if self.states.len() > MEMO_CAP {
            self.states.clear();
        }
        self.states.insert(commit, state.clone());
        Ok(state)
    }

    fn files_of(&mut self, state: &State) -> anyhow::Result<Rc<Files>> {
        if let Some(f) = self.files.get(state) {
            return Ok(f.clone());
        }
        let repo = self.repo.as_ref().expect("opened");
        let mut out = Files::new();
        for (dir, tree) in self.dirs.iter().zip(state) {
            if let Some(tree) = tree {
                collect(repo, *tree, dir, &mut out, 0)?;
            }
        }
        let out = Rc::new(out);
        if self.files.len() > MEMO_CAP {
            self.files.clear();
        }
        self.files.insert(state.clone(), out.clone());
        Ok(out)
    }
}

fn collect(
    repo: &gix::Repository,
    tree: gix::ObjectId,
    dir: &str,
    out: &mut Files,
    depth: usize,
) -> anyhow::Result<()> {
    if depth > 8 {
        return Ok(());
    }
    let tree = repo.find_tree(tree)?;
    for entry in tree.iter() {
        let entry = entry?;
        let path = format!("{dir}/{}", entry.filename());
        if entry.mode().is_tree() {
            collect(repo, entry.object_id(), &path, out, depth + 1)?;
        } else {
            out.insert((path, entry.object_id()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pre_push_lines() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let u = parse_line(&format!("refs/heads/main {a} refs/heads/main {z}\r\n")).expect("line");
        assert!(!u.is_deletion());
        let d = parse_line(&format!("(delete) {z} refs/heads/x {a}")).expect("line");
        assert!(d.is_deletion());
        assert!(parse_line(&format!(
            "refs/heads/main {} refs/heads/main {}",
            "b".repeat(64),
            "0".repeat(64)
        ))
        .is_some());
        assert!(parse_line("refs/heads/main abc refs/heads/main def").is_none());
        assert!(parse_line(&format!("a {a} b {}", "0".repeat(64))).is_none());
        assert!(parse_line("").is_none());
        assert!(parse_line(&format!("a {a} b {a} extra")).is_none());
    }

    #[test]
    fn hex_digits() {
        for b in 0..=255u8 {
            assert_eq!(all_hex(&[b]), b.is_ascii_hexdigit(), "{b}");
        }
    }

    #[test]
    fn fast_check_agrees_with_the_parser() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        for line in [
            format!("refs/heads/main {a} refs/heads/main {z}"),
            format!("refs/heads/main {a} refs/heads/main {z}\r"),
            format!("(delete) {z} refs/heads/x {a}"),
            format!("r {} r {}", "b".repeat(64), "0".repeat(64)),
            format!(" {a} r {z}"),
            format!("r {a}  {z}"),
            format!("r {a} r {z} x"),
            format!("r {a} r {}", "0".repeat(64)),
            format!("r {} r {z}", "g".repeat(40)),
            "short".to_owned(),
            String::new(),
        ] {
            assert_eq!(
                valid_line(line.as_bytes()),
                parse_line(&line).is_some(),
                "{line:?}"
            );
        }
    }
}
