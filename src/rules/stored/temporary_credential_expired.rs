//! CC219 `temporary-credential-expired`.

use crate::date::Date;
use crate::facts::credential::HelperKind;
use crate::facts::Facts;
use crate::provider::ShortLived;
use crate::rules::support::{candidates, erase_then_new, https_urls, Candidate};
use crate::rules::{advice, declare_rule, Finding};
use crate::secret::Shape;

declare_rule! {
    /// ## What it does
    /// Checks for a credential made to live minutes or hours that is kept where it outlives
    /// its lifetime: an OAuth access token (JWT) whose own `exp` claim has passed, an AWS
    /// CodeCommit helper password (it starts with its signing time and lives about 15
    /// minutes), a GitHub App installation token or Actions `GITHUB_TOKEN` (`ghs_…`, at most
    /// 24 hours) in a `store` file, `~/.netrc`, the push URL or an `http.extraHeader`.
    ///
    /// ## Why is this bad?
    /// The server refuses it once it has expired (`401`, `403`, `Authentication failed`).
    /// A `store` helper keeps what git last sent and answers with it before the helper
    /// that would mint a fresh one, so the push fails from then on.
    ///
    /// ## Example
    /// ```console
    /// $ cat ~/.git-credentials
    /// https://AKIA…:20261128T101500Z3f…@git-codecommit.eu-west-1.amazonaws.com
    /// ```
    ///
    /// ## Fix
    /// Remove the kept copy and let the helper that mints one answer, in a cascade of its
    /// own (so that no helper before it keeps a new copy):
    /// ```sh
    /// sed -i '1d' ~/.git-credentials
    /// git config --global --replace-all credential.https://git-codecommit.eu-west-1.amazonaws.com.helper ''
    /// git config --global --add credential.https://git-codecommit.eu-west-1.amazonaws.com.helper '!aws codecommit credential-helper $@'
    /// git config --global credential.https://git-codecommit.eu-west-1.amazonaws.com.UseHttpPath true
    /// git push
    /// ```
    /// Error when its date has passed for sure; a warning when it was minted yesterday, or
    /// when a short-lived kind is kept in a file without a date to tell.
    ///
    /// ## When it is silent
    /// - For credentials without a known lifetime (personal access tokens, passwords), and
    ///   for a JWT without an `exp` claim.
    /// - While the dates allow it to be valid: minted today, or `exp` today or later.
    /// - For a short-lived token without a date that is not kept in a file: a variable set
    ///   by the CI job, a header `actions/checkout` writes for the job.
    /// - For a CodeCommit copy held before the AWS helper in the cascade:
    ///   `codecommit-helper-shadowed` (CC208) reports that; for another provider's token,
    ///   `token-for-other-provider` (CC206).
    /// - In the pre-push stage, for the URL git has just authenticated to.
    ///
    /// ## References
    /// - [AWS CodeCommit: credential helper](https://docs.aws.amazon.com/codecommit/latest/userguide/setting-up-https-unixes.html)
    /// - [GitHub: GITHUB_TOKEN lifetime](https://docs.github.com/en/actions/concepts/security/github_token)
    /// - [RFC 7519: `exp` claim](https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4)
    TEMPORARY_CREDENTIAL_EXPIRED, "CC219", "temporary-credential-expired", Credential, Error,
    "a short-lived credential is kept past its lifetime", temporary_credential_expired
}

fn temporary_credential_expired(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        for c in candidates(&facts.env, u, https) {
            let Some(secret) = c.secret else { continue };
            // Another provider's token is refused anyway: `token-for-other-provider` (CC206).
            if let (Some(issuer), Some(served)) = (secret.provider, u.provider) {
                if issuer.family() != served.family() {
                    continue;
                }
            }
            let life = secret
                .provider
                .or(u.provider)
                .and_then(|p| p.info().short_lived(secret.kind));
            // A copy held before the helper that signs a fresh one is CC208's.
            if c.helper.is_some_and(|i| {
                https.helpers[i + 1..]
                    .iter()
                    .any(|h| h.kind == HelperKind::Codecommit)
            }) {
                continue;
            }
            let first_seen = c
                .helper
                .and_then(|i| https.helpers[i].stored.as_ref())
                .and_then(|s| s.first_seen);
            let Some((why, certain)) = judge(facts.today, secret, life, first_seen, &c) else {
                continue;
            };
            let mut fix = erase_then_new(u, https, &c);
            let host = &https.request.host;
            if let Some(signing) = u.provider.and_then(|p| p.info().signing_helper) {
                // No token to create or type: the helper signs one for each push, and no
                // helper before it may keep (and later offer) an expired copy.
                fix.truncate(fix.len() - advice::new_token(u, host).len());
                fix.extend(advice::signing_cascade(host, signing));
                fix.push("git push".into());
            } else if let Some(l) = life {
                fix.push(format!("# let {} supply a fresh one each time instead of keeping a copy", l.minted_by));
            }
            out.push(
                Finding::at(u, format!("{} will send {}, {why}", u.label(), c.describe()))
                    .location(c.location.clone())
                    .cause(match life {
                        Some(l) => format!(
                            "it lives at most {} after it is minted by {}, and a kept copy is refused once it has expired",
                            duration(l.minutes),
                            l.minted_by
                        ),
                        None => "its own `exp` claim says when the server stops accepting it".into(),
                    })
                    .fix("remove the expired copy and let a fresh one be minted", fix)
                    .certain_if(certain && c.certain)
                    .rejects_auth(),
            );
        }
    }
    out
}

/// Why the secret has expired, and whether that is certain.
fn judge(
    today: Date,
    secret: &Shape,
    life: Option<&ShortLived>,
    first_seen: Option<Date>,
    c: &Candidate<'_>,
) -> Option<(String, bool)> {
    if let Some(exp) = secret.expires {
        return (today > exp).then(|| (format!("which expired on {exp}"), true));
    }
    let life = life?;
    let minted = secret
        .issued
        .map(|d| (d, "minted"))
        .or(first_seen.map(|d| (d, "first accepted")));
    let Some((day, how)) = minted else {
        // No date: a copy kept in a file is almost surely older than its lifetime.
        return c.kept_in_file().then(|| {
            (
                format!("a kind of token that lives at most {}", duration(life.minutes)),
                false,
            )
        });
    };
    // The last day it can still be accepted, at day granularity.
    let last = Date::from_days(day.days() + i64::from(life.minutes.div_ceil(24 * 60)));
    let why = format!("{how} on {day} and valid for at most {}", duration(life.minutes));
    if today > last {
        Some((why, true))
    } else if today > day {
        Some((why, false))
    } else {
        None
    }
}

fn duration(minutes: u32) -> String {
    match minutes {
        m if m % (24 * 60) == 0 && m >= 24 * 60 => format!("{} hours", m / 60),
        m if m % 60 == 0 => format!("{} hour{}", m / 60, if m == 60 { "" } else { "s" }),
        m => format!("{m} minutes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::credential::{Answer, Program};
    use crate::facts::testing::*;
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;

    const CODECOMMIT: &str = "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/r";
    const SIG: &str = "3f2a4c6e8b0d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a";
    const GHS: &str = "ghs_0123456789abcdefghijklmnopqrstuvwxyz";

    fn jwt(claims: &str) -> String {
        use base64::Engine;
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.c2lnbmF0dXJl", b(r#"{"alg":"RS256","typ":"JWT"}"#), b(claims))
    }

    #[test]
    fn codecommit_password_carries_its_signing_day() {
        // Signed two days before today (2026-11-29): certainly expired.
        let f = with_store(CODECOMMIT, Some("AKIAIOSFODNN7EXAMPLE"), &format!("20261127T101500Z{SIG}"));
        assert_eq!(severities(&TEMPORARY_CREDENTIAL_EXPIRED, &f), vec![Error]);
        let d = diagnose(&TEMPORARY_CREDENTIAL_EXPIRED, &f);
        assert!(d[0].finding.message.ends_with("minted on 2026-11-27 and valid for at most 15 minutes"), "{}", d[0].finding.message);
        assert!(fix_commands(&d[0]).contains("'!aws codecommit credential-helper $@'"), "{}", fix_commands(&d[0]));
        // Its own cascade, and nothing to type: the helper signs for each push.
        let fix = fix_commands(&d[0]);
        assert!(fix.contains("--replace-all credential.https://git-codecommit.eu-west-1.amazonaws.com.helper ''") && fix.contains("UseHttpPath true"), "{fix}");
        assert!(!fix.contains("create a token") && fix.ends_with("\ngit push"), "{fix}");
        // Yesterday: very likely, not certain at day granularity.
        let f = with_store(CODECOMMIT, Some("AKIAIOSFODNN7EXAMPLE"), &format!("20261128T235900Z{SIG}"));
        assert_eq!(severities(&TEMPORARY_CREDENTIAL_EXPIRED, &f), vec![Warning]);
        // Today: may still be valid.
        let f = with_store(CODECOMMIT, Some("AKIAIOSFODNN7EXAMPLE"), &format!("20261129T101500Z{SIG}"));
        assert!(severities(&TEMPORARY_CREDENTIAL_EXPIRED, &f).is_empty());
    }

    #[test]
    fn a_copy_before_the_aws_helper_is_left_to_cc208() {
        let mut f = with_store(CODECOMMIT, Some("AKIAIOSFODNN7EXAMPLE"), &format!("20261101T101500Z{SIG}"));
        https_mut(&mut f).helpers.push(helper(
            HelperKind::Codecommit,
            Program::Found { path: "/usr/bin/aws".into() },
            Answer::Maybe,
        ));
        assert!(severities(&TEMPORARY_CREDENTIAL_EXPIRED, &f).is_empty());
    }

    #[test]
    fn jwt_exp_claim() {
        // exp 2026-11-01, iat the same day.
        let token = jwt(r#"{"iat":1793523600,"exp":1793527200,"aud":"x"}"#);
        assert_eq!(Shape::of(&token).expires, Some(Date::new(2026, 11, 1)));
        let f = with_push_url("https://dev.azure.com/o/p/_git/r");
        let mut f = f;
        https_mut(&mut f).extra_headers.push(crate::facts::credential::ExtraHeader {
            scheme: "bearer".into(),
            username: None,
            secret: Some(Shape::of(&token)),
            source: source("http.extraheader"),
        });
        assert_eq!(severities(&TEMPORARY_CREDENTIAL_EXPIRED, &f), vec![Error]);
        assert!(diagnose(&TEMPORARY_CREDENTIAL_EXPIRED, &f)[0].finding.message.ends_with("which expired on 2026-11-01"));
        // Valid until tomorrow: silent; no exp at all: silent.
        let fresh = jwt(r#"{"exp":1796000000}"#);
        let f = with_store("https://dev.azure.com/o/p/_git/r", Some("alice"), &fresh);
        assert!(severities(&TEMPORARY_CREDENTIAL_EXPIRED, &f).is_empty());
        let f = with_store("https://dev.azure.com/o/p/_git/r", Some("alice"), &jwt(r#"{"sub":"1"}"#));
        assert!(severities(&TEMPORARY_CREDENTIAL_EXPIRED, &f).is_empty());
    }

    #[test]
    fn installation_token_kept_in_a_store() {
        let mut f = with_store("https://github.com/a/b.git", Some("x-access-token"), GHS);
        assert_eq!(severities(&TEMPORARY_CREDENTIAL_EXPIRED, &f), vec![Warning]);
        https_mut(&mut f).helpers[0].stored.as_mut().expect("stored").first_seen = Some(Date::new(2026, 11, 20));
        assert_eq!(severities(&TEMPORARY_CREDENTIAL_EXPIRED, &f), vec![Error]);
        // In the job's own variable it is fresh.
        let mut f = with_push_url("https://github.com/a/b.git");
        https_mut(&mut f).helpers.push(helper(HelperKind::Gh, Program::Found { path: "/usr/bin/gh".into() }, Answer::Maybe));
        f.env.cli_tokens = vec![cli_token("GITHUB_TOKEN", GHS)];
        assert!(severities(&TEMPORARY_CREDENTIAL_EXPIRED, &f).is_empty());
        // Another provider's short-lived token is CC206's.
        let f = with_store("https://gitlab.com/a/b.git", Some("x-access-token"), GHS);
        assert!(severities(&TEMPORARY_CREDENTIAL_EXPIRED, &f).is_empty());
        // A personal access token has no short lifetime.
        let f = with_store("https://github.com/a/b.git", Some("alice"), crate::rules::support::samples::GHP);
        assert!(severities(&TEMPORARY_CREDENTIAL_EXPIRED, &f).is_empty());
    }
}
