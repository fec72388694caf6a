use crate::facts::url::Rewrite;
use crate::facts::Facts;
use crate::rules::advice::sh_quote;
use crate::rules::{declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for a push URL whose scheme or host was changed by `url.<base>.insteadOf` or
    /// `url.<base>.pushInsteadOf`, and names the file and key that did it.
    ///
    /// ## Why is this bad?
    /// It is often intended, but it is the classic cause of "my remote is SSH but git asks
    /// for a password": a global rewrite turns the URL into HTTPS (or the reverse), so the
    /// credential that is checked is not the one you expect.
    ///
    /// ## Example
    /// ```ini
    /// [url "https://github.com/"]
    ///     insteadOf = git@github.com:
    /// ```
    ///
    /// ## Fix
    /// Keep it if intended; otherwise remove that one value of the key, in the file that
    /// holds it (other prefixes rewritten to the same base stay):
    /// ```sh
    /// git config --file ~/.gitconfig --unset-all 'url.https://github.com/.insteadof' '^git@github\.com:$'
    /// ```
    ///
    /// ## When it is silent
    /// - The rewrite keeps the scheme and the host and changes only the path, the user or
    ///   the port (`url.https://github.com/acme/.insteadOf = https://github.com/old/`).
    ///
    /// ## References
    /// - [git-config: url.<base>.insteadOf](https://git-scm.com/docs/git-config#Documentation/git-config.txt-urlltbasegtinsteadOf)
    PUSH_URL_REWRITTEN, "CC103", "push-url-rewritten", Remote, Info,
    "push URL scheme or host is changed by a url rewrite", push_url_rewritten
}

fn push_url_rewritten(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in facts.push_urls() {
        let Some(r) = &u.rewrite else { continue };
        let Ok(from) = crate::facts::url::parse(&r.from) else {
            continue;
        };
        if from.scheme == u.url.scheme && from.host == u.url.host {
            continue;
        }
        let key = &r.source.key;
        out.push(
            Finding::at(
                u,
                format!(
                    "remote `{}` URL {} is pushed as {} because of {key}",
                    u.remote, r.from, u.url.display
                ),
            )
            .location(Location::from(&r.source))
            .cause(format!(
                "{} rewrites the scheme or host, so authentication follows the rewritten URL",
                r.kind
            ))
            .fix(
                "remove the rewrite if it is not intended",
                unset_rewrite(r, &u.url.display),
            ),
        );
    }
    out
}

/// The command that removes this one rewrite: its value only (another prefix rewritten
/// to the same base is another value of the same key), in the file that holds it.
/// The value is what `from` and the rewritten URL do not share; a key or value we cannot
/// print exactly (a redacted secret, `git -c`) is named in words.
fn unset_rewrite(r: &Rewrite, rewritten: &str) -> Vec<String> {
    let key = &r.source.key;
    let words = vec![format!(
        "# remove this {} line from {}",
        r.kind,
        Location::from(&r.source).describe()
    )];
    let base = key
        .strip_prefix("url.")
        .and_then(|k| k.rsplit_once('.'))
        .map(|(base, _)| base);
    let prefix = base
        .and_then(|b| rewritten.strip_prefix(b))
        .and_then(|rest| r.from.strip_suffix(rest));
    let (Some(prefix), Some(file)) = (prefix, &r.source.file) else {
        return words;
    };
    if prefix.is_empty() || key.contains("***") || prefix.contains("***") {
        return words;
    }
    let pattern: String = prefix
        .chars()
        .flat_map(|c| {
            let special = ".[]()*+?^$|{}\\".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect();
    vec![format!(
        "git config --file {} --unset-all {} {}",
        sh_quote(&file.display().to_string()),
        sh_quote(key),
        sh_quote(&format!("^{pattern}$"))
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::testing::{source, with_push_url};
    use crate::facts::url::Rewrite;
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;

    /// `origin` configured as `from`, pushed as `https://github.com/a/b.git`.
    fn rewritten_from(from: &str) -> Facts {
        let mut f = with_push_url("https://github.com/a/b.git");
        f.remotes[0].urls[0].rewrite = Some(Rewrite {
            kind: "insteadOf".into(),
            from: from.into(),
            source: source("url.https://github.com/.insteadof"),
        });
        f
    }

    #[test]
    fn fires_when_ssh_becomes_https() {
        let d = diagnose(
            &PUSH_URL_REWRITTEN,
            &rewritten_from("git@github.com:a/b.git"),
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Info);
        assert_eq!(
            d[0].finding.message,
            "remote `origin` URL git@github.com:a/b.git is pushed as https://github.com/a/b.git \
             because of url.https://github.com/.insteadof"
        );
        assert_eq!(
            fix_commands(&d[0]),
            "git config --file '/home/u/.gitconfig' --unset-all 'url.https://github.com/.insteadof' '^git@github\\.com:$'"
        );
    }

    #[test]
    fn a_rewrite_from_git_c_is_named_in_words() {
        let mut f = rewritten_from("git@github.com:a/b.git");
        if let Some(r) = &mut f.remotes[0].urls[0].rewrite {
            r.source.file = None;
        }
        let d = diagnose(&PUSH_URL_REWRITTEN, &f);
        assert!(fix_commands(&d[0]).starts_with("# remove this insteadOf line from git -c"), "{}", fix_commands(&d[0]));
    }

    #[test]
    fn silent_when_only_the_path_changes() {
        let f = rewritten_from("https://github.com/x/b.git");
        assert!(severities(&PUSH_URL_REWRITTEN, &f).is_empty());
    }

    #[test]
    fn silent_without_a_rewrite() {
        let f = with_push_url("git@github.com:a/b.git");
        assert!(severities(&PUSH_URL_REWRITTEN, &f).is_empty());
    }
}
