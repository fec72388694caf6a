//! CC210 `extra-header-shadows-credential`.

use crate::facts::Facts;
use crate::rules::support::https_urls;
use crate::rules::{advice, declare_rule, Finding, Location};
use crate::secret::Shape;

declare_rule! {
    /// ## What it does
    /// Checks for an `http.extraHeader` with an `Authorization` header (as actions/checkout
    /// writes), global or scoped to the URL (`http.<url>.extraHeader`), that applies to a
    /// push URL which also has a password in the URL, a stored credential, a `~/.netrc`
    /// entry, or a credential helper that may answer (a keyring, `gh`, Git Credential
    /// Manager).
    ///
    /// ## Why is this bad?
    /// git sends the header on every request and never asks the helpers while it is
    /// accepted, so the credential you updated is not the one sent. When the header's token
    /// expires or lacks a permission the push fails although the stored credential is good.
    ///
    /// ## Example
    /// ```ini
    /// [http "https://github.com/"]
    ///     extraheader = AUTHORIZATION: basic …
    /// ```
    ///
    /// ## Fix
    /// Remove the `Authorization` value of that key in the file that sets it (other
    /// headers stay):
    /// ```sh
    /// git config --file ~/.gitconfig --unset-all http.https://github.com/.extraheader '^[Aa]uthorization:'
    /// ```
    ///
    /// ## When it is silent
    /// - When no `Authorization` extraHeader applies to the push URL (other headers are
    ///   ignored, and an empty `http.extraHeader =` clears the earlier ones).
    /// - When the header has nothing to shadow: no password in the URL, no `~/.netrc`
    ///   entry, and no helper that holds or may hold a credential (an empty `store`, a
    ///   helper whose program is missing, the guard).
    /// - For SSH push URLs.
    ///
    /// ## References
    /// - [git-config: http.extraHeader](https://git-scm.com/docs/git-config#Documentation/git-config.txt-httpextraHeader)
    EXTRA_HEADER_SHADOWS_CREDENTIAL, "CC210", "extra-header-shadows-credential", Credential, Warning,
    "an Authorization extraHeader is sent instead of the configured credential", extra_header_shadows_credential
}

fn extra_header_shadows_credential(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let Some(h) = https.auth_header() else {
            continue;
        };
        let shadowed = if u.url.password.is_some() {
            Some("the password in the URL".to_owned())
        } else if let Some(n) = &https.netrc {
            Some(format!(
                "the ~/.netrc entry at {}:{}",
                n.file.display(),
                n.line
            ))
        } else {
            https.first_answering().map(|(_, x)| match &x.stored {
                Some(s) => format!("the credential stored at {}:{}", s.file.display(), s.line),
                None => format!("what helper `{}` holds (it is never asked)", x.display),
            })
        };
        let Some(shadowed) = shadowed else { continue };
        let what = h
            .secret
            .as_ref()
            .map(Shape::describe)
            .unwrap_or_else(|| format!("{} credential", h.scheme));
        out.push(
            Finding::at(u, format!("{} sends the {what} from http.extraHeader, not {shadowed}", u.label()))
                .location(Location::from(&h.source))
                .cause("git sends the header on every request; other credentials are used only if it is refused")
                .fix("remove the header if the other credential is the one you mean", vec![advice::unset_auth_header(&Location::from(&h.source))])
                .likely(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::credential::ExtraHeader;
    use crate::facts::testing::*;
    use crate::rules::support::samples::GHP;
    use crate::rules::testing::{diagnose, severities};
    use crate::rules::Severity::*;

    fn actions_header() -> ExtraHeader {
        ExtraHeader {
            scheme: "basic".into(),
            username: Some("x-access-token".into()),
            secret: Some(Shape::of("ghs_0123456789abcdefghijklmnopqrstuvwxyz")),
            source: source("http.https://github.com/.extraheader"),
        }
    }

    #[test]
    fn header_shadows_store() {
        let mut f = with_store("https://github.com/a/b.git", Some("alice"), GHP);
        assert!(severities(&EXTRA_HEADER_SHADOWS_CREDENTIAL, &f).is_empty());
        https_mut(&mut f).extra_headers.push(actions_header());
        assert_eq!(
            severities(&EXTRA_HEADER_SHADOWS_CREDENTIAL, &f),
            vec![Warning]
        );
        let d = diagnose(&EXTRA_HEADER_SHADOWS_CREDENTIAL, &f);
        assert!(
            d[0].finding
                .message
                .ends_with("not the credential stored at /home/u/.git-credentials:2"),
            "{}",
            d[0].finding.message
        );
    }

    #[test]
    fn header_shadows_a_keyring_helper() {
        use crate::facts::credential::{Answer, HelperKind, Program};
        let mut f = with_push_url("https://github.com/a/b.git");
        https_mut(&mut f).helpers.push(helper(
            HelperKind::Manager,
            Program::Found { path: "/x".into() },
            Answer::Maybe,
        ));
        https_mut(&mut f).extra_headers.push(actions_header());
        let d = diagnose(&EXTRA_HEADER_SHADOWS_CREDENTIAL, &f);
        assert!(
            d[0].finding.message.ends_with("not what helper `manager` holds (it is never asked)"),
            "{}",
            d[0].finding.message
        );
    }

    #[test]
    fn silent_when_the_header_is_the_only_credential() {
        let mut f = with_push_url("https://github.com/a/b.git");
        https_mut(&mut f).extra_headers.push(actions_header());
        assert!(severities(&EXTRA_HEADER_SHADOWS_CREDENTIAL, &f).is_empty());
    }
}
