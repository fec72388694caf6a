//! The one way git-credcheck reads a file: [`read_capped`].
//!
//! Every file we read comes from the user's home or from a repository that may have
//! just been cloned (`.credcheck.yaml`, `.git/config` includes), so any of them can be a
//! FIFO that never sends anything, a symlink to `/dev/zero`, or a gigabyte. The reader
//! opens without blocking (`O_NONBLOCK`, no controlling terminal), checks with `fstat`
//! on the open descriptor that it is a regular file, and reads at most a cap. A file it
//! will not read is recorded (issue 18): [`take_skipped`] hands the records to the entry
//! point, which puts them in the facts (`unchecked`) and shows them as notes.
//!
//! Nothing here interprets content.

use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::io::Read;
use std::path::Path;

/// Caps for the files we read: each is far above anything real.
pub(crate) const CONFIG_CAP: u64 = 16 << 20;
pub(crate) const SMALL_CAP: u64 = 1 << 20;

/// Why a file was not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Skipped {
    /// It does not exist (or a directory on its path does not): not worth a note.
    Missing,
    /// A FIFO, a device, a socket or a directory.
    NotRegular,
    /// Larger than the cap.
    TooLarge(u64),
    /// It exists but cannot be opened or read (permission denied, I/O error).
    Unreadable(std::io::ErrorKind),
}

impl Skipped {
    /// The reason as a note says it.
    pub(crate) fn reason(&self) -> String {
        match self {
            Skipped::Missing => "it does not exist".into(),
            Skipped::NotRegular => "not a regular file".into(),
            Skipped::TooLarge(cap) => format!("larger than {}", size(*cap)),
            Skipped::Unreadable(std::io::ErrorKind::PermissionDenied) => "permission denied".into(),
            Skipped::Unreadable(kind) => format!("cannot be read ({kind})"),
        }
    }
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// Something the run did not look at, and why: a file it skipped, a probe the run's
/// deadline left no time for. Shown as "skipped <what>: <why>".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Unchecked {
    pub what: String,
    pub why: String,
}

thread_local! {
    static SKIPPED: RefCell<Vec<Unchecked>> = const { RefCell::new(Vec::new()) };
}

/// Records something the run did not check (once per `what`).
pub(crate) fn skipped(what: impl Into<String>, why: impl Into<String>) {
    let what = crate::redact::text(&what.into());
    let why = crate::redact::text(&why.into());
    SKIPPED.with(|s| {
        let mut s = s.borrow_mut();
        // A store file is looked up once per push URL: a few distinct records at most, so
        // the linear check stays cheap even with thousands of remotes.
        if !s.iter().any(|u| u.what == what) {
            s.push(Unchecked { what, why });
        }
    });
}

/// Everything recorded so far, in order; the record starts empty again.
pub(crate) fn take_skipped() -> Vec<Unchecked> {
    SKIPPED.with(|s| std::mem::take(&mut *s.borrow_mut()))
}

/// Reads the regular file at `path`, at most `cap` bytes, without ever blocking on it.
/// A FIFO, device or socket, and a file above `cap`, are recorded as skipped (see
/// [`take_skipped`]); a missing or unreadable file is only returned as such, since its
/// caller knows whether that is worth saying.
pub(crate) fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, Skipped> {
    let result = read_inner(path, cap);
    if let Err(e @ (Skipped::NotRegular | Skipped::TooLarge(_))) = &result {
        skipped(path.display().to_string(), e.reason());
    }
    result
}

fn read_inner(path: &Path, cap: u64) -> Result<Vec<u8>, Skipped> {
    // A FIFO opens at once instead of waiting for a writer; a terminal device does
    // not become our controlling terminal.
    let file = crate::platform::open_without_waiting(std::fs::OpenOptions::new().read(true))
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory => Skipped::Missing,
            kind => Skipped::Unreadable(kind),
        })?;
    // fstat on what was opened, not stat on the path: no swap in between.
    let meta = file.metadata().map_err(|e| Skipped::Unreadable(e.kind()))?;
    if !meta.is_file() {
        // `/dev/null` is how people say "no such file" (`UserKnownHostsFile /dev/null`,
        // `GIT_CONFIG_GLOBAL=/dev/null`): an empty file, not a skipped one.
        if is_null_device(&meta) {
            return Ok(Vec::new());
        }
        return Err(Skipped::NotRegular);
    }
    if meta.len() > cap {
        return Err(Skipped::TooLarge(cap));
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    // The file may grow while we read it: one byte past the cap tells.
    file.take(cap + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Skipped::Unreadable(e.kind()))?;
    if buf.len() as u64 > cap {
        return Err(Skipped::TooLarge(cap));
    }
    Ok(buf)
}

fn is_null_device(meta: &std::fs::Metadata) -> bool {
    crate::platform::is_null_device(meta)
}

/// [`read_capped`] as text (lossy UTF-8).
pub(crate) fn read_text(path: &Path, cap: u64) -> Result<String, Skipped> {
    read_capped(path, cap).map(|b| match String::from_utf8(b) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Our standard input, read in lines as it comes: never more than `max_line` bytes of a
/// line are kept (a longer line is reported as such, not cut into pieces), and nothing
/// is waited for past `until`. git's pre-push hook input and a credential request come
/// this way; a million ref lines cost a buffer, not their size (issue 18).
pub(crate) struct Stdin {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    until: std::time::Instant,
    /// Reading stopped at `until` with input still coming.
    pub timed_out: bool,
}

/// One line of [`Stdin`]: its bytes (without the newline) unless it was too long.
pub(crate) enum Line<'a> {
    Text(&'a [u8]),
    TooLong,
}

impl Stdin {
    pub(crate) fn new(until: std::time::Instant) -> Stdin {
        Stdin {
            buf: vec![0; 64 * 1024],
            start: 0,
            end: 0,
            eof: false,
            until,
            timed_out: false,
        }
    }

    /// The next line, into `line` (cleared first); `None` at the end of the input.
    pub(crate) fn next_line<'a>(
        &'a mut self,
        line: &'a mut Vec<u8>,
        max_line: usize,
    ) -> Option<Line<'a>> {
        // A line whole in the buffer is handed out as it is: no copy.
        let chunk = &self.buf[self.start..self.end];
        if let Some(i) = memchr::memchr(b'\n', chunk).filter(|i| *i <= max_line) {
            let at = self.start;
            self.start += i + 1;
            return Some(Line::Text(&self.buf[at..at + i]));
        }
        line.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            if self.start == self.end && !self.fill() {
                return (any).then_some(if too_long {
                    Line::TooLong
                } else {
                    Line::Text(line)
                });
            }
            any = true;
            let chunk = &self.buf[self.start..self.end];
            let (part, done) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (&chunk[..i], i + 1),
                None => (chunk, chunk.len()),
            };
            if line.len() + part.len() > max_line {
                too_long = true;
            } else if !too_long {
                line.extend_from_slice(part);
            }
            let newline = done > part.len();
            self.start += done;
            if newline {
                return Some(if too_long {
                    Line::TooLong
                } else {
                    Line::Text(line)
                });
            }
        }
    }

    /// Reads more into the buffer; false at the end of the input or at the deadline.
    fn fill(&mut self) -> bool {
        self.start = 0;
        self.end = 0;
        if self.eof {
            return false;
        }
        match crate::platform::read_stdin(&mut self.buf, self.until) {
            crate::platform::StdinRead::Data(n) => {
                self.end = n;
                return true;
            }
            crate::platform::StdinRead::TimedOut => self.timed_out = true,
            crate::platform::StdinRead::End => {}
        }
        self.eof = true;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn reads_regular_files_and_skips_the_rest() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = dir.path().join("f");
        std::fs::write(&f, "hello").expect("write");
        assert_eq!(read_capped(&f, 5).as_deref(), Ok(&b"hello"[..]));
        assert_eq!(read_capped(&f, 4), Err(Skipped::TooLarge(4)));
        assert_eq!(
            read_capped(&dir.path().join("none"), 4),
            Err(Skipped::Missing)
        );
        assert_eq!(
            read_capped(&f.join("below-a-file"), 4),
            Err(Skipped::Missing)
        );
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().expect("utf8")).expect("path");
        // SAFETY: mkfifo with a NUL-terminated path we own.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert_eq!(read_capped(&fifo, 1 << 20), Err(Skipped::NotRegular));
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
        assert_eq!(read_capped(&zero, 1 << 20), Err(Skipped::NotRegular));
        assert_eq!(read_capped(dir.path(), 1 << 20), Err(Skipped::NotRegular));
        let null = dir.path().join("null");
        std::os::unix::fs::symlink("/dev/null", &null).expect("symlink");
        assert_eq!(read_capped(&null, 1 << 20), Ok(Vec::new()));
        let skipped = take_skipped();
        let whats: Vec<_> = skipped.iter().map(|u| u.what.as_str()).collect();
        assert_eq!(
            whats,
            [
                f.to_str().expect("utf8"),
                fifo.to_str().expect("utf8"),
                zero.to_str().expect("utf8"),
                dir.path().to_str().expect("utf8"),
            ]
        );
        assert_eq!(skipped[0].why, "larger than 4 bytes");
        assert_eq!(skipped[1].why, "not a regular file");
        assert!(take_skipped().is_empty());
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(Skipped::TooLarge(16 << 20).reason(), "larger than 16 MiB");
        assert_eq!(Skipped::TooLarge(4096).reason(), "larger than 4 KiB");
    }
}
