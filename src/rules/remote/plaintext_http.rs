use crate::facts::url::Scheme;
use crate::facts::Facts;
use crate::rules::{advice, declare_rule, Finding, Location};

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
    /// ## When it is silent
    /// - The host is loopback: `localhost`, `*.localhost`, `127.*` or `::1`.
    /// - An `http.proxy` applies to the URL (Bitbucket Pipelines pushes through a local
    ///   proxy that authenticates for it): the hop to the proxy is not ours to judge.
    ///
    /// ## References
    /// - [git-config: http.*](https://git-scm.com/docs/git-config)
    PLAINTEXT_HTTP, "CC102", "plaintext-http", Remote, Warning,
    "push URL sends credentials over plain http", plaintext_http
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

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.ends_with(".localhost") || host.starts_with("127.") || host == "::1"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::testing::{https_mut, source, with_push_url};
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;

    #[test]
    fn fires_on_http_to_a_server() {
        let d = diagnose(
            &PLAINTEXT_HTTP,
            &with_push_url("http://git.example.com/a.git"),
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Warning);
        assert_eq!(
            d[0].finding.message,
            "remote `origin` pushes to http://git.example.com/a.git over plain http"
        );
        assert_eq!(
            fix_commands(&d[0]),
            "git remote set-url origin 'https://git.example.com/a.git'"
        );
    }

    #[test]
    fn silent_on_loopback() {
        for url in [
            "http://127.0.0.1:8080/a.git",
            "http://localhost/a.git",
            "http://git.localhost/a.git",
        ] {
            assert!(
                severities(&PLAINTEXT_HTTP, &with_push_url(url)).is_empty(),
                "{url}"
            );
        }
    }

    #[test]
    fn silent_on_https() {
        assert!(severities(
            &PLAINTEXT_HTTP,
            &with_push_url("https://git.example.com/a.git")
        )
        .is_empty());
    }

    #[test]
    fn silent_through_a_proxy() {
        let mut f = with_push_url("http://bitbucket.org/a/b.git");
        https_mut(&mut f).proxy = Some(source("http.proxy"));
        assert!(severities(&PLAINTEXT_HTTP, &f).is_empty());
    }
}
