//! Unix: passwd, modes, `setsid`, process groups, `poll`.

use super::StdinRead;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The home directory of the account we run as, from its passwd entry (ssh finds `~`
/// this way, not through `$HOME`).
pub(crate) fn account_home() -> Option<PathBuf> {
    // SAFETY: getpwuid_r with a buffer we own; the result points into it.
    unsafe {
        let mut pw: libc::passwd = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 4096];
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        if libc::getpwuid_r(
            libc::getuid(),
            &mut pw,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        ) != 0
            || result.is_null()
            || pw.pw_dir.is_null()
        {
            return None;
        }
        let dir = std::ffi::CStr::from_ptr(pw.pw_dir);
        Some(PathBuf::from(
            std::ffi::OsStr::from_encoded_bytes_unchecked(dir.to_bytes()),
        ))
    }
}

/// A private key file's mode, and whether ssh refuses it as too open (ours, and
/// readable or writable by group or others).
pub(crate) fn key_mode(meta: &std::fs::Metadata) -> (Option<u32>, bool) {
    let mode = meta.mode() & 0o7777;
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    (Some(mode), meta.uid() == uid && mode & 0o077 != 0)
}

/// Whether a file has any execute bit.
pub(crate) fn is_executable(meta: &std::fs::Metadata) -> bool {
    meta.permissions().mode() & 0o111 != 0
}

/// Whether two paths name the same file (device and inode).
pub(crate) fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    a.dev() == b.dev() && a.ino() == b.ino()
}

/// Makes `path` executable by everyone, writable by its owner (0755).
pub(crate) fn set_executable(path: &Path) -> std::io::Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

/// Opening a file to read it never waits (a FIFO without writer) and never takes a
/// terminal as our controlling terminal.
pub(crate) fn open_without_waiting(o: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    o.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
}

/// A file created mode 0600.
pub(crate) fn private_file(o: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    o.mode(0o600)
}

/// A file created mode 0600, never opened through a symlink nor waiting on a FIFO.
pub(crate) fn private_file_no_follow(o: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    o.mode(0o600)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
}

/// A directory created mode 0700.
pub(crate) fn private_dir(d: &mut std::fs::DirBuilder) -> &mut std::fs::DirBuilder {
    d.mode(0o700)
}

/// Whether `meta` is the null device (`/dev/null`).
pub(crate) fn is_null_device(meta: &std::fs::Metadata) -> bool {
    meta.file_type().is_char_device()
        && std::fs::metadata("/dev/null").is_ok_and(|null| null.rdev() == meta.rdev())
}

/// Whether our standard output is the null device.
pub(crate) fn stdout_is_null() -> bool {
    std::fs::metadata("/proc/self/fd/1")
        .or_else(|_| std::fs::metadata("/dev/fd/1"))
        .is_ok_and(|m| is_null_device(&m))
}

/// The child gets its own session: no controlling terminal, and a process group of its
/// own that [`kill_tree`] ends as a whole.
pub(crate) fn detach(cmd: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setsid is async-signal-safe; it detaches the child from our terminal and
    // makes it the leader of a new process group that we can kill as a whole.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
}

/// Ends the process group of a child started with [`detach`].
pub(crate) fn kill_tree(pid: i32) {
    // SAFETY: plain syscall; an ESRCH for an already gone group is fine.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
}

/// Reads our standard input into `buf`, waiting at most until `until`.
pub(crate) fn read_stdin(buf: &mut [u8], until: std::time::Instant) -> StdinRead {
    loop {
        let left = until.saturating_duration_since(std::time::Instant::now());
        let mut fds = libc::pollfd {
            fd: 0,
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = left.as_millis().min(i32::MAX as u128) as i32;
        // SAFETY: poll on one pollfd we own.
        let n = unsafe { libc::poll(&mut fds, 1, ms) };
        if n < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return StdinRead::End;
        }
        if n == 0 {
            return StdinRead::TimedOut;
        }
        if fds.revents & libc::POLLNVAL != 0 {
            return StdinRead::End;
        }
        // SAFETY: read into our own buffer of the given length.
        let r = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
        if r > 0 {
            return StdinRead::Data(r as usize);
        }
        if r < 0
            && matches!(
                std::io::Error::last_os_error().kind(),
                std::io::ErrorKind::Interrupted | std::io::ErrorKind::WouldBlock
            )
        {
            continue;
        }
        return StdinRead::End;
    }
}
