//! CC201 `credential-helper-missing`.

use super::askpass_available;
use crate::facts::credential::{Answer, HelperKind, Program};
use crate::facts::Facts;
use crate::provider::PlatformHelper;
use crate::rules::support::https_urls;
use crate::rules::{declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for credential helpers in the HTTPS helper cascade whose program cannot be
    /// found or run: a helper that was uninstalled or renamed (`manager-core` became
    /// `manager`), an absolute path that no longer exists, a value that already carries the
    /// `git-credential-` prefix, or a platform's helper on another platform
    /// (`osxkeychain`, `wincred` on Linux).
    ///
    /// ## Why is this bad?
    /// git prints `git: 'credential-foo' is not a git command` and moves on. When nothing
    /// else can supply a credential and nobody can type one, the push dies with
    /// `could not read Username … terminal prompts disabled`.
    ///
    /// ## Example
    /// ```ini
    /// [credential]
    ///     helper = manager-core
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git config --global --replace-all credential.helper manager '^manager-core$'
    /// ```
    /// Error only when the missing helper leaves nothing that could answer in a run where
    /// nobody can type; otherwise a warning.
    ///
    /// ## When it is silent
    /// - For SSH push URLs: only the helper cascade of an HTTP(S) push URL is checked.
    /// - For a helper that git can run: a program found on `PATH` or in git's exec path,
    ///   a builtin (`store`, `cache`), or a shell snippet (`!f() …`) whose first word
    ///   cannot be resolved. Only a program that is missing, or present but not
    ///   executable, is reported.
    ///
    /// It does not predict a refused credential, so it is reported in the pre-push stage
    /// too, but only as a warning for the URL git has just authenticated to: something
    /// answered there.
    ///
    /// ## References
    /// - [gitcredentials(7)](https://git-scm.com/docs/gitcredentials)
    CREDENTIAL_HELPER_MISSING, "CC201", "credential-helper-missing", Credential, Error,
    "a credential helper's program cannot be found", credential_helper_missing
}

fn credential_helper_missing(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let nothing_else = u.url.password.is_none()
            && https.extra_headers.is_empty()
            && https.netrc.is_none()
            && https.helpers.iter().all(|h| h.answer == Answer::No)
            && !askpass_available(https)
            && !facts.env.can_prompt()
            // git has just authenticated here, so something did answer.
            && !u.authenticated_now;
        for h in &https.helpers {
            let (looked_for, not_exec) = match &h.program {
                Program::Missing { looked_for } => (looked_for.clone(), false),
                Program::NotExecutable { path } => (path.display().to_string(), true),
                _ => continue,
            };
            let value = h.display.trim_start_matches('!');
            let first = value.split_whitespace().next().unwrap_or("");
            // `git config <scope> <the key that set it> … '<pattern for this value>'`, or
            // nothing when no pattern can be trusted to match only this helper.
            let edit = |action: &str, with: Option<&str>| -> Option<String> {
                // The file that set it: `--global` misses includes and the XDG file.
                let file = h.source.file.as_ref()?;
                let scope = format!("--file '{}'", file.display());
                let pattern = value_pattern(&h.display)?;
                let with = with.map(|w| format!(" '{w}'")).unwrap_or_default();
                Some(format!("git config {scope} {action} '{}'{with} {pattern}", h.source.key))
            };
            let or_words = |cmd: Option<String>, words: String| -> Vec<String> {
                vec![cmd.unwrap_or_else(|| format!("# {words} (in {})", Location::from(&h.source).describe()))]
            };
            let (cause, title, cmds): (String, &str, Vec<String>) = if not_exec {
                (
                    format!("{looked_for} exists but is not executable"),
                    "make the helper executable",
                    vec![format!("chmod +x '{looked_for}'")],
                )
            } else if h.kind == HelperKind::ManagerCore {
                (
                    "Git Credential Manager 2.x renamed `manager-core` to `manager`".into(),
                    "use the current helper name",
                    or_words(edit("--replace-all", Some("manager")), format!("change `{}` to `manager`", h.display)),
                )
            } else if let Some(stripped) = first
                .strip_prefix("git-credential-")
                // A `!` command runs as written: git adds no prefix to it.
                .filter(|_| !h.display.starts_with('!'))
            {
                (
                    format!("git prepends `git-credential-` itself, so it looks for `git-credential-{first}`"),
                    "drop the git-credential- prefix",
                    or_words(edit("--replace-all", Some(stripped)), format!("change `{first}` to `{stripped}`")),
                )
            } else if let Some(ph) = platform_helper(h.kind).filter(|p| !p.works_on(&facts.env.os)) {
                // `cache` only answers after someone typed the credential once: no fix
                // where nobody can type.
                let replacement = if facts.env.can_prompt() { "cache --timeout=3600" } else { "store" };
                (
                    format!("`{first}` is the {} helper; this machine runs {}", ph.platform, facts.env.os),
                    "use a helper that exists on this platform",
                    or_words(edit("--replace-all", Some(replacement)), format!("replace `{first}` with `{replacement}`")),
                )
            } else if let Some(wsl) = (facts.env.os != "windows")
                .then(|| crate::platform::paths::wsl_spelling(looked_for.trim_start_matches("git-credential-")))
                .flatten()
            {
                // A Windows path read by the git of another platform (WSL): not absolute
                // there, so git runs `git credential-C:/…`.
                (
                    format!("`{}` is a Windows path; git on {} runs it as `git credential-…`, and WSL reaches that program as `{wsl}`", looked_for.trim_start_matches("git-credential-"), facts.env.os),
                    "name the program by the path this platform sees",
                    or_words(edit("--replace-all", Some(&wsl.replace(' ', "\\ "))), format!("change the helper to `{}`", wsl.replace(' ', "\\ "))),
                )
            } else if let Some((why, cmds)) = platform_helper(h.kind).and_then(|p| p.install_on(&facts.env.os)) {
                (
                    format!("{looked_for} is missing: {why}"),
                    "install the helper",
                    cmds.iter().map(|c| (*c).to_owned()).collect(),
                )
            } else if h.kind == HelperKind::Guard {
                let scope = h.source.scope.flag();
                (
                    format!("{looked_for} no longer exists (moved or uninstalled)"),
                    "install the guard again from the git-credcheck you run, or remove it",
                    vec![
                        format!("git-credcheck install --guard {scope}   # replaces the old entry"),
                        format!("git-credcheck uninstall --guard {scope} # or removes it"),
                    ],
                )
            } else if first.starts_with('/') {
                (
                    format!("{first} no longer exists (moved or uninstalled)"),
                    "point the helper at the installed program, or remove it",
                    or_words(edit("--unset", None), format!("remove the helper `{}`", h.display)),
                )
            } else {
                (
                    format!("{looked_for} is not on PATH nor in git's exec path"),
                    "install the helper, or remove it from the configuration",
                    or_words(edit("--unset-all", None), format!("remove the helper `{}`", h.display)),
                )
            };
            // Not a refused credential (no `rejects_auth`): kept in the pre-push stage.
            out.push(
                Finding::at(u, format!("credential helper `{}` for {} cannot be run", h.display, u.label()))
                    .location(Location::from(&h.source))
                    .cause(if nothing_else {
                        format!("{cause}; nothing else can supply a credential and nobody can type one, so git will die with `could not read Username`")
                    } else {
                        format!("{cause}; git prints `git: 'credential-…' is not a git command` and falls back to other helpers or a prompt")
                    })
                    .fix(title, cmds)
                    .certain_if(nothing_else),
            );
        }
    }
    out
}

/// The provider table's entry for a helper that only some platforms have.
fn platform_helper(kind: HelperKind) -> Option<&'static PlatformHelper> {
    PlatformHelper::find(match kind {
        HelperKind::Osxkeychain => "osxkeychain",
        HelperKind::Wincred => "wincred",
        HelperKind::Manager => "manager",
        HelperKind::Libsecret => "libsecret",
        _ => return None,
    })
}

/// An extended regular expression (git config's value pattern) that matches exactly this
/// helper's configured value, or `None` when the value as git stores it cannot be told
/// from what the facts keep: a `!` command is kept only as its first word, and a value
/// with quotes or backslashes is stored in another spelling than it is read.
fn value_pattern(display: &str) -> Option<String> {
    if display.contains(['\\', '"', '\'', '<', '*']) {
        return None;
    }
    let escape = |s: &str| -> String {
        s.chars()
            .flat_map(|c| {
                if ".[]()*+?^$|{}".contains(c) {
                    vec!['\\', c]
                } else {
                    vec![c]
                }
            })
            .collect()
    };
    Some(match display.strip_suffix(" …") {
        // `!cmd …`: the first word, then a blank or the end.
        Some(head) if head.starts_with('!') => format!("'^{}( |$)'", escape(head)),
        Some(_) => return None,
        None => format!("'^{}$'", escape(display)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::testing::*;
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;

    #[test]
    fn missing_helper_error_only_when_nothing_else() {
        let mut f = with_push_url("https://bitbucket.org/a/b.git");
        f.env.tty = false;
        https_mut(&mut f).helpers.push(helper(
            HelperKind::ManagerCore,
            Program::Missing {
                looked_for: "git-credential-manager-core".into(),
            },
            Answer::No,
        ));
        assert_eq!(severities(&CREDENTIAL_HELPER_MISSING, &f), vec![Error]);
        let d = diagnose(&CREDENTIAL_HELPER_MISSING, &f);
        assert!(d[0]
            .finding
            .fix
            .as_ref()
            .is_some_and(|x| x.commands[0]
                == "git config --file '/home/u/.gitconfig' --replace-all 'credential.helper' 'manager' '^managercore$'"));
        assert_eq!(
            d[0].finding.message,
            "credential helper `managercore` for remote `origin` (https://bitbucket.org/a/b.git) cannot be run"
        );
        // With a terminal, git can prompt: a warning.
        f.env.tty = true;
        assert_eq!(severities(&CREDENTIAL_HELPER_MISSING, &f), vec![Warning]);
        // Another helper may answer: a warning.
        f.env.tty = false;
        https_mut(&mut f).helpers.push(helper(
            HelperKind::Libsecret,
            Program::Found { path: "/x".into() },
            Answer::Maybe,
        ));
        assert_eq!(severities(&CREDENTIAL_HELPER_MISSING, &f), vec![Warning]);
        let f = with_push_url("https://bitbucket.org/a/b.git");
        assert!(severities(&CREDENTIAL_HELPER_MISSING, &f).is_empty());
    }

    /// The fix edits the key and file that set the helper, with a pattern that matches
    /// its value as stored (`!` included), or says it in words when it cannot.
    #[test]
    fn fixes_name_the_real_key_and_value() {
        let mut f = with_push_url("https://example.com/a/b.git");
        let mut h = helper(
            HelperKind::Custom,
            Program::Missing {
                looked_for: "git-credential-gone".into(),
            },
            Answer::No,
        );
        h.display = "!git-credential-gone …".into();
        h.source = source("credential.https://example.com.helper");
        https_mut(&mut f).helpers.push(h.clone());
        let d = diagnose(&CREDENTIAL_HELPER_MISSING, &f);
        assert_eq!(
            fix_commands(&d[0]),
            "git config --file '/home/u/.gitconfig' --unset-all 'credential.https://example.com.helper' '^!git-credential-gone( |$)'"
        );
        // A value stored in another spelling (backslashes): words, not a command.
        h.display = "/mnt/c/Program\\ Files/git-credential-manager.exe".into();
        h.kind = HelperKind::Custom;
        https_mut(&mut f).helpers = vec![h.clone()];
        let d = diagnose(&CREDENTIAL_HELPER_MISSING, &f);
        assert!(fix_commands(&d[0]).starts_with("# remove the helper"), "{}", fix_commands(&d[0]));
        // Set by `git -c`: no file to edit.
        h.display = "gone".into();
        h.source.file = None;
        https_mut(&mut f).helpers = vec![h];
        let d = diagnose(&CREDENTIAL_HELPER_MISSING, &f);
        assert!(fix_commands(&d[0]).starts_with('#'), "{}", fix_commands(&d[0]));
    }

    #[test]
    fn not_executable_is_fixed_with_chmod() {
        let mut f = with_push_url("https://github.com/a/b.git");
        https_mut(&mut f).helpers.push(helper(
            HelperKind::Custom,
            Program::NotExecutable {
                path: "/opt/bin/git-credential-x".into(),
            },
            Answer::No,
        ));
        let d = diagnose(&CREDENTIAL_HELPER_MISSING, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(fix_commands(&d[0]), "chmod +x '/opt/bin/git-credential-x'");
    }

    #[test]
    fn silent_when_every_helper_can_run() {
        let mut f = with_store("https://github.com/a/b.git", Some("alice"), "pw");
        f.env.tty = false;
        for program in [Program::Found { path: "/x".into() }, Program::Unknown] {
            https_mut(&mut f)
                .helpers
                .push(helper(HelperKind::Custom, program, Answer::Maybe));
        }
        assert!(severities(&CREDENTIAL_HELPER_MISSING, &f).is_empty());
    }

    /// Each platform's helpers, judged for the platform the tool runs on.
    #[test]
    fn platform_helpers_are_judged_for_this_platform() {
        let missing = |kind, looked_for: &str, os: &str| {
            let mut f = with_push_url("https://github.com/a/b.git");
            f.env.os = os.into();
            let mut h = helper(kind, Program::Missing { looked_for: looked_for.into() }, Answer::No);
            h.display = looked_for.trim_start_matches("git-credential-").into();
            https_mut(&mut f).helpers.push(h);
            diagnose(&CREDENTIAL_HELPER_MISSING, &f)
        };
        // osxkeychain from a shared dotfile on Linux: the macOS helper.
        let d = missing(HelperKind::Osxkeychain, "git-credential-osxkeychain", "linux");
        assert!(d[0].finding.cause.as_deref().is_some_and(|c| c.starts_with("`osxkeychain` is the macOS helper; this machine runs linux")));
        // wincred on macOS: the Windows helper.
        let d = missing(HelperKind::Wincred, "git-credential-wincred", "macos");
        assert!(d[0].finding.cause.as_deref().is_some_and(|c| c.contains("the Windows helper; this machine runs macos")));
        // libsecret on Debian: shipped as source, built with make.
        let d = missing(HelperKind::Libsecret, "/usr/share/doc/git/contrib/credential/libsecret/git-credential-libsecret", "linux");
        assert!(fix_commands(&d[0]).contains("sudo make -C /usr/share/doc/git/contrib/credential/libsecret"), "{}", fix_commands(&d[0]));
        // GCM on macOS is not git's: installed with Homebrew.
        let d = missing(HelperKind::Manager, "git-credential-manager", "macos");
        assert!(fix_commands(&d[0]).contains("brew install --cask git-credential-manager"));
        // A Windows path read by git in WSL: named by its /mnt/c path.
        let d = missing(HelperKind::Manager, "git-credential-C:/Program Files/Git/mingw64/bin/git-credential-manager.exe", "linux");
        assert!(d[0].finding.cause.as_deref().is_some_and(|c| c.contains("WSL reaches that program as `/mnt/c/Program Files/Git/mingw64/bin/git-credential-manager.exe`")), "{:?}", d[0].finding.cause);
    }

    #[test]
    fn silent_for_an_ssh_url() {
        let f = with_push_url("git@github.com:a/b.git");
        assert!(severities(&CREDENTIAL_HELPER_MISSING, &f).is_empty());
    }
}
