//! CC403 `push-permission-denied`.

use super::support::{answer, probes, sent};
use crate::facts::online::{Meaning, Outcome, Probe, Transport};
use crate::facts::{Facts, PushUrl};
use crate::rules::{advice, declare_rule, Confirmed, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for push URLs whose server, asked by `--online`, accepted the credential but
    /// refused to let it push: HTTP 403, an SSH key the server calls read-only, or a
    /// server that answers a push request with a fetch-only service. It says why when the
    /// server's words or the provider's table tell: a token without write scope, an
    /// organisation's SAML single sign-on, a policy against classic tokens, a deploy or
    /// job token that cannot push.
    ///
    /// ## Why is this bad?
    /// The push fails with `The requested URL returned error: 403` or the server's
    /// refusal, and git calls no helper and no hook after a 403: nothing local can explain
    /// it during the push itself. A fine-grained token without write access to *this*
    /// repository, or one not authorised for the organisation's SSO, looks valid offline.
    ///
    /// ## Example
    /// ```console
    /// $ git credcheck --online
    /// error[CC403]: remote `origin` (https://github.com/acme/app.git): the server accepted the GitHub fine-grained personal access token (github_pat_…, 93 chars) from the `store` helper but refused push access (HTTP 403: Write access to repository not granted.)
    /// ```
    ///
    /// ## Fix
    /// Give the credential write access to this repository (the scopes a push needs are
    /// listed), authorise it for the organisation's SSO, or replace it; for a read-only
    /// SSH key, add it again with write access or use a key of an account that can push.
    ///
    /// ## When it is silent
    /// - Without `--online`, and for URLs that were not probed (see CC406).
    /// - When the credential itself was refused (CC402) or the repository was not found
    ///   (CC404).
    /// - For refusals that come only after the pack is sent (protected branches, workflow
    ///   files without the `workflow` scope): the probe sends no pack.
    ///
    /// ## References
    /// - [Error: Permission to user/repo denied (GitHub)](https://docs.github.com/en/authentication/troubleshooting-ssh/error-permission-to-userrepo-denied-to-other-user)
    PUSH_PERMISSION_DENIED, "CC403", "push-permission-denied", Online, Error,
    "the server accepted the credential but refused push access", push_permission_denied
}

fn push_permission_denied(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, p) in probes(facts) {
        let Outcome::PushDenied { status } = p.outcome else {
            continue;
        };
        out.push(match p.transport {
            Transport::Http => http(facts, u, p, status),
            Transport::Ssh => ssh(u, p),
        });
    }
    out
}

fn http(facts: &Facts, u: &PushUrl, p: &Probe, status: Option<u16>) -> Finding {
    let info = u.provider.map(|k| k.info());
    let host = super::support::credential_host(u);
    let s = sent(facts, u, p);
    let what = s
        .as_ref()
        .map(|s| s.describe.clone())
        .unwrap_or_else(|| "the request".into());
    let kind = s.as_ref().and_then(|s| s.secret).map(|x| x.kind);
    let user = s.as_ref().and_then(|s| s.username).unwrap_or("");
    let cannot = info.and_then(|i| i.cannot_push(kind, user));
    let scopes = info
        .map(|i| format!(" ({})", i.push_scopes))
        .unwrap_or_default();
    let cause = match p.meaning {
        Some(Meaning::SsoRequired) => "the organisation enforces SAML single sign-on: the token must be authorised for it (token settings → Configure SSO → Authorize)".to_owned(),
        Some(Meaning::ClassicTokenForbidden) => "the organisation forbids classic personal access tokens: use a fine-grained token with write access to this repository".to_owned(),
        _ => match cannot {
            Some(c) => format!("it is {}", c.why),
            None => format!(
                "the credential lacks the scope or permission a push needs{scopes}, or its account has no write role in this repository"
            ),
        },
    };
    let mut fix = s.as_ref().map(|s| s.fix.clone()).unwrap_or_default();
    if fix.is_empty() {
        fix = advice::new_token(u, &host);
    }
    Finding::at(
        u,
        format!(
            "{}: the server accepted {what} but refused push access ({})",
            u.label(),
            answer(p, status)
        ),
    )
    .location(s.and_then(|s| s.location))
    .cause(cause)
    .fix("use a credential with write access to this repository", fix)
    .confirmed(Confirmed::No)
}

fn ssh(u: &PushUrl, p: &Probe) -> Finding {
    let (message, cause) = match p.meaning {
        Some(Meaning::ReadOnlyKey) => (
            format!(
                "{}: the server accepted the SSH key but it is read-only ({})",
                u.label(),
                answer(p, None)
            ),
            "a deploy key added without write access can fetch but never push",
        ),
        None if p.server_said.is_empty() => (
            format!(
                "{}: the server answered the push request with a fetch-only service (no receive-pack capabilities)",
                u.label()
            ),
            "the key's forced command on the server (`command=` in authorized_keys) runs `git-upload-pack`, or the account may only read",
        ),
        _ => (
            format!(
                "{}: the server refused push access over SSH ({})",
                u.label(),
                answer(p, None)
            ),
            "the key's account has no write access to this repository",
        ),
    };
    let key = u
        .ssh
        .as_ref()
        .and_then(|s| s.keys.iter().find(|k| k.usable()))
        .map(|k| format!("{}.pub", k.path.display()))
        .unwrap_or_else(|| "the key's .pub file".into());
    Finding::at(u, message)
        .location(u.configured.as_ref().map(Location::from))
        .cause(cause)
        .fix(
            "push with a key that may write",
            vec![
                format!("# add {key} again with write access (\"Allow write access\" for a deploy key), or use a key of an account that can push"),
            ],
        )
        .confirmed(Confirmed::No)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::testing::with_store;
    use crate::rules::online::support::testing::{answered, probe, probe_mut, probed};
    use crate::rules::support::samples::{GHP, GLPAT};
    use crate::rules::testing::{diagnose, fix_commands};

    #[test]
    fn a_token_without_write_access() {
        let url = "https://github.com/acme/app.git";
        let mut f = with_store(url, Some("alice"), GHP);
        f.remotes[0].urls[0].online = Some(probe(url, Outcome::PushDenied { status: Some(403) }));
        answered(&mut f, "alice", GHP, false);
        probe_mut(&mut f).server_said = vec!["Write access to repository not granted.".into()];
        probe_mut(&mut f).meaning = Some(Meaning::NoWriteAccess);
        let d = diagnose(&PUSH_PERMISSION_DENIED, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].finding.confirmed, Some(Confirmed::No));
        let m = &d[0].finding.message;
        assert!(m.contains("ghp_…") && m.contains("HTTP 403: Write access"), "{m}");
        let cause = d[0].finding.cause.clone().unwrap_or_default();
        assert!(cause.contains("Contents read and write"), "{cause}");
        assert!(fix_commands(&d[0]).contains("settings/tokens"));
        probe_mut(&mut f).meaning = Some(Meaning::SsoRequired);
        let d = diagnose(&PUSH_PERMISSION_DENIED, &f);
        assert!(d[0].finding.cause.as_deref().unwrap_or("").contains("single sign-on"));
    }

    #[test]
    fn a_deploy_token_cannot_push() {
        let url = "https://gitlab.com/acme/app.git";
        let mut f = with_store(url, Some("gitlab+deploy-token-1"), GLPAT);
        f.remotes[0].urls[0].online = Some(probe(url, Outcome::PushDenied { status: Some(403) }));
        answered(&mut f, "gitlab+deploy-token-1", GLPAT, false);
        let d = diagnose(&PUSH_PERMISSION_DENIED, &f);
        let cause = d[0].finding.cause.clone().unwrap_or_default();
        assert!(cause.to_lowercase().contains("deploy"), "{cause}");
    }

    #[test]
    fn a_fetch_only_ssh_key() {
        let f = probed("ssh://git@git.example.com/a/b.git", Outcome::PushDenied { status: None });
        let d = diagnose(&PUSH_PERMISSION_DENIED, &f);
        assert!(d[0].finding.message.contains("fetch-only"), "{d:?}");
    }

    #[test]
    fn silent_when_confirmed_or_not_found() {
        let f = probed("https://github.com/a/b.git", Outcome::Confirmed);
        assert!(diagnose(&PUSH_PERMISSION_DENIED, &f).is_empty());
        let f = probed("https://github.com/a/b.git", Outcome::NotFound { status: Some(404) });
        assert!(diagnose(&PUSH_PERMISSION_DENIED, &f).is_empty());
    }
}
