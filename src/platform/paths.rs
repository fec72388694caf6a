//! How git on each platform reads a program named in its configuration (a credential
//! helper, `core.sshCommand`, an askpass): which words are paths, which paths are
//! absolute, which file names it tries, and what a path written for Git for Windows' sh
//! names on disk. Pure functions of the text and the platform (`std::env::consts::OS`
//! names), compiled everywhere, so the Windows reading is tested on Linux too; the
//! gatherers pass [`OS`].
//!
//! Sources:
//! - git `compat/mingw.c` `path_lookup`/`lookup_prog`: "If cmd contains a slash or
//!   backslash, no lookup is performed"; in each PATH directory `<cmd>.exe` is tried
//!   first, then `<cmd>` itself (unless the name already ends in `.exe`).
//! - git `git-compat-util.h`/`compat/win32/path-utils.h`: `is_absolute_path` is "starts
//!   with `/` or `\`, or has a drive prefix (`C:`)" on Windows, "starts with `/`"
//!   elsewhere; `credential.c` runs an absolute helper as written and prefixes anything
//!   else with `git credential-`.
//! - git `run-command.c` `prepare_shell_cmd`: a helper or `core.sshCommand` with a blank,
//!   quote or backslash runs through `sh -c`; on Windows that is Git for Windows' MSYS2
//!   `sh`, so `C:\Program Files\…` unquoted loses its backslashes and splits at the
//!   blank, while `C:/Program\ Files/…` and `'C:\Program Files\…'` survive.
//! - MSYS2 path conversion (Git for Windows' `etc/fstab`: `none / cygdrive binary,posix=0`):
//!   `/c/Users/…` is `C:\Users\…`; `/usr/…`, `/mingw64/…`, `/etc/…` live under the Git
//!   for Windows install root; `/mnt/c/…` is WSL's spelling and names nothing there.
//! - Cygwin/MSYS2 `exec`: a path without an extension also finds `<path>.exe`.

use std::path::{Path, PathBuf};

/// The platform this build runs on, in `std::env::consts::OS` names.
pub(crate) const OS: &str = std::env::consts::OS;

/// Whether git on `os` takes `word` as a path (run as written) rather than a name it
/// looks up on PATH.
pub(crate) fn names_a_path(word: &str, os: &str) -> bool {
    word.contains('/') || (os == "windows" && word.contains('\\'))
}

/// Whether git on `os` runs a credential helper value starting with `word` as written
/// (`is_absolute_path`), instead of as `git credential-<word>`.
pub(crate) fn is_absolute(word: &str, os: &str) -> bool {
    if os != "windows" {
        return word.starts_with('/');
    }
    let b = word.as_bytes();
    word.starts_with(['/', '\\']) || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

/// The file names git on `os` tries, in order, for a program called `name`.
pub(crate) fn exe_candidates(name: &str, os: &str) -> Vec<String> {
    if os != "windows" || name.to_ascii_lowercase().ends_with(".exe") {
        return vec![name.to_owned()];
    }
    vec![format!("{name}.exe"), name.to_owned()]
}

/// What a path word (already through sh's word splitting) names on disk for git on
/// `os`. On Windows an MSYS2 path is mapped: `/c/…` to `C:/…`, other absolute POSIX paths
/// under `git_root` (the Git for Windows install directory), when it is known.
pub(crate) fn native(word: &str, os: &str, git_root: Option<&Path>) -> PathBuf {
    if os != "windows" {
        return PathBuf::from(word);
    }
    let b = word.as_bytes();
    // `/c` or `/c/…`: a drive.
    if b.len() >= 2 && b[0] == b'/' && b[1].is_ascii_alphabetic() && (b.len() == 2 || b[2] == b'/')
    {
        let drive = (b[1] as char).to_ascii_uppercase();
        return PathBuf::from(format!("{drive}:/{}", word.get(3..).unwrap_or("")));
    }
    match (word.strip_prefix('/'), git_root) {
        // `//server/share` stays a UNC path.
        (Some(rest), Some(root)) if !rest.starts_with('/') => root.join(rest),
        _ => PathBuf::from(word),
    }
}

/// The Git for Windows install directory from its exec path
/// (`C:/Program Files/Git/mingw64/libexec/git-core` → `C:/Program Files/Git`).
pub(crate) fn git_root(exec_path: &Path) -> Option<&Path> {
    let prefix = exec_path.parent()?.parent()?;
    let name = prefix.file_name()?.to_str()?.to_ascii_lowercase();
    matches!(name.as_str(), "mingw64" | "mingw32" | "clangarm64")
        .then(|| prefix.parent())
        .flatten()
}

/// Where git finds programs besides the PATH it was given: its exec path (`exec-cmd.c`
/// `setup_path` puts it first on the PATH of every child), and on Windows the
/// directories Git for Windows' launcher (`git-wrapper.c` `setup_environment`) puts
/// before PATH: `<root>/mingw64/bin` (where Git for Windows keeps
/// `git-credential-manager.exe`) and `<root>/usr/bin` (its `sh` and `ssh`).
pub(crate) fn git_dirs(exec_path: &Path, os: &str) -> Vec<PathBuf> {
    let mut dirs = vec![exec_path.to_owned()];
    if os == "windows" {
        if let Some(prefix) = exec_path.parent().and_then(Path::parent) {
            dirs.push(prefix.join("bin"));
        }
        if let Some(root) = git_root(exec_path) {
            dirs.push(root.join("usr/bin"));
        }
    }
    dirs
}

/// A Windows path in a configuration read on another platform, and how WSL spells it:
/// `C:/Program Files/x.exe` → `/mnt/c/Program Files/x.exe`.
pub(crate) fn wsl_spelling(word: &str) -> Option<String> {
    let b = word.as_bytes();
    if b.len() < 3 || !b[0].is_ascii_alphabetic() || b[1] != b':' || !matches!(b[2], b'/' | b'\\') {
        return None;
    }
    Some(format!(
        "/mnt/{}/{}",
        (b[0] as char).to_ascii_lowercase(),
        word[3..].replace('\\', "/")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::shell::words;

    /// Values as they sit in real configurations, after sh's word splitting.
    fn first(value: &str) -> String {
        words(value).into_iter().next().unwrap_or_default()
    }

    #[test]
    fn git_for_windows_helper_values() {
        // Git for Windows' own system gitconfig: `helper = manager`, found in mingw64/bin.
        assert!(!is_absolute("manager", "windows"));
        assert_eq!(
            exe_candidates("git-credential-manager", "windows"),
            ["git-credential-manager.exe", "git-credential-manager"]
        );
        assert_eq!(
            exe_candidates("git-credential-manager", "linux"),
            ["git-credential-manager"]
        );
        assert_eq!(exe_candidates("ssh.EXE", "windows"), ["ssh.EXE"]);
        // GCM's documented form: `helper = C:/Program\\ Files/Git/mingw64/bin/git-credential-manager.exe`
        // in the file, `C:/Program\ Files/…` as git reads it, one word after sh.
        let w = first(r"C:/Program\ Files/Git/mingw64/bin/git-credential-manager.exe");
        assert_eq!(
            w,
            "C:/Program Files/Git/mingw64/bin/git-credential-manager.exe"
        );
        assert!(is_absolute(&w, "windows"));
        assert!(
            !is_absolute(&w, "linux"),
            "git on Linux reads it as `git credential-C:/…`"
        );
        // Single-quoted backslashes survive sh.
        let w = first(r"'C:\Program Files\Git\mingw64\bin\git-credential-manager.exe'");
        assert_eq!(
            w,
            r"C:\Program Files\Git\mingw64\bin\git-credential-manager.exe"
        );
        assert!(is_absolute(&w, "windows") && names_a_path(&w, "windows"));
        assert!(!names_a_path(&w, "linux"));
        // `C:\\Program Files\\…` in the file is `C:\Program Files\…` to git: sh eats the
        // backslashes and splits at the blank, so Git for Windows runs `C:Program`.
        assert_eq!(
            first(r"C:\Program Files\Git\git-credential-manager.exe"),
            "C:Program"
        );
    }

    #[test]
    fn msys_paths_on_windows() {
        let root = Path::new("C:/Program Files/Git");
        assert_eq!(
            native("/c/Users/me/bin/helper.exe", "windows", Some(root)),
            PathBuf::from("C:/Users/me/bin/helper.exe")
        );
        assert_eq!(
            native("/usr/bin/ssh", "windows", Some(root)),
            PathBuf::from("C:/Program Files/Git/usr/bin/ssh")
        );
        // WSL's spelling names nothing under Git for Windows.
        assert_eq!(
            native("/mnt/c/Program Files/Git/mingw64/bin/git-credential-manager.exe", "windows", Some(root)),
            PathBuf::from("C:/Program Files/Git/mnt/c/Program Files/Git/mingw64/bin/git-credential-manager.exe")
        );
        // …and is a plain path on Linux (WSL reaches the Windows drive there).
        assert_eq!(
            native(
                "/mnt/c/Program Files/Git/mingw64/bin/git-credential-manager.exe",
                "linux",
                None
            ),
            PathBuf::from("/mnt/c/Program Files/Git/mingw64/bin/git-credential-manager.exe")
        );
        assert_eq!(
            native("C:/Windows/System32/OpenSSH/ssh.exe", "windows", Some(root)),
            PathBuf::from("C:/Windows/System32/OpenSSH/ssh.exe")
        );
        assert_eq!(
            native("//server/share/x", "windows", Some(root)),
            PathBuf::from("//server/share/x")
        );
        assert_eq!(
            git_root(Path::new("C:/Program Files/Git/mingw64/libexec/git-core")),
            Some(root)
        );
        assert_eq!(git_root(Path::new("/usr/lib/git-core")), None);
        assert_eq!(
            git_dirs(
                Path::new("C:/Program Files/Git/mingw64/libexec/git-core"),
                "windows"
            ),
            [
                PathBuf::from("C:/Program Files/Git/mingw64/libexec/git-core"),
                PathBuf::from("C:/Program Files/Git/mingw64/bin"),
                PathBuf::from("C:/Program Files/Git/usr/bin"),
            ]
        );
        // Homebrew and Apple's git: the exec path only (osxkeychain lives there).
        assert_eq!(
            git_dirs(Path::new("/opt/homebrew/opt/git/libexec/git-core"), "macos"),
            [PathBuf::from("/opt/homebrew/opt/git/libexec/git-core")]
        );
    }

    #[test]
    fn windows_paths_read_elsewhere() {
        assert_eq!(
            wsl_spelling("C:/Program Files/Git/mingw64/bin/git-credential-manager.exe").as_deref(),
            Some("/mnt/c/Program Files/Git/mingw64/bin/git-credential-manager.exe")
        );
        assert_eq!(
            wsl_spelling(r"D:\tools\plink.exe").as_deref(),
            Some("/mnt/d/tools/plink.exe")
        );
        assert_eq!(wsl_spelling("manager"), None);
        assert_eq!(wsl_spelling("/usr/bin/ssh"), None);
    }
}
