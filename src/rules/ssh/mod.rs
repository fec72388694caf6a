//! SSH rules (CC301–CC313): predict `Permission denied (publickey)`, `Host key
//! verification failed`, `no matching host key type found` and an ssh program git
//! cannot run, from the SSH facts of each
//! push URL (the program, `ssh -G`, the key files, the agent, known_hosts), and explain
//! a connection the SSH guard saw fail (CC312, from the failure the guard recorded).
//!
//! One rule per file, named after the rule. The helpers below are shared by several of
//! them. These rules read [`crate::facts`] and the provider table only: they do no I/O
//! and never import `src/entry`. Advice here is SSH advice only: never a token.

// One line per rule: `file::RULE` declares the file and lists the rule.
crate::rules::area_rules! {
    plink_without_key::PLINK_WITHOUT_KEY,
    ssh_config_unreadable::SSH_CONFIG_UNREADABLE,
    ssh_control_path_missing::SSH_CONTROL_PATH_MISSING,
    ssh_connection_failed::SSH_CONNECTION_FAILED,
    ssh_host_key_algorithm_refused::SSH_HOST_KEY_ALGORITHM_REFUSED,
    ssh_host_unknown::SSH_HOST_UNKNOWN,
    ssh_key_refused::SSH_KEY_REFUSED,
    ssh_many_keys::SSH_MANY_KEYS,
    ssh_no_identity::SSH_NO_IDENTITY,
    ssh_passphrase_unattended::SSH_PASSPHRASE_UNATTENDED,
    ssh_program_missing::SSH_PROGRAM_MISSING,
    ssh_retired_host_key::SSH_RETIRED_HOST_KEY,
    ssh_wrong_user::SSH_WRONG_USER,
}

mod support;

use crate::facts::ssh::{ClientConfig, Probed, Ssh};
use crate::facts::{Facts, PushUrl};

/// The push URLs that go over SSH, with their SSH facts.
fn ssh_urls(facts: &Facts) -> impl Iterator<Item = (&PushUrl, &Ssh)> {
    facts
        .push_urls()
        .filter_map(|u| u.ssh.as_ref().map(|s| (u, s)))
}

/// The host ssh connects to: `HostName` from `ssh -G`, else the URL's host.
fn connect_host(s: &Ssh) -> &str {
    match &s.config {
        Probed::Found(c) => &c.hostname,
        _ => &s.host,
    }
}

/// The command that proves the fix worked: the provider's `ssh -T`, else one built from
/// the facts for the host as the URL names it (ssh resolves an alias's HostName and Port
/// itself, as for the push), with the `-F`, `-o`, `-i` and `-p` options of the ssh command git runs (a
/// bare `ssh -T` would read another configuration than the push does).
fn verify(u: &PushUrl, s: &Ssh) -> String {
    let test = u
        .provider
        .and_then(|p| p.info().ssh_test)
        .map(str::to_owned)
        .unwrap_or_else(|| {
            format!(
                "ssh -T {}@{}{}",
                s.effective_user().unwrap_or("git"),
                s.host,
                s.port.map(|p| format!(" -p {p}")).unwrap_or_default()
            )
        });
    let options = command_options(s);
    if options.is_empty() {
        return test;
    }
    match test.strip_prefix("ssh ") {
        Some(rest) => format!("ssh {options} {rest}"),
        None => test,
    }
}

/// The options of the user's ssh command (`-F file`, `-o …`), quoted for sh where needed.
pub(super) fn command_options(s: &Ssh) -> String {
    s.program
        .options
        .iter()
        .map(|o| {
            let plain = o
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
            if plain {
                o.clone()
            } else {
                crate::rules::advice::sh_quote(o)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The agent's identities; empty when no agent runs, `None` when the probe failed (a
/// failed `ssh-add -l` is not "no keys").
fn agent_identities(s: &Ssh) -> Option<&[String]> {
    match &s.agent {
        Probed::Found(a) => Some(&a.identities),
        Probed::Absent => Some(&[]),
        Probed::Failed(_) => None,
    }
}

/// Hosted providers accept only public keys: no password fallback exists there.
fn publickey_only(u: &PushUrl) -> bool {
    u.provider.is_some_and(|p| p.info().ssh_user.is_some())
}

/// Steps that add the host key to the known_hosts file ssh will read, checked against
/// the provider's published fingerprints.
fn keyscan(u: &PushUrl, c: &ClientConfig) -> Vec<String> {
    let port = if c.port == 22 {
        String::new()
    } else {
        format!("-p {} ", c.port)
    };
    // The file ssh will read: the first UserKnownHostsFile (from -o, -F or ~/.ssh/config).
    let file = c
        .user_known_hosts
        .first()
        .map(|f| f.display().to_string())
        .unwrap_or_else(|| "~/.ssh/known_hosts".into());
    // With HostKeyAlias ssh looks the key up under the alias alone, port and all
    // (sshconnect.c `get_hostfile_hostname_ipaddr`): the scanned lines get that name.
    let scan = match &c.host_key_alias {
        Some(alias) => format!(
            "ssh-keyscan {port}{} | sed {} >> {file}",
            c.hostname,
            crate::rules::advice::sh_quote(&format!(
                "s/^[^ ]*/{}/",
                alias.replace(['/', '&', '\\'], "")
            ))
        ),
        None => format!("ssh-keyscan {port}{} >> {file}", c.hostname),
    };
    let mut v = vec![
        scan,
        format!("ssh-keygen -lf {file}   # compare with the published fingerprints"),
    ];
    if let Some(page) = u.provider.and_then(|p| p.info().host_keys_page) {
        v.push(format!("# published fingerprints: {page}"));
    }
    v
}

/// Fact fixtures for the SSH rule tests.
#[cfg(test)]
mod testing {
    pub(super) use crate::facts::ssh::{Agent, KeyFile, KnownHost, Probed, Ssh, Variant};
    use crate::facts::ssh::{ClientConfig, Program};
    use crate::facts::testing::with_push_url;
    use crate::facts::Facts;
    use std::path::PathBuf;

    /// A usable, unencrypted ed25519 key file whose fingerprint is `SHA256:<path>`.
    pub(super) fn key(path: &str) -> KeyFile {
        KeyFile {
            path: PathBuf::from(path),
            exists: true,
            readable: true,
            mode: Some(0o600),
            too_open: false,
            public_in_private_slot: false,
            foreign_format: false,
            key_type: Some("ssh-ed25519".into()),
            encrypted: Some(false),
            fingerprint: Some(format!("SHA256:{path}")),
        }
    }

    /// An agent holding the given fingerprints.
    pub(super) fn agent(identities: &[&str]) -> Probed<Agent> {
        Probed::Found(Agent {
            socket: "/s".into(),
            identities: identities.iter().map(|&i| i.into()).collect(),
        })
    }

    /// Facts for one SSH push URL: OpenSSH found, `ssh -G` read (`StrictHostKeyChecking
    /// ask`), these key files, this agent, the host known, nobody to type at a prompt.
    pub(super) fn ssh_facts(url: &str, keys: Vec<KeyFile>, agent: Probed<Agent>) -> Facts {
        let mut f = with_push_url(url);
        let u = &mut f.remotes[0].urls[0];
        let host = u.url.host.clone().unwrap_or_default();
        u.ssh = Some(Ssh {
            program: Program {
                via: "default".into(),
                source: None,
                name: "ssh".into(),
                found: true,
                variant: Variant::Ssh,
                identity_args: vec![],
                options: vec![],
            },
            url_user: u.url.user.clone(),
            host: host.clone(),
            port: None,
            config: Probed::Found(ClientConfig {
                user: "root".into(),
                hostname: host.clone(),
                port: 22,
                identity_files: keys.iter().map(|k| k.path.clone()).collect(),
                strict_host_key_checking: "ask".into(),
                ..ClientConfig::default()
            }),
            keys,
            agent,
            known_hosts: Probed::Found(KnownHost {
                name: host,
                known: true,
                files: vec![],
                retired: vec![],
                entries: vec![],
            }),
            provider: u.provider,
            can_prompt: false,
            control_dir_missing: None,
            guard: Default::default(),
            failure: None,
            putty: None,
        });
        f
    }

    pub(super) fn ssh_mut(f: &mut Facts) -> &mut Ssh {
        f.remotes[0].urls[0].ssh.as_mut().expect("ssh facts")
    }

    pub(super) fn config_mut(f: &mut Facts) -> &mut ClientConfig {
        match &mut ssh_mut(f).config {
            Probed::Found(c) => c,
            _ => panic!("ssh -G facts"),
        }
    }

    /// Marks the host as missing from known_hosts.
    pub(super) fn unknown_host(f: &mut Facts) {
        if let Probed::Found(k) = &mut ssh_mut(f).known_hosts {
            k.known = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;

    #[test]
    fn no_token_advice_for_ssh() {
        let mut locked = key("/k");
        locked.too_open = true;
        let f = ssh_facts("jdoe@bitbucket.org:ws/r.git", vec![locked], Probed::Absent);
        let all = crate::rules::run(&f, &crate::rules::Defaults);
        assert!(!all.is_empty());
        for d in all {
            let text = format!("{:?}", d.finding).to_lowercase();
            assert!(!text.contains("token"), "{text}");
        }
    }

    #[test]
    fn verify_uses_the_provider_test_or_the_facts() {
        let f = ssh_facts("git@bitbucket.org:ws/r.git", vec![], Probed::Absent);
        let u = &f.remotes[0].urls[0];
        let s = u.ssh.as_ref().expect("ssh");
        assert_eq!(super::verify(u, s), "ssh -T git@bitbucket.org");
        let f = ssh_facts("ssh://jdoe@git.example.test/r.git", vec![], Probed::Absent);
        let u = &f.remotes[0].urls[0];
        let s = u.ssh.as_ref().expect("ssh");
        assert_eq!(super::verify(u, s), "ssh -T jdoe@git.example.test");
    }
}
