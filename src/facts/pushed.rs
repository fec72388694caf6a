//! The pushed range: which files under a provider's guarded directories (GitHub's
//! `.github/workflows/`, from the provider table) a push creates, changes or deletes.
//!
//! GitHub refuses a token without the `workflow` scope when a push changes a workflow
//! file that does not exist with the same path and content on another branch. We compare
//! trees only: the guarded directories of each pushed tip against the tip it replaces
//! and the remote-tracking branches. No history is walked, so the cost does not grow
//! with the repository.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

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
pub(crate) fn valid_line(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    // Three spaces split four fields; the two object ids are at fixed offsets from them.
    let mut spaces = [0usize; 3];
    let mut n = 0;
    for i in memchr::memchr_iter(b' ', line) {
        if n == 3 {
            return false;
        }
        spaces[n] = i;
        n += 1;
    }
    if n != 3 || spaces[0] == 0 || spaces[2] == spaces[1] + 1 {
        return false;
    }
    let lo = &line[spaces[0] + 1..spaces[1]];
    let ro = &line[spaces[2] + 1..];
    let hex = |o: &[u8]| (o.len() == 40 || o.len() == 64) && o.iter().all(|b| HEX[*b as usize]);
    lo.len() == ro.len() && hex(lo) && hex(ro)
}

const HEX: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).is_ascii_hexdigit();
        i += 1;
    }
    t
};

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
) -> Pushed {
    let mut pushed = Pushed {
        refs: updates.len(),
        ..Pushed::default()
    };
    if updates.iter().all(RefUpdate::is_deletion) {
        return pushed;
    }
    match changed_workflows(git_dir, remote, updates, dirs) {
        Ok(files) => pushed.workflow_files = files.into_iter().collect(),
        Err(e) => pushed.probe_error = Some(crate::redact::text(&format!("{e:#}"))),
    }
    pushed
}

type Files = BTreeSet<(String, gix::ObjectId)>;

fn changed_workflows(
    git_dir: &Path,
    remote: &str,
    updates: &[RefUpdate],
    dirs: &[&str],
) -> anyhow::Result<BTreeSet<String>> {
    let repo = gix::open_opts(git_dir, gix::open::Options::isolated())?;
    let mut baseline = Files::new();
    let prefix = format!("refs/remotes/{remote}/");
    if let Ok(refs) = repo.references() {
        if let Ok(iter) = refs.prefixed(prefix.as_str()) {
            for mut r in iter.flatten().take(MAX_BASELINE_REFS) {
                if let Ok(id) = r.peel_to_id() {
                    workflow_files(&repo, id.detach(), dirs, &mut baseline)?;
                }
            }
        }
    }
    let mut changed = BTreeSet::new();
    for u in updates.iter().filter(|u| !u.is_deletion()) {
        let local = gix::ObjectId::from_hex(u.local_oid.as_bytes())?;
        let mut now = Files::new();
        workflow_files(&repo, local, dirs, &mut now)?;
        let mut before = Files::new();
        let remote_oid = gix::ObjectId::from_hex(u.remote_oid.as_bytes())?;
        if !remote_oid.is_null() && repo.has_object(remote_oid) {
            workflow_files(&repo, remote_oid, dirs, &mut before)?;
        }
        for (path, id) in &now {
            if !before.contains(&(path.clone(), *id)) && !baseline.contains(&(path.clone(), *id)) {
                changed.insert(path.clone());
            }
        }
        for (path, _) in &before {
            if !now.iter().any(|(p, _)| p == path) {
                changed.insert(path.clone());
            }
        }
    }
    Ok(changed)
}

/// Adds the (path, blob id) of every file under each of `dirs` in `commit`'s tree.
fn workflow_files(
    repo: &gix::Repository,
    commit: gix::ObjectId,
    dirs: &[&str],
    out: &mut Files,
) -> anyhow::Result<()> {
    let tree = repo.find_object(commit)?.peel_to_tree()?;
    for dir in dirs {
        let Some(entry) = tree.lookup_entry_by_path(dir)? else {
            continue;
        };
        if entry.mode().is_tree() {
            collect(repo, entry.object_id(), dir, out, 0)?;
        }
    }
    Ok(())
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
