//! The effective client configuration: `ssh -G` with the command's own options (it
//! prints the configuration without connecting), and the paths in it expanded as ssh
//! expands them, from the home directory ssh uses.

use super::{ClientConfig, Probed, Program};
use crate::facts::url::ParsedUrl;
use crate::facts::Deadline;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The most one `ssh -G` may take, when the run has that much left.
const CAP: Duration = Duration::from_secs(5);

pub(super) fn client_config(
    program: &Program,
    url: &ParsedUrl,
    deadline: &Deadline,
) -> Probed<ClientConfig> {
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
    let what = format!("`{} -G {}`", program.name, args.last().map_or("", |a| a));
    let Some(allowed) = deadline.allow(CAP) else {
        crate::facts::files::skipped(&what, deadline.spent());
        return Probed::Failed(format!("`{} -G` {}", program.name, deadline.spent()));
    };
    let out = match crate::process::run(&program.name, &argv, b"", allowed) {
        Ok(o) => o,
        Err(e) => return Probed::Failed(format!("could not run `{} -G`: {e}", program.name)),
    };
    if out.timed_out {
        let why = format!(
            "did not finish within {}",
            crate::facts::ctx::seconds(allowed)
        );
        crate::facts::files::skipped(&what, &why);
        return Probed::Failed(format!("`{} -G` {why}", program.name));
    }
    if !out.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Probed::Failed(crate::redact::text(&format!(
            "`{} -G` failed: {}",
            program.name,
            err.lines().next().unwrap_or("").trim()
        )));
    }
    let config = parse_client_config(&String::from_utf8_lossy(&out.stdout));
    if config.hostname.is_empty() {
        // A wrapper that accepts -G without printing ssh's configuration tells nothing.
        return Probed::Failed(format!("`{} -G` printed no configuration", program.name));
    }
    Probed::Found(config)
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
            // Apple's OpenSSH only (macOS): the Keychain holds key passphrases.
            "usekeychain" => c.use_keychain = Some(v == "yes"),
            "hostkeyalias" => c.host_key_alias = Some(v.into()),
            "pkcs11provider" | "securitykeyprovider" if v != "none" && v != "internal" => {
                c.other_key_source = true
            }
            "knownhostscommand" if v != "none" => c.known_hosts_command = true,
            "controlmaster" => {
                c.control_master = matches!(
                    v.to_ascii_lowercase().as_str(),
                    "yes" | "true" | "auto" | "ask" | "autoask"
                )
            }
            "controlpath" if v != "none" => c.control_path = Some(v.into()),
            "hostkeyalgorithms" => c.host_key_algorithms = Some(algorithms(v)),
            "pubkeyacceptedalgorithms" | "pubkeyacceptedkeytypes" => {
                c.pubkey_accepted_algorithms = Some(algorithms(v))
            }
            _ => {}
        }
    }
    c
}

/// A comma-separated algorithm list as `ssh -G` prints it.
fn algorithms(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Expands `~` and the `%` tokens ssh allows in IdentityFile.
pub(super) fn expand(p: &Path, home: &Path, host: &str, user: &str) -> PathBuf {
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
    crate::platform::account_home()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ssh_g() {
        let c = parse_client_config("user git\nhostname bitbucket.org\nport 22\nidentityfile ~/.ssh/id_rsa\nidentityfile ~/.ssh/id_ed25519\nbatchmode yes\nstricthostkeychecking true\nuserknownhostsfile ~/.ssh/known_hosts ~/.ssh/known_hosts2\n");
        assert_eq!(c.user, "git");
        assert_eq!(c.identity_files.len(), 2);
        assert!(c.batch_mode);
        assert_eq!(c.user_known_hosts.len(), 2);
        assert_eq!(c.host_key_algorithms, None);
    }

    #[test]
    fn parses_the_algorithm_lists() {
        let c = parse_client_config("hostname h\nhostkeyalgorithms ssh-ed25519,rsa-sha2-512,rsa-sha2-256\npubkeyacceptedkeytypes ssh-ed25519,ssh-rsa\n");
        assert_eq!(
            c.host_key_algorithms.as_deref(),
            Some(
                &[
                    "ssh-ed25519".to_owned(),
                    "rsa-sha2-512".into(),
                    "rsa-sha2-256".into()
                ][..]
            )
        );
        assert_eq!(
            c.pubkey_accepted_algorithms.as_deref(),
            Some(&["ssh-ed25519".to_owned(), "ssh-rsa".into()][..])
        );
    }
}
