//! The ssh agent: which identities it holds, asked over its socket with the agent
//! protocol (no `ssh-add` process), with a deadline on every read and write.

use super::client::expand;
use super::keys::{fingerprint, read_string, read_u32};
use super::{Agent, Probed};
use crate::facts::Ctx;
use std::path::Path;
use std::time::Duration;

/// The agent `program` (the ssh git runs) would ask, and the identities it holds.
pub(super) fn probe_agent(
    ctx: &Ctx,
    identity_agent: Option<&str>,
    home: &Path,
    program: &str,
) -> Probed<Agent> {
    let socket = match identity_agent {
        Some("none") => return Probed::Absent,
        Some(a) if a != "SSH_AUTH_SOCK" && !a.is_empty() => {
            Some(expand(Path::new(a.trim_start_matches('$')), home, "", ""))
        }
        _ => ctx.env.ssh_auth_sock.clone().or_else(|| {
            (crate::platform::paths::OS == "windows" && is_windows_openssh(program))
                .then(|| WINDOWS_AGENT_PIPE.into())
        }),
    };
    let Some(socket) = socket else {
        return Probed::Absent;
    };
    let Some(allowed) = ctx.deadline.allow(Duration::from_secs(2)) else {
        return Probed::Failed(format!("the agent was {}", ctx.deadline.spent()));
    };
    match agent_identities(&socket, allowed) {
        Ok(identities) => Probed::Found(Agent { socket, identities }),
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                || e.kind() == std::io::ErrorKind::ConnectionRefused =>
        {
            Probed::Absent
        }
        Err(e) => Probed::Failed(format!(
            "could not ask the agent at {}: {e}",
            socket.display()
        )),
    }
}

/// The agent Windows OpenSSH's `ssh.exe` asks when `SSH_AUTH_SOCK` is not set: the
/// `ssh-agent` service's named pipe (Win32-OpenSSH `contrib/win32/win32compat/
/// ssh-agent`, `authfd.c`: "\\\\.\\pipe\\openssh-ssh-agent"). Git for Windows' own
/// MSYS2 `ssh` (`usr/bin/ssh.exe`) does not know it: it uses `SSH_AUTH_SOCK` only.
pub(crate) const WINDOWS_AGENT_PIPE: &str = r"\\.\pipe\openssh-ssh-agent";

/// Whether `program` (the ssh git runs, resolved) is Windows OpenSSH, which falls back to
/// [`WINDOWS_AGENT_PIPE`]: `C:\Windows\System32\OpenSSH\ssh.exe` or another install
/// in an `OpenSSH` directory (not Git for Windows' `usr/bin/ssh.exe`).
pub(crate) fn is_windows_openssh(program: &str) -> bool {
    let p = program.replace('\\', "/").to_ascii_lowercase();
    p.contains("/openssh/") || p.contains("/openssh-win64/")
}

/// SSH2_AGENTC_REQUEST_IDENTITIES (11) → SSH2_AGENT_IDENTITIES_ANSWER (12), over any
/// stream (a Unix socket, a Windows named pipe).
fn ask_identities(s: &mut (impl std::io::Read + std::io::Write)) -> std::io::Result<Vec<String>> {
    s.write_all(&[0, 0, 0, 1, 11])?;
    let mut len = [0u8; 4];
    s.read_exact(&mut len)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > 256 * 1024 {
        return Err(std::io::Error::other("agent answer too large"));
    }
    let mut body = vec![0u8; len];
    s.read_exact(&mut body)?;
    let bad = || std::io::Error::other("malformed agent answer");
    let (&kind, mut r) = body.split_first().ok_or_else(bad)?;
    if kind != 12 {
        return Err(std::io::Error::other(format!(
            "agent answered message type {kind}"
        )));
    }
    let n = read_u32(&mut r).ok_or_else(bad)?;
    let mut out = Vec::new();
    for _ in 0..n.min(1000) {
        let blob = read_string(&mut r).ok_or_else(bad)?;
        let _comment = read_string(&mut r).ok_or_else(bad)?;
        out.push(fingerprint(&blob));
    }
    Ok(out)
}

/// Windows: the agent is a named pipe (Windows OpenSSH's service, or Pageant's
/// `\\.\pipe\pageant.<user>.<hash>`, which speaks the same protocol). A pipe has no
/// read timeout: the exchange runs on a thread we stop waiting for at the deadline.
#[cfg(windows)]
pub(crate) fn agent_identities(socket: &Path, allowed: Duration) -> std::io::Result<Vec<String>> {
    // An MSYS2 `SSH_AUTH_SOCK` (`/tmp/ssh-…/agent.1`) is a file emulating a socket:
    // never open it as a file (writing would break it).
    let name = socket.to_string_lossy().replace('/', "\\");
    if !name.to_ascii_lowercase().starts_with(r"\\.\pipe\") {
        return Err(std::io::ErrorKind::Unsupported.into());
    }
    let mut pipe = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(socket)?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(ask_identities(&mut pipe));
    });
    rx.recv_timeout(allowed).unwrap_or_else(|_| {
        Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "the agent did not answer in time",
        ))
    })
}

#[cfg(unix)]
pub(crate) fn agent_identities(socket: &Path, allowed: Duration) -> std::io::Result<Vec<String>> {
    let mut s = std::os::unix::net::UnixStream::connect(socket)?;
    s.set_read_timeout(Some(allowed))?;
    s.set_write_timeout(Some(allowed))?;
    ask_identities(&mut s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An agent's answer, replayed: the request it got, and the identities read back.
    #[test]
    fn identities_are_read_from_any_stream() {
        struct Replay(std::io::Cursor<Vec<u8>>, Vec<u8>);
        impl std::io::Read for Replay {
            fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
                self.0.read(b)
            }
        }
        impl std::io::Write for Replay {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.1.extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let blob = b"\0\0\0\x0bssh-ed25519\0\0\0\x20abcdefghijklmnopqrstuvwxyz012345";
        let mut body = vec![12, 0, 0, 0, 1];
        body.extend_from_slice(&(blob.len() as u32).to_be_bytes());
        body.extend_from_slice(blob);
        body.extend_from_slice(&[0, 0, 0, 4]);
        body.extend_from_slice(b"work");
        let mut answer = (body.len() as u32).to_be_bytes().to_vec();
        answer.extend_from_slice(&body);
        let mut agent = Replay(std::io::Cursor::new(answer), Vec::new());
        let ids = ask_identities(&mut agent).expect("identities");
        assert_eq!(agent.1, [0, 0, 0, 1, 11]);
        assert_eq!(ids, vec![fingerprint(blob)]);
        assert!(ids[0].starts_with("SHA256:"));
    }

    #[test]
    fn windows_openssh_is_told_from_git_for_windows_ssh() {
        assert!(is_windows_openssh(r"C:\Windows\System32\OpenSSH\ssh.exe"));
        assert!(is_windows_openssh("C:/Program Files/OpenSSH/ssh.exe"));
        assert!(!is_windows_openssh("C:/Program Files/Git/usr/bin/ssh.exe"));
        assert!(!is_windows_openssh("ssh"));
    }
}
