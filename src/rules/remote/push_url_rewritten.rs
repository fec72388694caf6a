use crate::facts::Facts;
use crate::rules::{declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for a push URL whose scheme or host was changed by `url.<base>.insteadOf` or
    /// `url.<base>.pushInsteadOf`, and names the file and key that did it.
    ///
    /// ## Why is this bad?
    /// It is often intended, but it is the classic cause of "my remote is SSH but git asks
    /// for a password": a global rewrite turns the URL into HTTPS (or the reverse), so the
    /// credential that is checked is not the one you expect.
    ///
    /// ## Example
    /// ```ini
    /// [url "https://github.com/"]
    ///     insteadOf = git@github.com:
    /// ```
    ///
    /// ## Fix
    /// Keep it if intended; otherwise remove the rewrite:
    /// ```sh
    /// git config --global --unset url.https://github.com/.insteadOf
    /// ```
    ///
    /// ## When it is silent
    /// - The rewrite keeps the scheme and the host and changes only the path, the user or
    ///   the port (`url.https://github.com/acme/.insteadOf = https://github.com/old/`).
    ///
    /// ## References
    /// - [git-config: url.<base>.insteadOf](https://git-scm.com/docs/git-config#Documentation/git-config.txt-urlltbasegtinsteadOf)
    PUSH_URL_REWRITTEN, "CC103", "push-url-rewritten", Remote, Info,
    "push URL scheme or host is changed by a url rewrite", push_url_rewritten
}

fn push_url_rewritten(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in facts.push_urls() {
        let Some(r) = &u.rewrite else { continue };
        let Ok(from) = crate::facts::url::parse(&r.from) else {
            continue;
        };
        if from.scheme == u.url.scheme && from.host == u.url.host {
            continue;
        }
        let key = &r.source.key;
        out.push(
            Finding::at(
                u,
                format!(
                    "remote `{}` URL {} is pushed as {} because of {key}",
                    u.remote, r.from, u.url.display
                ),
            )
            .location(Location::from(&r.source))
            .cause(format!(
                "{} rewrites the scheme or host, so authentication follows the rewritten URL",
                r.kind
            ))
            .fix(
                "remove the rewrite if it is not intended",
                vec![format!(
                    "git config {} --unset-all '{key}'",
                    r.source.scope.flag()
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
    use crate::facts::url::Rewrite;
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;

    /// `origin` configured as `from`, pushed as `https://github.com/a/b.git`.
    fn rewritten_from(from: &str) -> Facts {
        let mut f = with_push_url("https://github.com/a/b.git");
        f.remotes[0].urls[0].rewrite = Some(Rewrite {
            kind: "insteadOf".into(),
            from: from.into(),
            source: source("url.https://github.com/.insteadof"),
        });
        f
    }

    #[test]
    fn fires_when_ssh_becomes_https() {
        let d = diagnose(
            &PUSH_URL_REWRITTEN,
            &rewritten_from("git@github.com:a/b.git"),
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Info);
        assert_eq!(
            d[0].finding.message,
            "remote `origin` URL git@github.com:a/b.git is pushed as https://github.com/a/b.git \
             because of url.https://github.com/.insteadof"
        );
        assert_eq!(
            fix_commands(&d[0]),
            "git config --global --unset-all 'url.https://github.com/.insteadof'"
        );
    }

    #[test]
    fn silent_when_only_the_path_changes() {
        let f = rewritten_from("https://github.com/x/b.git");
        assert!(severities(&PUSH_URL_REWRITTEN, &f).is_empty());
    }

    #[test]
    fn silent_without_a_rewrite() {
        let f = with_push_url("git@github.com:a/b.git");
        assert!(severities(&PUSH_URL_REWRITTEN, &f).is_empty());
    }
}
