//! CC104 `url-scheme-unsupported`.

use crate::facts::Facts;
use crate::rules::{advice, declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for a push URL whose transport git cannot run: a scheme (or a
    /// `<transport>::` prefix) that names a remote helper `git-remote-<name>` which is
    /// neither on PATH nor in git's exec path. The usual cause is a scheme written in
    /// upper case (`HTTPS://`, `SSH://`): scheme names are case-sensitive to git.
    ///
    /// ## Why is this bad?
    /// git runs `git-remote-<name>` for any scheme it does not speak itself, and fails
    /// with `git: 'remote-HTTPS' is not a git command` before anything is sent.
    ///
    /// ## Example
    /// ```ini
    /// [remote "origin"]
    ///     url = HTTPS://github.com/acme/app.git
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git remote set-url origin https://github.com/acme/app.git
    /// ```
    /// For another transport (`codecommit://`, `persistent-https://`), install the program
    /// `git-remote-<name>` where git finds it, or use an HTTPS or SSH URL.
    ///
    /// ## When it is silent
    /// - For the schemes git speaks itself (`https`, `http`, `ftp(s)`, `ssh`, `git`,
    ///   `file`, `git+ssh`), scp-like addresses (`git@github.com:acme/app.git`) and
    ///   local paths.
    /// - When the remote helper is found on PATH or in git's exec path (`ext::`,
    ///   `persistent-https://` with Google's helper installed, `codecommit://` with
    ///   `git-remote-codecommit`): whether that helper then authenticates is not judged.
    ///
    /// ## References
    /// - [gitremote-helpers(7)](https://git-scm.com/docs/gitremote-helpers)
    URL_SCHEME_UNSUPPORTED, "CC104", "url-scheme-unsupported", Remote, Error,
    "push URL scheme is not one git can run", url_scheme_unsupported
}

/// Schemes git speaks itself; a case variant of one is a typo, not a helper.
const BUILT_IN: &[&str] = &["http", "https", "ftp", "ftps", "ssh", "git", "file"];

fn url_scheme_unsupported(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in facts.push_urls() {
        let Some(helper) = u.remote_helper.as_ref().filter(|h| !h.found) else {
            continue;
        };
        let s = &helper.name;
        let lower = s.to_ascii_lowercase();
        let finding = Finding::at(
            u,
            format!(
                "remote `{}` push URL {} uses the scheme `{s}`",
                u.remote, u.url.display
            ),
        )
        .location(u.configured.as_ref().map(Location::from));
        out.push(if BUILT_IN.contains(&lower.as_str()) {
            finding
                .cause(format!(
                    "git looks for a remote helper `git-remote-{s}` and fails"
                ))
                .fix(
                    "write the scheme in lower case",
                    // Built from the parts, not the display: a password in the URL
                    // is dropped, never copied as `***`.
                    vec![advice::set_url(
                        u,
                        &advice::clean_url(u).replacen(s.as_str(), &lower, 1),
                    )],
                )
        } else {
            finding
                .cause(format!(
                    "git runs the remote helper `git-remote-{s}`, which is neither on PATH nor in git's exec path, and fails with `git: 'remote-{s}' is not a git command`"
                ))
                .fix(
                    format!("install git-remote-{s}, or push over HTTPS or SSH"),
                    vec![
                        format!("command -v git-remote-{s} || ls \"$(git --exec-path)\" | grep -F remote-"),
                        advice::set_url(u, "https://<host>/<path>.git"),
                    ],
                )
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::testing::{source, with_push_url};
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;

    #[test]
    fn an_upper_case_scheme_with_a_password_is_read_and_never_masked_into_the_fix() {
        let f = with_push_url("HTTPS://alice:hunter2hunter2@git.example.test/a/b.git");
        let d = diagnose(&URL_SCHEME_UNSUPPORTED, &f);
        assert_eq!(d.len(), 1);
        let cmds = fix_commands(&d[0]);
        assert!(
            cmds.contains("'https://alice@git.example.test/a/b.git'") && !cmds.contains("***"),
            "{cmds}"
        );
        let embedded = diagnose(&crate::rules::remote::URL_EMBEDS_SECRET, &f);
        assert_eq!(embedded.len(), 1);
        assert!(!format!("{d:?}{embedded:?}").contains("hunter2"));
    }

    #[test]
    fn fires_on_an_upper_case_scheme() {
        let d = diagnose(
            &URL_SCHEME_UNSUPPORTED,
            &with_push_url("HTTPS://github.com/a/b.git"),
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Error);
        assert_eq!(
            d[0].finding.message,
            "remote `origin` push URL HTTPS://github.com/a/b.git uses the scheme `HTTPS`"
        );
        assert_eq!(
            fix_commands(&d[0]),
            "git remote set-url origin 'https://github.com/a/b.git'"
        );
    }

    #[test]
    fn fires_on_a_mixed_case_scheme() {
        for url in ["Ssh://git@example.com/a.git", "HTTP://example.com/a.git"] {
            assert_eq!(
                severities(&URL_SCHEME_UNSUPPORTED, &with_push_url(url)),
                vec![Error],
                "{url}"
            );
        }
    }

    #[test]
    fn fix_keeps_a_push_url_a_push_url() {
        let mut f = with_push_url("HTTPS://github.com/a/b.git");
        f.remotes[0].urls[0].configured = Some(source("remote.origin.pushurl"));
        let d = diagnose(&URL_SCHEME_UNSUPPORTED, &f);
        assert_eq!(
            fix_commands(&d[0]),
            "git remote set-url --push origin 'https://github.com/a/b.git'"
        );
    }

    #[test]
    fn silent_on_a_lower_case_scheme() {
        for url in ["https://github.com/a/b.git", "git@github.com:a/b.git"] {
            assert!(
                severities(&URL_SCHEME_UNSUPPORTED, &with_push_url(url)).is_empty(),
                "{url}"
            );
        }
    }

    #[test]
    fn fires_for_a_missing_helper_and_stays_silent_for_an_installed_one() {
        let mut f = with_push_url("codecommit::us-east-1://repo");
        let d = diagnose(&URL_SCHEME_UNSUPPORTED, &f);
        assert_eq!(d.len(), 1);
        assert!(d[0]
            .finding
            .cause
            .as_deref()
            .is_some_and(|c| c.contains("git-remote-codecommit")));
        f.remotes[0].urls[0]
            .remote_helper
            .as_mut()
            .expect("a helper")
            .found = true;
        assert!(diagnose(&URL_SCHEME_UNSUPPORTED, &f).is_empty());
    }
}
