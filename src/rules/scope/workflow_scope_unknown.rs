//! CC211 `workflow-scope-unknown`.

use crate::facts::Facts;
use crate::rules::support::{candidates, https_urls, Candidate};
use crate::rules::{declare_rule, Finding};

declare_rule! {
    /// ## What it does
    /// Checks for a push to GitHub that creates, changes or deletes files under
    /// `.github/workflows/` with a token whose `workflow` scope (or Workflows permission)
    /// cannot be seen: `ghp_`, `gho_`, `ghu_`, `github_pat_`, `ghs_`.
    ///
    /// ## Why is this bad?
    /// GitHub accepts the connection, receives the pack, then refuses the ref:
    /// `refusing to allow a Personal Access Token to create or update workflow … without
    /// workflow scope`. This is the one refusal the pre-push hook can still prevent.
    ///
    /// ## Example
    /// ```console
    /// ! [remote rejected] main -> main (refusing to allow a Personal Access Token to create or update workflow `.github/workflows/ci.yml` without `workflow` scope)
    /// ```
    ///
    /// ## Fix
    /// Add the `workflow` scope to the classic token, or Workflows: Read and write to the
    /// fine-grained token or GitHub App; `GITHUB_TOKEN` can never change workflows.
    ///
    /// ## When it is silent
    /// - Outside a push (`doctor`), where the pushed commits are not known, and for a
    ///   push that touches nothing under `.github/workflows/`.
    /// - For push URLs not served by GitHub or GitHub Enterprise Server.
    /// - When no credential it can see is one of those GitHub tokens (a password, a
    ///   keyring's secret, a token of another shape).
    /// - Once that very credential has pushed a workflow change to that URL: with the
    ///   opt-in ledger (`guard: record: true`) the hook keeps the commits it pushed after
    ///   the hint (a keyed hash of credential, URL and path, never the secret), and a
    ///   later push that finds one on the remote — as the remote advertised the pushed
    ///   refs, or on a remote-tracking branch — silences the hint for good. A credential
    ///   the guard merely saw accepted proves nothing: git approves it after `info/refs`,
    ///   before the pack is judged.
    ///
    /// It is always a warning, since the scope cannot be read from the token, and it is
    /// reported in the pre-push stage too: GitHub refuses the ref after accepting the
    /// login.
    ///
    /// ## References
    /// - [GitHub: scopes for OAuth apps](https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps)
    WORKFLOW_SCOPE_UNKNOWN, "CC211", "workflow-scope-unknown", Credential, Warning,
    "the push changes GitHub workflows with a token that may lack the workflow scope", workflow_scope_unknown
}

fn workflow_scope_unknown(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(pushed) = &facts.pushed else {
        return out;
    };
    if pushed.workflow_files.is_empty() {
        return out;
    }
    for (u, https) in https_urls(facts) {
        let Some(info) = u.provider.map(|p| p.info()) else {
            continue;
        };
        let Some(guarded) = info.guarded_paths else {
            continue;
        };
        let need_of = |c: &Candidate<'_>| {
            let kind = c.secret?.kind;
            guarded.needs.iter().find(|(k, _)| *k == kind).map(|x| x.1)
        };
        let Some((c, need)) = candidates(&facts.env, u, https)
            .into_iter()
            .find_map(|c| need_of(&c).map(|n| (c, n)))
        else {
            continue;
        };
        if super::proven(pushed, u, https, &c) {
            continue;
        }
        let files: Vec<_> = pushed
            .workflow_files
            .iter()
            .take(5)
            .map(|f| format!("`{f}`"))
            .collect();
        out.push(
            Finding::at(u, format!("push to `{}` ({}) changes {} with {}", u.remote, u.url.display, files.join(", "), c.describe()))
                .location(c.location.clone())
                .cause(format!("{} refuses workflow changes from a token without {need}; it cannot be seen from the token", info.name))
                .fix(
                    format!("make sure the token has {need}"),
                    vec![guarded.fix.into(), "git push".into()],
                )
                .likely()
                // The refusal comes after the upload: this very push.
                .urgent(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::testing::*;
    use crate::facts::Stage;
    use crate::rules::support::samples::{ATATT, GHP};
    use crate::rules::testing::severities;
    use crate::rules::Severity::*;

    #[test]
    fn workflow_scope_only_with_workflow_changes() {
        let mut f = with_store("https://github.com/a/b.git", Some("alice"), GHP);
        f.stage = Stage::PrePush;
        f.remotes[0].urls[0].authenticated_now = true;
        assert!(severities(&WORKFLOW_SCOPE_UNKNOWN, &f).is_empty());
        f.pushed = Some(workflow_push());
        assert_eq!(severities(&WORKFLOW_SCOPE_UNKNOWN, &f), vec![Warning]);
        let mut f2 = with_store("https://bitbucket.org/a/b.git", Some("alice"), ATATT);
        f2.pushed = f.pushed.clone();
        assert!(severities(&WORKFLOW_SCOPE_UNKNOWN, &f2).is_empty());
    }

    #[test]
    fn silent_without_a_github_token() {
        let mut f = with_store(
            "https://github.com/a/b.git",
            Some("alice"),
            "correct horse battery staple",
        );
        f.pushed = Some(workflow_push());
        assert!(severities(&WORKFLOW_SCOPE_UNKNOWN, &f).is_empty());
    }

    #[test]
    fn silent_once_that_credential_pushed_a_workflow_change_there() {
        use crate::facts::pushed::Proven;
        let mut f = with_store("https://github.com/a/b.git", Some("alice"), GHP);
        f.stage = Stage::PrePush;
        f.remotes[0].urls[0].authenticated_now = true;
        let stored = https_mut(&mut f).helpers[0].stored.as_mut().expect("stored");
        stored.ledger_id = Some("alice-id".into());
        let proven = |credential: &str, url: &str| Proven {
            url: url.into(),
            credential: credential.into(),
            path: ".github/workflows/".into(),
        };
        let url = f.remotes[0].urls[0].url.display.clone();
        let mut pushed = workflow_push();
        // Another credential, or the same one on another URL, proves nothing here.
        pushed.proven = vec![proven("bob-id", &url), proven("alice-id", "https://github.com/a/c.git")];
        f.pushed = Some(pushed.clone());
        assert_eq!(severities(&WORKFLOW_SCOPE_UNKNOWN, &f), vec![Warning]);
        pushed.proven.push(proven("alice-id", &url));
        f.pushed = Some(pushed);
        assert!(severities(&WORKFLOW_SCOPE_UNKNOWN, &f).is_empty());
    }
}
