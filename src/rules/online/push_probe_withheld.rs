//! CC406 `push-probe-withheld`.

use super::support::probes;
use crate::facts::online::Outcome;
use crate::facts::Facts;
use crate::rules::{declare_rule, Confirmed, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for push URLs that `--online` did not ask about because an offline rule
    /// already calls the credential git would send refused (an error-level finding such
    /// as CC202 retired-secret-kind), and says which rule.
    ///
    /// ## Why is this bad?
    /// Sending a credential that is certain to be refused proves nothing new, and repeated
    /// refusals lock accounts or trip a provider's abuse limits. So push access to this URL
    /// stays unknown until the offline finding is fixed.
    ///
    /// ## Example
    /// ```console
    /// $ git credcheck --online
    /// error[CC202]: remote `origin` (https://bitbucket.org/acme/app.git) will send the Bitbucket app password (ATBB…, 36 chars) from the `store` helper
    /// info[CC406]: remote `origin` (https://bitbucket.org/acme/app.git): push access not asked: CC202 already says the server will refuse the credential, and another refusal could lock the account
    /// ```
    ///
    /// ## Fix
    /// Fix the offline finding it names, then run `git credcheck --online` again.
    ///
    /// ## When it is silent
    /// - Without `--online`.
    /// - For every URL that was asked (CC401–CC405), and for URLs that are never asked
    ///   (local paths, remote helpers).
    PUSH_PROBE_WITHHELD, "CC406", "push-probe-withheld", Online, Info,
    "push access not asked: an offline rule already calls the credential refused", push_probe_withheld
}

fn push_probe_withheld(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, p) in probes(facts) {
        let Outcome::Withheld { codes } = &p.outcome else {
            continue;
        };
        let codes = codes.join(", ");
        out.push(
            Finding::at(
                u,
                format!(
                    "{}: push access not asked: {codes} already says the server will refuse the credential, and another refusal could lock the account",
                    u.label()
                ),
            )
            .fix(
                format!("fix {codes} first, then ask again"),
                vec!["git credcheck --online".into()],
            )
            .confirmed(Confirmed::Unknown),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::online::support::testing::probed;
    use crate::rules::testing::diagnose;

    #[test]
    fn names_the_offline_rule() {
        let f = probed(
            "https://bitbucket.org/a/b.git",
            Outcome::Withheld {
                codes: vec!["CC202".into()],
            },
        );
        let d = diagnose(&PUSH_PROBE_WITHHELD, &f);
        assert_eq!(d.len(), 1);
        assert!(d[0].finding.message.contains("CC202 already says"), "{d:?}");
        assert_eq!(d[0].finding.confirmed, Some(Confirmed::Unknown));
    }

    #[test]
    fn silent_when_asked() {
        let f = probed("https://bitbucket.org/a/b.git", Outcome::Confirmed);
        assert!(diagnose(&PUSH_PROBE_WITHHELD, &f).is_empty());
    }
}
