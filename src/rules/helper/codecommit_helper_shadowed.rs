//! CC208 `codecommit-helper-shadowed`.

use crate::facts::credential::{Answer, HelperKind};
use crate::facts::Facts;
use crate::rules::support::https_urls;
use crate::rules::{advice, declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for the AWS CodeCommit credential helper placed after a persistent helper
    /// that may answer first, and for CodeCommit without `credential.UseHttpPath`.
    ///
    /// ## Why is this bad?
    /// CodeCommit's helper signs a short-lived credential per repository. A persistent
    /// helper that answers first sends a stale one (`403`), and without `UseHttpPath`
    /// the helper cannot sign for the right repository.
    ///
    /// ## Example
    /// ```ini
    /// [credential]
    ///     helper = store
    ///     helper = !aws codecommit credential-helper $@
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git config --global --replace-all credential.https://git-codecommit.eu-west-1.amazonaws.com.helper ''
    /// git config --global --add credential.https://git-codecommit.eu-west-1.amazonaws.com.helper '!aws codecommit credential-helper $@'
    /// git config --global credential.https://git-codecommit.eu-west-1.amazonaws.com.UseHttpPath true
    /// ```
    ///
    /// ## When it is silent
    /// - When the HTTPS helper cascade holds no `aws codecommit credential-helper`.
    /// - When every helper before it is either not persistent (`cache`, `gh`, a custom
    ///   helper) or cannot answer (an empty `store`, a missing program), and
    ///   `credential.UseHttpPath` is on for the URL.
    /// - For a shadowing helper, in the pre-push stage for the URL git has just
    ///   authenticated to: a credential was accepted there. A missing `UseHttpPath` is
    ///   still reported.
    ///
    /// ## References
    /// - [AWS CodeCommit: HTTPS with the credential helper](https://docs.aws.amazon.com/codecommit/latest/userguide/setting-up-https-unixes.html)
    CODECOMMIT_HELPER_SHADOWED, "CC208", "codecommit-helper-shadowed", Credential, Warning,
    "the AWS CodeCommit helper is shadowed or lacks UseHttpPath", codecommit_helper_shadowed
}

fn codecommit_helper_shadowed(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let Some(pos) = https
            .helpers
            .iter()
            .position(|h| h.kind == HelperKind::Codecommit)
        else {
            continue;
        };
        let host = &https.request.host;
        // The provider's own helper command, else the one configured here.
        let helper = u
            .provider
            .and_then(|p| p.info().signing_helper)
            .unwrap_or(&https.helpers[pos].display);
        let fix = advice::signing_cascade(host, helper);
        if let Some(before) = https.helpers[..pos]
            .iter()
            .find(|h| h.kind.persistent() && h.answer != Answer::No)
        {
            out.push(
                Finding::at(u, format!("helper `{}` answers before the CodeCommit helper for {}", before.display, u.label()))
                    .location(Location::from(&before.source))
                    .cause("a stored credential is sent instead of a freshly signed one, and CodeCommit refuses it (403)")
                    .fix("give CodeCommit its own cascade", fix.clone())
                    .certain_if(before.answer == Answer::Yes)
                    .rejects_auth(),
            );
        } else if !https.use_http_path {
            out.push(
                Finding::at(
                    u,
                    format!(
                        "the CodeCommit helper for {} runs without credential.UseHttpPath",
                        u.label()
                    ),
                )
                .location(Location::from(&https.helpers[pos].source))
                .cause("the helper signs per repository and needs the path")
                .fix("enable UseHttpPath for this host", fix[2..].to_vec())
                .likely(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::credential::{Helper, Program};
    use crate::facts::testing::*;
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;

    const URL: &str = "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/r";

    fn codecommit_helper() -> Helper {
        let mut cc: Helper = helper(
            HelperKind::Codecommit,
            Program::Found {
                path: "/usr/bin/aws".into(),
            },
            Answer::Maybe,
        );
        cc.display = "!aws …".into();
        cc
    }

    #[test]
    fn codecommit() {
        let mut f = with_store(URL, Some("u"), "pw");
        https_mut(&mut f).helpers.push(codecommit_helper());
        assert_eq!(severities(&CODECOMMIT_HELPER_SHADOWED, &f), vec![Warning]);
        let d = diagnose(&CODECOMMIT_HELPER_SHADOWED, &f);
        assert!(d[0]
            .finding
            .message
            .starts_with("helper `store` answers before"));
    }

    #[test]
    fn without_use_http_path() {
        let mut f = with_push_url(URL);
        https_mut(&mut f).helpers.push(codecommit_helper());
        let d = diagnose(&CODECOMMIT_HELPER_SHADOWED, &f);
        assert_eq!(d.len(), 1);
        // Lower case first (the message convention), though CodeCommit is a name.
        assert!(d[0]
            .finding
            .message
            .starts_with("the CodeCommit helper for remote `origin`"));
        assert_eq!(
            fix_commands(&d[0]),
            "git config --global credential.https://git-codecommit.eu-west-1.amazonaws.com.UseHttpPath true"
        );
    }

    #[test]
    fn silent_when_first_and_use_http_path_is_on() {
        let mut f = with_push_url(URL);
        // A store that holds nothing for this host cannot answer first.
        let mut empty_store = helper(HelperKind::Store, Program::Builtin, Answer::No);
        empty_store.display = "store".into();
        https_mut(&mut f).helpers.push(empty_store);
        https_mut(&mut f).helpers.push(codecommit_helper());
        https_mut(&mut f).use_http_path = true;
        assert!(severities(&CODECOMMIT_HELPER_SHADOWED, &f).is_empty());
        // No CodeCommit helper at all: nothing to say.
        let f = with_store(URL, Some("u"), "pw");
        assert!(severities(&CODECOMMIT_HELPER_SHADOWED, &f).is_empty());
    }
}
