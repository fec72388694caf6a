//! Facts: everything the rules judge, gathered once, holding no secret.
//!
//! Gathering does all the I/O (git's configuration, files, `ssh -G`, the object store
//! for the pushed range) exactly once per run. The result is plain data that
//! serialises to JSON (`--facts`) and deserialises in tests. A secret never enters it:
//! only its [`Shape`](crate::secret::Shape). A probe that failed is a fact too.

pub(crate) mod credential;
pub(crate) mod gitconfig;
pub(crate) mod ledger;
pub(crate) mod netrc;
pub(crate) mod pushed;
pub(crate) mod shell;
pub(crate) mod ssh;
pub(crate) mod url;

use crate::date::Date;
use crate::provider::ProviderKind;
use crate::secret::Shape;
use gitconfig::{Config, Source};
use serde::{Deserialize, Serialize};
use std::cell::OnceCell;
use std::path::{Path, PathBuf};

/// Which entry point is running: it decides what git has already done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Stage {
    /// `git credcheck`: nothing is being pushed.
    Doctor,
    /// git's pre-push hook: git has connected and authenticated to the URL in `$2`.
    PrePush,
    /// The pre-commit framework's pre-push stage (or its manual stage in CI).
    PreCommit,
    /// The credential guard: git is about to send a credential.
    Guard,
}

/// The environment, reduced to what decides an outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Env {
    /// The CI marker variable that is set, if any (`CI`, `GITHUB_ACTIONS`…).
    pub ci: Option<String>,
    /// `GIT_TERMINAL_PROMPT` is false.
    pub terminal_prompt_disabled: bool,
    /// `/dev/tty` can be opened: someone could answer git's prompt.
    pub tty: bool,
    /// `GH_TOKEN` / `GITHUB_TOKEN` (read by gh's helper), by shape.
    pub gh_token: Option<Shape>,
    /// `GITLAB_TOKEN` (read by glab's helper), by shape.
    pub gitlab_token: Option<Shape>,
    pub ssh_auth_sock: Option<PathBuf>,
    /// Private key files in ~/.ssh (names only): an SSH key is provisioned here.
    pub ssh_keys: Vec<String>,
    pub os: String,
    #[serde(skip)]
    pub path: String,
    #[serde(skip)]
    pub git_askpass: Option<String>,
    #[serde(skip)]
    pub ssh_askpass: Option<String>,
    #[serde(skip)]
    pub netrc: Option<PathBuf>,
    #[serde(skip)]
    pub git_ssh_command: Option<String>,
    #[serde(skip)]
    pub git_ssh: Option<String>,
    #[serde(skip)]
    pub display: bool,
}

impl Env {
    /// Can git (or ssh) ask a person for anything?
    pub(crate) fn can_prompt(&self) -> bool {
        self.tty && !self.terminal_prompt_disabled
    }

    pub(crate) fn from_process() -> Env {
        let var = |k: &str| std::env::var(k).ok();
        const CI_MARKERS: &[&str] = &[
            "GITHUB_ACTIONS",
            "GITLAB_CI",
            "BITBUCKET_BUILD_NUMBER",
            "TF_BUILD",
            "JENKINS_URL",
            "BUILDKITE",
            "CIRCLECI",
            "TRAVIS",
            "CI",
        ];
        let ci = CI_MARKERS
            .iter()
            .find(|k| {
                var(k)
                    .is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
            })
            .map(|k| (*k).to_owned());
        let terminal_prompt_disabled =
            var("GIT_TERMINAL_PROMPT").is_some_and(|v| !gitconfig::parse_bool(Some(&v)));
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .is_ok();
        Env {
            ci,
            terminal_prompt_disabled,
            tty,
            gh_token: var("GH_TOKEN")
                .or_else(|| var("GITHUB_TOKEN"))
                .filter(|t| !t.is_empty())
                .map(|t| Shape::of(&t)),
            gitlab_token: var("GITLAB_TOKEN")
                .filter(|t| !t.is_empty())
                .map(|t| Shape::of(&t)),
            ssh_auth_sock: var("SSH_AUTH_SOCK")
                .filter(|s| !s.is_empty())
                .map(PathBuf::from),
            ssh_keys: ssh::passwd_home()
                .map(|h| provisioned_keys(&h.join(".ssh")))
                .unwrap_or_default(),
            os: std::env::consts::OS.to_owned(),
            path: var("PATH").unwrap_or_default(),
            git_askpass: var("GIT_ASKPASS"),
            ssh_askpass: var("SSH_ASKPASS"),
            netrc: var("NETRC").map(PathBuf::from),
            git_ssh_command: var("GIT_SSH_COMMAND"),
            git_ssh: var("GIT_SSH"),
            display: var("DISPLAY").is_some_and(|d| !d.is_empty()),
        }
    }
}

/// Names of private keys in `dir` (`id_*` without `.pub`).
fn provisioned_keys(dir: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<String> = rd
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with("id_") && !n.ends_with(".pub"))
        .collect();
    v.sort();
    v
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Repo {
    pub git_dir: PathBuf,
    pub work_tree: Option<PathBuf>,
    /// git refuses to work here ("detected dubious ownership") and reads none of its config.
    pub ownership_refused: bool,
}

/// One URL git pushes to, and everything about how it authenticates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PushUrl {
    pub remote: String,
    pub url: url::ParsedUrl,
    /// Where the URL is configured (absent when pushing to a URL directly).
    pub configured: Option<Source>,
    pub rewrite: Option<url::Rewrite>,
    pub provider: Option<ProviderKind>,
    /// git authenticated to this URL for the push that runs this hook.
    pub authenticated_now: bool,
    pub https: Option<credential::Https>,
    pub ssh: Option<ssh::Ssh>,
}

impl PushUrl {
    /// How every message names this push URL: "remote `origin` (https://host/a/b.git)",
    /// the URL redacted; for a push straight to a URL (no remote of that name), the URL alone.
    pub(crate) fn label(&self) -> String {
        if self.remote == self.url.display || url::looks_like_url(&self.remote) {
            format!("`{}`", self.url.display)
        } else if self.remote == GUARD_REMOTE {
            format!("the credential request for {}", self.url.display)
        } else {
            format!("remote `{}` ({})", self.remote, self.url.display)
        }
    }
}

/// The remote name the guard gives the one URL of a credential request.
pub(crate) const GUARD_REMOTE: &str = "(credential request)";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Remote {
    pub name: String,
    pub urls: Vec<PushUrl>,
}

/// A credential the server just rejected (the guard's `erase`), by shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Rejected {
    pub username: Option<String>,
    pub username_secret: Option<Shape>,
    pub secret: Option<Shape>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Facts {
    pub today: Date,
    pub stage: Stage,
    pub env: Env,
    pub repo: Option<Repo>,
    pub remotes: Vec<Remote>,
    pub pushed: Option<pushed::Pushed>,
    pub rejected: Option<Rejected>,
}

impl Facts {
    pub(crate) fn push_urls(&self) -> impl Iterator<Item = &PushUrl> {
        self.remotes.iter().flat_map(|r| r.urls.iter())
    }
}

/// What an entry point asks the gatherers for.
pub(crate) struct Request<'a> {
    /// Remotes to check: names, or URLs pushed to directly.
    pub remotes: Vec<String>,
    /// The URL git is pushing to now (the hook's `$2`): it has authenticated there.
    pub authenticated_url: Option<&'a str>,
    pub hosts: &'a [(String, ProviderKind)],
}

/// Builds the facts of every push URL of `req.remotes`.
pub(crate) fn gather_remotes(ctx: &Ctx, config: &Config, req: &Request<'_>) -> Vec<Remote> {
    req.remotes
        .iter()
        .map(|name| Remote {
            name: if url::looks_like_url(name) {
                crate::redact::url(name)
            } else {
                name.clone()
            },
            urls: url::push_urls(config, name)
                .into_iter()
                .map(|raw| push_url(ctx, config, req, name, raw))
                .collect(),
        })
        .collect()
}

fn push_url(
    ctx: &Ctx,
    config: &Config,
    req: &Request<'_>,
    remote: &str,
    raw: url::RawPushUrl,
) -> PushUrl {
    let parsed =
        url::parse(&raw.url).unwrap_or_else(|e| url::ParsedUrl::unusable(String::new(), e));
    let provider = parsed
        .host
        .as_deref()
        .and_then(|h| crate::provider::detect(h, &parsed.path, req.hosts));
    let https = if parsed.is_http() {
        credential::gather(ctx, config, &parsed)
    } else {
        None
    };
    let ssh = if parsed.scheme == url::Scheme::Ssh {
        Some(ssh::gather(ctx, config, &parsed, req.hosts))
    } else {
        None
    };
    let provider = provider.or_else(|| ssh.as_ref().and_then(|s| s.provider));
    PushUrl {
        remote: if url::looks_like_url(remote) {
            crate::redact::url(remote)
        } else {
            remote.to_owned()
        },
        authenticated_now: req.authenticated_url.is_some_and(|a| a == raw.url),
        url: parsed,
        configured: raw.configured,
        rewrite: raw.rewrite,
        provider,
        https,
        ssh,
    }
}

/// Finds the repository around the current directory (or `GIT_DIR`).
fn locate() -> Option<(PathBuf, Option<PathBuf>, bool)> {
    let cwd = std::env::current_dir().ok()?;
    if let Some(dir) = std::env::var_os("GIT_DIR").filter(|d| !d.is_empty()) {
        let work_tree = std::env::var_os("GIT_WORK_TREE")
            .filter(|d| !d.is_empty())
            .map(|w| cwd.join(w));
        return Some((cwd.join(dir), work_tree, true));
    }
    let (path, trust) = gix::discover::upwards(&cwd).ok()?;
    let (git_dir, work_tree) = path.into_repository_and_work_tree_directories();
    Some((git_dir, work_tree, trust == gix::sec::Trust::Full))
}

/// The repository and git's configuration as git would see them from here.
pub(crate) fn load(ctx: &Ctx) -> Result<(Config, Option<Repo>), gitconfig::Error> {
    let located = locate();
    if std::env::var("GIT_CREDCHECK_CONFIG_READER").is_ok_and(|r| r == "git") {
        let config = Config::read(&ctx.git)?;
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
    match std::fs::read_to_string(git_dir.join("commondir")) {
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
    let head = std::fs::read_to_string(repo.git_dir.join("HEAD")).ok()?;
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

#[cfg(test)]
pub(crate) mod testing {
    //! Builders for facts in rule tests.
    use super::*;
    use crate::facts::credential::{Answer, GuardState, Helper, HelperKind, Https, Program};

    pub(crate) fn today() -> Date {
        Date::new(2026, 11, 29)
    }

    pub(crate) fn source(key: &str) -> Source {
        Source {
            scope: gitconfig::Scope::Global,
            file: Some(PathBuf::from("/home/u/.gitconfig")),
            line: Some(3),
            key: key.into(),
        }
    }

    /// Facts for one push URL of remote `origin`, HTTPS facts empty.
    pub(crate) fn with_push_url(u: &str) -> Facts {
        let parsed = url::parse(u).expect("test URL parses");
        let provider = parsed
            .host
            .as_deref()
            .and_then(|h| crate::provider::detect(h, &parsed.path, &[]));
        let https = parsed.is_http().then(|| Https {
            request: credential::Request {
                protocol: parsed.scheme_text.clone(),
                host: parsed.credential_host().unwrap_or_default(),
                path: None,
                username: parsed.user.clone(),
            },
            helpers: Vec::new(),
            reset: None,
            username_config: None,
            use_http_path: false,
            extra_headers: Vec::new(),
            netrc: None,
            askpass: Vec::new(),
            guard: GuardState::NotInstalled,
            proxy: None,
        });
        Facts {
            today: today(),
            stage: Stage::Doctor,
            env: Env {
                tty: true,
                os: "linux".into(),
                ..Env::default()
            },
            repo: None,
            remotes: vec![Remote {
                name: "origin".into(),
                urls: vec![PushUrl {
                    remote: "origin".into(),
                    url: parsed,
                    configured: Some(source("remote.origin.url")),
                    rewrite: None,
                    provider,
                    authenticated_now: false,
                    https,
                    ssh: None,
                }],
            }],
            pushed: None,
            rejected: None,
        }
    }

    pub(crate) fn https_mut(f: &mut Facts) -> &mut Https {
        f.remotes[0].urls[0]
            .https
            .as_mut()
            .expect("an HTTPS push URL")
    }

    /// A `store` helper holding `username`/`secret` for the URL.
    pub(crate) fn with_store(u: &str, username: Option<&str>, secret: &str) -> Facts {
        let mut f = with_push_url(u);
        https_mut(&mut f).helpers.push(Helper {
            display: "store".into(),
            kind: HelperKind::Store,
            program: Program::Builtin,
            source: source("credential.helper"),
            file_arg: None,
            answer: Answer::Yes,
            stored: Some(credential::Stored {
                file: PathBuf::from("/home/u/.git-credentials"),
                line: 2,
                username: username.map(Into::into),
                username_secret: None,
                secret: Shape::of(secret),
                other_usernames: Vec::new(),
                first_seen: None,
            }),
        });
        f
    }

    /// Global configuration holding `entries` (`("credential.helper", "store")`), in order.
    pub(crate) fn config(entries: &[(&str, &str)]) -> Config {
        let mut raw = Vec::new();
        for (key, value) in entries {
            raw.extend_from_slice(
                format!("global\0file:/home/u/.gitconfig\0{key}\n{value}\0").as_bytes(),
            );
        }
        Config::parse(&raw, Path::new("/"))
    }

    /// An executable script at `path` (parents created).
    pub(crate) fn executable(path: &Path) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, "#!/bin/sh\n").expect("write");
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }

    pub(crate) fn helper(kind: HelperKind, program: Program, answer: Answer) -> Helper {
        Helper {
            display: format!("{kind:?}").to_lowercase(),
            kind,
            program,
            source: source("credential.helper"),
            file_arg: None,
            answer,
            stored: None,
        }
    }
}
