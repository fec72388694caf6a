//! CC202 `retired-secret-kind`.

use crate::facts::credential::Https;
use crate::facts::{Facts, PushUrl};
use crate::provider::ProviderKind;
use crate::rules::support::{candidates, erase_then_new, https_urls, Candidate};
use crate::rules::{declare_rule, Finding};
use crate::secret::Shape;

declare_rule! {
    /// ## What it does
    /// Checks for a credential of a kind the provider no longer accepts: Bitbucket Cloud
    /// app passwords (`ATBB…` or the legacy 20-character form; brownouts from 2026-06-09,
    /// removed on 2026-07-28), and account passwords where only tokens are accepted
    /// (Bitbucket Cloud since 2022-03-01, GitHub since 2021-08-13, Hugging Face since
    /// 2023-10-01, Azure DevOps alternate credentials since 2020-03-02).
    ///
    /// ## Why is this bad?
    /// The server refuses it: `Invalid credentials`, `Authentication failed`, or for
    /// Bitbucket app passwords `410` with `App passwords are deprecated`. Each retry
    /// counts against the account's lockout limit.
    ///
    /// ## Example
    /// ```console
    /// $ cat ~/.git-credentials
    /// https://alice:ATBB…@bitbucket.org
    /// ```
    ///
    /// ## Fix
    /// Remove the stale entry and create an API token with `read:repository:bitbucket` and
    /// `write:repository:bitbucket`, used with your Bitbucket username:
    /// ```sh
    /// sed -i '2d' ~/.git-credentials
    /// git config --global credential.https://bitbucket.org.username alice
    /// git push
    /// ```
    ///
    /// ## When it is silent
    /// - For a host that is not a known provider, and for providers that set no password
    ///   cutoff (GitLab, Gitea/Forgejo, AWS CodeCommit, GitHub Enterprise Server,
    ///   Bitbucket Data Center).
    /// - Before the dates: a Bitbucket app password before the brownouts start
    ///   (2026-06-09), an account password before the provider's cutoff. During the
    ///   brownouts it is a warning.
    /// - For an account password sent with a token user name (`x-token-auth`,
    ///   `x-bitbucket-api-token-auth`, `x-access-token`, `oauth2`): the secret is then a
    ///   token of a shape we do not know.
    /// - For a secret it cannot see: only the push URL, an `http.extraHeader`, a
    ///   `~/.netrc` entry, a token variable read by `gh`/`glab` and a `store` line are
    ///   judged, not keyrings or `cache`.
    /// - In the pre-push stage, for the URL git has just authenticated to: the credential
    ///   was accepted.
    ///
    /// ## References
    /// - [Bitbucket: app password brownout and removal](https://community.atlassian.com/forums/Bitbucket-articles/Deprecation-notice-Bitbucket-Cloud-app-password-brownout/ba-p/3237429)
    /// - [GitHub: token authentication](https://github.blog/2020-12-15-token-authentication-requirements-for-git-operations/)
    RETIRED_SECRET_KIND, "CC202", "retired-secret-kind", Credential, Error,
    "the credential is of a kind the provider no longer accepts", retired_secret_kind
}

fn retired_secret_kind(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let Some(provider) = u.provider else { continue };
        for c in candidates(&facts.env, u, https) {
            let Some(secret) = c.secret else { continue };
            if let Some(f) = judge_secret(facts, u, https, provider, &c, secret) {
                out.push(f);
            }
        }
    }
    out
}

fn judge_secret(
    facts: &Facts,
    u: &PushUrl,
    https: &Https,
    provider: ProviderKind,
    c: &Candidate<'_>,
    secret: &Shape,
) -> Option<Finding> {
    let (why, dead) = provider.info().refusal(facts.today, c.username, secret)?;
    Some(
        Finding::at(u, format!("{} will send {}", u.label(), c.describe()))
            .location(c.location.clone())
            .cause(why)
            .fix(
                "replace it with a token the provider accepts",
                erase_then_new(u, https, c),
            )
            .certain_if(dead && c.certain)
            .rejects_auth(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::facts::credential::{Answer, HelperKind, Program};
    use crate::facts::testing::*;
    use crate::rules::stored::TOKEN_FOR_OTHER_PROVIDER;
    use crate::rules::support::samples::{ATATT, ATBB};
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::username::EMAIL_AS_USERNAME;
    use crate::rules::Severity::*;

    #[test]
    fn app_password_on_both_sides_of_the_dates() {
        let mut f = with_store("https://bitbucket.org/acme/app.git", Some("alice"), ATBB);
        assert_eq!(severities(&RETIRED_SECRET_KIND, &f), vec![Error]);
        f.today = Date::new(2026, 7, 27);
        assert_eq!(severities(&RETIRED_SECRET_KIND, &f), vec![Warning]);
        f.today = Date::new(2026, 6, 8);
        assert!(severities(&RETIRED_SECRET_KIND, &f).is_empty());
        f.today = Date::new(2026, 7, 28);
        let d = diagnose(&RETIRED_SECRET_KIND, &f);
        let cause = d[0].finding.cause.clone().unwrap_or_default();
        assert!(cause.contains("2026-07-28"), "{cause}");
        let cmds = fix_commands(&d[0]);
        assert!(
            cmds.contains("sed -i '2d'") && cmds.contains("write:repository:bitbucket"),
            "{cmds}"
        );
        assert!(!format!("{:?}", d[0].finding).contains("0123456789abcdef"));
    }

    #[test]
    fn api_token_is_fine() {
        let f = with_store("https://bitbucket.org/acme/app.git", Some("alice"), ATATT);
        assert!(severities(&RETIRED_SECRET_KIND, &f).is_empty());
        assert!(severities(&EMAIL_AS_USERNAME, &f).is_empty());
        assert!(severities(&TOKEN_FOR_OTHER_PROVIDER, &f).is_empty());
    }

    #[test]
    fn passwords_after_cutoffs() {
        for (url, cutoff) in [
            ("https://github.com/a/b.git", Date::new(2021, 8, 13)),
            ("https://bitbucket.org/a/b.git", Date::new(2022, 3, 1)),
            ("https://huggingface.co/a/b", Date::new(2023, 10, 1)),
            ("https://dev.azure.com/o/p/_git/r", Date::new(2020, 3, 2)),
        ] {
            let mut f = with_store(url, Some("alice"), "correct horse battery staple");
            f.today = cutoff;
            assert_eq!(severities(&RETIRED_SECRET_KIND, &f), vec![Error], "{url}");
            f.today = Date::from_days(cutoff.days() - 1);
            assert!(severities(&RETIRED_SECRET_KIND, &f).is_empty(), "{url}");
        }
        // GitLab and unknown hosts may accept passwords.
        let f = with_store(
            "https://gitlab.com/a/b.git",
            Some("alice"),
            "correct horse battery staple",
        );
        assert!(severities(&RETIRED_SECRET_KIND, &f).is_empty());
        let f = with_store(
            "https://git.example.test/a/b.git",
            Some("alice"),
            "correct horse battery staple",
        );
        assert!(severities(&RETIRED_SECRET_KIND, &f).is_empty());
        // A JWT (OAuth) is not a password.
        let f = with_store(
            "https://dev.azure.com/o/p/_git/r",
            Some("alice"),
            "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
        );
        assert!(severities(&RETIRED_SECRET_KIND, &f).is_empty());
    }

    #[test]
    fn url_password_is_certain_store_behind_unknown_helper_is_not() {
        let f = with_push_url(&format!("https://alice:{ATBB}@bitbucket.org/a/b.git"));
        assert_eq!(severities(&RETIRED_SECRET_KIND, &f), vec![Error]);
        let mut f = with_store("https://bitbucket.org/a/b.git", Some("alice"), ATBB);
        https_mut(&mut f).helpers.insert(
            0,
            helper(
                HelperKind::Libsecret,
                Program::Found { path: "/x".into() },
                Answer::Maybe,
            ),
        );
        // The store is not the first helper that may answer: nothing is certain.
        assert!(severities(&RETIRED_SECRET_KIND, &f).is_empty());
    }

    #[test]
    fn authenticated_url_is_never_called_dead() {
        let mut f = with_store("https://bitbucket.org/a/b.git", Some("alice"), ATBB);
        f.remotes[0].urls[0].authenticated_now = true;
        assert!(severities(&RETIRED_SECRET_KIND, &f).is_empty());
    }

    #[test]
    fn a_password_with_a_token_user_name_is_a_token() {
        let f = with_store(
            "https://github.com/a/b.git",
            Some("x-access-token"),
            "correct horse battery staple",
        );
        assert!(severities(&RETIRED_SECRET_KIND, &f).is_empty());
    }
}
