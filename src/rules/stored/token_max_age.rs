//! CC213 `token-max-age`.

use crate::facts::Facts;
use crate::rules::support::{candidates, erase_then_new, https_urls};
use crate::rules::{declare_rule, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for a stored token whose first accepted use, recorded by the guard's opt-in
    /// ledger (`guard: record: true`), is close to or past its provider's maximum token
    /// lifetime (GitLab personal access tokens and Atlassian API tokens: one year).
    ///
    /// ## Why is this bad?
    /// The provider expires the token and the next push fails with `Authentication failed`,
    /// usually on the day you need it.
    ///
    /// ## Example
    /// ```console
    /// first accepted 2025-12-01, GitLab maximum 365 days: expires by 2026-12-01
    /// ```
    ///
    /// ## Fix
    /// Create a new token before the old one expires and replace the stored one.
    /// Error once the maximum has passed on a hosted service (gitlab.com, bitbucket.org);
    /// a warning in the last 14 days, or where an administrator may set another maximum.
    ///
    /// ## When it is silent
    /// - For providers without a maximum token lifetime (all but GitLab and Bitbucket
    ///   Cloud), and for unknown hosts.
    /// - Without a date: only a credential held by the helper that answers, with a first
    ///   accepted use in the ledger, is aged. Nothing is recorded unless the guard runs
    ///   with `guard: record: true`.
    /// - For a secret that is not one of the provider's token kinds (a password, another
    ///   provider's token).
    /// - More than 14 days before the maximum is reached.
    /// - Once the maximum has passed, in the pre-push stage for the URL git has just
    ///   authenticated to (the token was accepted). A token that expires within 14 days is
    ///   reported there too: that push works, the next ones may not.
    ///
    /// ## References
    /// - [GitLab: token expiry](https://docs.gitlab.com/user/profile/personal_access_tokens/)
    /// - [Atlassian: API token expiry](https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/)
    TOKEN_MAX_AGE, "CC213", "token-max-age", Credential, Error,
    "a stored token nears or passes its provider's maximum lifetime", token_max_age
}

/// How many days before the end a warning starts.
const EXPIRY_WARNING_DAYS: i64 = 14;

fn token_max_age(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let Some(provider) = u.provider else { continue };
        let Some(max) = provider.info().max_token_days else {
            continue;
        };
        for c in candidates(&facts.env, u, https) {
            let Some(h) = c.helper.map(|i| &https.helpers[i]) else {
                continue;
            };
            let Some(first) = h.stored.as_ref().and_then(|s| s.first_seen) else {
                continue;
            };
            if !c
                .secret
                .is_some_and(|s| provider.info().tokens.contains(&s.kind))
            {
                continue;
            }
            let ends = crate::date::Date::from_days(first.days() + i64::from(max));
            let left = ends.days() - facts.today.days();
            if left > EXPIRY_WARNING_DAYS {
                continue;
            }
            let (msg, certain) = if left <= 0 {
                (
                    format!(
                        "{} for {} was first accepted on {first} and has expired by {ends}",
                        c.describe(),
                        u.label()
                    ),
                    true,
                )
            } else {
                (
                    format!(
                        "{} for {} was first accepted on {first} and expires by {ends}",
                        c.describe(),
                        u.label()
                    ),
                    false,
                )
            };
            // Self-managed instances may configure another maximum.
            let hosted = u
                .url
                .host
                .as_deref()
                .is_some_and(|h| provider.info().hosts_exactly(h));
            let certain = certain && hosted;
            let expired = left <= 0;
            let f = Finding::at(u, msg)
                    .location(c.location.clone())
                    .cause(format!(
                        "{} tokens live at most {max} days",
                        provider.info().name
                    ))
                    .fix(
                        "create a new token and replace the stored one",
                        erase_then_new(u, https, &c),
                    )
                    .certain_if(certain);
            // Expired: a refusal, wrong where git has just authenticated. Expiring soon:
            // worth saying on a push that works, before the one that will not.
            out.push(if expired { f.rejects_auth() } else { f.urgent() });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::facts::testing::*;
    use crate::rules::support::samples::{GHP, GLPAT};
    use crate::rules::testing::{diagnose, severities};
    use crate::rules::Severity::*;

    fn first_seen(f: &mut Facts, d: Date) {
        https_mut(f).helpers[0]
            .stored
            .as_mut()
            .expect("stored")
            .first_seen = Some(d);
    }

    #[test]
    fn token_age_from_the_ledger() {
        let mut f = with_store("https://gitlab.com/a/b.git", Some("alice"), GLPAT);
        assert!(
            severities(&TOKEN_MAX_AGE, &f).is_empty(),
            "no ledger, no finding"
        );
        first_seen(&mut f, Date::new(2026, 1, 1));
        assert!(
            severities(&TOKEN_MAX_AGE, &f).is_empty(),
            "far from the end"
        );
        first_seen(&mut f, Date::new(2025, 12, 5));
        assert_eq!(severities(&TOKEN_MAX_AGE, &f), vec![Warning]);
        first_seen(&mut f, Date::new(2025, 11, 1));
        assert_eq!(severities(&TOKEN_MAX_AGE, &f), vec![Error]);
        assert!(diagnose(&TOKEN_MAX_AGE, &f)[0].finding.message.ends_with(
            "for remote `origin` (https://gitlab.com/a/b.git) was first accepted on 2025-11-01 and has expired by 2026-11-01"
        ));
        let mut g = with_store("https://github.com/a/b.git", Some("alice"), GHP);
        first_seen(&mut g, Date::new(2020, 1, 1));
        assert!(
            severities(&TOKEN_MAX_AGE, &g).is_empty(),
            "GitHub has no maximum"
        );
    }

    #[test]
    fn a_password_is_not_aged() {
        let mut f = with_store(
            "https://gitlab.com/a/b.git",
            Some("alice"),
            "correct horse battery staple",
        );
        first_seen(&mut f, Date::new(2020, 1, 1));
        assert!(severities(&TOKEN_MAX_AGE, &f).is_empty());
    }
}
