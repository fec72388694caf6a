//! `install` / `uninstall`: the pre-push hook shim in the hooks directory (respecting
//! `core.hooksPath`), or the credential guard at the top of a configuration file, and
//! the manual page where `git help credcheck` finds it.
//! A foreign hook is never replaced silently: `--chain` keeps it and runs it after us.
//!
//! What these write must survive real machines (issue 14):
//! - They name this program the way the user invoked it, or by its bare name when that is
//!   the one on PATH, never by the file a symlink resolves to: a package manager's
//!   versioned directory changes on every upgrade.
//! - The guard's configuration is written by `git config` itself, so any path (space,
//!   `'`, `"`, `\`, `$`) comes out as valid git configuration, and the helper value is
//!   quoted for the `sh` that git runs it with. `uninstall` (and a new `install`) needs
//!   no readable configuration, so it repairs what an older version wrote.

use super::Setup;
use crate::cli::InstallArgs;
use crate::facts::{common_dir, Ctx};
use crate::rules::advice::sh_quote;
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) const SHIM: &str = include_str!("../../hooks/pre-push");
const NAME: &str = "git-credcheck";
const MARKER: &str = "# git-credcheck pre-push shim";
const CHAINED: &str = "pre-push.credcheck-chained";
const GUARD_BEGIN: &str = "# >>> git-credcheck guard (added by `git-credcheck install --guard`; remove with `git-credcheck uninstall --guard`)";
const GUARD_END: &str = "# <<< git-credcheck guard";
/// Where `install` puts the manual page: man-db finds `~/.local/share/man` for a PATH
/// holding `~/.local/bin`, and `git help credcheck` runs `man git-credcheck`.
const MAN_PAGE: &str = ".local/share/man/man1/git-credcheck.1";
const GIT_DEADLINE: Duration = Duration::from_secs(10);

fn hooks_dir(setup: &Setup) -> anyhow::Result<PathBuf> {
    let repo = setup.repo.as_ref().context("not a git repository")?;
    if let Some(p) = setup
        .git_config
        .value("core", "hookspath")
        .filter(|p| !p.is_empty())
    {
        let p = setup.ctx.expand_home(p);
        return Ok(if p.is_absolute() {
            p
        } else {
            repo.work_tree
                .clone()
                .unwrap_or_else(|| repo.git_dir.clone())
                .join(p)
        });
    }
    Ok(common_dir(&repo.git_dir).join("hooks"))
}

/// How the installed hook and guard name this program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SelfName {
    /// The `git-credcheck` that PATH (or git's exec path, which git puts first on PATH for
    /// hooks and helpers) finds is this program: run it by its bare name.
    pub on_path: bool,
    /// The path the user invoked, absolute, symlinks kept (not resolved).
    pub path: Option<PathBuf>,
}

impl SelfName {
    pub(crate) fn of_this_process(ctx: &Ctx) -> SelfName {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        let mut search = std::env::join_paths(
            std::iter::once(ctx.exec_path()).chain(std::env::split_paths(&ctx.env.path)),
        )
        .unwrap_or_default();
        if search.is_empty() {
            search = ctx.env.path.clone().into();
        }
        let found = which::which_in(NAME, Some(search), &cwd).ok();
        let argv0 = std::env::args_os().next().map(PathBuf::from);
        SelfName::decide(argv0.as_deref(), &cwd, found)
    }

    /// `argv0` as the user typed it (or the shell or git passed it); `found` is what a
    /// lookup of the bare name finds.
    fn decide(argv0: Option<&Path>, cwd: &Path, found: Option<PathBuf>) -> SelfName {
        let current = || std::env::current_exe().ok();
        match argv0 {
            // Run by name: the shell or git found it on PATH.
            Some(a) if !a.as_os_str().is_empty() && a.components().count() == 1 => SelfName {
                on_path: found.is_some(),
                path: found.or_else(current),
            },
            Some(a) if !a.as_os_str().is_empty() => {
                let abs = cwd.join(a);
                let abs: PathBuf = abs.components().collect();
                let path = if abs.is_file() { Some(abs) } else { current() };
                let on_path = match (&found, &path) {
                    (Some(f), Some(p)) => same_file(f, p),
                    _ => false,
                };
                SelfName { on_path, path }
            }
            _ => SelfName {
                on_path: false,
                path: current(),
            },
        }
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// A path `sh` reads as one word, unquoted.
fn sh_plain(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@%".contains(c))
}

fn shim(me: &SelfName, chain: Option<Chain>) -> String {
    let fallback = me
        .path
        .as_ref()
        .and_then(|p| p.to_str())
        .map(sh_quote)
        .unwrap_or_else(|| "\"\"".into());
    let mut s = SHIM.replace("fallback=\"\"", &format!("fallback={fallback}"));
    if let Some(chain) = chain {
        s = s.replace(
            "chain=\"\"",
            &format!("chain=\"$(dirname \"$0\")/{CHAINED}\""),
        );
        if chain == Chain::AsThisHook {
            s = s.replace("chain_as_hook=\"\"", "chain_as_hook=1");
        }
    }
    s
}

/// How the shim runs a kept hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chain {
    /// As a program of its own (`exec "$chain" "$@"`).
    Program,
    /// Sourced by `sh` under the hook's own path as `$0`: for an `sh` hook that finds its
    /// files through `$0`, as husky's `.husky/_/pre-push` does (`. "$(dirname "$0")/h"`,
    /// whose `h` runs `.husky/$(basename "$0")`: the user's `.husky/pre-push`).
    AsThisHook,
}

fn chain_kind(hook_text: &str) -> Chain {
    let first = hook_text.lines().next().unwrap_or("");
    let sh = matches!(
        first.trim(),
        "#!/bin/sh" | "#!/usr/bin/env sh" | "#!/usr/bin/sh"
    );
    if sh && hook_text.contains("$0") {
        Chain::AsThisHook
    } else {
        Chain::Program
    }
}

/// Whether git tracks `file` in the work tree: renaming it would change the project.
fn tracked(setup: &Setup, file: &Path) -> bool {
    let Some(work_tree) = setup.repo.as_ref().and_then(|r| r.work_tree.as_ref()) else {
        return false;
    };
    let Some(rel) = file.strip_prefix(work_tree).ok().and_then(Path::to_str) else {
        return false;
    };
    let Some(dir) = work_tree.to_str() else {
        return false;
    };
    crate::process::run(
        &setup.ctx.git,
        &["-C", dir, "ls-files", "--error-unmatch", "--", rel],
        b"",
        GIT_DEADLINE,
    )
    .is_ok_and(|o| o.success())
}

pub(crate) fn install(args: &InstallArgs) -> anyhow::Result<()> {
    if args.guard {
        return install_guard(args);
    }
    let setup = Setup::new(None)?;
    let dir = hooks_dir(&setup)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let hook = dir.join("pre-push");
    let mut chain = None;
    if let Ok(existing) = std::fs::read_to_string(&hook) {
        if existing.contains(MARKER) {
            if let Ok(kept) = std::fs::read_to_string(dir.join(CHAINED)) {
                chain = Some(chain_kind(&kept));
            }
        } else if args.chain {
            if tracked(&setup, &hook) {
                bail!(
                    "{} is tracked by git (the project's own hook): renaming it would delete it from the project; \
                     add `git-credcheck hook pre-push \"$@\"` to it instead",
                    hook.display()
                );
            }
            std::fs::rename(&hook, dir.join(CHAINED))
                .context("keeping the existing pre-push hook")?;
            chain = Some(chain_kind(&existing));
        } else {
            bail!(
                "{} already exists and is not git-credcheck's; rerun with --chain to keep it and run it after git-credcheck, \
                 or add `git-credcheck hook pre-push \"$@\"` to it yourself",
                hook.display()
            );
        }
    } else if hook.symlink_metadata().is_ok() {
        bail!(
            "{} exists but cannot be read; not touching it",
            hook.display()
        );
    }
    let me = SelfName::of_this_process(&setup.ctx);
    write_executable(&hook, &shim(&me, chain))?;
    eprintln!(
        "git-credcheck: installed {}{}",
        hook.display(),
        if chain.is_some() {
            " (runs the previous hook after it)"
        } else {
            ""
        }
    );
    if dir.join("h").is_file() && dir.file_name().is_some_and(|n| n == "_") {
        eprintln!(
            "git-credcheck: note: husky rewrites {} when it installs (`npm install`); to keep the check, \
             add `git-credcheck hook pre-push \"$@\"` to {}",
            dir.display(),
            dir.parent().unwrap_or(&dir).join("pre-push").display()
        );
    }
    install_man_page(&setup.ctx);
    Ok(())
}

pub(crate) fn uninstall(args: &InstallArgs) -> anyhow::Result<()> {
    if args.guard {
        return uninstall_guard(args);
    }
    let setup = Setup::new(None)?;
    let dir = hooks_dir(&setup)?;
    let hook = dir.join("pre-push");
    match std::fs::read_to_string(&hook) {
        Ok(t) if t.contains(MARKER) => {
            std::fs::remove_file(&hook)?;
            if dir.join(CHAINED).exists() {
                std::fs::rename(dir.join(CHAINED), &hook)?;
                eprintln!("git-credcheck: removed; restored the previous pre-push hook");
            } else {
                eprintln!("git-credcheck: removed {}", hook.display());
            }
            Ok(())
        }
        Ok(_) => bail!("{} is not git-credcheck's; not touching it", hook.display()),
        Err(_) => {
            eprintln!(
                "git-credcheck: no pre-push hook installed in {}",
                dir.display()
            );
            Ok(())
        }
    }
}

fn write_executable(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}

/// Writes the manual page under `~/.local/share/man`, and says how to reach it when
/// `man` does not look there. A failure is a note: the hook or guard is installed.
fn install_man_page(ctx: &Ctx) {
    let path = ctx.home.join(MAN_PAGE);
    let page = crate::cli::man_page();
    if std::fs::read(&path).is_ok_and(|old| old == page) {
        return;
    }
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&path, &page));
    if let Err(e) = written {
        eprintln!(
            "git-credcheck: note: could not write the manual page {}: {e}",
            path.display()
        );
        return;
    }
    eprintln!(
        "git-credcheck: installed the manual page {} (`git help credcheck`)",
        path.display()
    );
    // `man -w` prints the file it would show; man-db looks in ~/.local/share/man only when
    // ~/.local/bin is on PATH or MANPATH names it.
    let found = crate::process::run("man", &["-w", NAME], b"", Duration::from_secs(5))
        .ok()
        .filter(|o| o.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if found.as_ref().is_some_and(|f| !same_file(f, &path)) {
        eprintln!("git-credcheck: note: `man git-credcheck` opens another page first");
    } else if found.is_none()
        && matches!(
            crate::facts::credential::find_program(ctx, "man"),
            crate::facts::credential::Program::Found { .. }
        )
    {
        eprintln!(
            "git-credcheck: note: man does not look in {} here; add it to MANPATH: export MANPATH=\"{}:$MANPATH\"",
            ctx.home.join(".local/share/man").display(),
            ctx.home.join(".local/share/man").display()
        );
    }
}

/// Where the guard goes, found without reading git's configuration: a configuration an
/// older version broke must still be repairable.
struct GuardTarget {
    ctx: Ctx,
    file: PathBuf,
    /// git's configuration, when it can be read (for the `--local` ordering note).
    setup: Option<Setup>,
}

impl GuardTarget {
    fn new(args: &InstallArgs) -> anyhow::Result<GuardTarget> {
        let setup = Setup::new(None).ok();
        let ctx = Ctx::from_process();
        let file = if args.local {
            let git_dir = setup
                .as_ref()
                .and_then(|s| s.repo.as_ref().map(|r| r.git_dir.clone()))
                .or_else(find_git_dir)
                .context("--local needs a git repository")?;
            common_dir(&git_dir).join("config")
        } else if let Some(p) = std::env::var_os("GIT_CONFIG_GLOBAL").filter(|p| !p.is_empty()) {
            PathBuf::from(p)
        } else {
            let home = ctx.home.join(".gitconfig");
            let xdg = ctx.xdg_config_home().join("git/config");
            if !home.exists() && xdg.exists() {
                xdg
            } else {
                home
            }
        };
        Ok(GuardTarget { ctx, file, setup })
    }
}

/// The repository's git directory, as git finds it from here: `GIT_DIR`, else the first
/// `.git` directory or `gitdir:` file upwards.
fn find_git_dir() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    if let Some(d) = std::env::var_os("GIT_DIR").filter(|d| !d.is_empty()) {
        return Some(cwd.join(d));
    }
    for dir in cwd.ancestors() {
        let dot = dir.join(".git");
        if dot.is_dir() {
            return Some(dot);
        }
        if let Ok(text) = std::fs::read_to_string(&dot) {
            let target = text.strip_prefix("gitdir:")?.trim();
            return Some(dir.join(target));
        }
    }
    None
}

/// The helper value git runs for the guard. git runs a value starting with `!` as a shell
/// snippet and an absolute path verbatim, both through `sh -c "<value> get"`, so a path
/// `sh` would split or expand is single-quoted behind a `!`.
fn guard_helper(me: &SelfName) -> anyhow::Result<String> {
    if me.on_path {
        return Ok(format!("!{NAME} guard"));
    }
    let path = me
        .path
        .as_ref()
        .context("cannot tell where git-credcheck is; put it on PATH and run `git-credcheck install --guard` again")?;
    let path = path.to_str().with_context(|| {
        format!(
            "{} is not valid UTF-8; put git-credcheck on PATH and run `git-credcheck install --guard` again",
            path.display()
        )
    })?;
    Ok(if sh_plain(path) {
        format!("{path} guard")
    } else {
        format!("!{} guard", sh_quote(path))
    })
}

/// A scratch directory of our own, removed when dropped, where `git config --file` runs
/// isolated from every configuration file: the user's may be the broken one to repair.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> anyhow::Result<Scratch> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "git-credcheck-install-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Scratch(dir))
    }

    /// Runs `git config --file <file> args…` reading no other configuration; its stdout.
    fn git_config(&self, ctx: &Ctx, file: &Path, args: &[&str]) -> anyhow::Result<String> {
        let dir = self
            .0
            .to_str()
            .context("the temporary directory is not UTF-8")?;
        let file = file
            .to_str()
            .with_context(|| format!("{} is not UTF-8", file.display()))?;
        let mut all = vec!["-C", dir, "config", "--file", file];
        all.extend_from_slice(args);
        let out = crate::process::run_with_env(
            &ctx.git,
            &all,
            b"",
            GIT_DEADLINE,
            &[
                ("GIT_CONFIG_NOSYSTEM", "1"),
                ("GIT_CONFIG_GLOBAL", "/dev/null"),
                ("GIT_CONFIG_PARAMETERS", ""),
                ("GIT_CONFIG_COUNT", "0"),
                ("GIT_CEILING_DIRECTORIES", dir),
            ],
        )
        .with_context(|| format!("running {}", ctx.git))?;
        if !out.success() {
            bail!(
                "`git config` failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The guard's block, its lines written by `git config` into a scratch file and read back
/// by git to prove the value survives git's quoting unchanged.
fn guard_block(ctx: &Ctx, scratch: &Scratch, helper: &str) -> anyhow::Result<String> {
    let file = scratch.0.join("guard.config");
    for scheme in ["https", "http"] {
        let key = format!("credential.{scheme}://.helper");
        scratch.git_config(ctx, &file, &["--add", &key, helper])?;
        let back = scratch.git_config(ctx, &file, &["--get", &key])?;
        if back.strip_suffix('\n') != Some(helper) {
            bail!("git reads the guard's helper value back differently: {back:?}");
        }
    }
    let body =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    Ok(format!("{GUARD_BEGIN}\n{body}{GUARD_END}\n"))
}

/// Where an installed guard block is in `text` (any version's, broken or not).
fn find_block(text: &str) -> Option<std::ops::Range<usize>> {
    let start = text.find(GUARD_BEGIN)?;
    let end = start + text[start..].find(GUARD_END)? + GUARD_END.len();
    Some(start..end + usize::from(text[end..].starts_with('\n')))
}

/// Whether git can read `file` (a configuration file); `None` when it does not exist.
fn git_reads(ctx: &Ctx, scratch: &Scratch, file: &Path) -> Option<bool> {
    file.exists()
        .then(|| scratch.git_config(ctx, file, &["--list"]).is_ok())
}

fn install_guard(args: &InstallArgs) -> anyhow::Result<()> {
    let target = GuardTarget::new(args)?;
    let file = &target.file;
    let me = SelfName::of_this_process(&target.ctx);
    let helper = guard_helper(&me)?;
    let scratch = Scratch::new()?;
    let block = guard_block(&target.ctx, &scratch, &helper)?;
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", file.display())),
    };
    let readable_before = git_reads(&target.ctx, &scratch, file);
    let (new_text, what) = match find_block(&text) {
        Some(r) if text[r.clone()] == block => {
            eprintln!(
                "git-credcheck: the guard is already installed in {}",
                file.display()
            );
            install_man_page(&target.ctx);
            return Ok(());
        }
        Some(r) => (
            format!("{}{block}{}", &text[..r.start], &text[r.end..]),
            "replaced the credential guard in",
        ),
        // First in the file, so first among this scope's helpers.
        None => (
            format!("{block}{text}"),
            "installed the credential guard at the top of",
        ),
    };
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(file, &new_text).with_context(|| format!("writing {}", file.display()))?;
    if readable_before != Some(false) && git_reads(&target.ctx, &scratch, file) == Some(false) {
        std::fs::write(file, &text).with_context(|| format!("restoring {}", file.display()))?;
        bail!(
            "git could not read {} with the guard added; restored it",
            file.display()
        );
    }
    eprintln!(
        "git-credcheck: {what} {} (helper `{helper}`)",
        file.display()
    );
    if readable_before == Some(false) && git_reads(&target.ctx, &scratch, file) == Some(false) {
        eprintln!(
            "git-credcheck: note: git cannot read {} (apart from the guard): `git config --file {} --list` shows where",
            file.display(),
            sh_quote(&file.display().to_string())
        );
    }
    if args.local
        && target.setup.as_ref().is_some_and(|s| {
            s.git_config.entries.iter().any(|e| {
                e.section == "credential"
                    && e.name == "helper"
                    && e.scope != crate::facts::gitconfig::Scope::Local
                    && e.value.as_deref().is_some_and(|v| !v.is_empty())
            })
        })
    {
        eprintln!("git-credcheck: note: helpers from the global or system configuration run before a --local guard; prefer --global");
    }
    install_man_page(&target.ctx);
    Ok(())
}

fn uninstall_guard(args: &InstallArgs) -> anyhow::Result<()> {
    let target = GuardTarget::new(args)?;
    let file = &target.file;
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let Some(r) = find_block(&text) else {
        eprintln!("git-credcheck: no guard installed in {}", file.display());
        return Ok(());
    };
    std::fs::write(file, format!("{}{}", &text[..r.start], &text[r.end..]))
        .with_context(|| format!("writing {}", file.display()))?;
    eprintln!(
        "git-credcheck: removed the credential guard from {}",
        file.display()
    );
    Ok(())
}

pub(crate) fn init(force: bool) -> anyhow::Result<()> {
    let setup = Setup::new(None)?;
    let root = setup
        .repo
        .as_ref()
        .and_then(|r| r.work_tree.clone())
        .context("`init` needs a repository with a work tree")?;
    let path = root.join(crate::config::FILE_NAME);
    if path.exists() && !force {
        bail!(
            "{} already exists (use --force to overwrite)",
            path.display()
        );
    }
    std::fs::write(&path, crate::config::TEMPLATE)?;
    eprintln!("git-credcheck: wrote {}", path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_name_is_kept_when_path_finds_it() {
        let dir = tempfile::tempdir().expect("tmp");
        let bin = dir.path().join("bin/git-credcheck");
        crate::facts::testing::executable(&bin);
        let me = SelfName::decide(Some(Path::new(NAME)), dir.path(), Some(bin.clone()));
        assert!(me.on_path);
        assert_eq!(me.path, Some(bin));
    }

    #[test]
    fn the_invoked_path_is_kept_unresolved() {
        let dir = tempfile::tempdir().expect("tmp");
        let real = dir
            .path()
            .join("Cellar/git-credcheck/0.1.0/bin/git-credcheck");
        crate::facts::testing::executable(&real);
        let link = dir.path().join("bin/git-credcheck");
        std::fs::create_dir_all(link.parent().expect("parent")).expect("mkdir");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        // Invoked by a relative path through the symlink, with another copy on PATH.
        let other = dir.path().join("elsewhere/git-credcheck");
        crate::facts::testing::executable(&other);
        let me = SelfName::decide(
            Some(Path::new("./bin/git-credcheck")),
            dir.path(),
            Some(other),
        );
        assert_eq!((me.on_path, me.path), (false, Some(link.clone())));
        // The same file on PATH (through the symlink): its bare name.
        let me = SelfName::decide(Some(Path::new("bin/git-credcheck")), dir.path(), Some(link));
        assert!(me.on_path);
    }

    #[test]
    fn guard_values_are_quoted_for_sh() {
        let at = |p: &str| SelfName {
            on_path: false,
            path: Some(PathBuf::from(p)),
        };
        let bare = SelfName {
            on_path: true,
            path: None,
        };
        assert_eq!(guard_helper(&bare).expect("v"), "!git-credcheck guard");
        assert_eq!(
            guard_helper(&at("/usr/local/bin/git-credcheck")).expect("v"),
            "/usr/local/bin/git-credcheck guard"
        );
        assert_eq!(
            guard_helper(&at("/home/Jane Doe/it's \"$x\\/git-credcheck")).expect("v"),
            r#"!'/home/Jane Doe/it'\''s "$x\/git-credcheck' guard"#
        );
        // What the doctor reads back is the same program.
        for p in [
            "/a b/git-credcheck",
            "/it's/git-credcheck",
            "/$x\\\"/git-credcheck",
        ] {
            let v = guard_helper(&at(p)).expect("v");
            assert!(crate::facts::credential::is_guard(&v), "{v}");
            let words = crate::facts::shell::words(v.trim_start_matches('!'));
            assert_eq!(words[0], p);
        }
    }

    #[test]
    fn husky_stubs_run_under_the_hook_name() {
        assert_eq!(
            chain_kind("#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\""),
            Chain::AsThisHook
        );
        assert_eq!(
            chain_kind("#!/usr/bin/env bash\nHERE=\"$(dirname \"$0\")\""),
            Chain::Program
        );
        assert_eq!(chain_kind("#!/bin/sh\nexec make check\n"), Chain::Program);
    }

    #[test]
    fn blocks_are_found_whatever_they_hold() {
        let text = format!("[user]\n\tname = a\n{GUARD_BEGIN}\n[credential \"https://\"]\n\thelper = \"/x\\ y guard\"\n{GUARD_END}\n[core]\n");
        let r = find_block(&text).expect("found");
        assert_eq!(
            format!("{}{}", &text[..r.start], &text[r.end..]),
            "[user]\n\tname = a\n[core]\n"
        );
        assert!(find_block("[user]\n").is_none());
    }
}
