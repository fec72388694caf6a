//! Each configured helper: what kind it is, whether its program can be run, and whether
//! it can answer. git runs a helper through `sh -c`: `!snippet` as written, an absolute
//! path verbatim, anything else as `git credential-<value>` (found on PATH or in git's
//! exec path). Nothing here runs a helper.

use super::{store, Answer, Askpass, Helper, HelperKind, Program, Request};
use crate::facts::gitconfig::{Config, Entry};
use crate::facts::Ctx;
use crate::platform::paths;
use std::path::{Path, PathBuf};

/// Whether a helper value runs `git-credcheck guard` (the installer writes the program's
/// path with its spaces backslash-escaped).
pub(crate) fn is_guard(value: &str) -> bool {
    let words = crate::facts::shell::words(value.trim().trim_start_matches('!'));
    // The last path component under either separator (Windows' paths are read on every
    // platform alike), without Windows' `.exe`.
    words
        .first()
        .map(|w| w.rsplit(['/', '\\']).next().unwrap_or(w))
        .is_some_and(|base| {
            base == "git-credcheck" || base.eq_ignore_ascii_case("git-credcheck.exe")
        })
        && words.iter().any(|w| w == "guard")
}

pub(super) fn helper(ctx: &Ctx, entry: &Entry, value: &str, req: &Request) -> Helper {
    let source = entry.source();
    let v = value.trim();
    let (display, kind, program, args): (String, HelperKind, Program, Vec<String>) =
        if let Some(snippet) = v.strip_prefix('!') {
            let words = crate::facts::shell::words(snippet);
            let first = words.first().cloned().unwrap_or_default();
            let kind = if is_guard(v) {
                HelperKind::Guard
            } else if first == "aws" || snippet.contains("codecommit") {
                HelperKind::Codecommit
            } else {
                kind_of(
                    Path::new(&first)
                        .file_name()
                        .and_then(|f| f.to_str())
                        .unwrap_or(&first),
                )
            };
            let program = if first.is_empty()
                || first.contains('(')
                || first.contains('=')
                || SHELL_WORDS.contains(&first.as_str())
            {
                Program::Unknown
            } else {
                find_program(ctx, &first)
            };
            (format!("!{first} …"), kind, program, words)
        } else {
            let words = crate::facts::shell::words(v);
            let first = words.first().cloned().unwrap_or_default();
            if paths::is_absolute(&first, paths::OS) {
                let kind = if is_guard(v) {
                    HelperKind::Guard
                } else {
                    kind_of(
                        Path::new(&first)
                            .file_name()
                            .and_then(|f| f.to_str())
                            .unwrap_or(""),
                    )
                };
                (
                    crate::redact::command(v),
                    kind,
                    file_program(&native(ctx, &first)),
                    words,
                )
            } else {
                let program = if matches!(first.as_str(), "store" | "cache") {
                    Program::Builtin
                } else {
                    find_program(ctx, &format!("git-credential-{first}"))
                };
                (crate::redact::command(v), kind_of(&first), program, words)
            }
        };
    let file_arg = option_value(&args, "--file")
        .or_else(|| option_value(&args, "--socket"))
        .map(|p| ctx.expand_home(&p));
    let mut helper = Helper {
        display,
        kind,
        program,
        source,
        file_arg,
        answer: Answer::Maybe,
        stored: None,
        answer_keys: v.strip_prefix('!').and_then(super::probe::answer_keys),
    };
    helper.answer = match (&helper.program, kind) {
        (Program::Missing { .. } | Program::NotExecutable { .. }, _) => Answer::No,
        (_, HelperKind::Guard) => Answer::No,
        (_, HelperKind::Store) => {
            helper.stored = store::store_lookup(ctx, helper.file_arg.as_deref(), req);
            if helper.stored.is_some() {
                Answer::Yes
            } else {
                Answer::No
            }
        }
        (_, HelperKind::Cache) => {
            if cache_socket(ctx, helper.file_arg.as_deref()).exists() {
                Answer::Maybe
            } else {
                Answer::No
            }
        }
        _ => Answer::Maybe,
    };
    helper
}

const SHELL_WORDS: &[&str] = &[
    "f", "sh", "bash", "echo", "test", "if", "exec", "printf", "cat", "{",
];

fn kind_of(name: &str) -> HelperKind {
    let name = name.strip_prefix("git-credential-").unwrap_or(name);
    // Git for Windows' programs end in `.exe` (`git-credential-wincred.exe`).
    let name = match name.len().checked_sub(4) {
        Some(i) if name.is_char_boundary(i) && name[i..].eq_ignore_ascii_case(".exe") => &name[..i],
        _ => name,
    };
    match name {
        "store" => HelperKind::Store,
        "cache" => HelperKind::Cache,
        "libsecret" => HelperKind::Libsecret,
        "osxkeychain" => HelperKind::Osxkeychain,
        "wincred" => HelperKind::Wincred,
        "manager" | "git-credential-manager" => HelperKind::Manager,
        "manager-core" => HelperKind::ManagerCore,
        "gnome-keyring" => HelperKind::GnomeKeyring,
        "gh" => HelperKind::Gh,
        "glab" => HelperKind::Glab,
        _ => HelperKind::Custom,
    }
}

fn option_value(args: &[String], name: &str) -> Option<String> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == name {
            return it.next().cloned();
        }
        if let Some(v) = a.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            return Some(v.to_owned());
        }
    }
    None
}

/// The program at `path`; on Windows `<path>.exe` too, as MSYS2's exec finds it.
fn file_program(path: &Path) -> Program {
    let mut found = None;
    for candidate in paths::exe_candidates(&path.to_string_lossy(), paths::OS) {
        let candidate = PathBuf::from(candidate);
        match std::fs::metadata(&candidate) {
            Ok(m) if m.is_file() && crate::platform::is_executable(&m) => {
                return Program::Found { path: candidate }
            }
            Ok(_) => found = found.or(Some(candidate)),
            Err(_) => {}
        }
    }
    match found {
        Some(path) => Program::NotExecutable { path },
        None => Program::Missing {
            looked_for: path.display().to_string(),
        },
    }
}

/// What a path word names on disk for the git of this platform (`~/` expanded; on
/// Windows an MSYS2 path such as `/c/Users/…` mapped to its drive).
fn native(ctx: &Ctx, word: &str) -> PathBuf {
    let p = ctx.expand_home(word);
    if paths::OS != "windows" || !word.starts_with('/') {
        return p;
    }
    let exec = ctx.exec_path();
    paths::native(word, paths::OS, paths::git_root(&exec))
}

/// Finds `name` on PATH (as git's child sees it) or where git adds to it (its exec path;
/// on Windows Git for Windows' `mingw64/bin` and `usr/bin`); a name with a slash (or, on Windows, a backslash) is a path and not looked up.
pub(crate) fn find_program(ctx: &Ctx, name: &str) -> Program {
    if paths::names_a_path(name, paths::OS) {
        return file_program(&native(ctx, name));
    }
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&ctx.env.path).collect();
    dirs.extend(paths::git_dirs(&ctx.exec_path(), paths::OS));
    for dir in dirs.iter().filter(|d| !d.as_os_str().is_empty()) {
        match file_program(&dir.join(name)) {
            Program::Missing { .. } => continue,
            found => return found,
        }
    }
    Program::Missing {
        looked_for: name.to_owned(),
    }
}

fn cache_socket(ctx: &Ctx, arg: Option<&Path>) -> PathBuf {
    if let Some(p) = arg {
        return p.to_owned();
    }
    let legacy = ctx.home.join(".git-credential-cache");
    if legacy.is_dir() {
        return legacy.join("socket");
    }
    ctx.xdg_cache_home().join("git/credential/socket")
}

pub(super) fn askpass(ctx: &Ctx, config: &Config) -> Vec<Askpass> {
    let mut out = Vec::new();
    if let Some(p) = ctx.env.git_askpass.as_deref().filter(|p| !p.is_empty()) {
        out.push(Askpass {
            via: "GIT_ASKPASS".into(),
            program: askpass_program(ctx, p),
            source: None,
        });
    }
    if let Some(e) = config
        .last("core", "askpass")
        .filter(|e| e.value.as_deref().is_some_and(|p| !p.is_empty()))
    {
        out.push(Askpass {
            via: "core.askPass".into(),
            program: askpass_program(ctx, e.value.as_deref().unwrap_or_default()),
            source: Some(e.source()),
        });
    }
    if let Some(p) = ctx.env.ssh_askpass.as_deref().filter(|p| !p.is_empty()) {
        out.push(Askpass {
            via: "SSH_ASKPASS".into(),
            program: askpass_program(ctx, p),
            source: None,
        });
    }
    out
}

/// git runs an askpass value as a program path, not through the shell (prompt.c
/// `do_askpass`: the value is `argv[0]`, the prompt `argv[1]`).
/// A missing one is named as a redacted command line (`core.askPass = /bin/echo <token>`,
/// issue 18).
fn askpass_program(ctx: &Ctx, value: &str) -> Program {
    match find_program(ctx, value) {
        Program::Missing { looked_for } => Program::Missing {
            looked_for: crate::redact::command(&looked_for),
        },
        found => found,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::credential::gather;

    #[test]
    fn backslash_escaped_helper_path_runs() {
        let dir = tempfile::tempdir().expect("tmp");
        let exe = dir
            .path()
            .join("mnt/c/Program Files/Git/mingw64/bin/git-credential-manager.exe");
        crate::facts::testing::executable(&exe);
        // As a user writes it for Git for Windows' sh: forward slashes, blanks escaped
        // (a backslash would be eaten by sh).
        let escaped = slashed(&exe).replace(' ', "\\ ");
        let ctx = Ctx::for_test(dir.path(), "");
        let config = crate::facts::testing::config(&[("credential.helper", &escaped)]);
        let url = crate::facts::url::parse("https://github.com/a/b.git").expect("url");
        let https = gather(&ctx, &config, &url).expect("https facts");
        assert_eq!(https.helpers.len(), 1);
        assert_eq!(https.helpers[0].program, Program::Found { path: exe });
        assert_eq!(https.helpers[0].answer, Answer::Maybe);
    }

    /// Git for Windows' layout: `helper = wincred` finds `git-credential-wincred.exe` in
    /// the exec path, and `helper = manager` finds `git-credential-manager.exe` in
    /// `mingw64/bin` beside it; git on Linux and macOS looks for the bare names only.
    #[test]
    fn git_for_windows_helpers_are_found_where_it_keeps_them() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().join("Program Files/Git");
        let exec = root.join("mingw64/libexec/git-core");
        crate::facts::testing::executable(&exec.join("git-credential-wincred.exe"));
        crate::facts::testing::executable(&root.join("mingw64/bin/git-credential-manager.exe"));
        let mut ctx = Ctx::for_test(dir.path(), "");
        ctx.exec_path_env = Some(exec.clone());
        let url = crate::facts::url::parse("https://dev.azure.com/org/p/_git/r").expect("url");
        for (value, kind) in [
            ("wincred", HelperKind::Wincred),
            ("manager", HelperKind::Manager),
        ] {
            let config = crate::facts::testing::config(&[("credential.helper", value)]);
            let https = gather(&ctx, &config, &url).expect("https facts");
            assert_eq!(https.helpers[0].kind, kind);
            let found = matches!(https.helpers[0].program, Program::Found { .. });
            assert_eq!(
                found,
                cfg!(windows),
                "{value}: {:?}",
                https.helpers[0].program
            );
        }
        // The absolute form GCM documents, as a Windows config spells it.
        let gcm = format!(
            "{}/mingw64/bin/git-credential-manager.exe",
            slashed(&root).replace(' ', "\\ ")
        );
        let config = crate::facts::testing::config(&[("credential.helper", &gcm)]);
        let https = gather(&ctx, &config, &url).expect("https facts");
        assert_eq!(https.helpers[0].kind, HelperKind::Manager);
        assert!(matches!(https.helpers[0].program, Program::Found { .. }));
    }

    /// A path with forward slashes, as config files on Windows spell it.
    fn slashed(p: &Path) -> String {
        p.display().to_string().replace('\\', "/")
    }

    #[test]
    fn guard_values() {
        assert!(is_guard("/usr/bin/git-credcheck guard"));
        assert!(is_guard(r"/opt/my\ tools/git-credcheck guard"));
        assert!(is_guard("!'/opt/my tools/git-credcheck' guard"));
        assert!(!is_guard("store"));
        assert!(!is_guard("/usr/bin/git-credcheck-other guard"));
        assert!(is_guard(
            r"!'C:\Users\Jane Doe\.cargo\bin\git-credcheck.exe' guard"
        ));
        assert!(is_guard(r"C:/Users/me/.cargo/bin/git-credcheck.exe guard"));
    }
}
