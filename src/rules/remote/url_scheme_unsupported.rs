use crate::facts::url::Scheme;
use crate::facts::Facts;
use crate::rules::{advice, declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for a push URL whose scheme is written in upper case (`HTTPS://`, `SSH://`).
    ///
    /// ## Why is this bad?
    /// git treats an unknown scheme as a remote helper name and fails with
    /// `git: 'remote-HTTPS' is not a git command` before anything is sent.
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
    ///
    /// ## When it is silent
    /// - The scheme is written in lower case, or the URL has no scheme
    ///   (`git@github.com:acme/app.git`).
    /// - The scheme is not an upper- or mixed-case spelling of `http`, `https`, `ssh`,
    ///   `git` or `file`: any other scheme (`persistent-https://`, `codecommit://`, a typo
    ///   such as `htps://`) names a remote helper `git-remote-<scheme>`, and whether one is
    ///   installed is not checked.
    ///
    /// ## References
    /// - [gitremote-helpers(7)](https://git-scm.com/docs/gitremote-helpers)
    URL_SCHEME_UNSUPPORTED, "CC104", "url-scheme-unsupported", Remote, Error,
    "push URL scheme is not one git knows", url_scheme_unsupported
}

fn url_scheme_unsupported(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in facts.push_urls().filter(|u| u.url.scheme == Scheme::Other) {
        let s = &u.url.scheme_text;
        let lower = s.to_ascii_lowercase();
        if s == &lower || !["http", "https", "ssh", "git", "file"].contains(&lower.as_str()) {
            continue;
        }
        out.push(
            Finding::at(
                u,
                format!(
                    "remote `{}` push URL {} uses the scheme `{s}`",
                    u.remote, u.url.display
                ),
            )
            .location(u.configured.as_ref().map(Location::from))
            .cause(format!(
                "git looks for a remote helper `git-remote-{s}` and fails"
            ))
            .fix(
                "write the scheme in lower case",
                vec![advice::set_url(
                    u,
                    // Built from the parts, not the display: a password in the URL
                    // is dropped, never copied as `***`.
                    &advice::clean_url(u).replacen(s.as_str(), &lower, 1),
                )],
            ),
        );
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
    fn silent_on_a_remote_helper_scheme() {
        for url in [
            "persistent-https://github.com/a/b.git",
            "codecommit://repo",
            "htps://github.com/a/b.git",
        ] {
            assert!(
                severities(&URL_SCHEME_UNSUPPORTED, &with_push_url(url)).is_empty(),
                "{url}"
            );
        }
    }
}
