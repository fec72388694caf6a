use crate::facts::Facts;
use crate::rules::{advice, declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for a push URL that carries a password or token in its user-info part, or
    /// a token used as the user name.
    ///
    /// ## Why is this bad?
    /// The secret sits in plain text in `.git/config`, is printed by `git remote -v`,
    /// leaks into CI logs and bug reports, and git calls no credential helper for it, so a
    /// rotated token breaks pushes without a clear error.
    ///
    /// ## Example
    /// ```ini
    /// [remote "origin"]
    ///     url = https://alice:ghp_XXXX@github.com/acme/app.git
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git remote set-url origin https://alice@github.com/acme/app.git
    /// ```
    /// The next push asks once for the token and the configured helper keeps it.
    ///
    /// ## When it is silent
    /// - The URL names a user that is not shaped like a token and no password
    ///   (`https://alice@github.com/…`, `git@github.com:…`).
    /// - The URL cannot be parsed as a network URL: nothing of its user-info is kept.
    ///
    /// It is not silenced in the pre-push hook: a URL that works today still leaks.
    ///
    /// ## References
    /// - [gitcredentials(7)](https://git-scm.com/docs/gitcredentials)
    URL_EMBEDS_SECRET, "CC101", "url-embeds-secret", Remote, Warning,
    "push URL contains a password or token", url_embeds_secret
}

fn url_embeds_secret(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in facts.push_urls() {
        let shape = match (&u.url.password, &u.url.user_secret) {
            (Some(p), _) => p,
            (None, Some(s)) => s,
            _ => continue,
        };
        // A secret written into `url.<base>.insteadOf`'s base: the remote's own URL is
        // clean, and setting it again changes nothing.
        let rewrite = u.rewrite.as_ref().filter(|r| {
            crate::facts::url::parse(&r.from)
                .is_ok_and(|p| p.password.is_none() && p.user_secret.is_none())
        });
        let loc = match rewrite {
            Some(r) => Some(Location::from(&r.source)),
            None => u
                .configured
                .as_ref()
                .map(Location::from)
                .or_else(|| u.rewrite.as_ref().map(|r| Location::from(&r.source))),
        };
        let fix = if let Some(r) = rewrite {
            let at = match (&r.source.file, r.source.line) {
                (Some(f), Some(l)) => format!("{}:{l}", f.display()),
                (Some(f), None) => f.display().to_string(),
                (None, _) => "git -c / GIT_CONFIG_PARAMETERS".into(),
            };
            vec![format!(
                "# the secret is in the name of the [url \"…\"] section that holds this {} ({at}): rewrite that section without it by editing the file (a command would repeat the secret)",
                r.kind
            )]
        } else if u.configured.is_some() {
            vec![
                advice::set_url(u, &advice::clean_url(u)),
                "git push   # enter the token once; your credential helper keeps it".into(),
            ]
        } else {
            vec!["git remote add <name> '<url without the secret>'".into()]
        };
        out.push(
            Finding::at(u, format!("remote `{}` push URL {} embeds a {}", u.remote, u.url.display, shape.describe()))
                .location(loc)
                .cause("the secret is stored in plain text, shown by `git remote -v`, and bypasses the credential helper")
                .fix("remove the secret from the URL", fix)
                // It leaks on every push, the ones that work included.
                .urgent(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::testing::with_push_url;
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;

    /// The token came from `url.<base>.insteadOf`: setting the remote's URL again would
    /// change nothing, so the fix points at the section, without repeating the secret.
    #[test]
    fn a_secret_from_a_rewrite_is_fixed_where_it_is_written() {
        let mut f = with_push_url(
            "https://alice:ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com/a/b.git",
        );
        f.remotes[0].urls[0].rewrite = Some(crate::facts::url::Rewrite {
            kind: "insteadOf".into(),
            from: "gh:a/b.git".into(),
            source: crate::facts::testing::source("url.https://alice:***@github.com/.insteadof"),
        });
        let d = diagnose(&URL_EMBEDS_SECRET, &f);
        let cmds = fix_commands(&d[0]);
        assert!(!cmds.contains("set-url"), "{cmds}");
        assert!(cmds.contains("/home/u/.gitconfig:3") && cmds.contains("insteadOf"), "{cmds}");
        assert!(!format!("{d:?}").contains("0123456789abcdef"));
    }

    #[test]
    fn fires_on_a_token_as_password_without_printing_it() {
        let f = with_push_url(
            "https://alice:ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com/a/b.git",
        );
        let d = diagnose(&URL_EMBEDS_SECRET, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Warning);
        let text = format!("{:?}", d[0].finding);
        assert!(!text.contains("0123456789abcdef"), "{text}");
        assert!(
            fix_commands(&d[0])
                .starts_with("git remote set-url origin 'https://alice@github.com/a/b.git'"),
            "{text}"
        );
    }

    #[test]
    fn fires_on_a_token_as_user_name() {
        let f =
            with_push_url("https://ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com/a/b.git");
        assert_eq!(severities(&URL_EMBEDS_SECRET, &f), vec![Warning]);
    }

    #[test]
    fn silent_on_a_plain_user_name() {
        for url in [
            "https://alice@github.com/a/b.git",
            "https://github.com/a/b.git",
            "git@github.com:a/b.git",
        ] {
            assert!(
                severities(&URL_EMBEDS_SECRET, &with_push_url(url)).is_empty(),
                "{url}"
            );
        }
    }
}
