//! The SSH side of a push URL: what ssh will actually do, found without connecting.
//!
//! Runs only for SSH push URLs. The program comes from `GIT_SSH_COMMAND`,
//! `core.sshCommand`, `GIT_SSH`, then `ssh` (with `ssh.variant`); for OpenSSH, `ssh -G`
//! with the command's own options gives the effective configuration. Key files are read
//! for their header only; the agent is asked for its identities over its socket; known
//! hosts are looked up with `ssh-keygen -F`. Every probe has a deadline, and a probe
//! that fails is recorded as failed, never as "nothing found".

use super::gitconfig::{Config, Source};
use super::url::ParsedUrl;
use super::Ctx;
use crate::provider::ProviderKind;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(5);

/// A probe's outcome: found, absent, or failed (with why).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "probe", content = "value")]
pub(crate) enum Probed<T> {
    Found(T),
    Absent,
    Failed(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Variant {
    Ssh,
    Plink,
    Putty,
    Tortoiseplink,
    Simple,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Program {
    /// `GIT_SSH_COMMAND`, `core.sshCommand`, `GIT_SSH` or `default`.
    pub via: String,
    pub source: Option<Source>,
    /// The program's name (first word).
    pub name: String,
    pub found: bool,
    pub variant: Variant,
    /// `-i` files given on the command.
    pub identity_args: Vec<PathBuf>,
    /// `-o`, `-F`, `-i`, `-p` options, passed on to `ssh -G`.
    #[serde(skip)]
    pub options: Vec<String>,
}

/// The effective client configuration (`ssh -G`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ClientConfig {
    pub user: String,
    pub hostname: String,
    pub port: u16,
    pub identity_files: Vec<PathBuf>,
    pub identities_only: bool,
    pub identity_agent: Option<String>,
    pub user_known_hosts: Vec<PathBuf>,
    pub global_known_hosts: Vec<PathBuf>,
    pub strict_host_key_checking: String,
    pub batch_mode: bool,
    pub host_key_alias: Option<String>,
    /// PKCS#11 provider or security key: a key source we cannot inspect.
    pub other_key_source: bool,
    /// `KnownHostsCommand` supplies host keys we cannot see.
    #[serde(default)]
    pub known_hosts_command: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct KeyFile {
    pub path: PathBuf,
    pub exists: bool,
    pub readable: bool,
    pub mode: Option<u32>,
    /// Group or other bits set on a file we own: OpenSSH refuses it.
    pub too_open: bool,
    /// The file holds a public key, not a private one.
    pub public_in_private_slot: bool,
    /// A format OpenSSH cannot load (PuTTY .ppk).
    pub foreign_format: bool,
    pub key_type: Option<String>,
    pub encrypted: Option<bool>,
    /// SHA256 fingerprint of the public key, when known.
    pub fingerprint: Option<String>,
}

impl KeyFile {
    /// Would OpenSSH load and offer this key?
    pub(crate) fn usable(&self) -> bool {
        self.exists
            && self.readable
            && !self.too_open
            && !self.public_in_private_slot
            && !self.foreign_format
            && !self.is_dsa()
    }

    pub(crate) fn is_dsa(&self) -> bool {
        self.key_type.as_deref() == Some("ssh-dss")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Agent {
    pub socket: PathBuf,
    /// SHA256 fingerprints of the identities the agent holds.
    pub identities: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct KnownHost {
    /// The name looked up (`host` or `[host]:port`).
    pub name: String,
    pub known: bool,
    pub files: Vec<PathBuf>,
    /// Fingerprints (or key fragments) of pinned keys the provider has retired.
    pub retired: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Ssh {
    pub program: Program,
    /// The user in the URL.
    pub url_user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    pub config: Probed<ClientConfig>,
    pub keys: Vec<KeyFile>,
    pub agent: Probed<Agent>,
    pub known_hosts: Probed<KnownHost>,
    pub provider: Option<ProviderKind>,
    /// ssh can ask for a passphrase or a host key confirmation.
    pub can_prompt: bool,
}

impl Ssh {
    /// The user ssh will log in as.
    pub(crate) fn effective_user(&self) -> Option<&str> {
        self.url_user.as_deref().or(match &self.config {
            Probed::Found(c) => Some(c.user.as_str()),
            _ => None,
        })
    }
}

pub(crate) fn gather(
    ctx: &Ctx,
    config: &Config,
    url: &ParsedUrl,
    hosts: &[(String, ProviderKind)],
) -> Ssh {
    let program = program(ctx, config);
    let host = url.host.clone().unwrap_or_default();
    let client = if program.found && program.variant == Variant::Ssh {
        client_config(&program, url)
    } else if program.variant != Variant::Ssh {
        Probed::Absent
    } else {
        Probed::Failed(format!("the ssh program `{}` was not found", program.name))
    };
    let home = passwd_home().unwrap_or_else(|| ctx.home.clone());
    let mut keys = Vec::new();
    let mut agent = Probed::Absent;
    let mut known_hosts = Probed::Absent;
    let mut can_prompt = ctx.env.tty || ctx.env.ssh_askpass.is_some() && ctx.env.display;
    let mut provider = crate::provider::detect(&host, &url.path, hosts);
    if let Probed::Found(c) = &client {
        can_prompt &= !c.batch_mode;
        provider = crate::provider::detect(&c.hostname, &url.path, hosts).or(provider);
        let mut seen = Vec::new();
        for f in program.identity_args.iter().chain(c.identity_files.iter()) {
            let path = expand(f, &home, &c.hostname, &c.user);
            if !seen.contains(&path) {
                seen.push(path.clone());
                keys.push(key_file(&path));
            }
        }
        agent = probe_agent(ctx, c.identity_agent.as_deref(), &home);
        known_hosts = if c.known_hosts_command {
            Probed::Absent
        } else {
            probe_known_hosts(c, &home, provider)
        };
    }
    Ssh {
        program,
        url_user: url.user.clone(),
        host,
        port: url.port,
        config: client,
        keys,
        agent,
        known_hosts,
        provider,
        can_prompt,
    }
}

fn program(ctx: &Ctx, config: &Config) -> Program {
    let variant_cfg = config.value("ssh", "variant").map(str::to_ascii_lowercase);
    let (via, source, command, is_command) =
        if let Some(c) = ctx.env.git_ssh_command.as_deref().filter(|c| !c.is_empty()) {
            ("GIT_SSH_COMMAND", None, c.to_owned(), true)
        } else if let Some(e) = config
            .last("core", "sshcommand")
            .filter(|e| e.value.as_deref().is_some_and(|v| !v.is_empty()))
        {
            (
                "core.sshCommand",
                Some(e.source()),
                e.value.clone().unwrap_or_default(),
                true,
            )
        } else if let Some(c) = ctx.env.git_ssh.as_deref().filter(|c| !c.is_empty()) {
            ("GIT_SSH", None, c.to_owned(), false)
        } else {
            ("default", None, "ssh".to_owned(), true)
        };
    let words = if is_command {
        super::shell::words(&command)
    } else {
        vec![command.clone()]
    };
    let name = words.first().cloned().unwrap_or_default();
    let base = Path::new(&name)
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let variant = match variant_cfg.as_deref() {
        Some("plink") => Variant::Plink,
        Some("putty") => Variant::Putty,
        Some("tortoiseplink") => Variant::Tortoiseplink,
        Some("simple") => Variant::Simple,
        Some("ssh") => Variant::Ssh,
        _ => match base.trim_end_matches(".exe") {
            "plink" => Variant::Plink,
            "tortoiseplink" => Variant::Tortoiseplink,
            "putty" => Variant::Putty,
            _ => Variant::Ssh,
        },
    };
    let found = !matches!(
        super::credential::find_program(ctx, &name),
        super::credential::Program::Missing { .. }
            | super::credential::Program::NotExecutable { .. }
    );
    let mut identity_args = Vec::new();
    let mut options = Vec::new();
    let mut it = words.iter().skip(1);
    while let Some(w) = it.next() {
        for flag in ["-i", "-F", "-o", "-p", "-l", "-J"] {
            if w == flag {
                if let Some(v) = it.next() {
                    if flag == "-i" {
                        identity_args.push(PathBuf::from(v));
                    }
                    options.push(flag.to_owned());
                    options.push(v.clone());
                }
            } else if let Some(v) = w.strip_prefix(flag).filter(|v| !v.is_empty()) {
                if flag == "-i" {
                    identity_args.push(PathBuf::from(v));
                }
                options.push(flag.to_owned());
                options.push(v.to_owned());
            }
        }
        if ["-4", "-6", "-A", "-a"].contains(&w.as_str()) {
            options.push(w.clone());
        }
    }
    Program {
        via: via.into(),
        source,
        name,
        found,
        variant,
        identity_args,
        options,
    }
}

fn client_config(program: &Program, url: &ParsedUrl) -> Probed<ClientConfig> {
    let host = url.host.clone().unwrap_or_default();
    if host.starts_with('-') {
        return Probed::Failed("host name starts with '-'".into());
    }
    let mut args: Vec<String> = program.options.clone();
    args.push("-G".into());
    if let Some(p) = url.port {
        args.push("-p".into());
        args.push(p.to_string());
    }
    match &url.user {
        Some(u) if !u.starts_with('-') => args.push(format!("{u}@{host}")),
        _ => args.push(host),
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = match crate::process::run(&program.name, &argv, b"", DEADLINE) {
        Ok(o) => o,
        Err(e) => return Probed::Failed(format!("could not run `{} -G`: {e}", program.name)),
    };
    if out.timed_out {
        return Probed::Failed(format!(
            "`{} -G` did not finish within {DEADLINE:?}",
            program.name
        ));
    }
    if !out.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Probed::Failed(format!(
            "`{} -G` failed: {}",
            program.name,
            err.lines().next().unwrap_or("").trim()
        ));
    }
    Probed::Found(parse_client_config(&String::from_utf8_lossy(&out.stdout)))
}

pub(crate) fn parse_client_config(text: &str) -> ClientConfig {
    let mut c = ClientConfig {
        port: 22,
        strict_host_key_checking: "ask".into(),
        ..ClientConfig::default()
    };
    for line in text.lines() {
        let Some((k, v)) = line.split_once(' ') else {
            continue;
        };
        let v = v.trim();
        match k {
            "user" => c.user = v.into(),
            "hostname" => c.hostname = v.into(),
            "port" => c.port = v.parse().unwrap_or(22),
            "identityfile" => c.identity_files.push(PathBuf::from(v)),
            "identitiesonly" => c.identities_only = v == "yes",
            "identityagent" => c.identity_agent = Some(v.into()),
            "userknownhostsfile" => c
                .user_known_hosts
                .extend(v.split_whitespace().map(PathBuf::from)),
            "globalknownhostsfile" => c
                .global_known_hosts
                .extend(v.split_whitespace().map(PathBuf::from)),
            "stricthostkeychecking" => c.strict_host_key_checking = v.to_ascii_lowercase(),
            "batchmode" => c.batch_mode = v == "yes",
            "hostkeyalias" => c.host_key_alias = Some(v.into()),
            "pkcs11provider" | "securitykeyprovider" if v != "none" && v != "internal" => {
                c.other_key_source = true
            }
            "knownhostscommand" if v != "none" => c.known_hosts_command = true,
            _ => {}
        }
    }
    c
}

/// Expands `~` and the `%` tokens ssh allows in IdentityFile.
fn expand(p: &Path, home: &Path, host: &str, user: &str) -> PathBuf {
    let s = p.to_string_lossy();
    let s = match s.strip_prefix("~/") {
        Some(rest) => format!("{}/{rest}", home.display()),
        None => s.into_owned(),
    };
    let s = s
        .replace("%d", &home.to_string_lossy())
        .replace("%h", host)
        .replace("%r", user)
        .replace("%%", "%");
    PathBuf::from(s)
}

/// ssh finds `~` through the passwd entry, not `$HOME` (git-mechanics.md).
pub(crate) fn passwd_home() -> Option<PathBuf> {
    // SAFETY: getpwuid_r with a buffer we own; the result points into it.
    unsafe {
        let mut pw: libc::passwd = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 4096];
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        if libc::getpwuid_r(
            libc::getuid(),
            &mut pw,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        ) != 0
            || result.is_null()
            || pw.pw_dir.is_null()
        {
            return None;
        }
        let dir = std::ffi::CStr::from_ptr(pw.pw_dir);
        Some(PathBuf::from(
            std::ffi::OsStr::from_encoded_bytes_unchecked(dir.to_bytes()),
        ))
    }
}

pub(crate) fn key_file(path: &Path) -> KeyFile {
    use std::os::unix::fs::MetadataExt;
    let mut k = KeyFile {
        path: path.to_owned(),
        exists: false,
        readable: false,
        mode: None,
        too_open: false,
        public_in_private_slot: false,
        foreign_format: false,
        key_type: None,
        encrypted: None,
        fingerprint: None,
    };
    let Ok(meta) = std::fs::metadata(path) else {
        return k;
    };
    k.exists = meta.is_file();
    let mode = meta.mode() & 0o7777;
    k.mode = Some(mode);
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    k.too_open = meta.uid() == uid && mode & 0o077 != 0;
    let Ok(bytes) = read_head(path, 64 * 1024) else {
        return k;
    };
    k.readable = true;
    let text = String::from_utf8_lossy(&bytes);
    let first = text.lines().next().unwrap_or("").trim();
    if first.starts_with("PuTTY-User-Key-File") {
        k.foreign_format = true;
    } else if let Some((t, blob)) = public_key_line(first) {
        k.public_in_private_slot = true;
        k.key_type = Some(t);
        k.fingerprint = Some(fingerprint(&blob));
    } else if first == "-----BEGIN OPENSSH PRIVATE KEY-----" {
        if let Some((cipher, blob)) = openssh_private(&text) {
            k.encrypted = Some(cipher != "none");
            k.key_type = blob_type(&blob);
            k.fingerprint = Some(fingerprint(&blob));
        }
    } else if first.starts_with("-----BEGIN ") {
        k.encrypted = Some(text.contains("ENCRYPTED"));
        k.key_type = match first {
            f if f.contains("RSA") => Some("ssh-rsa".into()),
            f if f.contains("DSA") => Some("ssh-dss".into()),
            f if f.contains("EC ") => Some("ecdsa".into()),
            _ => None,
        };
    }
    // The .pub beside the key gives the fingerprint of an encrypted PEM key.
    if k.fingerprint.is_none() && !k.public_in_private_slot {
        let mut pubpath = path.as_os_str().to_owned();
        pubpath.push(".pub");
        if let Ok(pubtext) = read_head(Path::new(&pubpath), 16 * 1024) {
            if let Some((t, blob)) = public_key_line(
                String::from_utf8_lossy(&pubtext)
                    .lines()
                    .next()
                    .unwrap_or(""),
            ) {
                k.key_type.get_or_insert(t);
                k.fingerprint = Some(fingerprint(&blob));
            }
        }
    }
    k
}

fn read_head(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut buf = Vec::new();
    std::fs::File::open(path)?.take(max).read_to_end(&mut buf)?;
    Ok(buf)
}

fn public_key_line(line: &str) -> Option<(String, Vec<u8>)> {
    use base64::Engine;
    let mut parts = line.split_whitespace();
    let t = parts.next()?;
    if !(t.starts_with("ssh-") || t.starts_with("ecdsa-") || t.starts_with("sk-")) {
        return None;
    }
    let blob = base64::engine::general_purpose::STANDARD
        .decode(parts.next()?)
        .ok()?;
    Some((t.to_owned(), blob))
}

/// Reads the cipher name and the first public key of an `openssh-key-v1` file.
fn openssh_private(text: &str) -> Option<(String, Vec<u8>)> {
    use base64::Engine;
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()?;
    let mut r = raw.strip_prefix(b"openssh-key-v1\0")?;
    let cipher = read_string(&mut r)?;
    let _kdf = read_string(&mut r)?;
    let _kdfopts = read_string(&mut r)?;
    let n = read_u32(&mut r)?;
    if n == 0 {
        return None;
    }
    let pubkey = read_string(&mut r)?;
    Some((String::from_utf8_lossy(&cipher).into_owned(), pubkey))
}

fn read_u32(r: &mut &[u8]) -> Option<u32> {
    let (head, rest) = r.split_at_checked(4)?;
    *r = rest;
    Some(u32::from_be_bytes(head.try_into().ok()?))
}

fn read_string(r: &mut &[u8]) -> Option<Vec<u8>> {
    let len = read_u32(r)? as usize;
    let (s, rest) = r.split_at_checked(len)?;
    *r = rest;
    Some(s.to_vec())
}

fn blob_type(blob: &[u8]) -> Option<String> {
    let mut r = blob;
    read_string(&mut r).map(|t| String::from_utf8_lossy(&t).into_owned())
}

/// `SHA256:<base64 without padding>`, as ssh prints it.
pub(crate) fn fingerprint(blob: &[u8]) -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(blob);
    format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
    )
}

fn probe_agent(ctx: &Ctx, identity_agent: Option<&str>, home: &Path) -> Probed<Agent> {
    let socket = match identity_agent {
        Some("none") => return Probed::Absent,
        Some(a) if a != "SSH_AUTH_SOCK" && !a.is_empty() => {
            Some(expand(Path::new(a.trim_start_matches('$')), home, "", ""))
        }
        _ => ctx.env.ssh_auth_sock.clone(),
    };
    let Some(socket) = socket else {
        return Probed::Absent;
    };
    match agent_identities(&socket) {
        Ok(identities) => Probed::Found(Agent { socket, identities }),
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                || e.kind() == std::io::ErrorKind::ConnectionRefused =>
        {
            Probed::Absent
        }
        Err(e) => Probed::Failed(format!(
            "could not ask the agent at {}: {e}",
            socket.display()
        )),
    }
}

/// SSH2_AGENTC_REQUEST_IDENTITIES (11) → SSH2_AGENT_IDENTITIES_ANSWER (12).
fn agent_identities(socket: &Path) -> std::io::Result<Vec<String>> {
    use std::io::{Read, Write};
    let mut s = std::os::unix::net::UnixStream::connect(socket)?;
    s.set_read_timeout(Some(Duration::from_secs(2)))?;
    s.set_write_timeout(Some(Duration::from_secs(2)))?;
    s.write_all(&[0, 0, 0, 1, 11])?;
    let mut len = [0u8; 4];
    s.read_exact(&mut len)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > 256 * 1024 {
        return Err(std::io::Error::other("agent answer too large"));
    }
    let mut body = vec![0u8; len];
    s.read_exact(&mut body)?;
    let bad = || std::io::Error::other("malformed agent answer");
    let (&kind, mut r) = body.split_first().ok_or_else(bad)?;
    if kind != 12 {
        return Err(std::io::Error::other(format!(
            "agent answered message type {kind}"
        )));
    }
    let n = read_u32(&mut r).ok_or_else(bad)?;
    let mut out = Vec::new();
    for _ in 0..n.min(1000) {
        let blob = read_string(&mut r).ok_or_else(bad)?;
        let _comment = read_string(&mut r).ok_or_else(bad)?;
        out.push(fingerprint(&blob));
    }
    Ok(out)
}

fn probe_known_hosts(
    c: &ClientConfig,
    home: &Path,
    provider: Option<ProviderKind>,
) -> Probed<KnownHost> {
    let host = c
        .host_key_alias
        .clone()
        .unwrap_or_else(|| c.hostname.clone())
        .to_ascii_lowercase();
    let name = if c.port == 22 {
        host
    } else {
        format!("[{host}]:{}", c.port)
    };
    let files: Vec<PathBuf> = c
        .user_known_hosts
        .iter()
        .chain(c.global_known_hosts.iter())
        .map(|f| expand(f, home, &c.hostname, &c.user))
        .filter(|f| f.exists())
        .collect();
    let retired_list = provider.map(|p| p.info().retired_host_keys).unwrap_or(&[]);
    let mut known = false;
    let mut retired = Vec::new();
    for f in &files {
        let Ok(bytes) = read_head(f, 16 << 20) else {
            continue;
        };
        for line in String::from_utf8_lossy(&bytes).lines() {
            let Some((t, b64)) = known_hosts_match(line, &name) else {
                continue;
            };
            known = true;
            if let Some((_, blob)) = public_key_line(&format!("{t} {b64}")) {
                let fp = fingerprint(&blob);
                if retired_list
                    .iter()
                    .any(|(pinned, _)| *pinned == fp || b64.contains(pinned))
                    && !retired.contains(&fp)
                {
                    retired.push(fp);
                }
            }
        }
    }
    Probed::Found(KnownHost {
        name,
        known,
        files,
        retired,
    })
}

/// If this known_hosts line applies to `name`, its key type and base64 key.
/// Handles hashed entries (`|1|salt|hash`, HMAC-SHA1), comma-separated patterns with
/// `*`/`?` wildcards and `!` negation, and the `@cert-authority` marker; `@revoked`
/// lines never make a host known (sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT").
pub(crate) fn known_hosts_match<'a>(line: &'a str, name: &str) -> Option<(&'a str, &'a str)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let mut fields = line.split_whitespace();
    let mut hosts = fields.next()?;
    if hosts.starts_with('@') {
        if hosts != "@cert-authority" {
            return None;
        }
        hosts = fields.next()?;
    }
    let (t, b64) = (fields.next()?, fields.next()?);
    let hit = if let Some(hashed) = hosts.strip_prefix("|1|") {
        hashed_match(hashed, name)
    } else {
        let mut positive = false;
        for pattern in hosts.split(',') {
            let (negated, p) = match pattern.strip_prefix('!') {
                Some(p) => (true, p),
                None => (false, pattern),
            };
            if wildcard(&p.to_ascii_lowercase(), name) {
                if negated {
                    return None;
                }
                positive = true;
            }
        }
        positive
    };
    hit.then_some((t, b64))
}

fn hashed_match(hashed: &str, name: &str) -> bool {
    use base64::Engine;
    use hmac::Mac;
    let Some((salt, hash)) = hashed.split_once('|') else {
        return false;
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let (Ok(salt), Ok(hash)) = (b64.decode(salt), b64.decode(hash)) else {
        return false;
    };
    let Ok(mut mac) = hmac::Hmac::<sha1::Sha1>::new_from_slice(&salt) else {
        return false;
    };
    mac.update(name.as_bytes());
    mac.verify_slice(&hash).is_ok()
}

/// OpenSSH's `match_pattern`: `*` any run, `?` one character.
fn wildcard(pattern: &str, s: &str) -> bool {
    let (p, s) = (pattern.as_bytes(), s.as_bytes());
    let (mut pi, mut si, mut star, mut mark) = (0, 0, None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backslash_escaped_ssh_command_resolves_to_its_program() {
        let dir = tempfile::tempdir().expect("tmp");
        let exe = dir.path().join("Program Files/OpenSSH/ssh.exe");
        crate::facts::testing::executable(&exe);
        let command = format!(
            "{} -i '/keys/a b' -o IdentitiesOnly=yes",
            exe.display().to_string().replace(' ', "\\ ")
        );
        let ctx = Ctx::for_test(dir.path(), "");
        let config = crate::facts::testing::config(&[("core.sshcommand", &command)]);
        let p = program(&ctx, &config);
        assert_eq!(p.via, "core.sshCommand");
        assert_eq!(p.name, exe.display().to_string());
        assert!(p.found);
        assert_eq!(p.identity_args, vec![PathBuf::from("/keys/a b")]);
    }

    #[test]
    fn known_hosts_lines() {
        assert!(
            known_hosts_match("github.com,140.82.112.3 ssh-ed25519 AAAA", "github.com").is_some()
        );
        assert!(known_hosts_match("*.github.com ssh-ed25519 AAAA", "api.github.com").is_some());
        assert!(known_hosts_match(
            "*.example.com,!bad.example.com ssh-ed25519 AAAA",
            "bad.example.com"
        )
        .is_none());
        assert!(known_hosts_match(
            "[git.example.com]:7999 ssh-rsa AAAA",
            "[git.example.com]:7999"
        )
        .is_some());
        assert!(
            known_hosts_match("git.example.com ssh-rsa AAAA", "[git.example.com]:7999").is_none()
        );
        assert!(known_hosts_match("@revoked github.com ssh-rsa AAAA", "github.com").is_none());
        assert!(known_hosts_match(
            "@cert-authority *.example.com ssh-rsa AAAA",
            "a.example.com"
        )
        .is_some());
        assert!(known_hosts_match("# github.com ssh-rsa AAAA", "github.com").is_none());
        assert!(known_hosts_match("gith?b.com ssh-rsa AAAA", "github.com").is_some());
    }

    #[test]
    fn hashed_known_hosts_match_ssh_keygen() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = dir.path().join("kh");
        std::fs::write(&f, "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n[h.example]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n").expect("write");
        let st = std::process::Command::new("ssh-keygen")
            .arg("-H")
            .arg("-f")
            .arg(&f)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        if !st.is_ok_and(|s| s.success()) {
            return; // ssh-keygen not installed: the e2e suite covers this.
        }
        let text = std::fs::read_to_string(&f).expect("read");
        assert!(text.starts_with("|1|"), "{text}");
        let hit = |name: &str| text.lines().any(|l| known_hosts_match(l, name).is_some());
        assert!(hit("github.com") && hit("[h.example]:2222"));
        assert!(!hit("gitlab.com") && !hit("h.example"));
    }

    #[test]
    fn parses_ssh_g() {
        let c = parse_client_config("user git\nhostname bitbucket.org\nport 22\nidentityfile ~/.ssh/id_rsa\nidentityfile ~/.ssh/id_ed25519\nbatchmode yes\nstricthostkeychecking true\nuserknownhostsfile ~/.ssh/known_hosts ~/.ssh/known_hosts2\n");
        assert_eq!(c.user, "git");
        assert_eq!(c.identity_files.len(), 2);
        assert!(c.batch_mode);
        assert_eq!(c.user_known_hosts.len(), 2);
    }

    #[test]
    fn reads_generated_keys() {
        let dir = tempfile::tempdir().expect("tmp");
        let key = dir.path().join("k");
        let st = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "pass phrase", "-f"])
            .arg(&key)
            .status();
        if !st.is_ok_and(|s| s.success()) {
            return; // ssh-keygen not installed: the e2e suite covers this.
        }
        let k = key_file(&key);
        assert_eq!(k.encrypted, Some(true));
        assert_eq!(k.key_type.as_deref(), Some("ssh-ed25519"));
        assert!(!k.too_open);
        let p = key_file(&dir.path().join("k.pub"));
        assert!(p.public_in_private_slot);
        assert_eq!(p.fingerprint, k.fingerprint);
    }
}
