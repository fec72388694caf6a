//! The ssh agent: which identities it holds, asked over its socket with the agent
//! protocol (no `ssh-add` process), with a deadline on every read and write.

use super::client::expand;
#[cfg_attr(windows, allow(unused_imports))]
use super::keys::{fingerprint, read_string, read_u32};
use super::{Agent, Probed};
use crate::facts::Ctx;
use std::path::Path;
use std::time::Duration;

pub(super) fn probe_agent(ctx: &Ctx, identity_agent: Option<&str>, home: &Path) -> Probed<Agent> {
    let socket = match identity_agent {
        Some("none") => return Probed::Absent,
        Some(a) if a != "SSH_AUTH_SOCK" && !a.is_empty() => {
            Some(expand(Path::new(a.trim_start_matches('$')), home, "", ""))
        }
        _ => ctx.env.ssh_auth_sock.clone(),
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

/// SSH2_AGENTC_REQUEST_IDENTITIES (11) → SSH2_AGENT_IDENTITIES_ANSWER (12).
/// Windows: the agent is a named pipe (`\\.\pipe\openssh-ssh-agent`) or Pageant,
/// which this does not speak yet: the agent's keys are unknown.
#[cfg(windows)]
fn agent_identities(_socket: &Path, _allowed: Duration) -> std::io::Result<Vec<String>> {
    Err(std::io::ErrorKind::Unsupported.into())
}

#[cfg(unix)]
fn agent_identities(socket: &Path, allowed: Duration) -> std::io::Result<Vec<String>> {
    use std::io::{Read, Write};
    let mut s = std::os::unix::net::UnixStream::connect(socket)?;
    s.set_read_timeout(Some(allowed))?;
    s.set_write_timeout(Some(allowed))?;
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
