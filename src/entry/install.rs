//! `install` / `uninstall`: the pre-push hook shim in the hooks directory (respecting
//! `core.hooksPath`), or the credential guard at the top of a configuration file, and
//! the manual page where `git help credcheck` finds it.
//! A foreign hook is never replaced silently: `--chain` keeps it and runs it after us.
//!
//! What these write must survive real machines (issue 14):
//! - They name this program the way the user invoked it, or by its bare name when that is
//!   the one on PATH, never by the file a symlink resolves to: a package manager's
//!   versioned directory changes on every upgrade.
//! - The guard (`--guard`, in [`super::install_guard`]) is written by `git config`
//!   itself and quoted for `sh`; the hook's fallback path is quoted for `sh` too.
//! - A kept husky hook runs under the hook's own name, so husky still finds the user's
//!   `.husky/pre-push`.

use super::Setup;
use crate::cli::InstallArgs;
use crate::facts::{common_dir, Ctx};
use crate::rules::advice::sh_quote;
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) const SHIM: &str = include_str!("../../hooks/pre-push");
pub(super) const NAME: &str = "git-credcheck";
const MARKER: &str = "# git-credcheck pre-push shim";
const CHAINED: &str = "pre-push.credcheck-chained";
/// Where `install` puts the manual page: man-db finds `~/.local/share/man` for a PATH
/// holding `~/.local/bin`, and `git help credcheck` runs `man git-credcheck`.
const MAN_PAGE: &str = ".local/share/man/man1/git-credcheck.1";
pub(super) const GIT_DEADLINE: Duration = Duration::from_secs(10);

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

pub(super) fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => crate::platform::same_file(&a, &b),
        _ => false,
    }
}

/// A path `sh` reads as one word, unquoted.
pub(super) fn sh_plain(s: &str) -> bool {
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
        return super::install_guard::install(args);
    }
    let setup = Setup::new(None)?;
    if args.ssh {
        return super::install_ssh::install(&setup, args);
    }
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
        return super::install_guard::uninstall(args);
    }
    let setup = Setup::new(None)?;
    if args.ssh {
        return super::install_ssh::uninstall(&setup, args);
    }
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
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    crate::platform::set_executable(path)?;
    Ok(())
}

/// Writes the manual page under `~/.local/share/man`, and says how to reach it when
/// `man` does not look there. A failure is a note: the hook or guard is installed.
pub(super) fn install_man_page(ctx: &Ctx) {
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

    /// Windows (issue 16): the shim that `install` writes runs under Git for Windows'
    /// POSIX `sh`; a fallback path with blanks and backslashes must reach `[ -x ]` and
    /// `exec` as one word, backslashes kept. Checked here with the system's `sh`.
    #[test]
    #[cfg_attr(windows, ignore = "needs git for Windows (its sh)")]
    fn the_shim_keeps_a_windows_path_as_one_word() {
        let path = r"C:\Users\Jane Doe\.cargo\bin\git-credcheck.exe";
        let me = SelfName {
            on_path: false,
            path: Some(PathBuf::from(path)),
        };
        let text = shim(&me, None);
        let line = text
            .lines()
            .find(|l| l.starts_with("fallback="))
            .expect("fallback line");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{line}\nprintf '%s' \"$fallback\""))
            .output()
            .expect("sh");
        assert_eq!(String::from_utf8_lossy(&out.stdout), path, "{line}");
    }

    #[test]
    fn a_bare_name_is_kept_when_path_finds_it() {
        let dir = tempfile::tempdir().expect("tmp");
        let bin = dir.path().join("bin/git-credcheck");
        crate::facts::testing::executable(&bin);
        let me = SelfName::decide(Some(Path::new(NAME)), dir.path(), Some(bin.clone()));
        assert!(me.on_path);
        assert_eq!(me.path, Some(bin));
    }

    #[cfg(unix)]
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
}
