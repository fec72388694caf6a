//! What PuTTY's `plink` (git's `plink`, `putty` and `tortoiseplink` variants) can
//! authenticate with when git runs it without `-i`: the key of the saved session it
//! loads for the host, and Pageant.
//!
//! Sources (PuTTY manual, "Using the command-line connection tool Plink" and "Pageant";
//! PuTTY source `cmdline.c`, `unix/storage.c`, `windows/storage.c`, `unix/agent-client.c`,
//! `windows/agent-client.c`):
//! - For `[user@]host`, plink first loads a saved session named like the host, else
//!   "Default Settings"; a session's key file is its `PublicKeyFile` setting.
//! - Unix keeps sessions as files: `$PUTTYDIR`, else `~/.putty` (or
//!   `$XDG_CONFIG_HOME/putty` when `~/.putty` does not exist), file `sessions/<name>`
//!   with `Key=value` lines; the name is escaped: blank, `\`, `*`, `?`, `%`, control and
//!   non-ASCII bytes, and a leading `.` become `%XX`.
//! - Windows keeps them in the registry: `HKCU\Software\SimonTatham\PuTTY\Sessions\<name>`
//!   (same escaping), value `PublicKeyFile`.
//! - Unix PuTTY tools reach an agent (Pageant or OpenSSH's) through `SSH_AUTH_SOCK`;
//!   Windows ones reach Pageant by its window (class `Pageant`) or, since 0.75, its
//!   named pipe `\\.\pipe\pageant.<user>.<hash>`, which speaks the agent protocol.
//!
//! Nothing here starts plink or Pageant; key files are not opened.

use super::{Agent, Probed};
use crate::facts::Ctx;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What plink can authenticate with, besides `-i`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Putty {
    /// The saved session plink loads for this host (`Default Settings` when none is named
    /// like the host).
    pub session: String,
    /// The key file that session names: absent when it names none, failed when the
    /// sessions could not be read.
    pub session_key: Probed<PathBuf>,
    /// The agent plink asks, by how many keys it holds: absent when none runs; failed
    /// when one runs whose keys cannot be listed from here, or it could not be told.
    pub agent: Probed<usize>,
}

/// The name of the session plink falls back to.
pub(crate) const DEFAULT_SESSION: &str = "Default Settings";

/// PuTTY's escaping of a session name for a file or registry key name (`mungestr`).
pub(crate) fn escape_session(name: &str) -> String {
    let mut out = String::new();
    for (i, b) in name.bytes().enumerate() {
        if matches!(b, b' ' | b'\\' | b'*' | b'?' | b'%')
            || !(b' '..=b'~').contains(&b)
            || (b == b'.' && i == 0)
        {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    out
}

/// The `PublicKeyFile` of a session file's text (`Key=value` lines).
pub(crate) fn session_file_key(text: &str) -> Option<PathBuf> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| *k == "PublicKeyFile")
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

pub(super) fn gather(ctx: &Ctx, host: &str, agent: impl FnOnce() -> Probed<Agent>) -> Putty {
    let (session, session_key) = match sessions(ctx, host) {
        Ok((session, key)) => (session, key.map_or(Probed::Absent, Probed::Found)),
        Err(why) => (host.to_owned(), Probed::Failed(why)),
    };
    let agent = if crate::platform::paths::OS == "windows" {
        pageant()
    } else {
        match agent() {
            Probed::Found(a) => Probed::Found(a.identities.len()),
            Probed::Absent => Probed::Absent,
            Probed::Failed(why) => Probed::Failed(why),
        }
    };
    Putty {
        session,
        session_key,
        agent,
    }
}

/// The session plink loads for `host` and the key it names (files on Unix, the registry
/// on Windows).
fn sessions(ctx: &Ctx, host: &str) -> Result<(String, Option<PathBuf>), String> {
    for name in [host, DEFAULT_SESSION] {
        match session_key(ctx, &escape_session(name))? {
            SessionKey::NoSession => continue,
            SessionKey::Key(k) => return Ok((name.to_owned(), k)),
        }
    }
    Ok((DEFAULT_SESSION.to_owned(), None))
}

enum SessionKey {
    NoSession,
    Key(Option<PathBuf>),
}

#[cfg(not(windows))]
fn session_key(ctx: &Ctx, escaped: &str) -> Result<SessionKey, String> {
    let dir = std::env::var_os("PUTTYDIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let dot = ctx.home.join(".putty");
            if dot.exists() {
                dot
            } else {
                ctx.xdg_config_home().join("putty")
            }
        });
    session_in(&dir, escaped)
}

/// The key a session file in `dir` names.
#[cfg_attr(windows, allow(dead_code))]
fn session_in(dir: &Path, escaped: &str) -> Result<SessionKey, String> {
    let file = dir.join("sessions").join(escaped);
    // Bounded like every file we read: a FIFO or a huge file there is skipped, not read.
    use crate::facts::files::{read_capped, Skipped, CONFIG_CAP};
    match read_capped(&file, CONFIG_CAP) {
        Ok(b) => Ok(SessionKey::Key(session_file_key(&String::from_utf8_lossy(
            &b,
        )))),
        Err(Skipped::Missing) => Ok(SessionKey::NoSession),
        Err(e) => Err(format!("could not read {}: {}", file.display(), e.reason())),
    }
}

#[cfg(windows)]
fn session_key(_ctx: &Ctx, escaped: &str) -> Result<SessionKey, String> {
    use std::os::windows::ffi::{OsStrExt, OsStringExt};
    #[link(name = "advapi32")]
    extern "system" {
        fn RegGetValueW(
            hkey: isize,
            subkey: *const u16,
            value: *const u16,
            flags: u32,
            kind: *mut u32,
            data: *mut u16,
            len: *mut u32,
        ) -> i32;
    }
    const HKEY_CURRENT_USER: isize = 0x8000_0001_u32 as i32 as isize;
    const RRF_RT_REG_SZ: u32 = 0x2;
    const ERROR_FILE_NOT_FOUND: i32 = 2;
    let wide = |s: &str| -> Vec<u16> { std::ffi::OsStr::new(s).encode_wide().chain([0]).collect() };
    let subkey = wide(&format!(r"Software\SimonTatham\PuTTY\Sessions\{escaped}"));
    let mut buf = vec![0u16; 1024];
    let mut len = (buf.len() * 2) as u32;
    // SAFETY: both names are NUL-terminated; the buffer is `len` bytes long.
    let rc = unsafe {
        RegGetValueW(
            HKEY_CURRENT_USER,
            subkey.as_ptr(),
            wide("PublicKeyFile").as_ptr(),
            RRF_RT_REG_SZ,
            std::ptr::null_mut(),
            buf.as_mut_ptr(),
            &mut len,
        )
    };
    match rc {
        0 => {
            let n = (len as usize / 2).min(buf.len());
            let s = std::ffi::OsString::from_wide(&buf[..n]);
            let s = s.to_string_lossy().trim_end_matches('\0').trim().to_owned();
            Ok(SessionKey::Key((!s.is_empty()).then(|| PathBuf::from(s))))
        }
        ERROR_FILE_NOT_FOUND => {
            // No such value, or no such session: ask for the session key itself.
            // SAFETY: as above, with no data asked for.
            let session = unsafe {
                RegGetValueW(
                    HKEY_CURRENT_USER,
                    subkey.as_ptr(),
                    wide("HostName").as_ptr(),
                    RRF_RT_REG_SZ,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                )
            };
            Ok(if session == 0 {
                SessionKey::Key(None)
            } else {
                SessionKey::NoSession
            })
        }
        rc => Err(format!(
            "could not read PuTTY's saved sessions in the registry (error {rc})"
        )),
    }
}

/// Pageant on Windows: its named pipe (asked for its keys) or its window (keys unknown).
#[cfg(windows)]
fn pageant() -> Probed<usize> {
    let pipe = std::fs::read_dir(r"\\.\pipe\").ok().and_then(|d| {
        d.flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n.starts_with("pageant."))
    });
    if let Some(pipe) = pipe {
        let path = PathBuf::from(format!(r"\\.\pipe\{pipe}"));
        return match super::agent::agent_identities(&path, std::time::Duration::from_secs(1)) {
            Ok(ids) => Probed::Found(ids.len()),
            Err(e) => Probed::Failed(format!(
                "Pageant runs, but could not be asked for its keys: {e}"
            )),
        };
    }
    #[link(name = "user32")]
    extern "system" {
        fn FindWindowW(class: *const u16, title: *const u16) -> isize;
    }
    let name: Vec<u16> = "Pageant\0".encode_utf16().collect();
    // SAFETY: NUL-terminated names; FindWindowW only reads them.
    if unsafe { FindWindowW(name.as_ptr(), name.as_ptr()) } != 0 {
        return Probed::Failed(
            "Pageant runs (an older one, without a named pipe): its keys cannot be listed".into(),
        );
    }
    Probed::Absent
}

#[cfg(not(windows))]
fn pageant() -> Probed<usize> {
    Probed::Absent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_are_escaped_as_putty_does() {
        assert_eq!(escape_session("github.com"), "github.com");
        assert_eq!(escape_session(DEFAULT_SESSION), "Default%20Settings");
        assert_eq!(escape_session(".hidden"), "%2Ehidden");
        assert_eq!(escape_session("a*b?c%d\\e"), "a%2Ab%3Fc%25d%5Ce");
    }

    /// A FIFO where a session file belongs (a cloned repository's files are untrusted
    /// input, and `PUTTYDIR` may point anywhere): skipped, never read, so nothing hangs.
    #[cfg(unix)]
    #[test]
    fn a_fifo_session_is_skipped_not_read() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::create_dir(dir.path().join("sessions")).expect("dir");
        let fifo = dir.path().join("sessions").join("github.com");
        let c = std::ffi::CString::new(fifo.to_str().expect("utf8")).expect("c");
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let why = session_in(dir.path(), "github.com")
            .err()
            .unwrap_or_default();
        assert!(why.contains("not a regular file"), "{why}");
    }

    /// A session file as Unix PuTTY writes it (`~/.putty/sessions/github.com`).
    #[test]
    fn session_files_name_their_key() {
        let text = "HostName=github.com\nPortNumber=22\nPublicKeyFile=/home/me/.ssh/work.ppk\nUserName=git\n";
        assert_eq!(
            session_file_key(text),
            Some(PathBuf::from("/home/me/.ssh/work.ppk"))
        );
        assert_eq!(
            session_file_key("HostName=github.com\nPublicKeyFile=\n"),
            None
        );
    }

    #[test]
    #[cfg(not(windows))]
    fn the_host_session_then_default_settings() {
        let dir = tempfile::tempdir().expect("tmp");
        let ctx = Ctx::for_test(dir.path(), "");
        let sessions = dir.path().join(".putty/sessions");
        std::fs::create_dir_all(&sessions).expect("mkdir");
        // No session at all: Default Settings, no key.
        assert_eq!(
            super::sessions(&ctx, "github.com").ok(),
            Some((DEFAULT_SESSION.to_owned(), None))
        );
        std::fs::write(
            sessions.join("Default%20Settings"),
            "PublicKeyFile=/k/default.ppk\n",
        )
        .expect("write");
        assert_eq!(
            super::sessions(&ctx, "github.com").ok(),
            Some((
                DEFAULT_SESSION.to_owned(),
                Some(PathBuf::from("/k/default.ppk"))
            ))
        );
        // A session named like the host wins, even without a key (Default Settings is not merged in).
        std::fs::write(sessions.join("github.com"), "HostName=github.com\n").expect("write");
        assert_eq!(
            super::sessions(&ctx, "github.com").ok(),
            Some(("github.com".to_owned(), None))
        );
        std::fs::write(
            sessions.join("github.com"),
            "HostName=github.com\nPublicKeyFile=/k/gh.ppk\n",
        )
        .expect("write");
        let p = gather(&ctx, "github.com", || Probed::Absent);
        assert_eq!(p.session_key, Probed::Found(PathBuf::from("/k/gh.ppk")));
        assert_eq!(p.agent, Probed::Absent);
    }

    /// Under wine: the registry has no PuTTY sessions, and no Pageant runs.
    #[test]
    #[cfg(windows)]
    fn no_saved_session_in_the_registry() {
        let dir = tempfile::tempdir().expect("tmp");
        let ctx = Ctx::for_test(dir.path(), "");
        let p = gather(&ctx, "git-credcheck-test.invalid", || Probed::Absent);
        assert_eq!(p.session, DEFAULT_SESSION);
        assert_eq!(p.session_key, Probed::Absent);
    }
}
