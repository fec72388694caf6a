//! What every gatherer shares: the environment, the home directory, the XDG
//! directories, the git program and its exec path, and the guard's ledger (read once,
//! when first needed).

use super::{gitconfig, ledger, Env};
use std::cell::OnceCell;
use std::path::{Path, PathBuf};

/// What gatherers share: the environment, home and the git program.
pub(crate) struct Ctx {
    pub env: Env,
    pub home: PathBuf,
    pub xdg_config: Option<PathBuf>,
    pub xdg_cache: Option<PathBuf>,
    pub git: String,
    exec_path: OnceCell<PathBuf>,
    pub exec_path_env: Option<PathBuf>,
    pub xdg_state: Option<PathBuf>,
    ledger: OnceCell<Option<ledger::Ledger>>,
}

impl Ctx {
    pub(crate) fn from_process() -> Ctx {
        let var = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Ctx {
            env: Env::from_process(),
            home: var("HOME").unwrap_or_else(|| PathBuf::from("/")),
            xdg_config: var("XDG_CONFIG_HOME"),
            xdg_cache: var("XDG_CACHE_HOME"),
            git: std::env::var("GIT_CREDCHECK_GIT").unwrap_or_else(|_| "git".to_owned()),
            exec_path: OnceCell::new(),
            exec_path_env: var("GIT_EXEC_PATH"),
            xdg_state: var("XDG_STATE_HOME"),
            ledger: OnceCell::new(),
        }
    }

    /// A context for gatherer tests: `home` as HOME, `path` as PATH, nothing else set.
    #[cfg(test)]
    pub(crate) fn for_test(home: &Path, path: &str) -> Ctx {
        Ctx {
            env: Env {
                path: path.to_owned(),
                ..Env::default()
            },
            home: home.to_owned(),
            xdg_config: None,
            xdg_cache: None,
            git: "git".to_owned(),
            exec_path: OnceCell::new(),
            exec_path_env: Some(home.join("libexec/git-core")),
            xdg_state: None,
            ledger: OnceCell::new(),
        }
    }

    /// The system file git reads: `GIT_CONFIG_SYSTEM`, else `$(sysconfdir)/gitconfig` of the
    /// `git` on PATH (`/etc` for a `/usr` prefix, `<prefix>/etc` otherwise); none under
    /// `GIT_CONFIG_NOSYSTEM`.
    pub(crate) fn system_config(&self) -> Option<PathBuf> {
        if std::env::var("GIT_CONFIG_NOSYSTEM").is_ok_and(|v| gitconfig::parse_bool(Some(&v))) {
            return None;
        }
        if let Some(p) = std::env::var_os("GIT_CONFIG_SYSTEM").filter(|p| !p.is_empty()) {
            return Some(PathBuf::from(p));
        }
        let git = which::which(&self.git).ok()?;
        let prefix = git.parent()?.parent()?;
        Some(if prefix == Path::new("/usr") {
            PathBuf::from("/etc/gitconfig")
        } else {
            prefix.join("etc/gitconfig")
        })
    }

    /// The global files git reads, in order: `GIT_CONFIG_GLOBAL`, else the XDG file then `~/.gitconfig`.
    pub(crate) fn global_configs(&self) -> Vec<PathBuf> {
        match std::env::var_os("GIT_CONFIG_GLOBAL").filter(|p| !p.is_empty()) {
            Some(p) => vec![PathBuf::from(p)],
            None => vec![
                self.xdg_config_home().join("git/config"),
                self.home.join(".gitconfig"),
            ],
        }
    }

    /// Where the guard keeps its opt-in ledger.
    pub(crate) fn state_dir(&self) -> PathBuf {
        self.xdg_state
            .clone()
            .unwrap_or_else(|| self.home.join(".local/state"))
            .join("git-credcheck")
    }

    /// The guard's ledger, read once and only when a stored credential is found.
    pub(crate) fn ledger(&self) -> Option<&ledger::Ledger> {
        self.ledger
            .get_or_init(|| ledger::Ledger::load(&self.state_dir()))
            .as_ref()
    }

    pub(crate) fn xdg_config_home(&self) -> PathBuf {
        self.xdg_config
            .clone()
            .unwrap_or_else(|| self.home.join(".config"))
    }

    pub(crate) fn xdg_cache_home(&self) -> PathBuf {
        self.xdg_cache
            .clone()
            .unwrap_or_else(|| self.home.join(".cache"))
    }

    pub(crate) fn expand_home(&self, p: &str) -> PathBuf {
        match p.strip_prefix("~/") {
            Some(rest) => self.home.join(rest),
            None => PathBuf::from(p),
        }
    }

    /// git's exec path: `GIT_EXEC_PATH`, else `<prefix>/libexec/git-core` next to the `git`
    /// on PATH, else what `git --exec-path` says (only asked when the first two fail).
    pub(crate) fn exec_path(&self) -> PathBuf {
        self.exec_path
            .get_or_init(|| {
                if let Some(p) = &self.exec_path_env {
                    return p.clone();
                }
                if let Ok(git) = which::which(&self.git) {
                    let git = std::fs::canonicalize(&git).unwrap_or(git);
                    if let Some(prefix) = git.parent().and_then(Path::parent) {
                        let p = prefix.join("libexec/git-core");
                        if p.join("git-credential-store").exists()
                            || p.join("git-remote-http").exists()
                        {
                            return p;
                        }
                    }
                }
                crate::process::run(
                    &self.git,
                    &["--exec-path"],
                    b"",
                    std::time::Duration::from_secs(5),
                )
                .ok()
                .filter(|o| o.success())
                .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
                .unwrap_or_default()
            })
            .clone()
    }
}
