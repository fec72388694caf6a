//! CC203 `email-as-username`.

use crate::facts::Facts;
use crate::rules::support::{candidates, erase_then_new, https_urls, is_email};
use crate::rules::{advice, declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for an email address used as the git user name for Bitbucket Cloud over
    /// HTTPS: in the URL, in `credential.username`, in a stored credential or a header.
    ///
    /// ## Why is this bad?
    /// Bitbucket Cloud wants your Bitbucket username (or `x-bitbucket-api-token-auth`)
    /// for git. The email works only for the REST API, so git gets `Authentication
    /// failed` even with a valid API token.
    ///
    /// ## Example
    /// ```sh
    /// git remote set-url origin https://alice%40example.com@bitbucket.org/acme/app.git
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git remote set-url origin https://bitbucket.org/acme/app.git
    /// git config --global credential.https://bitbucket.org.username alice
    /// ```
    ///
    /// ## When it is silent
    /// - For every provider but Bitbucket Cloud.
    /// - For a user name that is not an email address (text, `@`, then a domain with a
    ///   dot).
    /// - For an email in `credential.username` when the URL names a user: git sends the
    ///   URL's.
    /// - For a user name it cannot see: only the push URL, `credential.username`, an
    ///   `http.extraHeader`, a `~/.netrc` entry and a `store` line are read.
    /// - In the pre-push stage, for the URL git has just authenticated to.
    ///
    /// ## References
    /// - [Bitbucket: using API tokens](https://support.atlassian.com/bitbucket-cloud/docs/using-api-tokens)
    EMAIL_AS_USERNAME, "CC203", "email-as-username", Credential, Error,
    "an email address is used as the git user name where the provider refuses one", email_as_username
}

fn email_as_username(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let Some(info) = u.provider.map(|p| p.info()) else {
            continue;
        };
        let Some(why) = info.email_username_refused else {
            continue;
        };
        let host = &https.request.host;
        let placeholder = info.username_placeholder.unwrap_or("<your-username>");
        // A placeholder is words: pasted into sh, `<name>` is a redirection.
        let fix_user = |mut cmds: Vec<String>| {
            cmds.push(format!(
                "# then name your user for this host: git config --global credential.{}://{host}.username {}",
                https.request.protocol,
                advice::sh_quote(placeholder)
            ));
            cmds
        };
        if let Some(user) = u.url.user.as_deref().filter(|x| is_email(x)) {
            out.push(
                Finding::at(
                    u,
                    format!(
                        "{} uses the email `{user}` as its {} user name",
                        u.label(),
                        info.name
                    ),
                )
                .location(u.configured.as_ref().map(Location::from))
                .cause(why)
                .fix(
                    format!("use your {} username", info.name),
                    fix_user(vec![advice::set_url(
                        u,
                        &advice::clean_url(u).replace(&format!("{}@", user), ""),
                    )]),
                )
                .rejects_auth(),
            );
            continue;
        }
        if let Some((user, src)) = https
            .username_config
            .as_ref()
            .filter(|(x, _)| is_email(x) && u.url.user.is_none())
        {
            out.push(
                Finding::at(
                    u,
                    format!(
                        "credential.username `{user}` for {} is an email address",
                        u.label()
                    ),
                )
                .location(Location::from(src))
                .cause(why)
                .fix(
                    format!("use your {} username", info.name),
                    vec![format!(
                        "git config {} --unset {}",
                        src.scope.flag(),
                        src.key
                    )]
                    .into_iter()
                    .chain(fix_user(vec![]))
                    .collect(),
                )
                .rejects_auth(),
            );
            continue;
        }
        for c in candidates(&facts.env, u, https) {
            let Some(user) = c.username.filter(|x| is_email(x)) else {
                continue;
            };
            out.push(
                Finding::at(
                    u,
                    format!(
                        "{} will send the email `{user}` as user name with {}",
                        u.label(),
                        c.describe()
                    ),
                )
                .location(c.location.clone())
                .cause(why)
                .fix(
                    format!("store the token under your {} username", info.name),
                    fix_user(erase_then_new(u, https, &c)),
                )
                .certain_if(c.certain)
                .rejects_auth(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::testing::*;
    use crate::rules::support::samples::{ATATT, GHP};
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;

    #[test]
    fn email_username() {
        let f = with_store(
            "https://bitbucket.org/a/b.git",
            Some("alice@example.com"),
            ATATT,
        );
        assert_eq!(severities(&EMAIL_AS_USERNAME, &f), vec![Error]);
        let f = with_push_url("https://alice%40example.com@bitbucket.org/a/b.git");
        assert_eq!(severities(&EMAIL_AS_USERNAME, &f), vec![Error]);
        let f = with_store("https://github.com/a/b.git", Some("alice@example.com"), GHP);
        assert!(severities(&EMAIL_AS_USERNAME, &f).is_empty());
    }

    #[test]
    fn email_in_credential_username() {
        let mut f = with_push_url("https://bitbucket.org/a/b.git");
        https_mut(&mut f).username_config = Some((
            "alice@example.com".into(),
            source("credential.https://bitbucket.org.username"),
        ));
        let d = diagnose(&EMAIL_AS_USERNAME, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].finding.message,
            "credential.username `alice@example.com` for remote `origin` (https://bitbucket.org/a/b.git) is an email address"
        );
        assert!(fix_commands(&d[0])
            .starts_with("git config --global --unset credential.https://bitbucket.org.username"));
        // The URL's user name wins over credential.username.
        let mut f = with_push_url("https://alice@bitbucket.org/a/b.git");
        https_mut(&mut f).username_config = Some((
            "alice@example.com".into(),
            source("credential.https://bitbucket.org.username"),
        ));
        assert!(severities(&EMAIL_AS_USERNAME, &f).is_empty());
    }

    #[test]
    fn silent_for_a_bitbucket_username() {
        let f = with_store("https://bitbucket.org/a/b.git", Some("alice"), ATATT);
        assert!(severities(&EMAIL_AS_USERNAME, &f).is_empty());
        let f = with_store(
            "https://bitbucket.org/a/b.git",
            Some("alice@localhost"),
            ATATT,
        );
        assert!(
            severities(&EMAIL_AS_USERNAME, &f).is_empty(),
            "no dot after @"
        );
    }
}
