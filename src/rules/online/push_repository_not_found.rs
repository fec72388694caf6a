//! CC404 `push-repository-not-found`.

use super::support::{answer, probes, sent};
use crate::facts::online::Outcome;
use crate::facts::Facts;
use crate::rules::{advice, declare_rule, Confirmed, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for push URLs whose server, asked by `--online`, says the repository does
    /// not exist: HTTP 404, or the server's "Repository not found" / "does not appear to
    /// be a git repository" over SSH.
    ///
    /// ## Why is this bad?
    /// Hosted providers answer "not found" rather than "forbidden" for a private
    /// repository the credential may not read, so this is either a wrong URL (a renamed,
    /// moved or mistyped repository) or a credential that cannot see it (a fine-grained
    /// token limited to other repositories, another account's key). The push fails with
    /// `repository '…' not found`, and git calls no helper after a 404.
    ///
    /// ## Example
    /// ```console
    /// $ git credcheck --online
    /// error[CC404]: remote `origin` (https://github.com/acme/app.git): the server says the repository does not exist or the GitHub personal access token (classic) (ghp_…, 40 chars) from the `store` helper cannot see it (HTTP 404: Repository not found.)
    /// ```
    ///
    /// ## Fix
    /// Check the repository's address in the provider's web interface and set it; if it is
    /// right, give the credential (or the key's account) access to that repository.
    ///
    /// ## When it is silent
    /// - Without `--online`, and for URLs that were not probed (see CC406).
    /// - When the server refused the credential before looking for the repository
    ///   (CC402): some providers (Bitbucket) say "no longer exists" with a 401.
    ///
    /// ## References
    /// - [Troubleshooting cloning errors (GitHub)](https://docs.github.com/en/repositories/creating-and-managing-repositories/troubleshooting-cloning-errors)
    PUSH_REPOSITORY_NOT_FOUND, "CC404", "push-repository-not-found", Online, Error,
    "the server says the repository does not exist or the credential cannot see it", push_repository_not_found
}

fn push_repository_not_found(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, p) in probes(facts) {
        let Outcome::NotFound { status } = p.outcome else {
            continue;
        };
        let who = match sent(facts, u, p) {
            Some(s) => s.describe,
            None if u.ssh.is_some() => "the SSH key's account".into(),
            None => "an anonymous request".into(),
        };
        out.push(
            Finding::at(
                u,
                format!(
                    "{}: the server says the repository does not exist or {who} cannot see it ({})",
                    u.label(),
                    answer(p, status)
                ),
            )
            .location(u.configured.as_ref().map(Location::from))
            .cause("a renamed, moved or mistyped repository, or a credential without access to it: providers answer \"not found\" for a private repository the credential may not read")
            .fix(
                "set the repository's current address, or give the credential access to it",
                vec![
                    "# copy the clone URL from the repository's page in the provider's web interface, then:".into(),
                    advice::set_url(u, "<the repository's URL>"),
                ],
            )
            .confirmed(Confirmed::No),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::online::support::testing::{probe_mut, probed};
    use crate::rules::testing::{diagnose, fix_commands};

    #[test]
    fn fires_on_404() {
        let mut f = probed(
            "https://github.com/acme/app.git",
            Outcome::NotFound { status: Some(404) },
        );
        probe_mut(&mut f).server_said = vec!["Repository not found.".into()];
        let d = diagnose(&PUSH_REPOSITORY_NOT_FOUND, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].finding.confirmed, Some(Confirmed::No));
        assert!(
            d[0].finding.message.contains("HTTP 404: Repository not found."),
            "{d:?}"
        );
        assert!(fix_commands(&d[0]).contains("git remote set-url origin"));
    }

    #[test]
    fn silent_when_confirmed() {
        let f = probed("https://github.com/acme/app.git", Outcome::Confirmed);
        assert!(diagnose(&PUSH_REPOSITORY_NOT_FOUND, &f).is_empty());
    }
}
