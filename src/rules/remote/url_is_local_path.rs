//! CC105 `url-is-local-path`.

use crate::facts::{Facts, PushUrl};
use crate::rules::{advice, declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for a push URL that git reads as a local path that does not exist, most
    /// often an SSH address written with a `/` before the `:` (`git@host/group:repo.git`)
    /// directly or produced by `url.<base>.insteadOf`: git takes `user@host:path` as an
    /// SSH address only when no `/` comes before the first `:`.
    ///
    /// ## Why is this bad?
    /// git looks for a directory of that name and fails with
    /// `fatal: 'git@host/group:repo.git' does not appear to be a git repository` and
    /// `fatal: Could not read from remote repository.` No server is ever contacted.
    ///
    /// ## Example
    /// ```ini
    /// [remote "origin"]
    ///     url = git@gitlab.com/group:repo.git
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git remote set-url origin git@gitlab.com:group/repo.git
    /// ```
    ///
    /// ## When it is silent
    /// - For URLs with a scheme (`ssh://`, `https://`, `file://`) and scp-like addresses.
    /// - When the local path exists, from the current directory or the work tree's top.
    ///
    /// A warning, not an error, when the missing path does not look like a network
    /// address (a directory that may be mounted later).
    ///
    /// ## References
    /// - [git-push(1): GIT URLS](https://git-scm.com/docs/git-push#_git_urls)
    URL_IS_LOCAL_PATH, "CC105", "url-is-local-path", Remote, Error,
    "git reads the push URL as a local path that does not exist", url_is_local_path
}

fn url_is_local_path(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in facts.push_urls() {
        if u.local_path_exists != Some(false) {
            continue;
        }
        let raw = &u.url.display;
        let meant = intended_address(raw);
        let loc = u
            .rewrite
            .as_ref()
            .map(|r| Location::from(&r.source))
            .or_else(|| u.configured.as_ref().map(Location::from));
        let finding = Finding::at(
            u,
            format!("git reads the push URL of {} as a local path", u.label()),
        )
        .location(loc)
        .cause(format!(
            "no directory `{raw}` exists, so git fails with `fatal: '{raw}' does not appear to be a git repository`"
        ));
        out.push(match meant {
            Some(addr) => finding
                .cause(format!(
                    "a `/` before the first `:` makes it a path, not an SSH address; git fails with `fatal: '{raw}' does not appear to be a git repository`"
                ))
                .fix(format!("write the SSH address as `{addr}`"), fix(u, &addr)),
            None => finding
                .fix(
                    "point the remote at an existing repository",
                    vec![advice::set_url(u, "<url or path>")],
                )
                .likely(),
        });
    }
    out
}

/// `user@host/group:repo.git` → `user@host:group/repo.git`: the address the path was meant
/// to be, when its first segment names a host (a user, or a dot in the name).
fn intended_address(raw: &str) -> Option<String> {
    let (first, rest) = raw.split_once('/')?;
    let (middle, tail) = rest.split_once(':')?;
    let host = first.rsplit('@').next().unwrap_or(first);
    if !(first.contains('@') || host.contains('.')) || tail.is_empty() {
        return None;
    }
    Some(format!("{first}:{middle}/{tail}"))
}

fn fix(u: &PushUrl, addr: &str) -> Vec<String> {
    match &u.rewrite {
        // The rewrite made it: correct the rule that wrote it, in words.
        Some(r) => vec![format!(
            "# correct {} (it rewrites `{}`) so that it produces `{addr}`",
            r.source.key, r.from
        )],
        None => vec![advice::set_url(u, addr)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::testing::with_push_url;
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;

    fn missing(url: &str) -> Facts {
        let mut f = with_push_url(url);
        f.remotes[0].urls[0].local_path_exists = Some(false);
        f
    }

    #[test]
    fn an_address_with_a_slash_before_the_colon() {
        let d = diagnose(&URL_IS_LOCAL_PATH, &missing("git@gitlab.com/group:repo.git"));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Error);
        assert_eq!(
            fix_commands(&d[0]),
            "git remote set-url origin 'git@gitlab.com:group/repo.git'"
        );
    }

    #[test]
    fn a_missing_directory_is_only_likely() {
        assert_eq!(
            severities(&URL_IS_LOCAL_PATH, &missing("../backup/repo.git")),
            vec![Warning]
        );
    }

    #[test]
    fn silent_when_the_path_exists_or_it_is_a_network_url() {
        let mut f = missing("git@gitlab.com/group:repo.git");
        f.remotes[0].urls[0].local_path_exists = Some(true);
        assert!(severities(&URL_IS_LOCAL_PATH, &f).is_empty());
        assert!(severities(&URL_IS_LOCAL_PATH, &with_push_url("git@gitlab.com:group/repo.git")).is_empty());
    }
}
