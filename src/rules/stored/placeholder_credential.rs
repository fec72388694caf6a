//! CC216 `placeholder-credential`.

use crate::facts::credential::Https;
use crate::facts::{Facts, PushUrl};
use crate::rules::support::{candidates, erase_then_new, https_urls};
use crate::rules::{advice, declare_rule, Finding, Location};
use crate::secret::{SecretKind, Shape};

declare_rule! {
    /// ## What it does
    /// Checks for documentation text where a credential belongs: a password or token that
    /// reads `<token>`, `YOUR_TOKEN`, `your_personal_access_token`, `xxxxxxxx`, `ghp_XXXX…`,
    /// `password`, `changeme`, or a variable written literally (`$GITHUB_TOKEN`,
    /// `${TOKEN}`, `${{ secrets.TOKEN }}`, `%TOKEN%`) in the push URL, an
    /// `http.extraHeader`, `~/.netrc`, a `store` line or a token variable a CLI helper
    /// reads; and a user name such as `USERNAME`, `<username>` or `your_username` where the
    /// provider checks the user name (Bitbucket Cloud).
    ///
    /// ## Why is this bad?
    /// The server refuses it every time: `Authentication failed`, `Invalid username or
    /// token`. A variable written literally was meant to be expanded by a shell or a CI
    /// system that never saw it (single quotes, a config file, a YAML string).
    ///
    /// ## Example
    /// ```ini
    /// [remote "origin"]
    ///     url = https://x-access-token:$GITHUB_TOKEN@github.com/acme/app.git
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git remote set-url origin https://github.com/acme/app.git
    /// git push   # enter the real token when asked; your helper keeps it
    /// ```
    /// Error where the host is a known provider; a warning for other hosts.
    ///
    /// ## When it is silent
    /// - For a real secret of any shape, and for a password made of ordinary words.
    /// - For a placeholder user name paired with a real token where the provider ignores
    ///   the user name (GitHub, GitLab, Azure DevOps), for fixed service user names
    ///   (`x-token-auth`, `oauth2`), and for labels that `token-username-mismatch` (CC204)
    ///   reports.
    /// - For a secret it cannot see (keyrings, `cache`, a custom helper).
    /// - In the pre-push stage, for the URL git has just authenticated to.
    ///
    /// ## References
    /// - [gitcredentials(7)](https://git-scm.com/docs/gitcredentials)
    PLACEHOLDER_CREDENTIAL, "CC216", "placeholder-credential", Credential, Error,
    "a placeholder from documentation is used as a credential", placeholder_credential
}

fn placeholder_credential(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let known = u.provider.is_some();
        let checks_user = u.provider.is_some_and(|p| p.info().username_checked);
        let mut users_reported: Vec<&str> = Vec::new();
        for c in candidates(&facts.env, u, https) {
            let Some(secret) = c.secret else { continue };
            if secret.kind == SecretKind::Placeholder {
                out.push(
                    Finding::at(u, format!("{} will send {}", u.label(), c.describe()))
                        .location(c.location.clone())
                        .cause(placeholder_cause(c.env_variable()))
                        .fix(
                            "put the real token there, or remove it and let your helper supply one",
                            erase_then_new(u, https, &c),
                        )
                        .certain_if(c.certain && known)
                        .rejects_auth(),
                );
                continue;
            }
            let Some(user) = c.username.filter(|user| placeholder_user(u, secret, user)) else {
                continue;
            };
            if !checks_user {
                continue;
            }
            users_reported.push(user);
            out.push(
                Finding::at(u, format!("{} will send the user name `{user}` with {}", u.label(), c.describe()))
                    .location(c.location.clone())
                    .cause(user_cause(u))
                    .fix("use your real user name", erase_then_new(u, https, &c))
                    .certain_if(c.certain)
                    .rejects_auth(),
            );
        }
        // A user name git sends whatever password it gets: the URL's, or credential.username.
        if checks_user && u.url.password.is_none() {
            if let Some(f) = named_user(u, https, &users_reported) {
                out.push(f);
            }
        }
    }
    out
}

/// A placeholder user name the provider would judge (not a label CC204 reports).
fn placeholder_user(u: &PushUrl, secret: &Shape, user: &str) -> bool {
    crate::secret::is_placeholder_user(user)
        && u
            .provider
            .is_none_or(|p| p.info().username_needed(secret.kind, user).is_none())
}

fn placeholder_cause(variable: Option<&str>) -> String {
    match variable {
        Some(v) => format!("{v} holds placeholder text, not a token: the server refuses it"),
        None => "this is placeholder text from documentation (or a variable nothing expanded), not a secret: the server refuses it".into(),
    }
}

fn user_cause(u: &PushUrl) -> String {
    let name = u.provider.map(|p| p.info().name).unwrap_or("the server");
    format!("{name} checks the user name sent with a token, and this one is placeholder text")
}

fn named_user(u: &PushUrl, https: &Https, reported: &[&str]) -> Option<Finding> {
    let (user, location, fix) = match (&u.url.user, &https.username_config) {
        (Some(user), _) => {
            let mut url = u.clone();
            url.url.user = None;
            (
                user.as_str(),
                u.configured.as_ref().map(Location::from),
                vec![advice::set_url(u, &advice::clean_url(&url))],
            )
        }
        (None, Some((user, src))) => (
            user.as_str(),
            Some(Location::from(src)),
            vec![format!("git config {} '{}' <your-username>", src.scope.flag(), src.key)],
        ),
        (None, None) => return None,
    };
    if reported.contains(&user) || !crate::secret::is_placeholder_user(user) {
        return None;
    }
    Some(
        Finding::at(u, format!("{} names the user `{user}`", u.label()))
            .location(location)
            .cause(format!(
                "git sends it with whatever password a helper or a prompt supplies, and {}",
                user_cause(u)
            ))
            .fix("use your real user name", fix)
            .rejects_auth(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::credential::ExtraHeader;
    use crate::facts::testing::*;
    use crate::rules::support::samples::{ATATT, GHP};
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;

    #[test]
    fn placeholder_secrets_everywhere_git_looks() {
        for secret in [
            "<token>",
            "YOUR_TOKEN",
            "your_personal_access_token",
            "xxxxxxxxxx",
            "ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "$GITHUB_TOKEN",
            "${TOKEN}",
            "${{ secrets.GH_PAT }}",
            "token",
            "password",
            "changeme",
        ] {
            let f = with_store("https://github.com/a/b.git", Some("alice"), secret);
            assert_eq!(severities(&PLACEHOLDER_CREDENTIAL, &f), vec![Error], "{secret}");
        }
        let f = with_push_url("https://x-access-token:$GITHUB_TOKEN@github.com/a/b.git");
        let d = diagnose(&PLACEHOLDER_CREDENTIAL, &f);
        assert_eq!(
            d[0].finding.message,
            "remote `origin` (https://x-access-token:***@github.com/a/b.git) will send the placeholder text (13 chars) where a secret belongs in the push URL"
        );
        assert!(fix_commands(&d[0]).contains("git remote set-url origin 'https://x-access-token@github.com/a/b.git'"));
        let mut f = with_push_url("https://github.com/a/b.git");
        https_mut(&mut f).extra_headers.push(ExtraHeader {
            scheme: "bearer".into(),
            username: None,
            secret: Some(Shape::of("<token>")),
            source: source("http.extraheader"),
        });
        assert_eq!(severities(&PLACEHOLDER_CREDENTIAL, &f), vec![Error]);
        // Unknown host: it might be a password someone chose.
        let f = with_store("https://git.example.test/a/b.git", Some("alice"), "password");
        assert_eq!(severities(&PLACEHOLDER_CREDENTIAL, &f), vec![Warning]);
    }

    #[test]
    fn real_secrets_are_not_placeholders() {
        for secret in [GHP, "Tr0ub4dor&3-horse", "correct horse battery staple", "$ecret-Pa55"] {
            let f = with_store("https://github.com/a/b.git", Some("alice"), secret);
            assert!(severities(&PLACEHOLDER_CREDENTIAL, &f).is_empty(), "{secret}");
        }
    }

    #[test]
    fn placeholder_user_names_where_the_provider_checks_them() {
        let f = with_store("https://bitbucket.org/a/b.git", Some("USERNAME"), ATATT);
        assert_eq!(severities(&PLACEHOLDER_CREDENTIAL, &f), vec![Error]);
        // GitHub ignores the user name that goes with a token.
        let f = with_store("https://github.com/a/b.git", Some("USERNAME"), GHP);
        assert!(severities(&PLACEHOLDER_CREDENTIAL, &f).is_empty());
        // A real name and the fixed service names are fine.
        for user in ["alice", "x-bitbucket-api-token-auth"] {
            let f = with_store("https://bitbucket.org/a/b.git", Some(user), ATATT);
            assert!(severities(&PLACEHOLDER_CREDENTIAL, &f).is_empty(), "{user}");
        }
        // The URL's user goes with whatever a keyring answers.
        let f = with_push_url("https://YOUR_USERNAME@bitbucket.org/a/b.git");
        let d = diagnose(&PLACEHOLDER_CREDENTIAL, &f);
        assert_eq!(d.len(), 1);
        assert!(fix_commands(&d[0]).contains("'https://bitbucket.org/a/b.git'"), "{}", fix_commands(&d[0]));
    }
}
