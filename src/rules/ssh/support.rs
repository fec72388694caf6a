//! Fix steps shared by the SSH rules that change the ssh configuration or known_hosts
//! (CC306, CC312, CC313), and CC312's explanations of the failures a configuration,
//! a key file, the agent or the server's own refusal cause.

use super::{agent_identities, connect_host, verify};
use crate::facts::ssh::failure::Failure;
use crate::facts::ssh::{KeyFile, Ssh};
use crate::facts::PushUrl;
use crate::rules::advice::sh_quote;
use crate::rules::{Finding, Location};
use std::path::Path;

/// The ssh configuration file the user's ssh reads: the `-F` file of the ssh command,
/// else `~/.ssh/config` (left unquoted so that sh expands `~`).
pub(super) fn config_file(s: &Ssh) -> String {
    let mut it = s.program.options.iter();
    while let Some(o) = it.next() {
        if o == "-F" {
            if let Some(f) = it.next() {
                return sh_quote(f);
            }
        }
    }
    "~/.ssh/config".to_owned()
}

/// The command that puts a `Host <alias>` block with these options at the TOP of the
/// ssh configuration file ssh reads: ssh keeps the first value it reads for an option,
/// so a block appended after a `Host *` that sets the same option would change nothing.
/// The block ends with `Host *`, so that the lines that were at the top of the file
/// (options outside any block) keep applying to every host. The file is written
/// through (`cat … >`), never replaced: a dotfile is often a symlink.
pub(super) fn host_block(s: &Ssh, options: &[String]) -> Vec<String> {
    let mut lines = vec![format!("Host {}", s.host)];
    lines.extend(options.iter().map(|o| format!("  {o}")));
    lines.push("Host *".into());
    vec![prepend(&config_file(s), &lines)]
}

/// The command that writes `lines` at the top of `file` (already quoted for sh, or
/// `~/…`), through a symlink, keeping the file's mode.
pub(super) fn prepend(file: &str, lines: &[String]) -> String {
    let quoted: Vec<String> = lines.iter().map(|l| sh_quote(l)).collect();
    format!(
        "{{ printf '%s\\n' {}; cat {file} 2>/dev/null || true; }} > {file}.new && cat {file}.new > {file} && rm {file}.new",
        quoted.join(" ")
    )
}

/// `ssh -G <host> | grep -i '^<option>'`, with the options of the user's ssh command
/// (its `-F` file): what ssh will use for `option` once the change is made.
pub(super) fn show_option(s: &Ssh, option: &str, comment: &str) -> String {
    let options = super::command_options(s);
    let options = if options.is_empty() {
        String::new()
    } else {
        format!("{options} ")
    };
    format!(
        "ssh {options}-G {} | grep -i '^{}'   # {comment}",
        s.host,
        option.to_ascii_lowercase()
    )
}

/// Replace what known_hosts pins for `name` in `file` with the provider's published
/// host keys (under the name ssh looks up); `None` when the table publishes none.
pub(super) fn published_keys(u: &PushUrl, name: &str, file: &Path) -> Option<Vec<String>> {
    let lines = u.provider?.info().ssh_known_hosts;
    if lines.is_empty() {
        return None;
    }
    let file = sh_quote(&file.display().to_string());
    let keys: Vec<String> = lines
        .iter()
        .filter_map(|l| {
            l.split_once(' ')
                .map(|(_, key)| sh_quote(&format!("{name} {key}")))
        })
        .collect();
    Some(vec![
        format!("ssh-keygen -R {} -f {file}", sh_quote(name)),
        format!("printf '%s\\n' {} >> {file}", keys.join(" ")),
    ])
}

/// CC312 for a bad option, a key file others can read, a refused signature or a refusal
/// by the server; `None` for the failures ssh_connection_failed.rs explains itself.
pub(super) fn explain(u: &PushUrl, s: &Ssh, failure: &Failure) -> Option<Finding> {
    let label = u.label();
    let host = connect_host(s);
    Some(match failure {
        Failure::BadConfigOption { file, line, option } => {
            let option_text = option
                .as_deref()
                .map(|o| format!("`{o}`"))
                .unwrap_or_else(|| "an option".into());
            let place = match (file.as_deref(), line) {
                (Some("command-line"), _) => "a `-o` option of the ssh command".to_owned(),
                (Some(f), Some(n)) => format!("{f} line {n}"),
                (Some(f), None) => f.to_owned(),
                (None, _) => "the ssh configuration".to_owned(),
            };
            let mut cmds = Vec::new();
            match (file.as_deref(), line) {
                (Some("command-line"), _) => cmds.push(format!(
                    "git config --show-origin --get-regexp '^core\\.sshcommand|^credcheck\\.sshcommand'   # remove {option_text} from the command"
                )),
                (Some(f), Some(n)) => cmds.push(format!(
                    "sed -n '{n}p' {}   # delete or correct this line; an option for another ssh (e.g. macOS `UseKeychain`) goes after `IgnoreUnknown {}`",
                    sh_quote(f),
                    option.as_deref().unwrap_or("<option>")
                )),
                _ => {}
            }
            cmds.push(format!(
                "ssh -G {} > /dev/null   # prints nothing once ssh accepts its configuration",
                s.host
            ));
            cmds.push(verify(u, s));
            Finding::at(u, format!("ssh stopped at a configuration option it does not know, before connecting to {host} for {label}"))
                .location(match (file.as_deref(), line) {
                    (Some(f), n) if f != "command-line" => Some(Location {
                        file: Some(f.into()),
                        line: *n,
                        what: "ssh configuration".into(),
                    }),
                    _ => None,
                })
                .cause(format!("{place} sets {option_text}, which this ssh does not know, and ssh refuses to start with it"))
                .fix("remove or correct the option ssh named", cmds)
        }
        Failure::KeyPermissions { key, mode } => {
            let key = key
                .clone()
                .or_else(|| s.keys.iter().find(|k| k.too_open).map(|k| k.path.clone()));
            let path = key
                .as_ref()
                .map(|k| k.display().to_string())
                .unwrap_or_else(|| "<the key ssh named>".into());
            let mode = mode.map(|m| format!(" (mode {m:04o})")).unwrap_or_default();
            Finding::at(u, format!("ssh ignored the key {path}{mode} for {label}: others can read it"))
                .location(key.as_ref().map(|k| Location {
                    file: Some(k.clone()),
                    line: None,
                    what: "SSH private key".into(),
                }))
                .cause("OpenSSH refuses a private key file that the group or others may read (`UNPROTECTED PRIVATE KEY FILE`) and offers the other keys, if any")
                .fix("make the key readable by you only", vec![format!("chmod 600 {}", sh_quote(&path)), verify(u, s)])
        }
        Failure::SigningFailed { key, agent_refused } => {
            let which = key
                .as_deref()
                .map(|k| format!("the key {k}"))
                .unwrap_or_else(|| "a key".into());
            let agent = agent_identities(s).map(<[String]>::len).unwrap_or(0);
            let mut cmds = vec!["ssh-add -l   # the keys the agent holds".to_owned()];
            match key
                .as_deref()
                .filter(|k| k.starts_with('/') || k.starts_with('~'))
            {
                Some(k) => {
                    cmds.push(format!(
                        "ssh-add -d {}   # drop the stale copy",
                        sh_quote(k)
                    ));
                    cmds.push(format!("ssh-add {}", sh_quote(k)));
                }
                None => cmds.push("ssh-add   # add your key again".into()),
            }
            cmds.push("# a hardware key or gpg-agent: unlock it or touch it when it asks, and check its PIN".into());
            cmds.push(verify(u, s));
            Finding::at(u, format!("the SSH agent would not sign with {which} for {label}"))
                .cause(if *agent_refused {
                    format!("ssh asked the agent (holding {agent} key(s)) to sign and it answered `agent refused operation`: a locked or absent hardware key, a confirmation nobody gave, or a key the agent can no longer use")
                } else {
                    "ssh could not sign with the key (`sign_and_send_pubkey: signing failed`)".to_owned()
                })
                .fix("let the agent sign again", cmds)
        }
        Failure::RemoteRefused { provider, refusal } => {
            let p = provider.info();
            let r = p.ssh_refusals.iter().find(|r| r.id == refusal)?;
            let keys = offered_keys(s);
            let mut cmds = vec![format!("# {}", r.fix)];
            cmds.push(format!("git remote get-url --push {}", sh_quote(&u.remote)));
            cmds.push(verify(u, s));
            Finding::at(u, format!("{host} refused the push for {label}: {}", r.why))
                .cause(if keys.is_empty() {
                    format!(
                        "{} accepted the key ssh offered, then refused this repository",
                        p.name
                    )
                } else {
                    format!(
                        "{} accepted a key ssh offered ({}), then refused this repository",
                        p.name,
                        keys.join(", ")
                    )
                })
                .fix("push with a key that may write to this repository", cmds)
        }
        _ => return None,
    })
}

/// The key files ssh could offer, by file and fingerprint.
fn offered_keys(s: &Ssh) -> Vec<String> {
    let fp = |k: &KeyFile| {
        k.fingerprint
            .clone()
            .unwrap_or_else(|| "fingerprint unknown".into())
    };
    s.keys
        .iter()
        .filter(|k| k.exists && k.usable())
        .map(|k| format!("{} ({})", k.path.display(), fp(k)))
        .collect()
}
