//! The SSH side of a push URL: what ssh will actually do, found without connecting.
//!
//! Runs only for SSH push URLs. The program comes from `GIT_SSH_COMMAND`,
//! `core.sshCommand`, `GIT_SSH`, then `ssh` (with `ssh.variant`); for OpenSSH, `ssh -G`
//! with the command's own options gives the effective configuration. Key files are read
//! for their header only; the agent is asked for its identities over its socket; known
//! hosts are looked up with `ssh-keygen -F`. Every probe has a deadline, and a probe
//! that fails is recorded as failed, never as "nothing found".
//!
//! Split by probe: [`client`] runs `ssh -G` and expands its paths, [`keys`] reads key
//! files, [`agent`] asks the agent, [`known_hosts`] matches known_hosts lines. [`guard`]
//! resolves the ssh command (and the one the SSH guard runs in its place), [`failure`]
//! reads a failed connection's messages (SSH guard only). This file holds the facts'
//! types, the program git runs, and the order the probes run in.

mod agent;
mod client;
pub(crate) mod failure;
pub(crate) mod guard;
mod keys;
mod known_hosts;
pub(crate) mod putty;

#[cfg(test)]
pub(crate) use client::parse_client_config;
pub(crate) use client::passwd_home;
#[cfg(test)]
pub(crate) use known_hosts::probe_known_hosts;

use super::gitconfig::{Config, Source};
use super::url::ParsedUrl;
use super::Ctx;
use crate::provider::ProviderKind;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

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
    /// PKCS#11 provider, security key, or an IdentityFile path with a token we do not
    /// expand: a key source we cannot inspect.
    pub other_key_source: bool,
    /// `KnownHostsCommand` supplies host keys we cannot see.
    #[serde(default)]
    pub known_hosts_command: bool,
    /// `ControlMaster` is on (`yes`, `auto`, `ask`, `autoask`).
    #[serde(default)]
    pub control_master: bool,
    /// `ControlPath`, unless `none`.
    #[serde(default)]
    pub control_path: Option<String>,
    /// `HostKeyAlgorithms` as ssh will offer them (`ssh -G`); `None` when ssh did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_key_algorithms: Option<Vec<String>>,
    /// `PubkeyAcceptedAlgorithms` (`PubkeyAcceptedKeyTypes` before OpenSSH 8.5): the
    /// signature algorithms ssh will use with a key; `None` when ssh did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pubkey_accepted_algorithms: Option<Vec<String>>,
    /// `UseKeychain` (Apple's OpenSSH on macOS), when `ssh -G` reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_keychain: Option<bool>,
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
    /// Every known_hosts line that matched, in the order ssh reads them.
    #[serde(default)]
    pub entries: Vec<HostKeyEntry>,
}

impl KnownHost {
    /// Every key pinned for the host is one the provider retired (and one is): ssh will
    /// meet a key it does not know and stop with `REMOTE HOST IDENTIFICATION HAS CHANGED`.
    pub(crate) fn only_retired(&self) -> bool {
        !self.entries.is_empty() && self.entries.iter().all(|e| e.retired)
    }
}

/// One known_hosts line that applies to the host: where it is, and what it pins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct HostKeyEntry {
    pub file: PathBuf,
    /// 1-based, as ssh and `ssh-keygen -F` number them.
    pub line: u32,
    pub key_type: String,
    /// SHA256 fingerprint of the pinned key, when the line holds a readable key.
    pub fingerprint: Option<String>,
    /// The provider has retired this key.
    pub retired: bool,
    /// An `@cert-authority` line: it pins the CA that signs host certificates.
    #[serde(default)]
    pub cert_authority: bool,
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
    /// The directory of a master's `ControlPath`, when it does not exist (ssh cannot
    /// create the socket there and exits with 255).
    #[serde(default)]
    pub control_dir_missing: Option<PathBuf>,
    /// Whether the SSH guard (`git-credcheck ssh`) runs for this connection.
    #[serde(default)]
    pub guard: guard::GuardState,
    /// How the connection failed: set only by the SSH guard, after ssh exited 255.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<failure::Failure>,
    /// PuTTY's saved session and Pageant, when the program is plink (or putty,
    /// TortoisePlink).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub putty: Option<putty::Putty>,
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
    gather_for(ctx, config, url, hosts, guard::connecting(&ctx.env, config))
}

/// The SSH facts of `url` when `command` makes the connection (the SSH guard passes the
/// command it runs).
pub(crate) fn gather_for(
    ctx: &Ctx,
    config: &Config,
    url: &ParsedUrl,
    hosts: &[(String, ProviderKind)],
    command: guard::SshCommand<'_>,
) -> Ssh {
    let program = program(ctx, config, command);
    let host = url.host.clone().unwrap_or_default();
    let client = if program.found && program.variant == Variant::Ssh {
        client::client_config(&program, url, &ctx.deadline)
    } else if program.variant != Variant::Ssh {
        Probed::Absent
    } else {
        Probed::Failed(format!("the ssh program `{}` was not found", program.name))
    };
    let home = passwd_home().unwrap_or_else(|| ctx.home.clone());
    let mut keys = Vec::new();
    let mut agent = Probed::Absent;
    let mut known_hosts = Probed::Absent;
    // ssh asks through its askpass program when told to (`SSH_ASKPASS_REQUIRE=force`),
    // else, without a terminal, when a display is set and it is not told never (readpass.c).
    let askpass = match ctx.env.ssh_askpass_require.as_deref() {
        Some(r) if r.eq_ignore_ascii_case("force") => true,
        Some(r) if r.eq_ignore_ascii_case("never") => false,
        _ => ctx.env.ssh_askpass.is_some() && ctx.env.display,
    };
    let mut can_prompt = ctx.env.tty || askpass;
    let mut provider = crate::provider::detect(&host, &url.path, hosts);
    let mut control_dir_missing = None;
    let mut unresolved = false;
    if let Probed::Found(c) = &client {
        if let Some(path) = c.control_path.as_deref().filter(|_| c.control_master) {
            let path = client::expand(Path::new(path), &home, &c.hostname, &c.user);
            // A directory still holding tokens (`%C`) cannot be judged.
            control_dir_missing = path
                .parent()
                .filter(|d| !d.to_string_lossy().contains('%') && !d.as_os_str().is_empty())
                .filter(|d| !d.exists())
                .map(Path::to_path_buf);
        }
        can_prompt &= !c.batch_mode;
        provider = crate::provider::detect(&c.hostname, &url.path, hosts).or(provider);
        let mut seen = Vec::new();
        for f in program.identity_args.iter().chain(c.identity_files.iter()) {
            let path = client::expand(f, &home, &c.hostname, &c.user);
            if path.to_string_lossy().contains('%') {
                // A token not expanded here (%u, %l, %C…): ssh may well find a key there.
                unresolved = true;
                continue;
            }
            if !seen.contains(&path) {
                seen.push(path.clone());
                keys.push(keys::key_file(&path));
            }
        }
        agent = agent::probe_agent(ctx, c.identity_agent.as_deref(), &home, &program.name);
        known_hosts = if c.known_hosts_command {
            Probed::Absent
        } else {
            known_hosts::probe_known_hosts(c, &home, provider)
        };
    }
    let putty = matches!(
        program.variant,
        Variant::Plink | Variant::Putty | Variant::Tortoiseplink
    )
    .then(|| {
        putty::gather(ctx, &host, || {
            agent::probe_agent(ctx, None, &home, &program.name)
        })
    });
    let mut client = client;
    if let (true, Probed::Found(c)) = (unresolved, &mut client) {
        c.other_key_source = true;
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
        control_dir_missing,
        guard: guard::state(&ctx.env, config),
        failure: None,
        putty,
    }
}

fn program(ctx: &Ctx, config: &Config, command: guard::SshCommand<'_>) -> Program {
    let variant_cfg = config.value("ssh", "variant").map(str::to_ascii_lowercase);
    let (via, source, command, is_command) = (
        command.via,
        command.entry.map(|e| e.source()),
        command.command,
        command.is_command,
    );
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
            // Forward slashes, as a config for Git for Windows' sh spells it.
            exe.display()
                .to_string()
                .replace('\\', "/")
                .replace(' ', "\\ ")
        );
        let ctx = Ctx::for_test(dir.path(), "");
        let config = crate::facts::testing::config(&[("core.sshcommand", &command)]);
        let p = program(&ctx, &config, guard::connecting(&ctx.env, &config));
        assert_eq!(p.via, "core.sshCommand");
        assert_eq!(p.name, exe.display().to_string().replace('\\', "/"));
        assert!(p.found);
        assert_eq!(p.identity_args, vec![PathBuf::from("/keys/a b")]);
    }
}
