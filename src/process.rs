//! Runs other programs (git, ssh, ssh-keygen, credential helpers) safely.
//!
//! Every child gets its own session (so no controlling terminal and its own process
//! group), `GIT_TERMINAL_PROMPT=0`, no askpass variables, stdin limited to what we pass,
//! and a deadline after which the whole process group is killed. The group is also
//! killed after a normal exit so that forked children never outlive the tool.
//!
//! One thread does all the waiting: it polls the child's pipes and its exit with the
//! deadline as the limit, so nothing here can wait longer than the deadline. A
//! grandchild that left the group (`setsid`) may hold the pipes open after the child
//! exited: we read what is already there for a short grace and stop (issue 18). Such an
//! escapee becomes our child when its parent dies (we are a child subreaper), and is
//! killed before `run` returns.
//!
//! This module must not interpret output: gatherers do that.

#[cfg(unix)]
use std::os::fd::{AsRawFd, OwnedFd};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Output is capped so that a flooding program cannot exhaust memory.
const MAX_OUTPUT: usize = 1 << 20;

/// How long we keep reading after the child exited, for output still in the pipes.
const GRACE: Duration = Duration::from_millis(100);

/// How often we look for the child's exit while its pipes stay open.
const TICK: Duration = Duration::from_millis(10);

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

/// Children we started and have not reaped yet: every other child of ours in another
/// session is an orphan that outlived its parent.
static CHILDREN: Mutex<Vec<i32>> = Mutex::new(Vec::new());

pub(crate) fn run_with_env(
    program: &str,
    args: &[&str],
    input: &[u8],
    deadline: Duration,
    env: &[(&str, &str)],
) -> std::io::Result<Output> {
    let end = Instant::now() + deadline;
    #[cfg(unix)]
    become_subreaper();
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(if input.is_empty() {
            Stdio::null()
        } else {
            Stdio::piped()
        })
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
    crate::platform::detach(&mut cmd);
    let child = {
        let mut children = lock_children();
        let child = cmd.spawn()?;
        children.push(child.id() as i32);
        child
    };
    let pid = child.id() as i32;
    #[cfg(windows)]
    return Ok(windows_wait(child, pid, input, end));
    #[cfg(unix)]
    unix_wait(child, pid, input, end)
}

/// Unix: one thread polls the pipes and the exit; the group is killed at the end.
#[cfg(unix)]
fn unix_wait(
    mut child: std::process::Child,
    pid: i32,
    input: &[u8],
    end: Instant,
) -> std::io::Result<Output> {
    let mut pipes = [
        Pipe::new(child.stdout.take().map(OwnedFd::from), Dir::Out),
        Pipe::new(child.stderr.take().map(OwnedFd::from), Dir::Out),
        Pipe::new(child.stdin.take().map(OwnedFd::from), Dir::In),
    ];
    let timed_out = pump(pid, &mut pipes, input, end);
    // Children the program forked may still run: end the whole group, then reap.
    kill_group(pid);
    drop(pipes[2].fd.take());
    let status = child.wait().ok().and_then(|s| s.code());
    {
        let mut children = lock_children();
        children.retain(|c| *c != pid);
        kill_orphans(&children);
    }
    let [out, err, _] = pipes;
    Ok(Output {
        status: if timed_out { None } else { status },
        stdout: out.kept,
        stderr: err.kept,
        timed_out,
    })
}

/// Windows: the pipes are drained by threads, the exit is polled every [`TICK`], and at
/// the deadline the whole tree is ended with `taskkill /T /F` (then `Child::kill`).
#[cfg(windows)]
fn windows_wait(mut child: std::process::Child, pid: i32, input: &[u8], end: Instant) -> Output {
    use std::io::{Read, Write};
    fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            if let Some(p) = pipe {
                let _ = p.take(MAX_OUTPUT as u64).read_to_end(&mut kept);
            }
            kept
        })
    }
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    if let Some(mut stdin) = child.stdin.take() {
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s.code(),
            Ok(None) if Instant::now() >= end => {
                timed_out = true;
                break None;
            }
            Ok(None) => std::thread::sleep(TICK),
            Err(_) => break None,
        }
    };
    kill_group(pid);
    let _ = child.kill();
    let _ = child.wait();
    lock_children().retain(|c| *c != pid);
    let join = |h: std::thread::JoinHandle<Vec<u8>>| {
        let stop = Instant::now() + GRACE;
        while !h.is_finished() && Instant::now() < stop {
            std::thread::sleep(TICK);
        }
        if h.is_finished() {
            h.join().unwrap_or_default()
        } else {
            Vec::new()
        }
    };
    Output {
        status,
        stdout: join(out),
        stderr: join(err),
        timed_out,
    }
}

fn lock_children() -> std::sync::MutexGuard<'static, Vec<i32>> {
    CHILDREN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(unix)]
#[derive(PartialEq)]
enum Dir {
    In,
    Out,
}

#[cfg(unix)]
struct Pipe {
    fd: Option<OwnedFd>,
    dir: Dir,
    kept: Vec<u8>,
    written: usize,
}

#[cfg(unix)]
impl Pipe {
    fn new(fd: Option<OwnedFd>, dir: Dir) -> Pipe {
        if let Some(fd) = &fd {
            // SAFETY: fcntl on a descriptor we own; these are our ends of fresh pipes.
            unsafe {
                let flags = libc::fcntl(fd.as_raw_fd(), libc::F_GETFL);
                libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK);
            }
        }
        Pipe {
            fd,
            dir,
            kept: Vec::new(),
            written: 0,
        }
    }

    /// Reads what is there; closes the pipe at its end or on an error.
    fn read(&mut self) {
        let Some(fd) = &self.fd else { return };
        let mut buf = [0u8; 16 * 1024];
        loop {
            // SAFETY: read into a live buffer of the given size from a descriptor we own.
            let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if n > 0 {
                let n = n as usize;
                let room = MAX_OUTPUT.saturating_sub(self.kept.len());
                self.kept.extend_from_slice(&buf[..n.min(room)]);
                continue;
            }
            if n < 0 {
                match std::io::Error::last_os_error().kind() {
                    std::io::ErrorKind::Interrupted => continue,
                    std::io::ErrorKind::WouldBlock => return,
                    _ => {}
                }
            }
            break;
        }
        self.fd = None;
    }

    /// Writes what the pipe takes of `input`; closes it when all is written or the
    /// child stopped reading.
    fn write(&mut self, input: &[u8]) {
        let Some(fd) = &self.fd else { return };
        while self.written < input.len() {
            // SAFETY: write from a live slice to a descriptor we own.
            let n = unsafe {
                libc::write(
                    fd.as_raw_fd(),
                    input[self.written..].as_ptr().cast(),
                    input.len() - self.written,
                )
            };
            if n >= 0 {
                self.written += n as usize;
                continue;
            }
            match std::io::Error::last_os_error().kind() {
                std::io::ErrorKind::Interrupted => {}
                std::io::ErrorKind::WouldBlock => return,
                _ => break,
            }
        }
        self.fd = None;
    }
}

#[cfg(unix)]
/// Moves data until the child has exited and its pipes are drained, or `end`. Returns
/// whether the deadline cut it short.
fn pump(pid: i32, pipes: &mut [Pipe; 3], input: &[u8], end: Instant) -> bool {
    let mut exited: Option<Instant> = None;
    let mut nap = Duration::from_micros(100);
    loop {
        let now = Instant::now();
        if exited.is_none() && has_exited(pid) {
            // Whatever the program forked ends with it; what is in the pipes stays.
            kill_group(pid);
            exited = Some((now + GRACE).min(end.max(now)));
        }
        let open: Vec<usize> = (0..3).filter(|i| pipes[*i].fd.is_some()).collect();
        match exited {
            Some(stop) if now >= stop || open.is_empty() => return false,
            None if now >= end => return true,
            _ => {}
        }
        if open.is_empty() {
            // Pipes closed, exit not seen yet: it is a moment away, or the program
            // closed its output and lives on (then the deadline ends it).
            std::thread::sleep(nap.min(end.saturating_duration_since(now)));
            nap = (nap * 2).min(TICK);
            continue;
        }
        let limit = match exited {
            Some(stop) => stop - now,
            None => (end - now).min(TICK),
        };
        let mut fds: Vec<libc::pollfd> = open
            .iter()
            .map(|i| libc::pollfd {
                fd: pipes[*i].fd.as_ref().map_or(-1, AsRawFd::as_raw_fd),
                events: if pipes[*i].dir == Dir::In {
                    libc::POLLOUT
                } else {
                    libc::POLLIN
                },
                revents: 0,
            })
            .collect();
        let ms = limit.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32;
        // SAFETY: poll over a live, correctly sized array of pollfd.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
        if n <= 0 {
            continue;
        }
        for (slot, i) in open.iter().enumerate() {
            if fds[slot].revents == 0 {
                continue;
            }
            match pipes[*i].dir {
                Dir::Out => pipes[*i].read(),
                Dir::In if fds[slot].revents & libc::POLLOUT != 0 => pipes[*i].write(input),
                Dir::In => pipes[*i].fd = None,
            }
        }
    }
}

#[cfg(unix)]
/// Whether `pid` has exited, without reaping it: its process group id stays ours to
/// kill until we reap it.
fn has_exited(pid: i32) -> bool {
    // SAFETY: waitid with WNOWAIT only reads the child's state into a zeroed siginfo.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let r = libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        );
        r != 0 || info.si_pid() != 0
    }
}

fn kill_group(pid: i32) {
    crate::platform::kill_tree(pid);
}

#[cfg(unix)]
/// Makes processes that outlive their parent below us our children, so that a
/// grandchild that escaped its process group (`setsid`) can still be found and ended.
fn become_subreaper() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: prctl with integer arguments; failure only loses the orphan cleanup.
        #[cfg(target_os = "linux")]
        unsafe {
            libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        }
    });
}

#[cfg(unix)]
/// Kills and reaps our children that we did not start (`started`), in a session other
/// than ours: orphans of a program we ran, reparented to us. Children started without
/// this module share our session and are left alone.
fn kill_orphans(started: &[i32]) {
    // SAFETY: getsid(0) reads our own session id.
    let our_session = unsafe { libc::getsid(0) };
    // Killing an orphan orphans its own children: a few rounds end a chain of them.
    for _ in 0..8 {
        let orphans: Vec<i32> = our_children()
            .into_iter()
            .filter(|p| !started.contains(p))
            // SAFETY: getsid on a pid; -1 for one that is gone.
            .filter(|p| {
                let sid = unsafe { libc::getsid(*p) };
                sid != -1 && sid != our_session
            })
            .collect();
        if orphans.is_empty() {
            return;
        }
        for p in orphans {
            // SAFETY: kill and waitpid on our own child; it cannot ignore SIGKILL.
            unsafe {
                libc::kill(-p, libc::SIGKILL);
                libc::kill(p, libc::SIGKILL);
                libc::waitpid(p, std::ptr::null_mut(), 0);
            }
        }
    }
}

#[cfg(unix)]
/// Our children, from `/proc/self/task/*/children`.
fn our_children() -> Vec<i32> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
        .flat_map(|s| {
            s.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<i32>>()
        })
        .collect()
}

#[cfg(unix)]
#[cfg(test)]
mod tests {
    use super::*;

    /// Live processes whose environment holds `MARK=<marker>`: what a program we ran
    /// (and everything it started) carries.
    fn alive(marker: &str) -> Vec<String> {
        let needle = format!("MARK={marker}\0");
        let mut found = Vec::new();
        for e in std::fs::read_dir("/proc").expect("/proc").flatten() {
            let Ok(environ) = std::fs::read(e.path().join("environ")) else {
                continue;
            };
            if environ
                .windows(needle.len())
                .any(|w| w == needle.as_bytes())
            {
                found.push(e.file_name().to_string_lossy().into_owned());
            }
        }
        found
    }

    /// SIGKILL lands asynchronously: wait a little for the kernel, then none may be left.
    fn assert_none_left(marker: &str) {
        for _ in 0..50 {
            if alive(marker).is_empty() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("processes outlived run(): {:?}", alive(marker));
    }

    fn marked(name: &str, script: &str, deadline: Duration) -> (Output, String) {
        let marker = format!("{name}-{}", std::process::id());
        let out = run_with_env(
            "sh",
            &["-c", script],
            b"",
            deadline,
            &[("MARK", marker.as_str())],
        )
        .expect("spawn");
        (out, marker)
    }

    #[test]
    fn kills_a_sleeper_at_the_deadline() {
        let (out, marker) = marked(
            "sleeper",
            "sleep 30; echo finished",
            Duration::from_millis(200),
        );
        assert!(out.timed_out);
        assert_eq!(out.status, None);
        assert!(out.stdout.is_empty());
        assert_none_left(&marker);
    }

    #[test]
    fn forked_children_do_not_hold_us() {
        let (out, marker) = marked(
            "forker",
            "(sleep 30; echo late) & echo hi",
            Duration::from_secs(30),
        );
        assert_eq!(out.stdout, b"hi\n");
        assert!(out.success() && !out.timed_out);
        assert_none_left(&marker);
    }

    /// A grandchild in a session of its own keeps the pipes open: `run` reads what the
    /// program wrote, stops at its exit instead of the pipes' end, and ends the escapee.
    #[test]
    fn an_escaped_grandchild_does_not_hold_us() {
        let (out, marker) = marked(
            "escapee",
            "setsid sh -c 'sleep 2; echo late; sleep 30' & echo hi",
            Duration::from_secs(30),
        );
        assert_eq!(out.stdout, b"hi\n");
        assert!(out.success() && !out.timed_out);
        assert_none_left(&marker);
    }

    #[test]
    fn input_reaches_the_child_and_output_comes_back() {
        let input = vec![b'x'; 300_000];
        let out = run("wc", &["-c"], &input, Duration::from_secs(30)).expect("spawn");
        assert!(out.success());
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "300000");
        // A child that reads nothing does not make us wait on a full pipe.
        let out = run("true", &[], &input, Duration::from_secs(30)).expect("spawn");
        assert!(out.success() && !out.timed_out);
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

    #[test]
    fn exit_codes_and_signals() {
        let out = run(
            "sh",
            &["-c", "echo e >&2; exit 3"],
            b"",
            Duration::from_secs(10),
        )
        .expect("spawn");
        assert_eq!((out.status, out.stderr.as_slice()), (Some(3), &b"e\n"[..]));
        let out = run("sh", &["-c", "kill -SEGV $$"], b"", Duration::from_secs(10)).expect("spawn");
        assert_eq!(out.status, None);
        assert!(!out.timed_out);
    }
}
