//! CC401 `push-access-confirmed`.

use super::support::{probes, seconds, sent};
use crate::facts::online::{Outcome, Transport};
use crate::facts::Facts;
use crate::rules::{declare_rule, Confirmed, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for push URLs whose server, asked by `--online`, answered with the
    /// receive-pack advertisement (what a push asks for first), and reports them with the
    /// credential git sent and how long the answer took.
    ///
    /// ## Why is this bad?
    /// It is not: it is the confirmation a CI lint stage or a person debugging wants. The
    /// question was asked through git's own transport with the user's own URL rewriting,
    /// helper cascade, `extraHeader`, proxy and ssh command, so the next push will
    /// authenticate the same way. A push can still be refused later for what it carries
    /// (a protected branch, a workflow file without the `workflow` scope).
    ///
    /// ## Example
    /// ```console
    /// $ git credcheck --online
    /// info[CC401]: remote `origin` (https://github.com/acme/app.git): push access confirmed in 0.21 s with the GitHub personal access token (classic) (ghp_…, 40 chars) from the `store` helper
    /// ```
    ///
    /// ## Fix
    /// Nothing to fix.
    ///
    /// ## When it is silent
    /// - Without `--online` (or `online: true`): nothing was asked.
    /// - For URLs that were not probed: local paths, `file://`, remote helpers
    ///   (`codecommit::`, `ext::`), and URLs whose credential an offline rule already
    ///   calls refused (CC406 says so).
    /// - When the server refused or did not answer (CC402–CC405).
    ///
    /// ## References
    /// - [git-receive-pack(1)](https://git-scm.com/docs/git-receive-pack)
    /// - [gitremote-helpers(7)](https://git-scm.com/docs/gitremote-helpers): `list for-push`
    PUSH_ACCESS_CONFIRMED, "CC401", "push-access-confirmed", Online, Info,
    "the server confirmed push access", push_access_confirmed
}

fn push_access_confirmed(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, p) in probes(facts) {
        if p.outcome != Outcome::Confirmed {
            continue;
        }
        let with = match (p.transport, sent(facts, u, p)) {
            (Transport::Http, Some(s)) => format!(" with {}", s.describe),
            (Transport::Http, None) => " without a credential".to_owned(),
            (Transport::Ssh, _) => match u.ssh.as_ref().and_then(|s| s.effective_user()) {
                Some(user) => format!(" over SSH as `{user}`"),
                None => " over SSH".to_owned(),
            },
        };
        out.push(
            Finding::at(
                u,
                format!(
                    "{}: push access confirmed in {}{with}",
                    u.label(),
                    seconds(p.elapsed_ms)
                ),
            )
            .confirmed(Confirmed::Yes),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::online::Unconfirmed;
    use crate::facts::testing::with_store;
    use crate::rules::online::support::testing::{answered, probe, probed};
    use crate::rules::support::samples::GHP;
    use crate::rules::testing::diagnose;
    use crate::rules::Severity;

    #[test]
    fn reports_the_credential_and_the_time() {
        let url = "https://github.com/acme/app.git";
        let mut f = with_store(url, Some("alice"), GHP);
        f.remotes[0].urls[0].online = Some(probe(url, Outcome::Confirmed));
        answered(&mut f, "alice", GHP, false);
        let d = diagnose(&PUSH_ACCESS_CONFIRMED, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Info);
        assert_eq!(d[0].finding.confirmed, Some(Confirmed::Yes));
        let m = &d[0].finding.message;
        assert!(
            m.contains("0.21 s") && m.contains("ghp_…, 40 chars") && m.contains("`store` helper"),
            "{m}"
        );
        assert!(!m.contains(&GHP[4..12]), "{m}");
    }

    #[test]
    fn over_ssh() {
        let f = probed("git@github.com:acme/app.git", Outcome::Confirmed);
        let d = diagnose(&PUSH_ACCESS_CONFIRMED, &f);
        assert!(d[0].finding.message.contains("over SSH"), "{d:?}");
    }

    #[test]
    fn silent_without_a_confirmation() {
        let f = crate::facts::testing::with_push_url("https://github.com/acme/app.git");
        assert!(diagnose(&PUSH_ACCESS_CONFIRMED, &f).is_empty());
        let f = probed(
            "https://github.com/acme/app.git",
            Outcome::Unconfirmed {
                why: Unconfirmed::Deadline,
            },
        );
        assert!(diagnose(&PUSH_ACCESS_CONFIRMED, &f).is_empty());
    }
}
