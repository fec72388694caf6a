//! The program the SSH guard runs, run as git would run it: through `sh -c` for a
//! command line with shell syntax, directly otherwise; with git's stdin and stdout, its
//! stderr passed through live and its tail kept, signals sent to the guard passed on,
//! and its exit status (or signal) returned as the guard's.

use crate::facts;
use crate::facts::ssh::failure;
use crate::facts::ssh::guard::SshCommand;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// How much of the program's stderr is kept for classification (the tail).
const KEEP: usize = 64 * 1024;
/// How long to wait for stderr to close once the program has exited (a forked
/// background process may hold it open).
const DRAIN: Duration = Duration::from_millis(200);
/// How many guards run above this one: set for the program the guard runs, so that a
/// program that runs the guard again (directly or through git) cannot loop forever.
const DEPTH: &str = "GIT_CREDCHECK_SSH_DEPTH";
/// From this depth on the guard runs plain ssh, unchecked. A git run inside the
/// program (a ProxyCommand that fetches) is one level; a loop reaches it at once.
pub(super) const MAX_DEPTH: u32 = 3;

/// This guard's depth ([`DEPTH`]).
pub(super) fn depth() -> u32 {
    std::env::var(DEPTH)
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(0)
}
/// What sh must interpret in a command (git's `SHELL_META_CHARS`, run-command.c).
const SHELL_META: &[char] = &[
    '|', '&', ';', '<', '>', '(', ')', '$', '`', '\\', '"', '\'', ' ', '\t', '\n', '*', '?', '[',
    '#', '~', '=', '%',
];

/// How git treats the program the guard runs: it decides the answer to `-G` and the
/// options the program gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Variant {
    /// Named `ssh`: git passes OpenSSH options without probing.
    OpenSsh,
    /// Named `plink` or `tortoiseplink`: git passes plink's options without probing.
    Plink { tortoise: bool },
    /// Another name: git probes it with `-G` itself.
    Unknown,
    /// `GIT_SSH_VARIANT` or `ssh.variant` is set: git applies it to the guard exactly
    /// as it would to the program, so the arguments are already the program's.
    Configured { ssh: bool },
}

/// The program the guard runs, and how git would run it.
pub(super) struct Target {
    pub command: String,
    /// A command line for `sh -c` (`core.sshCommand`); else a program path (`GIT_SSH`).
    pub is_command: bool,
    pub variant: Variant,
}

impl Target {
    pub(super) fn new(c: &SshCommand<'_>, configured: Option<&str>) -> Target {
        // git compares the configured value case-sensitively (connect.c).
        let variant = match configured {
            Some("auto") | None => {
                let first = if c.is_command {
                    facts::shell::words(&c.command)
                        .into_iter()
                        .next()
                        .unwrap_or_default()
                } else {
                    c.command.clone()
                };
                let base = std::path::Path::new(&first)
                    .file_name()
                    .and_then(|f| f.to_str())
                    .unwrap_or("")
                    .to_ascii_lowercase();
                match base.trim_end_matches(".exe") {
                    "ssh" => Variant::OpenSsh,
                    "plink" => Variant::Plink { tortoise: false },
                    "tortoiseplink" => Variant::Plink { tortoise: true },
                    _ => Variant::Unknown,
                }
            }
            Some(v) => Variant::Configured {
                ssh: !matches!(v, "plink" | "putty" | "tortoiseplink" | "simple"),
            },
        };
        Target {
            command: c.command.clone(),
            is_command: c.is_command,
            variant,
        }
    }

    /// As git runs it (run-command.c `prepare_shell_cmd`): a command line with shell
    /// syntax through `sh -c '<cmd> "$@"' <cmd> args…`, anything else directly.
    fn command(&self, args: &[OsString]) -> Command {
        let mut c = if self.is_command && self.command.contains(SHELL_META) {
            let mut c = Command::new("/bin/sh");
            c.arg("-c")
                .arg(format!("{} \"$@\"", self.command))
                .arg(&self.command);
            c
        } else {
            Command::new(&self.command)
        };
        c.args(args).env(DEPTH, (depth() + 1).to_string());
        c
    }

    /// The environment assignment that makes git run this program without the guard.
    pub(super) fn bypass(&self) -> String {
        let line = if self.is_command || !self.command.contains(SHELL_META) {
            self.command.clone()
        } else {
            crate::rules::advice::sh_quote(&self.command)
        };
        format!("GIT_SSH_COMMAND={}", crate::rules::advice::sh_quote(&line))
    }
}

pub(super) fn stdout_is_dev_null() -> bool {
    crate::platform::stdout_is_null()
}

/// Replaces this process with the program (stdio untouched).
pub(super) fn exec(target: &Target, args: &[OsString]) -> ExitCode {
    #[cfg(unix)]
    let err = std::os::unix::process::CommandExt::exec(&mut target.command(args));
    // Windows has no exec: run the program and pass its exit status on.
    #[cfg(windows)]
    let err = match target.command(args).status() {
        Ok(status) => return exit_code(status),
        Err(e) => e,
    };
    crate::entry::say(format_args!(
        "git-credcheck ssh: cannot run `{}`: {err}",
        target.command
    ));
    ExitCode::from(127)
}

/// The program's pid, for the signal handler.
static CHILD: AtomicI32 = AtomicI32::new(0);

#[cfg(unix)]
extern "C" fn forward(signal: libc::c_int) {
    let pid = CHILD.load(Ordering::SeqCst);
    if pid > 0 {
        // SAFETY: kill is async-signal-safe.
        unsafe {
            libc::kill(pid, signal);
        }
    }
}

/// Runs the program with git's stdin and stdout, its stderr passed through live and
/// its tail kept; returns how it ended and that tail.
pub(super) fn connect(
    target: &Target,
    args: &[OsString],
    drop_protocol: bool,
) -> std::io::Result<(ExitStatus, Vec<u8>)> {
    let mut cmd = target.command(args);
    cmd.stdin(Stdio::inherit())
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped());
    if drop_protocol {
        // git sets GIT_PROTOCOL only for OpenSSH (connect.c).
        cmd.env_remove("GIT_PROTOCOL");
    }
    let mut child = cmd.spawn()?;
    CHILD.store(child.id() as i32, Ordering::SeqCst);
    // SAFETY: the handler only calls kill(2). A TERM or HUP sent to the guard reaches the
    // program, which then ends as it would have; Ctrl-C reaches both through the
    // terminal's process group.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGTERM, forward as *const () as libc::sighandler_t);
        libc::signal(libc::SIGHUP, forward as *const () as libc::sighandler_t);
    }
    release_stdio();
    let stderr = child.stderr.take();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(tee(stderr));
    });
    let status = child.wait()?;
    Ok((status, rx.recv_timeout(DRAIN).unwrap_or_default()))
}

/// Our own copies of git's stdin and stdout go to /dev/null, so git sees the end of the
/// program's output when the program exits, exactly as without the guard.
#[cfg(windows)]
fn release_stdio() {}

#[cfg(unix)]
fn release_stdio() {
    let Ok(null) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    else {
        return;
    };
    use std::os::fd::AsRawFd;
    // SAFETY: dup2 onto our own standard descriptors; nothing else uses them from here.
    unsafe {
        libc::dup2(null.as_raw_fd(), 0);
        libc::dup2(null.as_raw_fd(), 1);
    }
}

/// Copies the program's stderr to ours as it comes and keeps the last [`KEEP`] bytes.
fn tee(pipe: Option<std::process::ChildStderr>) -> Vec<u8> {
    let mut kept = Vec::new();
    let Some(mut pipe) = pipe else {
        return kept;
    };
    let mut buf = [0u8; 8192];
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let _ = std::io::stderr().write_all(&buf[..n]);
                kept.extend_from_slice(&buf[..n]);
                if kept.len() > 2 * KEEP {
                    kept.drain(..kept.len() - KEEP);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    if kept.len() > KEEP {
        kept.drain(..kept.len() - KEEP);
    }
    kept
}

/// The program's exit status as ours; killed by signal n: 128+n, as sh reports it.
pub(super) fn exit_code(status: ExitStatus) -> ExitCode {
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(&status);
    #[cfg(windows)]
    let signal: Option<i32> = None;
    match (status.code(), signal) {
        (Some(code), _) => ExitCode::from(code as u8),
        (None, Some(signal)) => ExitCode::from((128 + signal) as u8),
        _ => ExitCode::from(failure::SSH_FAILED as u8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    #[test]
    fn variants_follow_git() {
        let c = |command: &str, is_command: bool| SshCommand {
            via: "core.sshCommand",
            entry: None,
            command: command.into(),
            is_command,
        };
        assert_eq!(
            Target::new(&c("ssh -i k", true), None).variant,
            Variant::OpenSsh
        );
        assert_eq!(
            Target::new(&c("'/opt/PuTTY/plink.exe' -i k.ppk", true), None).variant,
            Variant::Plink { tortoise: false }
        );
        assert_eq!(
            Target::new(&c("/x/TortoisePlink", false), None).variant,
            Variant::Plink { tortoise: true }
        );
        assert_eq!(
            Target::new(&c("my-ssh", true), None).variant,
            Variant::Unknown
        );
        assert_eq!(
            Target::new(&c("ssh", true), Some("plink")).variant,
            Variant::Configured { ssh: false }
        );
        assert_eq!(
            Target::new(&c("ssh", true), Some("auto")).variant,
            Variant::OpenSsh
        );
    }

    #[test]
    fn runs_commands_as_git_does() {
        let t = |command: &str, is_command: bool| Target {
            command: command.into(),
            is_command,
            variant: Variant::OpenSsh,
        };
        let c = t("ssh -i '/k k'", true).command(&args(&["host"]));
        assert_eq!(c.get_program(), "/bin/sh");
        let a: Vec<_> = c.get_args().collect();
        assert_eq!(a, ["-c", "ssh -i '/k k' \"$@\"", "ssh -i '/k k'", "host"]);
        let c = t("/opt/my ssh/ssh", false).command(&args(&["host"]));
        assert_eq!(c.get_program(), "/opt/my ssh/ssh");
        assert_eq!(
            t("/opt/my ssh/ssh", false).bypass(),
            "GIT_SSH_COMMAND=''\\''/opt/my ssh/ssh'\\'''"
        );
        assert_eq!(t("ssh", false).bypass(), "GIT_SSH_COMMAND='ssh'");
    }
}
