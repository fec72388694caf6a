//! The HTTPS side of a push URL: which credential git will send, by shape.
//!
//! Resolves the helper cascade exactly as git's `credential_apply_config()` does (all
//! matching `credential.helper` / `credential.<url>.helper` entries in config order,
//! an empty value resets), finds each helper's program without running it, reads the
//! passive stores (`store` files, `~/.netrc`) and `http.extraHeader`. It never runs a
//! helper: helpers may prompt or open a keyring UI.
//!
//! Split by concern: [`helper`] finds each helper's program and what it can answer,
//! [`store`] reads the passive stores (`store` files, `~/.netrc`), [`pattern`] is git's
//! URL matching for `credential.<url>.*` and `http.<url>.*`, [`http`] reads
//! `http.extraHeader` and `http.proxy`, [`gcm`] what Git Credential Manager's store needs,
//! [`cli`] whether `gh`/`glab` hold a login of their own. This file holds the facts' types
//! and the cascade.

mod cli;
mod gcm;
mod helper;
mod http;
mod pattern;
mod probe;
mod store;

pub(crate) use helper::{find_program, is_guard};
pub(crate) use pattern::pattern_matches;
pub(crate) use probe::probe_guards;
#[cfg(test)]
pub(crate) use store::parse_store_line;

use super::gitconfig::{Config, Entry, Source};
use super::url::ParsedUrl;
use super::Ctx;
use crate::secret::Shape;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// What git asks helpers for: `protocol`, `host` (with a non-default port), `path`, `username`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Request {
    pub protocol: String,
    pub host: String,
    pub path: Option<String>,
    pub username: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum HelperKind {
    Store,
    Cache,
    Libsecret,
    Osxkeychain,
    Wincred,
    Manager,
    ManagerCore,
    GnomeKeyring,
    Gh,
    Glab,
    Codecommit,
    Guard,
    Custom,
}

impl HelperKind {
    /// Helpers that keep credentials across runs (and so can answer with a stale one).
    pub(crate) fn persistent(self) -> bool {
        matches!(
            self,
            HelperKind::Store
                | HelperKind::Libsecret
                | HelperKind::Osxkeychain
                | HelperKind::Wincred
                | HelperKind::Manager
                | HelperKind::ManagerCore
                | HelperKind::GnomeKeyring
        )
    }
}

/// Whether a program could be found, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub(crate) enum Program {
    /// A git builtin (`git credential-store`).
    Builtin,
    Found {
        path: PathBuf,
    },
    /// Found but not executable.
    NotExecutable {
        path: PathBuf,
    },
    Missing {
        looked_for: String,
    },
    /// A shell snippet whose first word we cannot resolve (a function, a builtin).
    Unknown,
}

/// Can this helper answer `get` for the request?
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Answer {
    /// It holds a credential for this request (a `store` line matched).
    Yes,
    /// It might (keyrings, custom helpers, a running cache).
    Maybe,
    /// It cannot (missing program, empty store, no cache daemon, the guard).
    No,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Helper {
    /// The configured value as it may be printed (`!f() …` snippets show their first word only).
    pub display: String,
    pub kind: HelperKind,
    pub program: Program,
    pub source: Source,
    /// `store --file` / `cache --socket` argument.
    pub file_arg: Option<PathBuf>,
    pub answer: Answer,
    /// The credential this helper holds for the request, when we can read it (`store`).
    pub stored: Option<Stored>,
    /// The keys an inline `!` helper prints for `get`, read from its text without
    /// running it (`None`: not such a helper, or one whose answer only running tells).
    #[serde(default)]
    pub answer_keys: Option<Vec<String>>,
}

/// A credential found in a passive store, by shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stored {
    pub file: PathBuf,
    pub line: u32,
    /// User name as it may be printed (a token-shaped one shows its shape).
    pub username: Option<String>,
    pub username_secret: Option<Shape>,
    pub secret: Shape,
    /// Other lines in the same store for this host with a different user name.
    pub other_usernames: Vec<String>,
    /// When the guard's ledger first saw this credential accepted (opt-in).
    #[serde(default)]
    pub first_seen: Option<crate::date::Date>,
    /// Its identity in the ledger (a keyed hash, never the secret), when there is a ledger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ExtraHeader {
    /// `basic`, `bearer` or another scheme name, lower case.
    pub scheme: String,
    pub username: Option<String>,
    pub secret: Option<Shape>,
    pub source: Source,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Askpass {
    /// `GIT_ASKPASS`, `core.askPass` or `SSH_ASKPASS`.
    pub via: String,
    pub program: Program,
    /// Where `core.askPass` is configured (`None` for the variables).
    #[serde(default)]
    pub source: Option<Source>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum GuardState {
    /// The guard is in the cascade before every helper that can answer.
    Active,
    /// The guard is in the cascade, but a helper before it may answer first.
    AfterOtherHelpers,
    /// A guard entry exists in the configuration but a later empty `helper =` reset removed it.
    Reset,
    NotInstalled,
    /// In the cascade, but git cannot run it or it does not answer (checked by the doctor
    /// only, by running it: [`probe_guards`]).
    CannotRun {
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Https {
    pub request: Request,
    pub helpers: Vec<Helper>,
    /// A configured `credential.helper =` reset that removed earlier helpers.
    pub reset: Option<Source>,
    pub username_config: Option<(String, Source)>,
    pub use_http_path: bool,
    pub extra_headers: Vec<ExtraHeader>,
    pub netrc: Option<Stored>,
    pub askpass: Vec<Askpass>,
    pub guard: GuardState,
    /// An `http.proxy` that applies to this URL: it may authenticate on the user's behalf
    /// (Bitbucket Pipelines pushes through a local proxy that does).
    #[serde(default)]
    pub proxy: Option<Source>,
    /// Git Credential Manager's store setting, when GCM is in the cascade.
    #[serde(default)]
    pub gcm: Option<Gcm>,
    /// Whether the first `gh`/`glab` helper in the cascade has a login of its own for the
    /// host (`None`: no such helper, or its configuration could not be read).
    #[serde(default)]
    pub cli_login: Option<bool>,
}

/// What Git Credential Manager needs to answer, by presence: the store it is told to use
/// and the files its `gpg` store needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Gcm {
    /// `GCM_CREDENTIAL_STORE`, else `credential.credentialStore` for this URL, lower case
    /// (`None`: neither is set).
    pub store: Option<String>,
    /// Where the git setting is, when the store comes from it.
    pub source: Option<Source>,
    /// The store comes from `GCM_CREDENTIAL_STORE`.
    pub from_env: bool,
    /// `gpg2`/`gpg` is on PATH (or `GCM_GPG_PATH` names a file).
    pub gpg: bool,
    /// `PASSWORD_STORE_DIR`, else `~/.password-store`.
    pub pass_store: PathBuf,
    /// `pass init` has run there (`.gpg-id` exists).
    pub pass_store_initialised: bool,
}

impl Https {
    /// The first helper that holds or may hold a credential.
    pub(crate) fn first_answering(&self) -> Option<(usize, &Helper)> {
        self.helpers
            .iter()
            .enumerate()
            .find(|(_, h)| h.answer != Answer::No)
    }

    pub(crate) fn auth_header(&self) -> Option<&ExtraHeader> {
        self.extra_headers.last()
    }
}

/// Gathers the HTTPS facts of one push URL.
pub(crate) fn gather(ctx: &Ctx, config: &Config, url: &ParsedUrl) -> Option<Https> {
    let host = url.credential_host()?;
    let mut request = Request {
        protocol: url.scheme_text.to_ascii_lowercase(),
        host,
        path: Some(url.path.clone()).filter(|p| !p.is_empty()),
        username: url.user.clone(),
    };
    let matching = |e: &Entry| match &e.subsection {
        None => true,
        Some(pattern) => pattern_matches(pattern, &request),
    };
    let mut helpers: Vec<(&Entry, &str)> = Vec::new();
    let mut reset = None;
    let mut username_config = None;
    let mut use_http_path = false;
    let mut had_guard = false;
    for e in config.section("credential") {
        if !matching(e) {
            continue;
        }
        match (e.name.as_str(), e.value.as_deref()) {
            ("helper", Some("")) => {
                had_guard |= helpers.iter().any(|(_, v)| is_guard(v));
                helpers.clear();
                reset = Some(e.source());
            }
            ("helper", Some(v)) => helpers.push((e, v)),
            ("username", Some(v)) => username_config = Some((v.to_owned(), e.source())),
            ("usehttppath", v) => use_http_path = super::gitconfig::parse_bool(v),
            _ => {}
        }
    }
    if !use_http_path {
        request.path = None;
    }
    if request.username.is_none() {
        request.username = username_config.as_ref().map(|(u, _)| u.clone());
    }
    let helpers: Vec<Helper> = helpers
        .iter()
        .map(|(e, v)| helper::helper(ctx, e, v, &request))
        .collect();
    let guard_pos = helpers.iter().position(|h| h.kind == HelperKind::Guard);
    let guard = match guard_pos {
        Some(pos) if helpers[..pos].iter().all(|h| h.answer == Answer::No) => GuardState::Active,
        Some(_) => GuardState::AfterOtherHelpers,
        None if had_guard => GuardState::Reset,
        None => GuardState::NotInstalled,
    };
    let gcm = helpers
        .iter()
        .any(|h| matches!(h.kind, HelperKind::Manager | HelperKind::ManagerCore))
        .then(|| gcm::gather(ctx, config, &request));
    let mut helpers = helpers;
    let cli_login = helpers
        .iter()
        .find(|h| matches!(h.kind, HelperKind::Gh | HelperKind::Glab))
        .and_then(|h| {
            let program = if h.kind == HelperKind::Gh {
                "gh"
            } else {
                "glab"
            };
            let cli = crate::provider::PROVIDERS
                .iter()
                .filter_map(|p| p.cli_helper)
                .find(|c| c.program == program)?;
            let host = url.host.as_deref()?;
            cli::login(ctx, &cli, host).map(|login| (login, cli))
        })
        .map(|(login, cli)| {
            // No login of its own and no token variable set: `gh auth git-credential`
            // (and glab's helper) answer nothing at all.
            if !login && ctx.env.cli_token(cli.variables).is_none() {
                let program = cli.program;
                for h in helpers.iter_mut().filter(|h| {
                    matches!(
                        (h.kind, program),
                        (HelperKind::Gh, "gh") | (HelperKind::Glab, "glab")
                    )
                }) {
                    h.answer = Answer::No;
                }
            }
            login
        });
    Some(Https {
        gcm,
        cli_login,
        extra_headers: http::extra_headers(config, url),
        proxy: http::proxy(config, url),
        netrc: store::netrc(ctx, &request),
        askpass: helper::askpass(ctx, config),
        request,
        helpers,
        reset,
        username_config,
        use_http_path,
        guard,
    })
}
