//! `install --ssh` / `uninstall --ssh`: the SSH guard as `core.sshCommand`, and what the
//! doctor says about it.
//!
//! Everything is written with `git config` (git quotes the value; the program path is
//! quoted for `sh`, which git runs the command through), never by hand. The
//! `core.sshCommand` the guard replaces moves to `credcheck.sshCommand` in the same
//! file: the guard runs it, and `uninstall --ssh` puts it back (git rewrites the line in
//! its own format; the value is the same byte for byte) and removes the key, so a file
//! that git wrote comes back as it was. A repository-local `core.sshCommand` outranks a
//! global guard: `install --ssh` run inside that repository wraps it too.

use super::Setup;
use crate::cli::InstallArgs;
use crate::facts::ssh::guard::{self, GuardState};
use crate::facts::Facts;
use anyhow::{bail, Context};

const KEY: &str = "core.sshCommand";

/// A configuration file, as `git config` addresses it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Global,
    Local,
}

impl Scope {
    fn flag(self) -> &'static str {
        match self {
            Scope::Global => "--global",
            Scope::Local => "--local",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Scope::Global => "the global git configuration",
            Scope::Local => "this repository's configuration",
        }
    }
}

fn git(setup: &Setup, scope: Scope, args: &[&str]) -> anyhow::Result<std::process::Output> {
    std::process::Command::new(&setup.ctx.git)
        .arg("config")
        .arg(scope.flag())
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .with_context(|| format!("running {} config", setup.ctx.git))
}

fn checked(out: std::process::Output, what: &str) -> anyhow::Result<()> {
    if out.status.success() {
        return Ok(());
    }
    bail!(
        "git config could not {what}: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    )
}

/// The value of `key` in that file only (the last one), exactly.
fn get(setup: &Setup, scope: Scope, key: &str) -> anyhow::Result<Option<String>> {
    let out = git(setup, scope, &["-z", "--get", key])?;
    match out.status.code() {
        Some(0) => {
            let v = out.stdout.strip_suffix(b"\0").unwrap_or(&out.stdout);
            Ok(Some(String::from_utf8(v.to_vec()).with_context(|| {
                format!("{key} in {} is not UTF-8", scope.name())
            })?))
        }
        Some(1) => Ok(None),
        _ => checked(out, &format!("read {key}")).map(|()| None),
    }
}

fn set(setup: &Setup, scope: Scope, key: &str, value: &str) -> anyhow::Result<()> {
    checked(
        git(setup, scope, &["--", key, value])?,
        &format!("set {key}"),
    )
}

fn unset(setup: &Setup, scope: Scope, key: &str) -> anyhow::Result<()> {
    checked(
        git(setup, scope, &["--unset", key])?,
        &format!("unset {key}"),
    )
}

/// `'<this program>' ssh`, quoted for sh.
fn guard_command() -> anyhow::Result<String> {
    let exe = std::env::current_exe().context("finding this program's path")?;
    let exe = exe
        .to_str()
        .context("this program's path is not UTF-8; git could not run it from its configuration")?;
    Ok(format!("{} ssh", crate::rules::advice::sh_quote(exe)))
}

fn in_repo(setup: &Setup) -> bool {
    setup.repo.as_ref().is_some_and(|r| !r.ownership_refused)
}

/// `--local` (in a repository) or the global configuration.
fn scope(setup: &Setup, args: &InstallArgs) -> anyhow::Result<Scope> {
    if !args.local {
        return Ok(Scope::Global);
    }
    if !in_repo(setup) {
        bail!("--local needs a git repository");
    }
    Ok(Scope::Local)
}

pub(crate) fn install(setup: &Setup, args: &InstallArgs) -> anyhow::Result<()> {
    let scope = scope(setup, args)?;
    let command = guard_command()?;
    wrap(setup, scope, &command)?;
    if scope == Scope::Global && in_repo(setup) {
        if let Some(local) = get(setup, Scope::Local, KEY)? {
            if !guard::is_guard(&local) {
                wrap(setup, Scope::Local, &command)?;
                super::say("git-credcheck: this repository's own core.sshCommand would have hidden the global SSH guard, so it is wrapped too");
            }
        }
    }
    if setup
        .ctx
        .env
        .git_ssh_command
        .as_deref()
        .is_some_and(|c| !c.is_empty() && !guard::is_guard(c))
    {
        super::say("git-credcheck: note: GIT_SSH_COMMAND is set here, and git runs it instead of the SSH guard");
    }
    Ok(())
}

/// Puts the guard in `scope`'s `core.sshCommand`, keeping what was there.
fn wrap(setup: &Setup, scope: Scope, command: &str) -> anyhow::Result<()> {
    match get(setup, scope, KEY)? {
        Some(current) if guard::is_guard(&current) => {
            if current != command {
                set(setup, scope, KEY, command)?;
                super::say(format_args!(
                    "git-credcheck: updated the SSH guard's path in {}",
                    scope.name()
                ));
            } else {
                super::say(format_args!(
                    "git-credcheck: the SSH guard is already installed in {}",
                    scope.name()
                ));
            }
        }
        Some(current) => {
            set(setup, scope, guard::KEPT_KEY, &current)?;
            set(setup, scope, KEY, command)?;
            super::say(format_args!(
                "git-credcheck: installed the SSH guard in {}; it runs the previous core.sshCommand, kept in {}",
                scope.name(),
                guard::KEPT_KEY
            ));
        }
        None => {
            set(setup, scope, KEY, command)?;
            super::say(format_args!(
                "git-credcheck: installed the SSH guard in {} (core.sshCommand)",
                scope.name()
            ));
        }
    }
    Ok(())
}

pub(crate) fn uninstall(setup: &Setup, args: &InstallArgs) -> anyhow::Result<()> {
    let scope = scope(setup, args)?;
    if !unwrap(setup, scope)? {
        super::say(format_args!(
            "git-credcheck: no SSH guard installed in {}",
            scope.name()
        ));
    }
    if scope == Scope::Global
        && in_repo(setup)
        && get(setup, Scope::Local, guard::KEPT_KEY)?.is_some()
        && unwrap(setup, Scope::Local)?
    {
        super::say("git-credcheck: also restored this repository's own core.sshCommand");
    }
    Ok(())
}

/// Restores `scope`'s `core.sshCommand` if the guard is there; whether it was.
fn unwrap(setup: &Setup, scope: Scope) -> anyhow::Result<bool> {
    if !get(setup, scope, KEY)?.is_some_and(|c| guard::is_guard(&c)) {
        return Ok(false);
    }
    match get(setup, scope, guard::KEPT_KEY)? {
        Some(kept) => {
            set(setup, scope, KEY, &kept)?;
            unset(setup, scope, guard::KEPT_KEY)?;
            super::say(format_args!(
                "git-credcheck: removed the SSH guard from {}; core.sshCommand is the previous command again",
                scope.name()
            ));
        }
        None => {
            unset(setup, scope, KEY)?;
            super::say(format_args!(
                "git-credcheck: removed the SSH guard from {}",
                scope.name()
            ));
        }
    }
    Ok(true)
}

/// The SSH guard's state for the doctor: one line when it is installed nowhere, else
/// one line per SSH push URL.
pub(crate) fn notes(facts: &Facts) -> Vec<String> {
    let ssh: Vec<_> = facts
        .push_urls()
        .filter_map(|u| u.ssh.as_ref().map(|s| (u, s)))
        .collect();
    if ssh.is_empty() {
        return Vec::new();
    }
    if ssh.iter().all(|(_, s)| s.guard == GuardState::NotInstalled) {
        return vec!["SSH guard: not installed (`git-credcheck install --ssh` stops doomed SSH connections before they are made)".to_owned()];
    }
    ssh.iter()
        .map(|(u, s)| {
            let state = match &s.guard {
                GuardState::Active => "active".to_owned(),
                GuardState::Bypassed { by } => format!("NOT active ({by})"),
                GuardState::NotInstalled => "not installed".to_owned(),
            };
            format!("SSH guard for {}: {state}", u.label())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ssh::guard::GuardState;

    fn with_guard(state: Option<GuardState>) -> Facts {
        let mut f = crate::facts::testing::with_push_url("git@bitbucket.org:ws/r.git");
        if let Some(state) = state {
            let ssh = crate::facts::ssh::Ssh {
                program: crate::facts::ssh::Program {
                    via: "default".into(),
                    source: None,
                    name: "ssh".into(),
                    found: true,
                    variant: crate::facts::ssh::Variant::Ssh,
                    identity_args: vec![],
                    options: vec![],
                },
                url_user: Some("git".into()),
                host: "bitbucket.org".into(),
                port: None,
                config: crate::facts::ssh::Probed::Absent,
                keys: vec![],
                agent: crate::facts::ssh::Probed::Absent,
                known_hosts: crate::facts::ssh::Probed::Absent,
                provider: None,
                can_prompt: false,
                guard: state,
                failure: None,
                putty: None,
                control_dir_missing: None,
            };
            f.remotes[0].urls[0].ssh = Some(ssh);
        }
        f
    }

    #[test]
    fn notes_say_whether_the_guard_runs() {
        assert!(notes(&with_guard(None)).is_empty());
        assert_eq!(
            notes(&with_guard(Some(GuardState::NotInstalled))),
            vec!["SSH guard: not installed (`git-credcheck install --ssh` stops doomed SSH connections before they are made)"]
        );
        assert_eq!(
            notes(&with_guard(Some(GuardState::Active))),
            vec!["SSH guard for remote `origin` (git@bitbucket.org:ws/r.git): active"]
        );
        let by = "GIT_SSH_COMMAND in the environment replaces it".to_owned();
        assert_eq!(
            notes(&with_guard(Some(GuardState::Bypassed { by }))),
            vec!["SSH guard for remote `origin` (git@bitbucket.org:ws/r.git): NOT active (GIT_SSH_COMMAND in the environment replaces it)"]
        );
    }
}
