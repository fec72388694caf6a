//! Facts: everything the rules judge, gathered once, holding no secret.
//!
//! Gathering does all the I/O (git's configuration, files, `ssh -G`, the object store
//! for the pushed range) exactly once per run. The result is plain data that
//! serialises to JSON (`--facts`) and deserialises in tests. A secret never enters it:
//! only its [`Shape`](crate::secret::Shape). A probe that failed is a fact too.
//!
//! This file holds the facts' top-level types and the per-URL gathering. Around it:
//! [`ctx`] and [`env`] (what gatherers share), [`repo`] (the repository and its
//! configuration), [`url`] (push URLs), [`credential`] (HTTPS), [`ssh`] (SSH),
//! [`pushed`] (the pushed range) and [`hints`] (hints said once), [`online`] (the server's answer, `--online` only),
//! and the readers they use: [`gitconfig`], [`shell`], [`netrc`], [`ledger`].

pub(crate) mod credential;
pub(crate) mod ctx;
mod env;
pub(crate) mod files;
pub(crate) mod gitconfig;
pub(crate) mod hints;
pub(crate) mod ledger;
pub(crate) mod netrc;
pub(crate) mod online;
pub(crate) mod pushed;
mod repo;
pub(crate) mod request;
pub(crate) mod shell;
pub(crate) mod ssh;
#[cfg(test)]
pub(crate) mod testing;
pub(crate) mod url;

pub(crate) use ctx::{Ctx, Deadline};
pub(crate) use env::Env;
pub(crate) use repo::{common_dir, default_push_remote, load, Repo};

use crate::date::Date;
use crate::provider::ProviderKind;
use crate::secret::Shape;
use gitconfig::{Config, Source};
use serde::{Deserialize, Serialize};

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
    /// The SSH guard (`git-credcheck ssh`): git is about to connect over SSH.
    SshGuard,
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
    /// The remote helper git will run for this URL, when it is not a built-in transport.
    #[serde(default)]
    pub remote_helper: Option<url::RemoteHelper>,
    /// For a URL git reads as a local path (no scheme, no scp-like `host:`): whether that
    /// path exists, from the current directory or the work tree's top.
    #[serde(default)]
    pub local_path_exists: Option<bool>,
    /// What the server answered when asked for push access (`--online` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online: Option<online::Probe>,
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
    /// Files the run skipped and probes its deadline left no time for (issue 18).
    #[serde(default)]
    pub unchecked: Vec<files::Unchecked>,
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
    /// The work tree's top, against which git also resolves a relative local path.
    pub work_tree: Option<&'a std::path::Path>,
}

/// Builds the facts of every push URL of `req.remotes`.
pub(crate) fn gather_remotes(ctx: &Ctx, config: &Config, req: &Request<'_>) -> Vec<Remote> {
    req.remotes
        .iter()
        .map(|name| Remote {
            name: display_remote(name),
            urls: url::push_urls(config, name)
                .into_iter()
                .map(|raw| push_url(ctx, config, req, name, raw))
                .collect(),
        })
        .collect()
}

/// A remote name (a subsection of git's config) or a URL pushed to, as it may be printed.
fn display_remote(name: &str) -> String {
    if url::looks_like_url(name) {
        crate::redact::url(name)
    } else {
        crate::redact::text(name)
    }
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
    let authenticated_now = req.authenticated_url.is_some_and(|a| a == raw.url);
    // git has just connected to this URL (the pre-push hook's `$2`): every SSH rule would
    // predict a connection that already worked, so `ssh -G` is not run for it.
    let ssh = if parsed.scheme == url::Scheme::Ssh && !authenticated_now {
        Some(ssh::gather(ctx, config, &parsed, req.hosts))
    } else {
        None
    };
    let provider = provider.or_else(|| ssh.as_ref().and_then(|s| s.provider));
    let remote_helper = url::remote_helper_name(&raw.url).map(|name| url::RemoteHelper {
        found: !matches!(
            credential::find_program(ctx, &format!("git-remote-{name}")),
            credential::Program::Missing { .. }
        ),
        name,
    });
    let local_path_exists = (parsed.scheme == url::Scheme::File && !raw.url.starts_with("file://"))
        .then(|| {
            let p = ctx.expand_home(&raw.url);
            p.exists() || req.work_tree.is_some_and(|top| top.join(&p).exists())
        });
    PushUrl {
        remote_helper,
        local_path_exists,
        remote: display_remote(remote),
        authenticated_now,
        url: parsed,
        configured: raw.configured,
        rewrite: raw.rewrite,
        provider,
        https,
        ssh,
        online: None,
    }
}
