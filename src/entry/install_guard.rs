//! `install --guard` / `uninstall --guard`: the credential guard at the top of a
//! configuration file (the user's, or with `--local` the repository's).
//!
//! Its lines are written by `git config` itself, so any path (space, `'`, `"`, `\`, `$`)
//! comes out as valid git configuration, and the helper value is quoted for the `sh`
//! that git runs it with (issue 14). Neither direction needs a readable configuration:
//! both repair a block an older version wrote that git can no longer read.

use super::install::{install_man_page, sh_plain, SelfName, GIT_DEADLINE, NAME};
use super::Setup;
use crate::cli::InstallArgs;
use crate::facts::{common_dir, Ctx};
use crate::rules::advice::sh_quote;
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};

const GUARD_BEGIN: &str = "# >>> git-credcheck guard (added by `git-credcheck install --guard`; remove with `git-credcheck uninstall --guard`)";
const GUARD_END: &str = "# <<< git-credcheck guard";

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

pub(crate) fn install(args: &InstallArgs) -> anyhow::Result<()> {
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

pub(crate) fn uninstall(args: &InstallArgs) -> anyhow::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        // Windows: `%USERPROFILE%\.cargo\bin` with a blank in the account name.
        let win = r"C:\Users\Jane Doe\.cargo\bin\git-credcheck.exe";
        assert_eq!(
            guard_helper(&at(win)).expect("v"),
            r"!'C:\Users\Jane Doe\.cargo\bin\git-credcheck.exe' guard"
        );
        // What the doctor reads back is the same program.
        for p in [
            win,
            "C:/Program Files/git-credcheck/git-credcheck.exe",
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
