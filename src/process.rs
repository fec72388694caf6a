//! Runs other programs (git, ssh, ssh-keygen, credential helpers) safely.
//!
//! Every child gets its own session (so no controlling terminal and its own process
//! group), `GIT_TERMINAL_PROMPT=0`, no askpass variables, stdin limited to what we pass,
//! and a deadline after which the whole process group is killed. The group is also
//! killed after a normal exit so that forked children never outlive the tool.
//! This module must not interpret output: gatherers do that.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Output is capped so that a flooding program cannot exhaust memory.
const MAX_OUTPUT: usize = 1 << 20;

/// What a finished (or killed) child left behind.
#[derive(Debug)]
pub(crate) struct Output {
    pub status: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub timed_out: bool,
}

impl Output {
    pub(crate) fn success(&self) -> bool {
        self.status == Some(0) && !self.timed_out
    }
}

/// Environment variables removed from every child: they could make it prompt.
const PROMPTING_VARS: &[&str] = &[
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "SSH_ASKPASS_REQUIRE",
    "DISPLAY",
    "GCM_INTERACTIVE",
];

/// Runs `program args` with `input` on stdin, killing its process group at `deadline`.
pub(crate) fn run(
    program: &str,
    args: &[&str],
    input: &[u8],
    deadline: Duration,
) -> std::io::Result<Output> {
    run_with_env(program, args, input, deadline, &[])
}

pub(crate) fn run_with_env(
    program: &str,
    args: &[&str],
    input: &[u8],
    deadline: Duration,
    env: &[(&str, &str)],
) -> std::io::Result<Output> {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GCM_INTERACTIVE", "never");
    for var in PROMPTING_VARS {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    // SAFETY: setsid is async-signal-safe; it detaches the child from our terminal and
    // makes it the leader of a new process group that we can kill as a whole.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut child = cmd.spawn()?;
    let pid = child.id() as i32;
    // Feed stdin from a thread only when there is something to feed; a closed stdin is EOF.
    let writer = match child.stdin.take() {
        Some(mut stdin) if !input.is_empty() => {
            let input = input.to_vec();
            Some(std::thread::spawn(move || {
                let _ = stdin.write_all(&input);
            }))
        }
        _ => None,
    };
    let out_reader = spawn_reader(child.stdout.take());
    let err_reader = spawn_reader(child.stderr.take());
    // A waiter thread reports the exit the moment it happens; the deadline is a channel timeout.
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let status = child.wait().ok().and_then(|s| s.code());
        let _ = tx.send(status);
    });
    let (status, timed_out) = match rx.recv_timeout(deadline) {
        Ok(status) => (status, false),
        Err(_) => {
            kill_group(pid);
            (rx.recv().ok().flatten(), true)
        }
    };
    let _ = waiter.join();
    // Children the program forked may still hold the pipes open: end them too.
    kill_group(pid);
    if let Some(w) = writer {
        let _ = w.join();
    }
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Ok(Output {
        status: if timed_out { None } else { status },
        stdout,
        stderr,
        timed_out,
    })
}

fn kill_group(pid: i32) {
    // SAFETY: plain syscall; an ESRCH for an already gone group is fine.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
}

fn spawn_reader<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let Some(mut pipe) = pipe else { return kept };
        let mut buf = [0u8; 8192];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let room = MAX_OUTPUT.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
            }
        }
        kept
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kills_a_sleeper_at_the_deadline() {
        use std::time::Instant;
        let start = Instant::now();
        let out = run("sh", &["-c", "sleep 30"], b"", Duration::from_millis(200)).expect("spawn");
        assert!(out.timed_out);
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn forked_children_do_not_hold_us() {
        use std::time::Instant;
        let start = Instant::now();
        let out = run(
            "sh",
            &["-c", "(sleep 30 &) ; echo hi"],
            b"",
            Duration::from_secs(5),
        )
        .expect("spawn");
        assert_eq!(out.stdout, b"hi\n");
        assert!(start.elapsed() < Duration::from_secs(4));
    }

    #[test]
    fn flood_is_capped() {
        let out = run(
            "sh",
            &["-c", "yes | head -c 5000000"],
            b"",
            Duration::from_secs(10),
        )
        .expect("spawn");
        assert_eq!(out.stdout.len(), MAX_OUTPUT);
    }

    #[test]
    fn no_terminal_for_children() {
        let out = run("sh", &["-c", "cat /dev/tty"], b"", Duration::from_secs(5)).expect("spawn");
        assert!(!out.success());
    }
}
