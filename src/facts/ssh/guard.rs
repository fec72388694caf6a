//! The SSH guard as the facts see it: which ssh command git runs, whether that command is
//! the guard (`git-credcheck ssh`, installed as `core.sshCommand`), and, when it is, the
//! command the guard runs in its place: the one the SSH facts must describe.
//!
//! git runs `GIT_SSH_COMMAND` (environment), else `core.sshCommand` (last value), else
//! `GIT_SSH` (environment, a program path run without a shell), else `ssh`
//! (git-mechanics.md). `install --ssh` moves the `core.sshCommand` it replaces to
//! `credcheck.sshCommand` in the same file; the guard runs that one, else the
//! `core.sshCommand` of a lower scope (what git would run without ours), else `GIT_SSH`,
//! else `ssh`. A guard command is never its own underlying command.

use crate::facts::gitconfig::{Config, Entry, Scope};
use crate::facts::Env;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The configuration key where `install --ssh` keeps the command it replaced.
pub(crate) const KEPT_KEY: &str = "credcheck.sshCommand";

/// One ssh command: where it comes from and how git runs it.
#[derive(Clone, Debug)]
pub(crate) struct SshCommand<'a> {
    /// `GIT_SSH_COMMAND`, `core.sshCommand`, `credcheck.sshCommand`, `GIT_SSH` or `default`.
    pub via: &'static str,
    /// The configuration entry that sets it, if any.
    pub entry: Option<&'a Entry>,
    pub command: String,
    /// A command line run through `sh -c` (false: a program path, `GIT_SSH` and `ssh`).
    pub is_command: bool,
}

/// Whether the guard runs for this repository's SSH connections.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub(crate) enum GuardState {
    /// No ssh command of ours anywhere.
    #[default]
    NotInstalled,
    /// git runs the guard.
    Active,
    /// The guard is installed, but git runs something else.
    Bypassed {
        /// What git runs instead, for people (`GIT_SSH_COMMAND in the environment`).
        by: String,
    },
}

/// Is this ssh command line the guard (`…/git-credcheck ssh`, `git credcheck ssh`)?
pub(crate) fn is_guard(command: &str) -> bool {
    let words = crate::facts::shell::words(command);
    let base = |w: &String| {
        Path::new(w)
            .file_name()
            .and_then(|f| f.to_str())
            .map(|f| f.trim_end_matches(".exe").to_owned())
            .unwrap_or_default()
    };
    match words.as_slice() {
        [program, mode, ..] if base(program) == "git-credcheck" => mode == "ssh",
        [program, sub, mode, ..] if base(program) == "git" => sub == "credcheck" && mode == "ssh",
        _ => false,
    }
}

fn non_empty(v: Option<&String>) -> Option<&str> {
    v.map(String::as_str).filter(|v| !v.is_empty())
}

fn set(e: &Entry) -> Option<&str> {
    e.value.as_deref().filter(|v| !v.is_empty())
}

/// The ssh command git itself runs.
pub(crate) fn git_runs<'a>(env: &Env, config: &'a Config) -> SshCommand<'a> {
    if let Some(c) = non_empty(env.git_ssh_command.as_ref()) {
        return SshCommand {
            via: "GIT_SSH_COMMAND",
            entry: None,
            command: c.to_owned(),
            is_command: true,
        };
    }
    if let Some(e) = config
        .last("core", "sshcommand")
        .filter(|e| set(e).is_some())
    {
        return SshCommand {
            via: "core.sshCommand",
            entry: Some(e),
            command: set(e).unwrap_or_default().to_owned(),
            is_command: true,
        };
    }
    fallback(env)
}

/// `GIT_SSH`, else `ssh`: what git runs when no ssh command is configured.
pub(crate) fn fallback(env: &Env) -> SshCommand<'static> {
    match non_empty(env.git_ssh.as_ref()) {
        Some(p) => SshCommand {
            via: "GIT_SSH",
            entry: None,
            command: p.to_owned(),
            is_command: false,
        },
        None => SshCommand {
            via: "default",
            entry: None,
            command: "ssh".to_owned(),
            is_command: false,
        },
    }
}

/// The command the guard runs: the kept `credcheck.sshCommand`, else the last
/// `core.sshCommand` that is not the guard (a lower scope's), else `GIT_SSH`, else `ssh`.
pub(crate) fn underlying<'a>(env: &Env, config: &'a Config) -> SshCommand<'a> {
    let kept = config
        .last("credcheck", "sshcommand")
        .filter(|e| set(e).is_some_and(|v| !is_guard(v)))
        .map(|e| (e, "credcheck.sshCommand"));
    let lower = || {
        config
            .all("core", "sshcommand")
            .filter(|e| set(e).is_some_and(|v| !is_guard(v)))
            .last()
            .map(|e| (e, "core.sshCommand"))
    };
    if let Some((e, via)) = kept.or_else(lower) {
        return SshCommand {
            via,
            entry: Some(e),
            command: set(e).unwrap_or_default().to_owned(),
            is_command: true,
        };
    }
    let f = fallback(env);
    if f.via == "GIT_SSH" && is_guard(&f.command) {
        return fallback(&Env::default());
    }
    f
}

/// The command that makes the connection: what git runs, or, when that is the guard,
/// what the guard runs.
pub(crate) fn connecting<'a>(env: &Env, config: &'a Config) -> SshCommand<'a> {
    let git = git_runs(env, config);
    if is_guard(&git.command) {
        underlying(env, config)
    } else {
        git
    }
}

/// Whether git runs the guard, and what bypasses it when it is installed but not run.
pub(crate) fn state(env: &Env, config: &Config) -> GuardState {
    let git = git_runs(env, config);
    if is_guard(&git.command) {
        return GuardState::Active;
    }
    let installed = config
        .all("core", "sshcommand")
        .any(|e| set(e).is_some_and(is_guard));
    if !installed {
        return GuardState::NotInstalled;
    }
    let by = match (git.via, git.entry) {
        ("core.sshCommand", Some(e)) => format!(
            "a later core.sshCommand ({}) replaces it",
            describe(e.scope, e.file.as_deref())
        ),
        (via, _) => format!("{via} in the environment replaces it"),
    };
    GuardState::Bypassed { by }
}

fn describe(scope: Scope, file: Option<&Path>) -> String {
    match (scope, file) {
        (Scope::Command, _) | (_, None) => "from `git -c`".to_owned(),
        (_, Some(f)) => format!("in {}", f.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::testing::config;

    const GUARD: &str = "'/opt/my tools/git-credcheck' ssh";

    fn env(git_ssh_command: Option<&str>, git_ssh: Option<&str>) -> Env {
        Env {
            git_ssh_command: git_ssh_command.map(Into::into),
            git_ssh: git_ssh.map(Into::into),
            ..Env::default()
        }
    }

    #[test]
    fn recognises_the_guard_command() {
        assert!(is_guard(GUARD));
        assert!(is_guard("git-credcheck ssh"));
        assert!(is_guard("/usr/bin/git-credcheck ssh -v"));
        assert!(is_guard("git credcheck ssh"));
        assert!(!is_guard("ssh -i key"));
        assert!(!is_guard("git-credcheck guard"));
        assert!(!is_guard(""));
    }

    #[test]
    fn the_guard_runs_the_command_it_replaced() {
        let c = config(&[
            ("core.sshcommand", GUARD),
            ("credcheck.sshcommand", "ssh -i /k"),
        ]);
        let e = env(None, Some("plink"));
        assert_eq!(underlying(&e, &c).command, "ssh -i /k");
        assert_eq!(underlying(&e, &c).via, "credcheck.sshCommand");
        assert_eq!(connecting(&e, &c).command, "ssh -i /k");
        assert_eq!(state(&e, &c), GuardState::Active);
    }

    #[test]
    fn else_a_lower_scope_command_then_git_ssh_then_ssh() {
        let c = config(&[
            ("core.sshcommand", "ssh -F /etc/x"),
            ("core.sshcommand", GUARD),
        ]);
        assert_eq!(underlying(&env(None, None), &c).command, "ssh -F /etc/x");
        let c = config(&[("core.sshcommand", GUARD)]);
        let u = underlying(&env(None, Some("/usr/bin/plink")), &c);
        assert_eq!(
            (u.via, u.command.as_str(), u.is_command),
            ("GIT_SSH", "/usr/bin/plink", false)
        );
        let u = underlying(&env(None, None), &c);
        assert_eq!((u.via, u.command.as_str()), ("default", "ssh"));
    }

    #[test]
    fn never_runs_itself() {
        let c = config(&[
            ("core.sshcommand", GUARD),
            ("credcheck.sshcommand", "git-credcheck ssh"),
        ]);
        assert_eq!(underlying(&env(None, None), &c).command, "ssh");
    }

    #[test]
    fn bypassed_by_the_environment_or_a_later_command() {
        let c = config(&[("core.sshcommand", GUARD)]);
        let e = env(Some("ssh -v"), None);
        assert!(
            matches!(state(&e, &c), GuardState::Bypassed { by } if by.contains("GIT_SSH_COMMAND"))
        );
        assert_eq!(connecting(&e, &c).command, "ssh -v");
        let c = config(&[("core.sshcommand", GUARD), ("core.sshcommand", "ssh -4")]);
        assert!(
            matches!(state(&env(None, None), &c), GuardState::Bypassed { by } if by.contains("later core.sshCommand"))
        );
        assert_eq!(
            state(&env(None, None), &config(&[])),
            GuardState::NotInstalled
        );
    }
}
