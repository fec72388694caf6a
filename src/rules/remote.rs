//! Remote rules: what the push URL itself says.

use super::{advice, declare_rule, Finding, Location};
use crate::facts::url::Scheme;
use crate::facts::Facts;

declare_rule! {
    /// ## What it does
    /// Checks for a push URL that carries a password or token in its user-info part, or
    /// a token used as the user name.
    ///
    /// ## Why is this bad?
    /// The secret sits in plain text in `.git/config`, is printed by `git remote -v`,
    /// leaks into CI logs and bug reports, and git calls no credential helper for it, so a
    /// rotated token breaks pushes without a clear error.
    ///
    /// ## Example
    /// ```ini
    /// [remote "origin"]
    ///     url = https://alice:ghp_XXXX@github.com/acme/app.git
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git remote set-url origin https://alice@github.com/acme/app.git
    /// ```
    /// The next push asks once for the token and the configured helper keeps it.
    ///
    /// ## References
    /// - [gitcredentials(7)](https://git-scm.com/docs/gitcredentials)
    URL_EMBEDS_SECRET, "CC101", "url-embeds-secret", Remote, Warning,
    "push URL contains a password or token", url_embeds_secret
}

fn url_embeds_secret(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in facts.push_urls() {
        let shape = match (&u.url.password, &u.url.user_secret) {
            (Some(p), _) => p,
            (None, Some(s)) => s,
            _ => continue,
        };
        let loc = u
            .configured
            .as_ref()
            .map(Location::from)
            .or_else(|| u.rewrite.as_ref().map(|r| Location::from(&r.source)));
        let fix = if u.configured.is_some() {
            vec![
                advice::set_url(u, &advice::clean_url(u)),
                "git push   # enter the token once; your credential helper keeps it".into(),
            ]
        } else {
            vec!["git remote add <name> '<url without the secret>'".into()]
        };
        out.push(
            Finding::at(u, format!("remote `{}` push URL {} embeds a {}", u.remote, u.url.display, shape.describe()))
                .location(loc)
                .cause("the secret is stored in plain text, shown by `git remote -v`, and bypasses the credential helper")
                .fix("remove the secret from the URL", fix),
        );
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for a push URL that uses plain `http://` to a host other than loopback.
    ///
    /// ## Why is this bad?
    /// The credential travels unencrypted. Hosted providers redirect or refuse plain HTTP
    /// (Git Credential Manager refuses it for bitbucket.org outright).
    ///
    /// ## Example
    /// ```ini
    /// [remote "origin"]
    ///     url = http://git.example.com/acme/app.git
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git remote set-url origin https://git.example.com/acme/app.git
    /// ```
    ///
    /// ## References
    /// - [git-config: http.*](https://git-scm.com/docs/git-config)
    PLAINTEXT_HTTP, "CC102", "plaintext-http", Remote, Warning,
    "push URL sends credentials over plain http", plaintext_http
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.ends_with(".localhost") || host.starts_with("127.") || host == "::1"
}

fn plaintext_http(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    // Through a configured proxy (Bitbucket Pipelines' local one) the hop is not ours to judge.
    for u in facts.push_urls().filter(|u| {
        u.url.scheme == Scheme::Http && u.https.as_ref().is_none_or(|h| h.proxy.is_none())
    }) {
        let Some(host) = u.url.host.as_deref().filter(|h| !is_loopback(h)) else {
            continue;
        };
        let https = advice::clean_url(u).replacen("http://", "https://", 1);
        out.push(
            Finding::at(
                u,
                format!(
                    "remote `{}` pushes to {} over plain http",
                    u.remote, u.url.display
                ),
            )
            .location(u.configured.as_ref().map(Location::from))
            .cause(format!("the credential for {host} is sent unencrypted"))
            .fix("use https", vec![advice::set_url(u, &https)]),
        );
    }
    out
}

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
                vec![format!(
                    "git remote set-url {} '{}'",
                    u.remote,
                    u.url.display.replacen(s.as_str(), &lower, 1)
                )],
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::testing::with_push_url;
    use crate::rules::testing::{diagnose, severities};
    use crate::rules::Severity::*;

    #[test]
    fn token_in_url() {
        let f = with_push_url(
            "https://alice:ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com/a/b.git",
        );
        let d = diagnose(&URL_EMBEDS_SECRET, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Warning);
        let text = format!("{:?}", d[0].finding);
        assert!(!text.contains("0123456789abcdef"), "{text}");
        assert!(text.contains("https://alice@github.com/a/b.git"), "{text}");
        assert!(severities(
            &URL_EMBEDS_SECRET,
            &with_push_url("https://github.com/a/b.git")
        )
        .is_empty());
        assert!(
            severities(&URL_EMBEDS_SECRET, &with_push_url("git@github.com:a/b.git")).is_empty()
        );
    }

    #[test]
    fn token_as_user_name() {
        let f =
            with_push_url("https://ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com/a/b.git");
        assert_eq!(severities(&URL_EMBEDS_SECRET, &f), vec![Warning]);
    }

    #[test]
    fn http() {
        assert_eq!(
            severities(
                &PLAINTEXT_HTTP,
                &with_push_url("http://git.example.com/a.git")
            ),
            vec![Warning]
        );
        assert!(severities(
            &PLAINTEXT_HTTP,
            &with_push_url("http://127.0.0.1:8080/a.git")
        )
        .is_empty());
        assert!(severities(
            &PLAINTEXT_HTTP,
            &with_push_url("https://git.example.com/a.git")
        )
        .is_empty());
    }

    #[test]
    fn rewrite() {
        let mut f = with_push_url("https://github.com/a/b.git");
        f.remotes[0].urls[0].rewrite = Some(crate::facts::url::Rewrite {
            kind: "insteadOf".into(),
            from: "git@github.com:a/b.git".into(),
            source: crate::facts::testing::source("url.https://github.com/.insteadof"),
        });
        assert_eq!(severities(&PUSH_URL_REWRITTEN, &f), vec![Info]);
        f.remotes[0].urls[0].rewrite.as_mut().expect("set").from =
            "https://github.com/x/b.git".into();
        assert!(severities(&PUSH_URL_REWRITTEN, &f).is_empty());
    }

    #[test]
    fn upper_case_scheme() {
        assert_eq!(
            severities(
                &URL_SCHEME_UNSUPPORTED,
                &with_push_url("HTTPS://github.com/a/b.git")
            ),
            vec![Error]
        );
        assert!(severities(
            &URL_SCHEME_UNSUPPORTED,
            &with_push_url("https://github.com/a/b.git")
        )
        .is_empty());
    }
}
