//! The HTTPS side of a push URL: which credential git will send, by shape.
//!
//! Resolves the helper cascade exactly as git's `credential_apply_config()` does (all
//! matching `credential.helper` / `credential.<url>.helper` entries in config order,
//! an empty value resets), finds each helper's program without running it, reads the
//! passive stores (`store` files, `~/.netrc`) and `http.extraHeader`. It never runs a
//! helper: helpers may prompt or open a keyring UI.

use super::gitconfig::{Config, Entry, Source};
use super::url::ParsedUrl;
use super::Ctx;
use crate::secret::Shape;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Reading a credential store stops here: a store is a few lines.
const MAX_STORE_BYTES: u64 = 4 << 20;
const MAX_LINE: usize = 8192;

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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum GuardState {
    /// The guard is in the cascade before every helper that can answer.
    Active,
    /// The guard is in the cascade, but a helper before it may answer first.
    AfterOtherHelpers,
    /// A guard entry exists in the configuration but a later empty `helper =` reset removed it.
    Reset,
    NotInstalled,
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
    for e in config.entries.iter().filter(|e| e.section == "credential") {
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
        .map(|(e, v)| helper(ctx, e, v, &request))
        .collect();
    let guard_pos = helpers.iter().position(|h| h.kind == HelperKind::Guard);
    let guard = match guard_pos {
        Some(pos) if helpers[..pos].iter().all(|h| h.answer == Answer::No) => GuardState::Active,
        Some(_) => GuardState::AfterOtherHelpers,
        None if had_guard => GuardState::Reset,
        None => GuardState::NotInstalled,
    };
    Some(Https {
        extra_headers: extra_headers(config, url),
        proxy: proxy(config, url),
        netrc: netrc(ctx, &request),
        askpass: askpass(ctx, config),
        request,
        helpers,
        reset,
        username_config,
        use_http_path,
        guard,
    })
}

/// Whether a helper value runs `git-credcheck guard` (the installer writes the program's
/// path with its spaces backslash-escaped).
pub(crate) fn is_guard(value: &str) -> bool {
    let words = super::shell::words(value.trim().trim_start_matches('!'));
    words
        .first()
        .and_then(|w| Path::new(w).file_name())
        .is_some_and(|base| base == "git-credcheck")
        && words.iter().any(|w| w == "guard")
}

/// git's credential URL matching (`credential_apply_config()` with urlmatch and the
/// `match_partial_url` fallback for scheme-less patterns).
pub(crate) fn pattern_matches(pattern: &str, req: &Request) -> bool {
    match pattern.split_once("://") {
        Some((scheme, rest)) => {
            if !scheme.eq_ignore_ascii_case(&req.protocol) {
                return false;
            }
            let (authority, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, ""),
            };
            let (user, hostport) = match authority.rsplit_once('@') {
                Some((u, h)) => (
                    Some(crate::redact::percent_decode(
                        u.split(':').next().unwrap_or(u),
                    )),
                    h,
                ),
                None => (None, authority),
            };
            if hostport.is_empty() {
                // `https://` does not normalise; git's partial match then matches by protocol only.
                return path.is_empty() || req.path.as_deref() == Some(path);
            }
            if let Some(u) = user {
                if req.username.as_deref() != Some(u.as_str()) {
                    return false;
                }
            }
            if !host_matches(
                &default_port(hostport, scheme),
                &default_port(&req.host, &req.protocol),
            ) {
                return false;
            }
            let want = path.trim_end_matches('/');
            if want.is_empty() {
                return true;
            }
            // A path in the pattern is a prefix of the request path, on a segment boundary.
            let have = req.path.as_deref().unwrap_or("");
            have == want || have.starts_with(want) && have[want.len()..].starts_with('/')
        }
        None => {
            // Scheme-less: host[/path], compared exactly (credential_match).
            let (host, path) = match pattern.split_once('/') {
                Some((h, p)) => (h, Some(p)),
                None => (pattern, None),
            };
            (host.is_empty() || host == req.host)
                && path.is_none_or(|p| p.is_empty() || req.path.as_deref() == Some(p))
        }
    }
}

fn default_port(hostport: &str, scheme: &str) -> String {
    let lower = hostport.to_ascii_lowercase();
    let default = match scheme.to_ascii_lowercase().as_str() {
        "https" => ":443",
        "http" => ":80",
        _ => return lower,
    };
    lower
        .strip_suffix(default)
        .map(str::to_owned)
        .unwrap_or(lower)
}

/// Host match with `*` standing for one whole label (urlmatch.c `match_host`).
fn host_matches(pattern: &str, host: &str) -> bool {
    let (pattern, pport) = split_port(pattern);
    let (host, hport) = split_port(host);
    if pport != hport {
        return false;
    }
    let p: Vec<&str> = pattern.split('.').collect();
    let h: Vec<&str> = host.split('.').collect();
    p.len() == h.len() && p.iter().zip(&h).all(|(p, h)| label_matches(p, h))
}

fn split_port(s: &str) -> (&str, Option<&str>) {
    match s.rsplit_once(':') {
        Some((h, _)) if !h.ends_with(']') && h.contains(':') => (s, None),
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => (h, Some(p)),
        _ => (s, None),
    }
}

fn label_matches(pattern: &str, label: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == label,
        Some((pre, post)) => {
            label.len() >= pre.len() + post.len() && label.starts_with(pre) && label.ends_with(post)
        }
    }
}

fn helper(ctx: &Ctx, entry: &Entry, value: &str, req: &Request) -> Helper {
    let source = entry.source();
    let v = value.trim();
    let (display, kind, program, args): (String, HelperKind, Program, Vec<String>) =
        if let Some(snippet) = v.strip_prefix('!') {
            let words = super::shell::words(snippet);
            let first = words.first().cloned().unwrap_or_default();
            let kind = if is_guard(v) {
                HelperKind::Guard
            } else if first == "aws" || snippet.contains("codecommit") {
                HelperKind::Codecommit
            } else {
                kind_of(
                    Path::new(&first)
                        .file_name()
                        .and_then(|f| f.to_str())
                        .unwrap_or(&first),
                )
            };
            let program = if first.is_empty()
                || first.contains('(')
                || first.contains('=')
                || SHELL_WORDS.contains(&first.as_str())
            {
                Program::Unknown
            } else {
                find_program(ctx, &first)
            };
            (format!("!{first} …"), kind, program, words)
        } else {
            let words = super::shell::words(v);
            let first = words.first().cloned().unwrap_or_default();
            if Path::new(&first).is_absolute() {
                let kind = if is_guard(v) {
                    HelperKind::Guard
                } else {
                    kind_of(
                        Path::new(&first)
                            .file_name()
                            .and_then(|f| f.to_str())
                            .unwrap_or(""),
                    )
                };
                (
                    crate::redact::text(v),
                    kind,
                    file_program(Path::new(&first)),
                    words,
                )
            } else {
                let program = if matches!(first.as_str(), "store" | "cache") {
                    Program::Builtin
                } else {
                    find_program(ctx, &format!("git-credential-{first}"))
                };
                (crate::redact::text(v), kind_of(&first), program, words)
            }
        };
    let file_arg = option_value(&args, "--file")
        .or_else(|| option_value(&args, "--socket"))
        .map(|p| ctx.expand_home(&p));
    let mut helper = Helper {
        display,
        kind,
        program,
        source,
        file_arg,
        answer: Answer::Maybe,
        stored: None,
    };
    helper.answer = match (&helper.program, kind) {
        (Program::Missing { .. } | Program::NotExecutable { .. }, _) => Answer::No,
        (_, HelperKind::Guard) => Answer::No,
        (_, HelperKind::Store) => {
            helper.stored = store_lookup(ctx, helper.file_arg.as_deref(), req);
            if helper.stored.is_some() {
                Answer::Yes
            } else {
                Answer::No
            }
        }
        (_, HelperKind::Cache) => {
            if cache_socket(ctx, helper.file_arg.as_deref()).exists() {
                Answer::Maybe
            } else {
                Answer::No
            }
        }
        _ => Answer::Maybe,
    };
    helper
}

const SHELL_WORDS: &[&str] = &[
    "f", "sh", "bash", "echo", "test", "if", "exec", "printf", "cat", "{",
];

fn kind_of(name: &str) -> HelperKind {
    let name = name.strip_prefix("git-credential-").unwrap_or(name);
    match name {
        "store" => HelperKind::Store,
        "cache" => HelperKind::Cache,
        "libsecret" => HelperKind::Libsecret,
        "osxkeychain" => HelperKind::Osxkeychain,
        "wincred" => HelperKind::Wincred,
        "manager" | "manager.exe" | "git-credential-manager" => HelperKind::Manager,
        "manager-core" | "manager-core.exe" => HelperKind::ManagerCore,
        "gnome-keyring" => HelperKind::GnomeKeyring,
        "gh" => HelperKind::Gh,
        "glab" => HelperKind::Glab,
        _ => HelperKind::Custom,
    }
}

fn option_value(args: &[String], name: &str) -> Option<String> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == name {
            return it.next().cloned();
        }
        if let Some(v) = a.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            return Some(v.to_owned());
        }
    }
    None
}

fn file_program(path: &Path) -> Program {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.permissions().mode() & 0o111 != 0 => Program::Found {
            path: path.to_owned(),
        },
        Ok(_) => Program::NotExecutable {
            path: path.to_owned(),
        },
        Err(_) => Program::Missing {
            looked_for: path.display().to_string(),
        },
    }
}

/// Finds `name` on PATH (as git's child sees it) or in git's exec path.
pub(crate) fn find_program(ctx: &Ctx, name: &str) -> Program {
    if name.contains('/') {
        return file_program(&ctx.expand_home(name));
    }
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&ctx.env.path).collect();
    dirs.push(ctx.exec_path());
    for dir in dirs {
        let candidate = dir.join(name);
        match file_program(&candidate) {
            Program::Missing { .. } => continue,
            found => return found,
        }
    }
    Program::Missing {
        looked_for: name.to_owned(),
    }
}

/// The files a `store` helper reads, in order (git-credential-store(1)).
pub(crate) fn store_files(ctx: &Ctx, file_arg: Option<&Path>) -> Vec<PathBuf> {
    match file_arg {
        Some(f) => vec![f.to_owned()],
        None => {
            let mut v = vec![ctx.home.join(".git-credentials")];
            v.push(ctx.xdg_config_home().join("git/credentials"));
            v
        }
    }
}

fn store_lookup(ctx: &Ctx, file_arg: Option<&Path>, req: &Request) -> Option<Stored> {
    for file in store_files(ctx, file_arg) {
        if let Some(found) = store_lookup_file(&file, req, ctx) {
            return Some(found);
        }
    }
    None
}

/// One parsed `store` line: `protocol://[user[:password]@]host[/path]`.
pub(crate) struct StoreLine {
    pub protocol: String,
    pub host: String,
    pub path: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
}

pub(crate) fn parse_store_line(line: &str) -> Option<StoreLine> {
    let (protocol, rest) = line.split_once("://")?;
    if protocol.is_empty() {
        return None;
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (userinfo, host) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    let (username, password) = match userinfo {
        Some(u) => match u.split_once(':') {
            Some((u, p)) => (
                Some(crate::redact::percent_decode(u)),
                Some(crate::redact::percent_decode(p)),
            ),
            None => (Some(crate::redact::percent_decode(u)), None),
        },
        None => (None, None),
    };
    Some(StoreLine {
        protocol: protocol.to_owned(),
        host: crate::redact::percent_decode(host),
        path: path
            .filter(|p| !p.is_empty())
            .map(crate::redact::percent_decode),
        username,
        password,
    })
}

fn store_lookup_file(file: &Path, req: &Request, ctx: &Ctx) -> Option<Stored> {
    let text = read_bounded(file)?;
    let mut found: Option<Stored> = None;
    let mut others = Vec::new();
    for (i, raw) in text.split(|b| *b == b'\n').enumerate() {
        if raw.len() > MAX_LINE {
            continue;
        }
        let Ok(line) = std::str::from_utf8(raw) else {
            continue;
        };
        let line = line.trim_end_matches('\r');
        let Some(entry) = parse_store_line(line) else {
            continue;
        };
        if entry.protocol != req.protocol || entry.host != req.host {
            continue;
        }
        if let (Some(want), Some(have)) = (&req.path, &entry.path) {
            if want != have {
                continue;
            }
        } else if req.path.is_some() {
            continue;
        }
        let user_ok = req.username.is_none() || req.username == entry.username;
        if found.is_none() && user_ok && entry.password.is_some() {
            let (username, username_secret) = split_user(entry.username.as_deref());
            found = Some(Stored {
                file: file.to_owned(),
                line: i as u32 + 1,
                username,
                username_secret,
                secret: Shape::of(entry.password.as_deref().unwrap_or("")),
                other_usernames: Vec::new(),
                first_seen: ctx.ledger().and_then(|l| {
                    l.first_seen(
                        &req.host,
                        entry.username.as_deref().unwrap_or(""),
                        entry.password.as_deref().unwrap_or(""),
                    )
                }),
            });
        } else if let (Some(u), Some(f)) = (entry.username.as_deref(), &found) {
            if f.username.as_deref() != Some(u) {
                others.push(crate::redact::display_user(u));
            }
        }
    }
    found.map(|mut f| {
        f.other_usernames = others;
        f
    })
}

fn split_user(user: Option<&str>) -> (Option<String>, Option<Shape>) {
    match user {
        Some(u) if crate::secret::username_is_secret(u) => (None, Some(Shape::of(u))),
        Some(u) => (Some(u.to_owned()), None),
        None => (None, None),
    }
}

fn read_bounded(file: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(file).ok()?;
    let mut buf = Vec::new();
    f.take(MAX_STORE_BYTES).read_to_end(&mut buf).ok()?;
    Some(buf)
}

fn cache_socket(ctx: &Ctx, arg: Option<&Path>) -> PathBuf {
    if let Some(p) = arg {
        return p.to_owned();
    }
    let legacy = ctx.home.join(".git-credential-cache");
    if legacy.is_dir() {
        return legacy.join("socket");
    }
    ctx.xdg_cache_home().join("git/credential/socket")
}

fn extra_headers(config: &Config, url: &ParsedUrl) -> Vec<ExtraHeader> {
    let Some(host) = url.credential_host() else {
        return Vec::new();
    };
    let req = Request {
        protocol: url.scheme_text.to_ascii_lowercase(),
        host,
        path: Some(url.path.clone()),
        username: url.user.clone(),
    };
    let mut out = Vec::new();
    for e in config
        .entries
        .iter()
        .filter(|e| e.section == "http" && e.name == "extraheader")
    {
        if let Some(p) = &e.subsection {
            if !p.contains("://") || !pattern_matches(p, &req) {
                continue;
            }
        }
        let Some(v) = e.value.as_deref() else {
            continue;
        };
        if v.is_empty() {
            out.clear();
            continue;
        }
        let Some((name, value)) = v.split_once(':') else {
            continue;
        };
        if !name.trim().eq_ignore_ascii_case("authorization") {
            continue;
        }
        let mut parts = value.trim().splitn(2, char::is_whitespace);
        let scheme = parts.next().unwrap_or("").to_ascii_lowercase();
        let cred = parts.next().unwrap_or("").trim();
        let (username, secret) = if scheme == "basic" {
            use base64::Engine;
            match base64::engine::general_purpose::STANDARD
                .decode(cred)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
            {
                Some(pair) => match pair.split_once(':') {
                    Some((u, p)) => (
                        Some(crate::redact::display_user(u)).filter(|u| !u.is_empty()),
                        Some(Shape::of(p)),
                    ),
                    None => (None, Some(Shape::of(&pair))),
                },
                None => (None, Some(Shape::of(cred))),
            }
        } else {
            (None, Some(Shape::of(cred)))
        };
        out.push(ExtraHeader {
            scheme,
            username,
            secret,
            source: e.source(),
        });
    }
    out
}

/// The `http.proxy` / `http.<url>.proxy` that applies to the URL, if any.
fn proxy(config: &Config, url: &ParsedUrl) -> Option<Source> {
    let host = url.credential_host()?;
    let req = Request {
        protocol: url.scheme_text.to_ascii_lowercase(),
        host,
        path: Some(url.path.clone()),
        username: url.user.clone(),
    };
    let mut found = None;
    for e in config
        .entries
        .iter()
        .filter(|e| e.section == "http" && e.name == "proxy")
    {
        if e.subsection
            .as_deref()
            .is_some_and(|p| !p.contains("://") || !pattern_matches(p, &req))
        {
            continue;
        }
        found = e
            .value
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(|_| e.source());
    }
    found
}

/// `~/.netrc` (or `$NETRC`), which git asks libcurl to read (CURLOPT_NETRC optional): the
/// entry curl would send for the request's host. A file curl cannot parse gives none.
fn netrc(ctx: &Ctx, req: &Request) -> Option<Stored> {
    let file = ctx
        .env
        .netrc
        .clone()
        .unwrap_or_else(|| ctx.home.join(".netrc"));
    let text = read_bounded(&file)?;
    let entries = super::netrc::parse(&String::from_utf8_lossy(&text)).ok()?;
    let host = req.host.split(':').next().unwrap_or(&req.host);
    let entry = super::netrc::find(&entries, host)?;
    let (username, username_secret) = split_user(entry.login.as_deref());
    Some(Stored {
        file,
        line: entry.line,
        username,
        username_secret,
        secret: entry.password.clone()?,
        other_usernames: Vec::new(),
        first_seen: None,
    })
}

fn askpass(ctx: &Ctx, config: &Config) -> Vec<Askpass> {
    let mut out = Vec::new();
    if let Some(p) = ctx.env.git_askpass.as_deref().filter(|p| !p.is_empty()) {
        out.push(Askpass {
            via: "GIT_ASKPASS".into(),
            program: find_program(ctx, p),
        });
    }
    if let Some(p) = config.value("core", "askpass").filter(|p| !p.is_empty()) {
        out.push(Askpass {
            via: "core.askPass".into(),
            program: find_program(ctx, p),
        });
    }
    if let Some(p) = ctx.env.ssh_askpass.as_deref().filter(|p| !p.is_empty()) {
        out.push(Askpass {
            via: "SSH_ASKPASS".into(),
            program: find_program(ctx, p),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(protocol: &str, host: &str, path: Option<&str>, user: Option<&str>) -> Request {
        Request {
            protocol: protocol.into(),
            host: host.into(),
            path: path.map(Into::into),
            username: user.map(Into::into),
        }
    }

    #[test]
    fn url_patterns_follow_git() {
        let r = req("https", "bitbucket.org", Some("ws/repo.git"), None);
        assert!(pattern_matches("https://bitbucket.org", &r));
        assert!(pattern_matches("https://bitbucket.org/", &r));
        assert!(pattern_matches("https://Bitbucket.org:443", &r));
        assert!(pattern_matches("https://*.org", &r));
        assert!(pattern_matches("bitbucket.org", &r));
        assert!(pattern_matches("https://", &r));
        assert!(pattern_matches("https://bitbucket.org/ws", &r));
        assert!(!pattern_matches("https://bitbucket.org/w", &r));
        assert!(!pattern_matches("http://bitbucket.org", &r));
        assert!(!pattern_matches("https://github.com", &r));
        assert!(!pattern_matches("https://alice@bitbucket.org", &r));
        assert!(pattern_matches(
            "https://alice@bitbucket.org",
            &req("https", "bitbucket.org", None, Some("alice"))
        ));
        assert!(!pattern_matches("https://bitbucket.org:8443", &r));
        assert!(!pattern_matches("bitbucket.org/ws", &r));
    }

    #[test]
    fn store_lines() {
        let l = parse_store_line("https://alice%40x:p%3Ass@host.example:8443/a").expect("line");
        assert_eq!(l.username.as_deref(), Some("alice@x"));
        assert_eq!(l.password.as_deref(), Some("p:ss"));
        assert_eq!(l.host, "host.example:8443");
        assert!(parse_store_line("garbage").is_none());
    }

    #[test]
    fn backslash_escaped_helper_path_runs() {
        let dir = tempfile::tempdir().expect("tmp");
        let exe = dir
            .path()
            .join("mnt/c/Program Files/Git/mingw64/bin/git-credential-manager.exe");
        crate::facts::testing::executable(&exe);
        let escaped = exe.display().to_string().replace(' ', "\\ ");
        let ctx = Ctx::for_test(dir.path(), "");
        let config = crate::facts::testing::config(&[("credential.helper", &escaped)]);
        let url = crate::facts::url::parse("https://github.com/a/b.git").expect("url");
        let https = gather(&ctx, &config, &url).expect("https facts");
        assert_eq!(https.helpers.len(), 1);
        assert_eq!(https.helpers[0].program, Program::Found { path: exe });
        assert_eq!(https.helpers[0].answer, Answer::Maybe);
    }

    #[test]
    fn quoted_store_file_argument() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = dir.path().join("my creds");
        std::fs::write(&store, "https://alice:ghp_x@github.com\n").expect("write");
        let value = format!("store --file \"{}\"", store.display());
        let ctx = Ctx::for_test(dir.path(), "");
        let config = crate::facts::testing::config(&[("credential.helper", &value)]);
        let url = crate::facts::url::parse("https://github.com/a/b.git").expect("url");
        let https = gather(&ctx, &config, &url).expect("https facts");
        assert_eq!(https.helpers[0].file_arg.as_deref(), Some(store.as_path()));
        assert_eq!(https.helpers[0].answer, Answer::Yes);
    }

    #[test]
    fn netrc_entry_by_shape() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(
            dir.path().join(".netrc"),
            "macdef init\nmachine github.com login mallory password x\n\n\
             machine github.com login \"alice\" password \"ghp_SECRET SECRET\"\n",
        )
        .expect("write");
        let ctx = Ctx::for_test(dir.path(), "");
        let config = crate::facts::testing::config(&[]);
        let url = crate::facts::url::parse("https://github.com/a/b.git").expect("url");
        let netrc = gather(&ctx, &config, &url)
            .and_then(|h| h.netrc)
            .expect("a netrc entry");
        assert_eq!((netrc.line, netrc.username.as_deref()), (4, Some("alice")));
        assert_eq!(netrc.secret, Shape::of("ghp_SECRET SECRET"));
        let json = serde_json::to_string(&netrc).expect("json");
        assert!(!json.contains("SECRET"), "{json}");
    }

    #[test]
    fn guard_values() {
        assert!(is_guard("/usr/bin/git-credcheck guard"));
        assert!(is_guard(r"/opt/my\ tools/git-credcheck guard"));
        assert!(is_guard("!'/opt/my tools/git-credcheck' guard"));
        assert!(!is_guard("store"));
        assert!(!is_guard("/usr/bin/git-credcheck-other guard"));
    }
}
