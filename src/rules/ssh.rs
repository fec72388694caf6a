//! SSH rules: predict `Permission denied (publickey)` and `Host key verification failed`.
//! Advice here is SSH advice only: never a token.

use super::{declare_rule, Finding, Location};
use crate::facts::ssh::{KeyFile, Probed, Ssh, Variant};
use crate::facts::{Facts, PushUrl};

fn ssh_urls(facts: &Facts) -> impl Iterator<Item = (&PushUrl, &Ssh)> {
    facts
        .push_urls()
        .filter_map(|u| u.ssh.as_ref().map(|s| (u, s)))
}

fn verify(u: &PushUrl, s: &Ssh) -> String {
    let host = match &s.config {
        Probed::Found(c) => c.hostname.clone(),
        _ => s.host.clone(),
    };
    u.provider
        .and_then(|p| p.info().ssh_test)
        .map(str::to_owned)
        .unwrap_or_else(|| {
            format!(
                "ssh -T {}@{host}{}",
                s.effective_user().unwrap_or("git"),
                s.port.map(|p| format!(" -p {p}")).unwrap_or_default()
            )
        })
}

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

declare_rule! {
    /// ## What it does
    /// Checks for an SSH push URL to a hosted provider whose user is not the one the
    /// provider requires (`git` for Bitbucket, GitHub, GitLab, Azure DevOps, Hugging Face).
    ///
    /// ## Why is this bad?
    /// The account is chosen by the key, not the user name: any other user gets
    /// `Permission denied (publickey)`.
    ///
    /// ## Example
    /// ```console
    /// jdoe@bitbucket.org:acme/app.git
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git remote set-url origin git@bitbucket.org:acme/app.git
    /// ```
    ///
    /// ## References
    /// - [Bitbucket: set up SSH](https://support.atlassian.com/bitbucket-cloud/docs/set-up-personal-ssh-keys-on-linux/)
    WRONG_USER, "CC301", "ssh-wrong-user", Ssh, Error,
    "ssh user is not the one the provider requires", wrong_user
}

fn wrong_user(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        let Some(want) = u.provider.and_then(|p| p.info().ssh_user) else {
            continue;
        };
        // Self-managed servers choose their own SSH user (GitLab's can be `git-rts`).
        let host = match &s.config {
            Probed::Found(c) => c.hostname.to_ascii_lowercase(),
            _ => s.host.clone(),
        };
        let hosted = |h: &str| u.provider.is_some_and(|p| p.info().hosts.contains(&h));
        if !hosted(&host) && !hosted(&s.host) {
            continue;
        }
        let Some(user) = s.effective_user() else {
            continue;
        };
        if user == want {
            continue;
        }
        let host = match &s.config {
            Probed::Found(c) => c.hostname.clone(),
            _ => s.host.clone(),
        };
        let fixed = format!("{want}@{}:{}", s.host, u.url.path);
        let (loc, cmd) = if s.url_user.is_some() {
            (
                u.configured.as_ref().map(Location::from),
                super::advice::set_url(u, &fixed),
            )
        } else {
            (
                None,
                format!("# set `User {want}` for {host} in ~/.ssh/config"),
            )
        };
        out.push(
            Finding::at(
                u,
                format!(
                    "remote `{}` ({}) logs in to {} as `{user}`",
                    u.remote, u.url.display, host
                ),
            )
            .location(loc)
            .cause(format!(
                "{} accepts only the user `{want}` over SSH; the key picks the account",
                u.provider.map(|p| p.info().name).unwrap_or("the provider")
            ))
            .fix(format!("use the user {want}"), vec![cmd, verify(u, s)])
            .rejects_auth(),
        );
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for an SSH push with no identity at all: none of the key files ssh will
    /// try exists, and no agent holds a key.
    ///
    /// ## Why is this bad?
    /// The server refuses the connection with `Permission denied (publickey)`.
    ///
    /// ## Example
    /// ```console
    /// $ ls ~/.ssh
    /// known_hosts
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// ssh-keygen -t ed25519 -f ~/.ssh/id_ed25519
    /// cat ~/.ssh/id_ed25519.pub   # add it to your account's SSH keys
    /// ssh -T git@bitbucket.org
    /// ```
    ///
    /// ## References
    /// - [ssh_config(5): IdentityFile](https://man.openbsd.org/ssh_config#IdentityFile)
    NO_IDENTITY, "CC302", "ssh-no-identity", Ssh, Error,
    "no SSH key file and no agent identity", no_identity
}

fn no_identity(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        let Probed::Found(c) = &s.config else {
            continue;
        };
        let Some(agent) = agent_identities(s) else {
            continue;
        };
        if c.other_key_source || !agent.is_empty() || s.keys.iter().any(|k| k.exists) {
            continue;
        }
        let tried: Vec<_> = s
            .keys
            .iter()
            .map(|k| k.path.display().to_string())
            .collect();
        out.push(
            Finding::at(
                u,
                format!(
                    "remote `{}` ({}) has no SSH key: none of {} exists and no agent holds a key",
                    u.remote,
                    u.url.display,
                    tried.join(", ")
                ),
            )
            .cause("the server will answer `Permission denied (publickey)`")
            .fix(
                "create a key, add its public half to your account, and verify",
                vec![
                    "ssh-keygen -t ed25519 -f ~/.ssh/id_ed25519".into(),
                    "cat ~/.ssh/id_ed25519.pub   # add it to your account's SSH keys".into(),
                    verify(u, s),
                ],
            )
            .certain_if(publickey_only(u) || !s.can_prompt)
            .rejects_auth(),
        );
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for key files OpenSSH will refuse to use: readable by group or others
    /// (`UNPROTECTED PRIVATE KEY FILE`), a public key where the private key belongs, a DSA
    /// key (disabled in OpenSSH and refused by GitHub since 2022-03-15), a PuTTY `.ppk` file.
    ///
    /// ## Why is this bad?
    /// ssh skips the key. When it was the only one, the server answers
    /// `Permission denied (publickey)`.
    ///
    /// ## Example
    /// ```console
    /// $ ls -l ~/.ssh/id_ed25519
    /// -rw-r--r-- 1 alice alice 411 id_ed25519
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// chmod 600 ~/.ssh/id_ed25519
    /// ```
    ///
    /// ## References
    /// - [ssh(1): FILES](https://man.openbsd.org/ssh#FILES)
    KEY_REFUSED, "CC303", "ssh-key-refused", Ssh, Error,
    "an SSH key file is one OpenSSH refuses to use", key_refused
}

fn refusal(k: &KeyFile) -> Option<(String, String)> {
    let p = k.path.display();
    if !k.exists {
        return None;
    }
    if k.too_open {
        return Some((
            format!(
                "mode {:04o} lets others read it (UNPROTECTED PRIVATE KEY FILE)",
                k.mode.unwrap_or(0)
            ),
            format!("chmod 600 '{p}'"),
        ));
    }
    if k.public_in_private_slot {
        return Some((
            "it holds a public key, not the private key".into(),
            format!("# point IdentityFile (or -i) at the private key, not '{p}'"),
        ));
    }
    if k.foreign_format {
        return Some((
            "it is a PuTTY .ppk file, which OpenSSH cannot read".into(),
            format!("puttygen '{p}' -O private-openssh -o '{p}.openssh'"),
        ));
    }
    if k.is_dsa() {
        return Some((
            "it is a DSA key, which OpenSSH disables and providers refuse".into(),
            "ssh-keygen -t ed25519 -f ~/.ssh/id_ed25519".into(),
        ));
    }
    if !k.readable {
        return Some(("it cannot be read".into(), format!("ls -l '{p}'")));
    }
    None
}

fn key_refused(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        let Probed::Found(c) = &s.config else {
            continue;
        };
        let agent_has = agent_identities(s).is_none_or(|a| !a.is_empty());
        let any_usable = s.keys.iter().any(KeyFile::usable);
        for k in &s.keys {
            let Some((why, cmd)) = refusal(k) else {
                continue;
            };
            out.push(
                Finding::at(u, format!("ssh key {} for remote `{}` ({}) will be skipped: {why}", k.path.display(), u.remote, u.url.display))
                    .location(Location { file: Some(k.path.clone()), line: None, what: "SSH private key".into() })
                    .cause(if any_usable || agent_has {
                        "ssh skips it and tries the other identities".to_owned()
                    } else {
                        "it is the only key ssh could offer, so the server will answer `Permission denied (publickey)`".to_owned()
                    })
                    .fix("make the key usable", vec![cmd, verify(u, s)])
                    .certain_if(!any_usable && !agent_has && !c.other_key_source)
                    .rejects_auth(),
            );
        }
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for SSH keys that are all passphrase-protected, none held by an agent, in a
    /// run where nobody can type the passphrase (CI, `BatchMode yes`, no terminal).
    ///
    /// ## Why is this bad?
    /// ssh cannot decrypt the key and the server answers `Permission denied (publickey)`.
    ///
    /// ## Example
    /// ```console
    /// $ GIT_SSH_COMMAND='ssh -o BatchMode=yes' git push
    /// git@bitbucket.org: Permission denied (publickey).
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// eval "$(ssh-agent -s)"
    /// ssh-add ~/.ssh/id_ed25519
    /// ```
    ///
    /// ## References
    /// - [ssh-add(1)](https://man.openbsd.org/ssh-add)
    PASSPHRASE_UNATTENDED, "CC304", "ssh-passphrase-unattended", Ssh, Error,
    "ssh keys need a passphrase nobody can type", passphrase_unattended
}

fn passphrase_unattended(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        if s.can_prompt {
            continue;
        }
        let Probed::Found(c) = &s.config else {
            continue;
        };
        let Some(agent) = agent_identities(s) else {
            continue;
        };
        let usable: Vec<&KeyFile> = s.keys.iter().filter(|k| k.usable()).collect();
        if usable.is_empty() || c.other_key_source {
            continue;
        }
        let locked: Vec<&KeyFile> = usable
            .iter()
            .copied()
            .filter(|k| {
                k.encrypted == Some(true)
                    && !k.fingerprint.as_ref().is_some_and(|f| agent.contains(f))
            })
            .collect();
        if locked.len() != usable.len() {
            continue;
        }
        let names: Vec<_> = locked
            .iter()
            .map(|k| k.path.display().to_string())
            .collect();
        out.push(
            Finding::at(u, format!("ssh key {} for remote `{}` ({}) needs a passphrase and no agent holds it", names.join(", "), u.remote, u.url.display))
                .location(Location { file: Some(locked[0].path.clone()), line: None, what: "SSH private key".into() })
                .cause("nobody can type the passphrase here (BatchMode, CI or no terminal), so ssh cannot use the key")
                .fix("load the key into an agent", vec!["eval \"$(ssh-agent -s)\"".into(), format!("ssh-add '{}'", names[0]), verify(u, s)])
                .certain_if(agent.is_empty())
                .rejects_auth(),
        );
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for an SSH host that is not in any known_hosts file ssh reads (hashed
    /// entries and `[host]:port` included) when nobody can confirm its key and
    /// `StrictHostKeyChecking` is not `accept-new` or `no`.
    ///
    /// ## Why is this bad?
    /// ssh stops with `Host key verification failed.` before authenticating.
    ///
    /// ## Example
    /// ```console
    /// $ GIT_SSH_COMMAND='ssh -o BatchMode=yes' git push
    /// Host key verification failed.
    /// ```
    ///
    /// ## Fix
    /// Add the host key after checking it against the provider's published fingerprints:
    /// ```sh
    /// ssh-keyscan bitbucket.org >> ~/.ssh/known_hosts
    /// ssh-keygen -lf ~/.ssh/known_hosts
    /// ```
    ///
    /// ## References
    /// - [Bitbucket host keys](https://bitbucket.org/site/ssh)
    HOST_UNKNOWN, "CC305", "ssh-host-unknown", Ssh, Error,
    "the SSH host key is unknown and nobody can confirm it", host_unknown
}

fn keyscan(u: &PushUrl, c: &crate::facts::ssh::ClientConfig) -> Vec<String> {
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
    let mut v = vec![
        format!("ssh-keyscan {port}{} >> {file}", c.hostname),
        format!("ssh-keygen -lf {file}   # compare with the published fingerprints"),
    ];
    if let Some(page) = u.provider.and_then(|p| p.info().host_keys_page) {
        v.push(format!("# published fingerprints: {page}"));
    }
    v
}

fn host_unknown(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        let (Probed::Found(c), Probed::Found(k)) = (&s.config, &s.known_hosts) else {
            continue;
        };
        if k.known
            || matches!(
                c.strict_host_key_checking.as_str(),
                "no" | "off" | "false" | "accept-new"
            )
        {
            continue;
        }
        let will_ask = c.strict_host_key_checking == "ask" && s.can_prompt;
        out.push(
            Finding::at(
                u,
                format!(
                    "ssh host {} for remote `{}` ({}) is not in known_hosts",
                    k.name, u.remote, u.url.display
                ),
            )
            .cause(if will_ask {
                "ssh will ask you to confirm the host key".to_owned()
            } else {
                "nobody can confirm the host key, so ssh stops with `Host key verification failed.`"
                    .to_owned()
            })
            .fix(
                "add the host key after checking its fingerprint",
                keyscan(u, c),
            )
            .certain_if(!will_ask)
            .rejects_auth(),
        );
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for a known_hosts entry that pins a host key the provider has retired
    /// (GitHub's RSA key replaced on 2023-03-24, Bitbucket's RSA key replaced on 2023-06-20).
    ///
    /// ## Why is this bad?
    /// ssh prints `WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!` and refuses the
    /// connection when the server offers the new key.
    ///
    /// ## Example
    /// ```console
    /// github.com ssh-rsa AAAAB3NzaC1yc2EAAAABIwAAAQEAq2A7hRGmdnm9tUDbO9IDSwBK6TbQa+PXYPCPy6rbTrTtw7PHkccKrpp0yVhp5HdEIcKr6pLlVDBfOLX9QUsyCOV0wzfjIJNlGEYsdlLJizHhbn2mUjvSAHQqZETYP81eFzLQNnPHt4EVVUh7VfDESU84KezmD5QlWpXLmvU31/yMf+Se8xhHTvKSCZIFImWwoG6mbUoWf9nzpIoaSjB+weqqUUmpaaasXVal72J+UX2B+2RPW3RcT0eOzQgqlJL3RKrTJvdsjE3JEAvGq3lGHSZXy28G3skua2SmVi/w4yCE6gbODqnTWlg7+wC604ydGXA8VJiS5ap43JXiUFFAaQ==
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// ssh-keygen -R github.com
    /// ssh-keyscan github.com >> ~/.ssh/known_hosts
    /// ```
    ///
    /// ## References
    /// - [GitHub: we updated our RSA SSH host key](https://github.blog/2023-03-23-we-updated-our-rsa-ssh-host-key/)
    RETIRED_HOST_KEY, "CC306", "ssh-retired-host-key", Ssh, Warning,
    "known_hosts pins a host key the provider has retired", retired_host_key
}

fn retired_host_key(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        let (Probed::Found(c), Probed::Found(k)) = (&s.config, &s.known_hosts) else {
            continue;
        };
        if k.retired.is_empty() {
            continue;
        }
        let mut cmds = vec![format!("ssh-keygen -R {}", k.name)];
        cmds.extend(keyscan(u, c));
        out.push(
            Finding::at(
                u,
                format!(
                    "known_hosts pins a retired host key ({}) for {} (remote `{}`)",
                    k.retired.join(", "),
                    k.name,
                    u.remote
                ),
            )
            .location(k.files.first().map(|f| Location {
                file: Some(f.clone()),
                line: None,
                what: "known_hosts entry".into(),
            }))
            .cause(
                "ssh will print `REMOTE HOST IDENTIFICATION HAS CHANGED` and refuse the connection",
            )
            .fix("replace the retired key with the current one", cmds),
        );
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for several SSH identities (key files and agent keys) offered without
    /// `IdentitiesOnly yes`.
    ///
    /// ## Why is this bad?
    /// ssh offers every key in turn. The server may accept another account's key first
    /// (`Repository not found`, `denied to otheruser`) or stop after `MaxAuthTries` with
    /// `Too many authentication failures`.
    ///
    /// ## Example
    /// ```console
    /// $ ssh-add -l
    /// 256 SHA256:… work (ED25519)
    /// 256 SHA256:… personal (ED25519)
    /// ```
    ///
    /// ## Fix
    /// ```ini
    /// Host bitbucket.org
    ///     IdentityFile ~/.ssh/id_work
    ///     IdentitiesOnly yes
    /// ```
    ///
    /// ## References
    /// - [ssh_config(5): IdentitiesOnly](https://man.openbsd.org/ssh_config#IdentitiesOnly)
    MANY_KEYS, "CC307", "ssh-many-keys", Ssh, Info,
    "several SSH identities are offered without IdentitiesOnly", many_keys
}

fn many_keys(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        let Probed::Found(c) = &s.config else {
            continue;
        };
        if c.identities_only {
            continue;
        }
        let mut ids: Vec<String> = s
            .keys
            .iter()
            .filter(|k| k.usable())
            .map(|k| {
                k.fingerprint
                    .clone()
                    .unwrap_or_else(|| k.path.display().to_string())
            })
            .collect();
        if let Some(a) = agent_identities(s) {
            ids.extend(a.iter().cloned());
        }
        ids.sort();
        ids.dedup();
        if ids.len() < 2 {
            continue;
        }
        out.push(
            Finding::at(u, format!("{} SSH identities are offered to {} for remote `{}` without IdentitiesOnly", ids.len(), c.hostname, u.remote))
                .cause("the server may accept another account's key first, or stop after MaxAuthTries")
                .fix(
                    "pin the key for this host",
                    vec![format!("printf 'Host {}\\n  IdentityFile <your key>\\n  IdentitiesOnly yes\\n' >> ~/.ssh/config", c.hostname), verify(u, s)],
                ),
        );
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for an SSH program (from `GIT_SSH_COMMAND`, `core.sshCommand` or `GIT_SSH`)
    /// that cannot be found.
    ///
    /// ## Why is this bad?
    /// git fails with `cannot run ssh: No such file or directory` before connecting.
    ///
    /// ## Example
    /// ```ini
    /// [core]
    ///     sshCommand = /opt/old/bin/ssh -i ~/.ssh/work
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git config --unset core.sshCommand
    /// ```
    ///
    /// ## References
    /// - [git-config: core.sshCommand](https://git-scm.com/docs/git-config#Documentation/git-config.txt-coresshCommand)
    PROGRAM_MISSING, "CC308", "ssh-program-missing", Ssh, Error,
    "the SSH program git will run cannot be found", program_missing
}

fn program_missing(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        if s.program.found {
            continue;
        }
        let p = &s.program;
        let fix = match (&p.source, p.via.as_str()) {
            (Some(src), _) => format!("git config {} --unset {}", src.scope.flag(), src.key),
            (None, "default") => {
                "apt-get install openssh-client   # or your platform's OpenSSH".into()
            }
            (None, via) => format!("unset {via}"),
        };
        out.push(
            Finding::at(
                u,
                format!(
                    "ssh program `{}` (from {}) for remote `{}` cannot be found",
                    p.name, p.via, u.remote
                ),
            )
            .location(p.source.as_ref().map(Location::from))
            .cause("git fails with `cannot run ssh` before connecting")
            .fix("point git at an installed ssh", vec![fix]),
        );
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for PuTTY's `plink` (or TortoisePlink) as the SSH program with no key given
    /// on its command line.
    ///
    /// ## Why is this bad?
    /// plink reads keys only from Pageant or `-i`; without either the server answers
    /// `No supported authentication methods available`.
    ///
    /// ## Example
    /// ```console
    /// GIT_SSH=C:\Program Files\PuTTY\plink.exe
    /// ```
    ///
    /// ## Fix
    /// Load the key into Pageant, or add `-i key.ppk` to the command.
    ///
    /// ## References
    /// - [git-config: ssh.variant](https://git-scm.com/docs/git-config#Documentation/git-config.txt-sshvariant)
    PLINK_WITHOUT_KEY, "CC309", "plink-without-key", Ssh, Warning,
    "plink is used without a key on its command line", plink_without_key
}

fn plink_without_key(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        if !matches!(
            s.program.variant,
            Variant::Plink | Variant::Tortoiseplink | Variant::Putty
        ) || !s.program.identity_args.is_empty()
        {
            continue;
        }
        out.push(
            Finding::at(
                u,
                format!(
                    "ssh program `{}` for remote `{}` has no key on its command line",
                    s.program.name, u.remote
                ),
            )
            .location(s.program.source.as_ref().map(Location::from))
            .cause(
                "plink uses only Pageant or -i; without a loaded key the server refuses the login",
            )
            .fix(
                "load the key into Pageant, or pass it with -i",
                vec![format!("{} -i <key.ppk>", s.program.name)],
            )
            .likely(),
        );
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for an SSH push URL whose client configuration could not be read
    /// (`ssh -G` failed or timed out), so the other SSH rules could not run.
    ///
    /// ## Why is this bad?
    /// It is not a failure by itself, but nothing about the keys or host keys was checked;
    /// a broken `~/.ssh/config` also breaks the push.
    ///
    /// ## Example
    /// ```console
    /// $ ssh -G bitbucket.org
    /// /root/.ssh/config: line 3: Bad configuration option: identityfle
    /// ```
    ///
    /// ## Fix
    /// Run `ssh -G <host>` and correct what it reports.
    ///
    /// ## References
    /// - [ssh(1): -G](https://man.openbsd.org/ssh#G)
    CONFIG_UNREADABLE, "CC310", "ssh-config-unreadable", Ssh, Info,
    "ssh -G could not read the SSH configuration", config_unreadable
}

fn config_unreadable(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        let Probed::Failed(why) = &s.config else {
            continue;
        };
        if !s.program.found {
            continue;
        }
        out.push(
            Finding::at(
                u,
                format!(
                    "ssh configuration for remote `{}` ({}) could not be read: {why}",
                    u.remote, u.url.display
                ),
            )
            .cause("the SSH checks did not run")
            .fix(
                "check the SSH configuration",
                vec![format!("ssh -G {}", s.host)],
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ssh::{Agent, ClientConfig, KnownHost, Program};
    use crate::facts::testing::with_push_url;
    use crate::rules::testing::severities;
    use crate::rules::Severity::*;
    use std::path::PathBuf;

    fn key(path: &str) -> KeyFile {
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

    fn ssh_facts(url: &str, keys: Vec<KeyFile>, agent: Probed<Agent>) -> Facts {
        let mut f = with_push_url(url);
        let u = &mut f.remotes[0].urls[0];
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
            host: u.url.host.clone().unwrap_or_default(),
            port: None,
            config: Probed::Found(ClientConfig {
                user: "root".into(),
                hostname: u.url.host.clone().unwrap_or_default(),
                port: 22,
                identity_files: keys.iter().map(|k| k.path.clone()).collect(),
                strict_host_key_checking: "ask".into(),
                ..ClientConfig::default()
            }),
            keys,
            agent,
            known_hosts: Probed::Found(KnownHost {
                name: "bitbucket.org".into(),
                known: true,
                files: vec![],
                retired: vec![],
            }),
            provider: u.provider,
            can_prompt: false,
        });
        f
    }

    fn ssh_mut(f: &mut Facts) -> &mut Ssh {
        f.remotes[0].urls[0].ssh.as_mut().expect("ssh facts")
    }

    #[test]
    fn wrong_user_for_hosted_provider() {
        let f = ssh_facts(
            "jdoe@bitbucket.org:ws/r.git",
            vec![key("/k")],
            Probed::Absent,
        );
        assert_eq!(severities(&WRONG_USER, &f), vec![Error]);
        let f = ssh_facts(
            "git@bitbucket.org:ws/r.git",
            vec![key("/k")],
            Probed::Absent,
        );
        assert!(severities(&WRONG_USER, &f).is_empty());
        let f = ssh_facts(
            "jdoe@git.example.test:ws/r.git",
            vec![key("/k")],
            Probed::Absent,
        );
        assert!(severities(&WRONG_USER, &f).is_empty());
    }

    #[test]
    fn no_identity() {
        let mut missing = key("/none");
        missing.exists = false;
        let f = ssh_facts(
            "git@bitbucket.org:ws/r.git",
            vec![missing.clone()],
            Probed::Absent,
        );
        assert_eq!(severities(&NO_IDENTITY, &f), vec![Error]);
        let f = ssh_facts(
            "git@bitbucket.org:ws/r.git",
            vec![missing.clone()],
            Probed::Found(Agent {
                socket: "/s".into(),
                identities: vec!["SHA256:x".into()],
            }),
        );
        assert!(severities(&NO_IDENTITY, &f).is_empty());
        // A failed agent probe is not "no keys".
        let f = ssh_facts(
            "git@bitbucket.org:ws/r.git",
            vec![missing],
            Probed::Failed("timeout".into()),
        );
        assert!(severities(&NO_IDENTITY, &f).is_empty());
    }

    #[test]
    fn refused_keys() {
        let mut open = key("/k");
        open.too_open = true;
        open.mode = Some(0o644);
        let f = ssh_facts(
            "git@bitbucket.org:ws/r.git",
            vec![open.clone()],
            Probed::Absent,
        );
        assert_eq!(severities(&KEY_REFUSED, &f), vec![Error]);
        let f = ssh_facts(
            "git@bitbucket.org:ws/r.git",
            vec![open, key("/good")],
            Probed::Absent,
        );
        assert_eq!(severities(&KEY_REFUSED, &f), vec![Warning]);
        let mut dsa = key("/dsa");
        dsa.key_type = Some("ssh-dss".into());
        let f = ssh_facts("git@bitbucket.org:ws/r.git", vec![dsa], Probed::Absent);
        assert_eq!(severities(&KEY_REFUSED, &f), vec![Error]);
        let f = ssh_facts(
            "git@bitbucket.org:ws/r.git",
            vec![key("/good")],
            Probed::Absent,
        );
        assert!(severities(&KEY_REFUSED, &f).is_empty());
    }

    #[test]
    fn passphrase() {
        let mut locked = key("/k");
        locked.encrypted = Some(true);
        let mut f = ssh_facts(
            "git@bitbucket.org:ws/r.git",
            vec![locked.clone()],
            Probed::Absent,
        );
        assert_eq!(severities(&PASSPHRASE_UNATTENDED, &f), vec![Error]);
        ssh_mut(&mut f).can_prompt = true;
        assert!(severities(&PASSPHRASE_UNATTENDED, &f).is_empty());
        let f = ssh_facts(
            "git@bitbucket.org:ws/r.git",
            vec![locked.clone()],
            Probed::Found(Agent {
                socket: "/s".into(),
                identities: vec!["SHA256:/k".into()],
            }),
        );
        assert!(severities(&PASSPHRASE_UNATTENDED, &f).is_empty());
    }

    #[test]
    fn unknown_host() {
        let mut f = ssh_facts(
            "git@bitbucket.org:ws/r.git",
            vec![key("/k")],
            Probed::Absent,
        );
        assert!(severities(&HOST_UNKNOWN, &f).is_empty());
        ssh_mut(&mut f).known_hosts = Probed::Found(KnownHost {
            name: "bitbucket.org".into(),
            known: false,
            files: vec![],
            retired: vec![],
        });
        assert_eq!(severities(&HOST_UNKNOWN, &f), vec![Error]);
        ssh_mut(&mut f).can_prompt = true;
        assert_eq!(severities(&HOST_UNKNOWN, &f), vec![Warning]);
        if let Probed::Found(c) = &mut ssh_mut(&mut f).config {
            c.strict_host_key_checking = "accept-new".into();
        }
        assert!(severities(&HOST_UNKNOWN, &f).is_empty());
    }

    #[test]
    fn host_key_fix_targets_the_file_ssh_reads() {
        let mut f = ssh_facts(
            "git@bitbucket.org:ws/r.git",
            vec![key("/k")],
            Probed::Absent,
        );
        ssh_mut(&mut f).known_hosts = Probed::Found(KnownHost {
            name: "bitbucket.org".into(),
            known: false,
            files: vec![],
            retired: vec![],
        });
        if let Probed::Found(c) = &mut ssh_mut(&mut f).config {
            c.user_known_hosts = vec![PathBuf::from("/srv/ci/known_hosts")];
        }
        let d = crate::rules::testing::diagnose(&HOST_UNKNOWN, &f);
        let cmds = crate::rules::testing::fix_commands(&d[0]);
        assert!(
            cmds.contains("ssh-keyscan bitbucket.org >> /srv/ci/known_hosts"),
            "{cmds}"
        );
    }

    #[test]
    fn retired_key() {
        let mut f = ssh_facts("git@github.com:a/b.git", vec![key("/k")], Probed::Absent);
        ssh_mut(&mut f).known_hosts = Probed::Found(KnownHost {
            name: "github.com".into(),
            known: true,
            files: vec![],
            retired: vec!["SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8".into()],
        });
        assert_eq!(severities(&RETIRED_HOST_KEY, &f), vec![Warning]);
    }

    #[test]
    fn many() {
        let f = ssh_facts(
            "git@github.com:a/b.git",
            vec![key("/a")],
            Probed::Found(Agent {
                socket: "/s".into(),
                identities: vec!["SHA256:b".into()],
            }),
        );
        assert_eq!(severities(&MANY_KEYS, &f), vec![Info]);
        let f = ssh_facts("git@github.com:a/b.git", vec![key("/a")], Probed::Absent);
        assert!(severities(&MANY_KEYS, &f).is_empty());
    }

    #[test]
    fn program() {
        let mut f = ssh_facts("git@github.com:a/b.git", vec![key("/a")], Probed::Absent);
        ssh_mut(&mut f).program.found = false;
        assert_eq!(severities(&PROGRAM_MISSING, &f), vec![Error]);
        ssh_mut(&mut f).program.found = true;
        ssh_mut(&mut f).program.variant = Variant::Plink;
        assert_eq!(severities(&PLINK_WITHOUT_KEY, &f), vec![Warning]);
        ssh_mut(&mut f).config = Probed::Failed("boom".into());
        assert_eq!(severities(&CONFIG_UNREADABLE, &f), vec![Info]);
    }

    #[test]
    fn no_token_advice_for_ssh() {
        let mut locked = key("/k");
        locked.too_open = true;
        let f = ssh_facts("jdoe@bitbucket.org:ws/r.git", vec![locked], Probed::Absent);
        for d in crate::rules::run(&f, &crate::rules::Defaults) {
            let text = format!("{:?}", d.finding).to_lowercase();
            assert!(!text.contains("token"), "{text}");
        }
    }
}
