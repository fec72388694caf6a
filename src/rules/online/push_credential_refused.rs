//! CC402 `push-credential-refused`.

use super::support::{answer, probes, sent, Sent};
use crate::facts::online::{Meaning, Outcome, Probe};
use crate::facts::ssh::Probed;
use crate::facts::{Facts, PushUrl};
use crate::provider::Provider;
use crate::rules::support::refusal_from_cascade;
use crate::rules::{advice, declare_rule, Confirmed, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for push URLs whose server, asked by `--online`, refused to authenticate:
    /// HTTP 401 (the credential git sent was refused, or git had none to send), HTTP 410
    /// (a retired kind of secret), a proxy's 407, or an SSH server that accepted none of
    /// the keys ssh offered. It names the credential by kind and where it lives (never its
    /// value), what the provider says about that kind, and the fix for the helper in use.
    ///
    /// ## Why is this bad?
    /// The next push fails the same way: `Authentication failed`, `could not read Username
    /// … terminal prompts disabled` or `Permission denied (publickey)`. A token that is
    /// revoked or expired looks exactly like a valid one offline; only the server knows.
    /// The probe itself changed nothing: git's `erase` after the refusal was swallowed, so
    /// the stored credential is still where the fix says.
    ///
    /// ## Example
    /// ```console
    /// $ git credcheck --online
    /// error[CC402]: remote `origin` (https://github.com/acme/app.git): the server refused the GitHub personal access token (classic) (ghp_…, 40 chars) from the `store` helper (HTTP 401: Invalid username or token.)
    /// ```
    ///
    /// ## Fix
    /// Forget the refused credential where it lives (the commands name the file and line
    /// or the helper), create a token with the scopes a push needs, and push again; for
    /// SSH, add the public key to the account (or pick the key the account knows); for a
    /// proxy, give it the credentials it wants.
    ///
    /// ## When it is silent
    /// - Without `--online`, and for URLs that were not probed (see CC406).
    /// - When the server authenticated the credential but refused the push (CC403) or
    ///   did not find the repository (CC404).
    /// - At warning level, not error, when git had nothing to send but an askpass program
    ///   (`GIT_ASKPASS`, `core.askPass`, `SSH_ASKPASS`) could supply one during a real
    ///   push: the probe never runs them, since they may prompt.
    ///
    /// ## References
    /// - [gitcredentials(7)](https://git-scm.com/docs/gitcredentials)
    PUSH_CREDENTIAL_REFUSED, "CC402", "push-credential-refused", Online, Error,
    "the server refused the credential or key a push would use", push_credential_refused
}

fn push_credential_refused(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, p) in probes(facts) {
        let finding = match p.outcome {
            Outcome::AuthRefused { status } => http(facts, u, p, status),
            Outcome::ProxyAuthRefused => proxy(u, p),
            Outcome::KeyRefused => ssh(u, p),
            _ => continue,
        };
        out.push(finding);
    }
    out
}

fn http(facts: &Facts, u: &PushUrl, p: &Probe, status: u16) -> Finding {
    let info = u.provider.map(|k| k.info());
    let host = super::support::credential_host(u);
    let said = answer(p, Some(status));
    match sent(facts, u, p) {
        Some(s) => {
            let f = Finding::at(
                u,
                format!("{}: the server refused {} ({said})", u.label(), s.describe),
            )
            .cause(format!(
                "{}; the probe swallowed git's `erase`, so the credential is still stored as before",
                why(facts, u, info, p.meaning, &s)
            ))
            .fix(
                "forget the refused credential, then push again with a valid token",
                s.fix,
            )
            .confirmed(Confirmed::No);
            f.location(s.location)
        }
        None => {
            let askpass: Vec<&str> = u
                .https
                .as_ref()
                .map(|h| h.askpass.iter().map(|a| a.via.as_str()).collect())
                .unwrap_or_default();
            let mut f = Finding::at(
                u,
                format!(
                    "{}: the server wants a credential and git has none to send ({said}; no credential helper answered)",
                    u.label()
                ),
            )
            .fix(
                "give git a credential: a helper that keeps a valid token",
                advice::new_token(u, &host),
            );
            if askpass.is_empty() {
                f = f
                    .cause("no helper holds a credential for this host, and nobody can type one")
                    .confirmed(Confirmed::No);
            } else {
                f = f
                    .cause(format!(
                        "a real push would ask {} for one; the probe never runs askpass programs, since they may prompt",
                        askpass.join(", ")
                    ))
                    .likely()
                    .confirmed(Confirmed::Unknown);
            }
            f
        }
    }
}

/// Why the provider refused it: the server's words, the provider's table, then the usual causes.
fn why(
    facts: &Facts,
    u: &PushUrl,
    info: Option<&Provider>,
    meaning: Option<Meaning>,
    s: &Sent<'_>,
) -> String {
    if let (Some(p), Some(secret)) = (info, s.secret) {
        let refusal = match &u.https {
            Some(https) => refusal_from_cascade(p, facts.today, s.username, secret, https),
            None => p.refusal(facts.today, s.username, secret),
        };
        if let Some((why, _)) = refusal {
            return why;
        }
        if let Some(issuer) = secret.provider.filter(|i| i.family() != p.family) {
            return format!(
                "it is a {} token; {} accepts only its own",
                issuer.info().name,
                p.name
            );
        }
    }
    match (meaning, info) {
        (Some(Meaning::PasswordNotAccepted), Some(p)) => {
            format!("{} takes tokens, not account passwords, for git", p.name)
        }
        (Some(Meaning::PasswordNotAccepted), None) => {
            "the server takes tokens, not account passwords, for git".into()
        }
        (Some(Meaning::KindRetired), _) => "the server says this kind of secret is retired".into(),
        (_, Some(p)) => format!(
            "it is mistyped, expired or revoked, or the user name does not go with it ({})",
            p.https_username
        ),
        (_, None) => "it is mistyped, expired or revoked, or the user name does not go with it".into(),
    }
}

fn proxy(u: &PushUrl, p: &Probe) -> Finding {
    let configured = u.https.as_ref().and_then(|h| h.proxy.as_ref());
    let f = Finding::at(
        u,
        format!("{}: the proxy refused git's request (HTTP 407)", u.label()),
    )
    .cause(format!(
        "the proxy wants credentials it did not get or does not accept ({})",
        p.detail.as_deref().unwrap_or("no reason given")
    ))
    .fix(
        "give the proxy its credentials",
        vec![
            "git config --global http.proxy 'http://<proxy-user>@<proxy-host>:<port>'   # git asks the credential helper for the password".into(),
        ],
    )
    .confirmed(Confirmed::No);
    f.location(configured.map(Location::from))
}

fn ssh(u: &PushUrl, p: &Probe) -> Finding {
    let Some(s) = &u.ssh else {
        return Finding::at(u, format!("{}: the SSH server refused every key ssh offered ({})", u.label(), answer(p, None)))
            .confirmed(Confirmed::No);
    };
    let user = s
        .effective_user()
        .map(|x| format!(" as `{x}`"))
        .unwrap_or_default();
    let mut offered: Vec<String> = s
        .keys
        .iter()
        .filter(|k| k.usable())
        .map(|k| k.path.display().to_string())
        .collect();
    if let Probed::Found(a) = &s.agent {
        if !a.identities.is_empty() {
            offered.push(format!("{} key(s) in the agent", a.identities.len()));
        }
    }
    let keys = if offered.is_empty() {
        "ssh found no usable key to offer".to_owned()
    } else {
        format!("the server knows none of: {}", offered.join(", "))
    };
    let pubkey = s
        .keys
        .iter()
        .find(|k| k.usable())
        .map(|k| format!("{}.pub", k.path.display()))
        .unwrap_or_else(|| "~/.ssh/id_ed25519.pub".into());
    let mut fix = vec![
        format!("ssh-keygen -lf {}   # the fingerprint the account must list", advice::sh_quote(&pubkey)),
        format!("# add {pubkey} to the account's SSH keys on the server, or point IdentityFile at the key it knows"),
    ];
    if let Some(test) = u.provider.and_then(|k| k.info().ssh_test) {
        fix.push(test.to_owned());
    }
    Finding::at(
        u,
        format!(
            "{}: the SSH server refused every key ssh offered{user} ({})",
            u.label(),
            answer(p, None)
        ),
    )
    .cause(keys)
    .fix("offer a key the account knows", fix)
    .confirmed(Confirmed::No)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::credential::{Askpass, Program};
    use crate::facts::testing::{https_mut, with_store};
    use crate::rules::online::support::testing::{answered, probe, probe_mut, probed};
    use crate::rules::support::samples::GHP;
    use crate::rules::testing::{diagnose, fix_commands};
    use crate::rules::Severity;

    const URL: &str = "https://github.com/acme/app.git";

    fn refused(secret: &str) -> Facts {
        let mut f = with_store(URL, Some("alice"), secret);
        f.remotes[0].urls[0].online = Some(probe(URL, Outcome::AuthRefused { status: 401 }));
        answered(&mut f, "alice", secret, true);
        probe_mut(&mut f).server_said = vec!["Invalid username or token.".into()];
        probe_mut(&mut f).meaning = Some(Meaning::InvalidCredential);
        f
    }

    #[test]
    fn names_the_refused_token_where_it_lives() {
        let f = refused(GHP);
        let d = diagnose(&PUSH_CREDENTIAL_REFUSED, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].finding.confirmed, Some(Confirmed::No));
        let m = &d[0].finding.message;
        assert!(m.contains("ghp_…, 40 chars") && m.contains("`store` helper") && m.contains("HTTP 401: Invalid username or token."), "{m}");
        let cause = d[0].finding.cause.clone().unwrap_or_default();
        assert!(cause.contains("expired or revoked") && cause.contains("swallowed"), "{cause}");
        let cmds = fix_commands(&d[0]);
        assert!(cmds.contains("sed -i '2d'") && cmds.contains("github.com/settings/tokens"), "{cmds}");
    }

    #[test]
    fn a_password_is_explained_by_the_provider_table() {
        let f = refused("Tr0ub4dor&3-horse");
        let d = diagnose(&PUSH_CREDENTIAL_REFUSED, &f);
        let cause = d[0].finding.cause.clone().unwrap_or_default();
        assert!(cause.contains("refuses account passwords"), "{cause}");
    }

    #[test]
    fn nothing_to_send() {
        let mut f = crate::facts::testing::with_push_url(URL);
        f.remotes[0].urls[0].online = Some(probe(URL, Outcome::AuthRefused { status: 401 }));
        probe_mut(&mut f).helper.asked = true;
        let d = diagnose(&PUSH_CREDENTIAL_REFUSED, &f);
        assert_eq!(d[0].severity, Severity::Error);
        assert!(d[0].finding.message.contains("git has none to send"), "{d:?}");
        // An askpass program could answer in a real push: only a warning.
        https_mut(&mut f).askpass.push(Askpass {
            via: "GIT_ASKPASS".into(),
            program: Program::Builtin,
            source: None,
        });
        let d = diagnose(&PUSH_CREDENTIAL_REFUSED, &f);
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].finding.confirmed, Some(Confirmed::Unknown));
    }

    #[test]
    fn ssh_keys_refused() {
        let f = probed("ssh://git@github.com/acme/app.git", Outcome::KeyRefused);
        let d = diagnose(&PUSH_CREDENTIAL_REFUSED, &f);
        assert!(d[0].finding.message.contains("refused every key"), "{d:?}");
    }

    #[test]
    fn silent_when_authenticated() {
        let f = probed(URL, Outcome::Confirmed);
        assert!(diagnose(&PUSH_CREDENTIAL_REFUSED, &f).is_empty());
        let f = probed(URL, Outcome::PushDenied { status: Some(403) });
        assert!(diagnose(&PUSH_CREDENTIAL_REFUSED, &f).is_empty());
    }
}
