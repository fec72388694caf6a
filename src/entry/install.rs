//! `install` / `uninstall`: the pre-push hook shim in the hooks directory (respecting
//! `core.hooksPath`), or the credential guard at the top of a configuration file.
//! A foreign hook is never replaced silently: `--chain` keeps it and runs it after us.

use super::Setup;
use crate::cli::InstallArgs;
use crate::facts::common_dir;
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};

pub(crate) const SHIM: &str = include_str!("../../hooks/pre-push");
const MARKER: &str = "# git-credcheck pre-push shim";
const CHAINED: &str = "pre-push.credcheck-chained";
const GUARD_BEGIN: &str = "# >>> git-credcheck guard (added by `git-credcheck install --guard`; remove with `git-credcheck uninstall --guard`)";
const GUARD_END: &str = "# <<< git-credcheck guard";

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

fn shim(chain: bool) -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::canonicalize(p).ok())
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let mut s = SHIM.replace(
        "fallback=\"\"",
        &format!("fallback='{}'", exe.replace('\'', "")),
    );
    if chain {
        s = s.replace(
            "chain=\"\"",
            &format!("chain=\"$(dirname \"$0\")/{CHAINED}\""),
        );
    }
    s
}

pub(crate) fn install(args: &InstallArgs) -> anyhow::Result<()> {
    let setup = Setup::new(None)?;
    if args.guard {
        return install_guard(&setup, args);
    }
    if args.ssh {
        return super::install_ssh::install(&setup, args);
    }
    let dir = hooks_dir(&setup)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let hook = dir.join("pre-push");
    let mut chain = false;
    if let Ok(existing) = std::fs::read_to_string(&hook) {
        if existing.contains(MARKER) {
            chain = dir.join(CHAINED).exists();
        } else if args.chain {
            std::fs::rename(&hook, dir.join(CHAINED))
                .context("keeping the existing pre-push hook")?;
            chain = true;
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
    write_executable(&hook, &shim(chain))?;
    eprintln!(
        "git-credcheck: installed {}{}",
        hook.display(),
        if chain {
            " (runs the previous hook after it)"
        } else {
            ""
        }
    );
    Ok(())
}

pub(crate) fn uninstall(args: &InstallArgs) -> anyhow::Result<()> {
    let setup = Setup::new(None)?;
    if args.guard {
        return uninstall_guard(&setup, args);
    }
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
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}

fn guard_file(setup: &Setup, args: &InstallArgs) -> anyhow::Result<PathBuf> {
    if args.local {
        let repo = setup
            .repo
            .as_ref()
            .context("--local needs a git repository")?;
        return Ok(common_dir(&repo.git_dir).join("config"));
    }
    if let Some(p) = std::env::var_os("GIT_CONFIG_GLOBAL").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let home = setup.ctx.home.join(".gitconfig");
    let xdg = setup.ctx.xdg_config_home().join("git/config");
    Ok(if !home.exists() && xdg.exists() {
        xdg
    } else {
        home
    })
}

fn guard_block() -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::canonicalize(p).ok())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "git-credcheck".into());
    let helper = format!("{} guard", exe.replace('"', "").replace(' ', "\\ "));
    format!("{GUARD_BEGIN}\n[credential \"https://\"]\n\thelper = \"{helper}\"\n[credential \"http://\"]\n\thelper = \"{helper}\"\n{GUARD_END}\n")
}

fn install_guard(setup: &Setup, args: &InstallArgs) -> anyhow::Result<()> {
    let file = guard_file(setup, args)?;
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    if text.contains(GUARD_BEGIN) {
        eprintln!(
            "git-credcheck: the guard is already installed in {}",
            file.display()
        );
        return Ok(());
    }
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // First in the file, so first among this scope's helpers.
    std::fs::write(&file, format!("{}{text}", guard_block()))
        .with_context(|| format!("writing {}", file.display()))?;
    eprintln!(
        "git-credcheck: installed the credential guard at the top of {}",
        file.display()
    );
    if args.local
        && setup.git_config.entries.iter().any(|e| {
            e.section == "credential"
                && e.name == "helper"
                && e.scope != crate::facts::gitconfig::Scope::Local
                && e.value.as_deref().is_some_and(|v| !v.is_empty())
        })
    {
        eprintln!("git-credcheck: note: helpers from the global or system configuration run before a --local guard; prefer --global");
    }
    Ok(())
}

fn uninstall_guard(setup: &Setup, args: &InstallArgs) -> anyhow::Result<()> {
    let file = guard_file(setup, args)?;
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    let (Some(start), Some(end)) = (text.find(GUARD_BEGIN), text.find(GUARD_END)) else {
        eprintln!("git-credcheck: no guard installed in {}", file.display());
        return Ok(());
    };
    let end = end + GUARD_END.len() + usize::from(text[end + GUARD_END.len()..].starts_with('\n'));
    std::fs::write(&file, format!("{}{}", &text[..start], &text[end..]))?;
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
