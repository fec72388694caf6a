//! Windows: `%USERPROFILE%`, no modes, `CREATE_NEW_PROCESS_GROUP` + `taskkill /T /F`.

use super::StdinRead;
use std::path::{Path, PathBuf};

/// `%USERPROFILE%`: what Windows OpenSSH and Git for Windows take as `~`.
pub(crate) fn account_home() -> Option<PathBuf> {
    std::env::var_os("USERPROFILE")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// Windows OpenSSH checks the key file's ACL, not a mode: no mode, never too open.
pub(crate) fn key_mode(_meta: &std::fs::Metadata) -> (Option<u32>, bool) {
    (None, false)
}

/// No execute bit on Windows: a regular file can be run.
pub(crate) fn is_executable(meta: &std::fs::Metadata) -> bool {
    meta.is_file()
}

/// Without inode numbers in stable std, two files are the same when their canonical
/// paths are; callers compare metadata, so this compares what metadata offers.
pub(crate) fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    a.len() == b.len()
        && a.modified().ok() == b.modified().ok()
        && a.created().ok() == b.created().ok()
}

/// Nothing to set: every file can be run.
pub(crate) fn set_executable(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

pub(crate) fn open_without_waiting(o: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    o
}

pub(crate) fn private_file(o: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    o
}

pub(crate) fn private_file_no_follow(o: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    o
}

pub(crate) fn private_dir(d: &mut std::fs::DirBuilder) -> &mut std::fs::DirBuilder {
    d
}

/// `NUL` has no metadata that tells it apart: never.
pub(crate) fn is_null_device(_meta: &std::fs::Metadata) -> bool {
    false
}

pub(crate) fn stdout_is_null() -> bool {
    false
}

/// `CREATE_NEW_PROCESS_GROUP`: Ctrl-C in our console does not reach the child, and
/// [`kill_tree`] ends it with what it started.
pub(crate) fn detach(cmd: &mut std::process::Command) {
    use std::os::windows::process::CommandExt;
    const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
    const CREATE_NO_WINDOW: u32 = 0x0800_0000;
    cmd.creation_flags(CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW);
}

/// Ends the child and every process it started (`taskkill /T /F`).
pub(crate) fn kill_tree(pid: i32) {
    let _ = std::process::Command::new("taskkill")
        .args(["/T", "/F", "/PID", &pid.to_string()])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
}

/// Reads our standard input (a pipe from git); the deadline is not enforced here.
pub(crate) fn read_stdin(buf: &mut [u8], _until: std::time::Instant) -> StdinRead {
    use std::io::Read;
    loop {
        match std::io::stdin().read(buf) {
            Ok(0) => return StdinRead::End,
            Ok(n) => return StdinRead::Data(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return StdinRead::End,
        }
    }
}
