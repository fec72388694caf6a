//! CC214 `credential-rejected`.

use crate::facts::credential::{HelperKind, Https};
use crate::facts::{Facts, Rejected};
use crate::provider::{Provider, Shape};
use crate::rules::support::{https_urls, is_email, refusal_from_cascade};
use crate::rules::{advice, declare_rule, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for a credential the server has just refused, and says why it was refused
    /// when its shape tells (a retired kind, a password past the provider's cut-off, a
    /// token issued by another provider, an e-mail address where the provider wants a
    /// user name), else what usually causes it for that provider.
    ///
    /// ## Why is this bad?
    /// git has already printed `Authentication failed` and told every helper to forget
    /// the credential; the next push asks again or fails the same way. Only the guard
    /// sees this moment: git calls it with `erase` right after the refusal.
    ///
    /// ## Example
    /// ```console
    /// remote: Invalid credentials
    /// fatal: Authentication failed for 'https://bitbucket.org/acme/app.git/'
    /// ```
    ///
    /// ## Fix
    /// git has already told every helper to forget the refused credential when the guard
    /// speaks (a line number read then names another line afterwards, so none is
    /// printed); a helper that prints a fixed answer cannot forget and is named. Then
    /// create a token with the scopes a push needs and push again.
    ///
    /// ## When it is silent
    /// - Everywhere but the guard's `erase`: the doctor and the hook never see a refused
    ///   credential, so the rule has nothing to read.
    /// - For a request that is not HTTP(S).
    /// - About passwords, when Git Credential Manager is in the cascade for a provider
    ///   whose GCM sign-in stores OAuth tokens of no published shape (Bitbucket Cloud): a
    ///   secret of no known shape may be such a token, and the usual causes are given.
    ///
    /// ## References
    /// - [gitcredentials(7)](https://git-scm.com/docs/gitcredentials)
    CREDENTIAL_REJECTED, "CC214", "credential-rejected", Credential, Error,
    "the server has just refused a credential", credential_rejected
}

fn credential_rejected(facts: &Facts) -> Vec<Finding> {
    let Some(rejected) = &facts.rejected else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let info = u.provider.map(|p| p.info());
        let what = rejected
            .secret
            .as_ref()
            .map(Shape::describe)
            .unwrap_or_else(|| "credential".into());
        let who = match (&rejected.username, &rejected.username_secret) {
            (Some(user), _) => format!(" for user `{user}`"),
            (None, Some(shape)) => format!(" for the user name that is a {}", shape.describe()),
            (None, None) => String::new(),
        };
        let server = info
            .map(|p| format!("the server ({})", p.name))
            .unwrap_or_else(|| "the server".into());
        // git calls `erase` on every helper right after a refusal, in cascade order: the
        // helpers have forgotten it (or are forgetting it) by the time this is read, and a
        // line number read now names another line afterwards. Only a helper that prints a
        // fixed answer cannot forget.
        let mut fix = vec!["# git has already told your credential helpers to forget the rejected credential".to_owned()];
        for h in https
            .helpers
            .iter()
            .filter(|h| h.kind != HelperKind::Guard && h.answer_keys.is_some())
        {
            fix.push(format!(
                "# `{}` ({}) prints it again on every push: change the token it prints",
                h.display,
                crate::rules::Location::from(&h.source).describe()
            ));
        }
        fix.extend(advice::new_token(u, &https.request.host));
        out.push(
            Finding::at(
                u,
                format!("{}: {server} rejected the {what}{who}", u.label()),
            )
            .cause(cause(facts, info, rejected, https))
            .fix(
                "forget the rejected credential, then push again with a valid one",
                fix,
            ),
        );
    }
    out
}

/// Why the provider refused it, as far as its shape and the provider's table tell.
fn cause(facts: &Facts, info: Option<&Provider>, r: &Rejected, https: &Https) -> String {
    let Some(p) = info else {
        return "it may be mistyped, expired or revoked, or lack write access".into();
    };
    if let (Some(why), Some(user)) = (p.email_username_refused, r.username.as_deref()) {
        if is_email(user) {
            return format!("the user name is an email address; {why}");
        }
    }
    if let Some(s) = &r.secret {
        if let Some((why, _)) =
            refusal_from_cascade(p, facts.today, r.username.as_deref(), s, https)
        {
            return why;
        }
        if let Some(issuer) = s.provider.filter(|i| i.family() != p.family) {
            return format!(
                "it is a {} token; {} accepts only its own",
                issuer.info().name,
                p.name
            );
        }
    }
    format!(
        "it may be mistyped, expired or revoked, or lack the scopes a push needs ({}); user name: {}",
        p.push_scopes, p.https_username
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::testing::*;
    use crate::facts::Stage;
    use crate::rules::support::samples::{ATATT, ATBB, GHP};
    use crate::rules::testing::{diagnose, fix_commands};

    /// The cause of the one finding.
    fn cause_of(f: &Facts) -> String {
        diagnose(&CREDENTIAL_REJECTED, f)[0]
            .finding
            .cause
            .clone()
            .unwrap_or_default()
    }

    fn rejected(f: &mut Facts, user: Option<&str>, secret: &str) {
        f.stage = Stage::Guard;
        f.rejected = Some(Rejected {
            username: user.map(str::to_owned),
            username_secret: None,
            secret: Some(Shape::of(secret)),
        });
    }

    #[test]
    fn explains_a_refused_token_by_its_shape() {
        let mut f = with_store("https://bitbucket.org/a/b.git", Some("alice"), ATATT);
        rejected(&mut f, Some("alice"), ATBB);
        let d = diagnose(&CREDENTIAL_REJECTED, &f);
        assert_eq!(d.len(), 1);
        let cause = d[0].finding.cause.clone().unwrap_or_default();
        assert!(cause.contains("app passwords"), "{cause}");
        let cmds = fix_commands(&d[0]);
        assert!(
            !cmds.contains("sed -i")
                && cmds.contains("already told your credential helpers to forget")
                && cmds.contains("write:repository:bitbucket"),
            "{cmds}"
        );
        assert!(!format!("{:?}", d[0].finding).contains("0123456789abcdef"));

        rejected(&mut f, Some("alice@example.com"), ATATT);
        assert!(cause_of(&f).contains("email"), "{}", cause_of(&f));

        rejected(&mut f, Some("alice"), GHP);
        assert!(cause_of(&f).contains("GitHub token"), "{}", cause_of(&f));
    }

    #[test]
    fn a_token_of_the_right_shape_gets_the_usual_causes() {
        let mut f = with_store("https://bitbucket.org/a/b.git", Some("alice"), ATATT);
        rejected(&mut f, Some("alice"), ATATT);
        let d = diagnose(&CREDENTIAL_REJECTED, &f);
        let cause = d[0].finding.cause.clone().unwrap_or_default();
        assert!(
            cause.contains("expired or revoked") && cause.contains("write:repository"),
            "{cause}"
        );
    }

    /// Git Credential Manager signs in to Bitbucket with OAuth and stores a token of no
    /// published shape: from a cascade with GCM it is not called an account password.
    #[test]
    fn a_shapeless_secret_from_gcm_is_not_called_a_password() {
        use crate::facts::credential::{Answer, Program};
        let oauth = "Zq3kV9wLr2bXy7nT0pQm4sJd8fHc1gAe5uKo6iWz-Yx_B";
        let mut f = with_store("https://bitbucket.org/a/b.git", Some("alice"), ATATT);
        rejected(&mut f, Some("alice"), oauth);
        assert!(cause_of(&f).contains("account passwords"), "{}", cause_of(&f));
        https_mut(&mut f).helpers.push(helper(
            HelperKind::Manager,
            Program::Found { path: "/x".into() },
            Answer::Maybe,
        ));
        let with_gcm = cause_of(&f);
        assert!(!with_gcm.contains("account passwords") && with_gcm.contains("expired or revoked"), "{with_gcm}");
    }

    #[test]
    fn silent_without_a_refusal() {
        let f = with_store("https://bitbucket.org/a/b.git", Some("alice"), ATBB);
        assert!(diagnose(&CREDENTIAL_REJECTED, &f).is_empty());
    }
}
