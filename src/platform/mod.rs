//! The operating system's mechanics, in one place: the account's home directory, file
//! modes and owners, opening files without blocking, running a child detached from our
//! terminal and ending it with everything it started, reading our stdin with a
//! deadline. Everything else in the crate is the same on every platform and calls these
//! functions; `unix.rs` and `windows.rs` expose the same names.
//!
//! On Windows:
//! - home: `%USERPROFILE%` (what Windows OpenSSH and Git for Windows use for `~`);
//! - key files are never "too open": Windows OpenSSH checks ACLs, not modes, so the
//!   answer is neutral (no mode, not too open);
//! - a child gets `CREATE_NEW_PROCESS_GROUP` (no Ctrl-C from our console) and is ended
//!   at its deadline with `taskkill /T /F /PID <pid>`, which ends the whole tree as a
//!   process group kill does on Unix; `Child::kill` follows for the case where
//!   `taskkill` is missing;
//! - the executable bit does not exist: any regular file counts as executable.

pub(crate) mod paths;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub(crate) use unix::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub(crate) use windows::*;

/// What one read of our standard input gave.
pub(crate) enum StdinRead {
    /// This many bytes were read into the buffer.
    Data(usize),
    /// The input ended (or cannot be read).
    End,
    #[cfg_attr(windows, allow(dead_code))]
    /// Nothing came before the deadline.
    TimedOut,
}
