//! CC405 `push-access-unconfirmed`.

use super::support::{probes, seconds};
use crate::facts::online::{Outcome, Probe, Unconfirmed};
use crate::facts::{Facts, PushUrl};
use crate::rules::{declare_rule, Confirmed, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for push URLs whose server could not be asked by `--online`: the host name
    /// does not resolve, nothing listens, the network or TLS failed, ssh refused the
    /// server's host key or shares no algorithm with it, the server failed (5xx), a
    /// credential helper told git to stop, or no answer came within the deadline.
    ///
    /// ## Why is this bad?
    /// Push access could not be confirmed, so the doctor's offline findings are all there
    /// is. This is a warning, never an error: a flaky network must not fail a CI job. A
    /// TLS or host key failure will fail the push too, until it is fixed.
    ///
    /// ## Example
    /// ```console
    /// $ git credcheck --online
    /// warning[CC405]: remote `origin` (https://git.example.com/acme/app.git): could not confirm push access: no answer within 15.00 s
    /// ```
    ///
    /// ## Fix
    /// Depends on the cause: a longer `--online-timeout`, the CA bundle git should trust
    /// (`http.sslCAInfo`), the server's current host key in `known_hosts`, or nothing (try
    /// again later).
    ///
    /// ## When it is silent
    /// - Without `--online`, and for URLs that were not probed (see CC406).
    /// - When the server answered, whatever it said (CC401–CC404).
    ///
    /// ## References
    /// - [git-config(1): http.sslCAInfo](https://git-scm.com/docs/git-config#Documentation/git-config.txt-httpsslCAInfo)
    PUSH_ACCESS_UNCONFIRMED, "CC405", "push-access-unconfirmed", Online, Warning,
    "push access could not be confirmed: the server was not reached or gave no answer to judge", push_access_unconfirmed
}

fn push_access_unconfirmed(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, p) in probes(facts) {
        let Outcome::Unconfirmed { why } = &p.outcome else {
            continue;
        };
        let (reason, fix) = explain(u, p, why);
        let mut f = Finding::at(
            u,
            format!("{}: could not confirm push access: {reason}", u.label()),
        )
        .confirmed(Confirmed::Unknown);
        if let Some(d) = &p.detail {
            f = f.cause(d.clone());
        }
        if let Some((title, commands)) = fix {
            f = f.fix(title, commands);
        }
        out.push(f);
    }
    out
}

type Fix = Option<(&'static str, Vec<String>)>;

fn explain(u: &PushUrl, p: &Probe, why: &Unconfirmed) -> (String, Fix) {
    let host = u.url.host.clone().unwrap_or_default();
    match why {
        Unconfirmed::Deadline => (
            if p.helper.timed_out {
                format!(
                    "the credential helpers gave git no answer within {} (one may be waiting for a prompt or a locked keyring)",
                    seconds(p.deadline_ms)
                )
            } else {
                format!("no answer within {}", seconds(p.deadline_ms))
            },
            Some((
                "allow the check more time, or try again later",
                vec![format!(
                    "git credcheck --online --online-timeout {}",
                    (p.deadline_ms / 1000).max(1) * 4
                )],
            )),
        ),
        Unconfirmed::Dns => (format!("the host name `{host}` does not resolve"), None),
        Unconfirmed::ConnectionRefused => (
            format!("nothing accepts connections at `{host}`"),
            None,
        ),
        Unconfirmed::NetworkTimeout => ("the network timed out".into(), None),
        Unconfirmed::ConnectionLost => ("the connection broke before the server answered".into(), None),
        Unconfirmed::Tls => (
            "TLS failed: the server's certificate is not trusted here, or the handshake failed".into(),
            Some((
                "make git trust the server's certificate authority",
                vec!["git config --global http.sslCAInfo /path/to/ca-bundle.pem   # the CA that signed the server's certificate".into()],
            )),
        ),
        Unconfirmed::HostKey => {
            let page = u
                .provider
                .and_then(|k| k.info().host_keys_page)
                .map(|p| format!(" (published at {p})"))
                .unwrap_or_default();
            (
                "ssh refused the server's host key (unknown or changed); the push fails the same way".into(),
                Some((
                    "check the server's host key and record it",
                    vec![format!("# compare with the provider's fingerprints{page}, then add the key to known_hosts")],
                )),
            )
        }
        Unconfirmed::NoCommonAlgorithm => (
            "ssh and the server share no host key type, key exchange or cipher; the push fails the same way".into(),
            None,
        ),
        Unconfirmed::ServerStatus { status } => (format!("the server answered HTTP {status}"), None),
        Unconfirmed::HelperQuit => (
            "a credential helper told git to stop before sending a credential (the credential guard does so for a credential it calls refused)".into(),
            None,
        ),
        Unconfirmed::Other => ("git ended without an answer git-credcheck recognises".into(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::online::support::testing::probed;
    use crate::rules::testing::{diagnose, fix_commands};
    use crate::rules::Severity;

    #[test]
    fn a_deadline_is_a_warning() {
        let f = probed(
            "https://git.example.com/a/b.git",
            Outcome::Unconfirmed {
                why: Unconfirmed::Deadline,
            },
        );
        let d = diagnose(&PUSH_ACCESS_UNCONFIRMED, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].finding.confirmed, Some(Confirmed::Unknown));
        assert!(d[0].finding.message.contains("within 15.00 s"), "{d:?}");
        assert!(fix_commands(&d[0]).contains("--online-timeout 60"));
    }

    #[test]
    fn silent_when_answered() {
        let f = probed("https://git.example.com/a/b.git", Outcome::Confirmed);
        assert!(diagnose(&PUSH_ACCESS_UNCONFIRMED, &f).is_empty());
        let f = probed(
            "https://git.example.com/a/b.git",
            Outcome::AuthRefused { status: 401 },
        );
        assert!(diagnose(&PUSH_ACCESS_UNCONFIRMED, &f).is_empty());
    }
}
