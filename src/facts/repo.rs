//! The repository and git's configuration as git sees them from the current directory:
//! discovery (`GIT_DIR`, then upwards), `safe.directory` for a repository owned by
//! someone else, the configuration files git reads, and which remote `git push` uses.

use super::gitconfig::{self, Config};
use super::Ctx;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Repo {
    pub git_dir: PathBuf,
    pub work_tree: Option<PathBuf>,
    /// git refuses to work here ("detected dubious ownership") and reads none of its config.
    pub ownership_refused: bool,
}

type Located = Option<(PathBuf, Option<PathBuf>, bool)>;

/// Finds the repository around the current directory (or `GIT_DIR`). A `GIT_DIR` that is
/// not a repository stops git ("fatal: not a git repository: '<dir>'"), and us.
fn locate() -> Result<Located, gitconfig::Error> {
    let Ok(cwd) = std::env::current_dir() else {
        return Ok(None);
    };
    if let Some(dir) = std::env::var_os("GIT_DIR").filter(|d| !d.is_empty()) {
        let git_dir = cwd.join(&dir);
        if !is_git_directory(&git_dir) {
            return Err(gitconfig::Error::Read(format!(
                "not a git repository: '{}' (from GIT_DIR; git refuses it too)",
                Path::new(&dir).display()
            )));
        }
        let work_tree = std::env::var_os("GIT_WORK_TREE")
            .filter(|d| !d.is_empty())
            .map(|w| cwd.join(w));
        return Ok(Some((git_dir, work_tree, true)));
    }
    let Ok((path, trust)) = gix::discover::upwards(&cwd) else {
        return Ok(None);
    };
    let (git_dir, work_tree) = path.into_repository_and_work_tree_directories();
    Ok(Some((git_dir, work_tree, trust == gix::sec::Trust::Full)))
}

/// setup.c `is_git_directory`, without reading anything: a HEAD, an object store and refs
/// (or a `commondir` that has them).
fn is_git_directory(dir: &Path) -> bool {
    let has = |p: &str| dir.join(p).symlink_metadata().is_ok();
    let common = has("commondir");
    has("HEAD")
        && (common || has("objects") || std::env::var_os("GIT_OBJECT_DIRECTORY").is_some())
        && (common || has("refs"))
}

/// The repository and git's configuration as git would see them from here.
pub(crate) fn load(ctx: &Ctx) -> Result<(Config, Option<Repo>), gitconfig::Error> {
    let located = locate()?;
    if std::env::var("GIT_CREDCHECK_CONFIG_READER").is_ok_and(|r| r == "git") {
        let config = Config::read(&ctx.git, &ctx.deadline)?;
        let repo = located.map(|(git_dir, work_tree, trusted)| {
            let ownership_refused = !trusted
                && !safe_directory_allows(&config, work_tree.as_deref().unwrap_or(&git_dir));
            Repo {
                git_dir,
                work_tree,
                ownership_refused,
            }
        });
        return Ok((config, repo));
    }
    let mut sources = gitconfig::Sources {
        system: ctx.system_config(),
        global: ctx.global_configs(),
        local: None,
        worktree: None,
    };
    let Some((git_dir, work_tree, trusted)) = located else {
        return Ok((Config::load(&sources, &ctx.home, None, None)?, None));
    };
    let mut repo = Repo {
        git_dir,
        work_tree,
        ownership_refused: false,
    };
    if !trusted {
        // git reads safe.directory only from protected (system, global, command) config.
        let protected = Config::load(&sources, &ctx.home, Some(&repo.git_dir), None)?;
        if !safe_directory_allows(
            &protected,
            repo.work_tree.as_deref().unwrap_or(&repo.git_dir),
        ) {
            repo.ownership_refused = true;
            return Ok((protected, Some(repo)));
        }
    }
    sources.local = Some(common_dir(&repo.git_dir).join("config"));
    let branch = current_branch(&repo);
    let mut config = Config::load(&sources, &ctx.home, Some(&repo.git_dir), branch.as_deref())?;
    let worktree = repo.git_dir.join("config.worktree");
    if config
        .last("extensions", "worktreeconfig")
        .is_some_and(|e| gitconfig::parse_bool(e.value.as_deref()))
        && worktree.exists()
    {
        sources.worktree = Some(worktree);
        config = Config::load(&sources, &ctx.home, Some(&repo.git_dir), branch.as_deref())?;
    }
    Ok((config, Some(repo)))
}

/// The repository's common directory (a linked worktree's main .git).
pub(crate) fn common_dir(git_dir: &Path) -> PathBuf {
    match super::files::read_text(&git_dir.join("commondir"), super::files::SMALL_CAP) {
        Ok(c) => git_dir.join(c.trim()),
        Err(_) => git_dir.to_owned(),
    }
}

fn safe_directory_allows(config: &Config, dir: &Path) -> bool {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    let mut allowed = false;
    for e in config.all("safe", "directory") {
        match e.value.as_deref() {
            Some("") => allowed = false,
            Some("*") => allowed = true,
            Some(v) => {
                let v = v.trim_end_matches("/*");
                if Path::new(v) == dir
                    || e.value.as_deref().is_some_and(|x| x.ends_with("/*")) && dir.starts_with(v)
                {
                    allowed = true;
                }
            }
            None => {}
        }
    }
    allowed
}

/// The branch HEAD points at, if any.
pub(crate) fn current_branch(repo: &Repo) -> Option<String> {
    let head = super::files::read_text(&repo.git_dir.join("HEAD"), super::files::SMALL_CAP).ok()?;
    head.trim()
        .strip_prefix("ref: refs/heads/")
        .map(str::to_owned)
}

/// The remote `git push` without arguments would use (remote.c `pushremote_for_branch`).
pub(crate) fn default_push_remote(config: &Config, repo: Option<&Repo>) -> String {
    let branch = repo.and_then(current_branch);
    if let Some(b) = &branch {
        if let Some(r) = config
            .last_sub("branch", b, "pushremote")
            .and_then(|e| e.value.clone())
        {
            return r;
        }
    }
    if let Some(r) = config.value("remote", "pushdefault") {
        return r.to_owned();
    }
    if let Some(b) = &branch {
        if let Some(r) = config
            .last_sub("branch", b, "remote")
            .and_then(|e| e.value.clone())
        {
            if r != "." {
                return r;
            }
        }
    }
    "origin".to_owned()
}
