//! What every gatherer shares: the environment, the home directory, the XDG
//! directories, the git program and its exec path, the guard's ledger (read once,
//! when first needed), and the run's one deadline.

use super::{gitconfig, ledger, Env};
use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The time one run (a hook, a guard request, a doctor) may spend waiting on other
/// programs, all of them together (issue 18): three SSH URLs with a slow `Match exec`
/// share it instead of taking it three times. `GIT_CREDCHECK_DEADLINE` (seconds) sets it.
pub(crate) const RUN_BUDGET: Duration = Duration::from_secs(5);

/// Less than this left is not worth starting a program for.
const TOO_LITTLE: Duration = Duration::from_millis(50);

/// The run's deadline: every subprocess draws its time from it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    end: Instant,
    budget: Duration,
}

impl Deadline {
    pub(crate) fn new(budget: Duration) -> Deadline {
        Deadline {
            end: Instant::now() + budget,
            budget,
        }
    }

    /// [`RUN_BUDGET`], or `GIT_CREDCHECK_DEADLINE` seconds.
    pub(crate) fn from_env() -> Deadline {
        let budget = std::env::var("GIT_CREDCHECK_DEADLINE")
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .map_or(RUN_BUDGET, |s| Duration::from_secs_f64(s.min(3600.0)));
        Deadline::new(budget)
    }

    pub(crate) fn remaining(&self) -> Duration {
        self.end.saturating_duration_since(Instant::now())
    }

    /// The time a probe may take: `cap` or what is left of the run, whichever is less;
    /// `None` when too little is left to start one.
    pub(crate) fn allow(&self, cap: Duration) -> Option<Duration> {
        let left = self.remaining();
        (left >= TOO_LITTLE).then(|| left.min(cap))
    }

    /// Why a probe did not run, for a note and a `Probed::Failed`.
    pub(crate) fn spent(&self) -> String {
        format!(
            "not run: the run's {} deadline was spent on other checks",
            seconds(self.budget)
        )
    }
}

/// `5s`, `1.5s`, `200ms`: a duration as people write it.
pub(crate) fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        return format!("{}ms", d.as_millis());
    }
    let s = format!("{:.1}", d.as_secs_f64());
    format!("{}s", s.strip_suffix(".0").unwrap_or(&s))
}

#[cfg(test)]
#[test]
fn durations_read_well() {
    assert_eq!(seconds(Duration::from_secs(5)), "5s");
    assert_eq!(seconds(Duration::from_millis(1980)), "2s");
    assert_eq!(seconds(Duration::from_millis(1500)), "1.5s");
    assert_eq!(seconds(Duration::from_millis(200)), "200ms");
}

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
    pub deadline: Deadline,
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
            deadline: Deadline::from_env(),
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
            deadline: Deadline::new(RUN_BUDGET),
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
                let Some(allowed) = self.deadline.allow(Duration::from_secs(5)) else {
                    super::files::skipped("`git --exec-path`", self.deadline.spent());
                    return PathBuf::new();
                };
                match crate::process::run(&self.git, &["--exec-path"], b"", allowed) {
                    Ok(o) if o.success() => {
                        PathBuf::from(String::from_utf8_lossy(&o.stdout).trim())
                    }
                    Ok(o) if o.timed_out => {
                        super::files::skipped(
                            "`git --exec-path`",
                            format!("did not finish within {}", seconds(allowed)),
                        );
                        PathBuf::new()
                    }
                    _ => PathBuf::new(),
                }
            })
            .clone()
    }
}
