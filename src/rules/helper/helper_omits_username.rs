//! CC225 `helper-omits-username`.

use crate::facts::credential::{Answer, Helper, Https};
use crate::facts::{Facts, PushUrl};
use crate::rules::support::https_urls;
use crate::rules::{advice, declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for an HTTPS push URL that names no user (none in the URL, no
    /// `credential.username`) whose credential helpers answer a password but never a user
    /// name. The helper's answer is read from its text, never by running it: the
    /// common inline shape `!f() { echo "password=${TOKEN}"; }; f` (`echo`/`printf`
    /// lines, `test`, `sleep`, `if … fi`).
    ///
    /// ## Why is this bad?
    /// git has the password but still needs a user name, so it asks for one. Without a
    /// terminal (CI, an IDE, `GIT_TERMINAL_PROMPT=0`) the push dies before anything is
    /// sent, with `fatal: could not read Username for 'https://github.com': terminal
    /// prompts disabled` (or `…: No such device or address` when there is no terminal at
    /// all). At a terminal git asks for the user name on every push.
    ///
    /// ## Example
    /// ```ini
    /// [credential "https://github.com"]
    ///     helper = "!f() { echo \"password=${GITHUB_TOKEN}\"; }; f"
    /// ```
    ///
    /// ## Fix
    /// Name the user for this host where the helper is configured; the provider's fixed
    /// token user when it has one:
    /// ```sh
    /// git config --global credential.https://github.com.username x-access-token
    /// ```
    /// or add `echo username=x-access-token;` to the function. Where the provider needs
    /// the account's own name (Bitbucket) or is not known, the fix says which name in
    /// words. Error when nobody can type and no askpass program is set; otherwise a
    /// warning.
    ///
    /// ## When it is silent
    /// - When the URL or `credential.username` names the user, or the URL holds a
    ///   password (git asks no helper).
    /// - When an `http.extraHeader` or a `~/.netrc` entry authenticates first.
    /// - When any helper in the cascade may answer something that cannot be read from
    ///   its text (a program, a keyring, `store` holding a line), or some helper prints
    ///   `username=` on some branch: it may supply the name.
    /// - In the pre-push stage, for the URL git has just authenticated to.
    ///
    /// ## References
    /// - [gitcredentials(7): custom helpers](https://git-scm.com/docs/gitcredentials#_custom_helpers)
    HELPER_OMITS_USERNAME, "CC225", "helper-omits-username", Credential, Error,
    "the credential helpers answer a password but no user name", helper_omits_username
}

fn prints(h: &Helper, key: &str) -> bool {
    h.answer_keys
        .as_ref()
        .is_some_and(|k| k.iter().any(|k| k == key))
}

fn helper_omits_username(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        if https.request.username.is_some()
            || u.url.password.is_some()
            || !https.extra_headers.is_empty()
            || https.netrc.is_some()
        {
            continue;
        }
        let Some(h) = https.helpers.iter().find(|h| prints(h, "password")) else {
            continue;
        };
        // Every helper's answer is known and none holds a user name.
        let known = https.helpers.iter().all(|h| {
            (h.answer == Answer::No || h.answer_keys.is_some()) && !prints(h, "username")
        });
        if !known {
            continue;
        }
        let askpass = https.askpass.first();
        let can_type = facts.env.can_prompt() || askpass.is_some();
        let cause = match askpass {
            Some(a) => format!("git runs the askpass program of {} to ask for the user name on every push", a.via),
            None if can_type => "git asks for the user name at the terminal on every push".to_owned(),
            None => format!(
                "git asks for the user name and, with nobody to type it, dies with `{}`",
                advice::prompt_death(&facts.env, https, "Username")
            ),
        };
        let (title, fix) = fix(u, https, h);
        out.push(
            Finding::at(
                u,
                format!(
                    "the credential helper `{}` answers a password but no user name for {}",
                    h.display,
                    u.label()
                ),
            )
            .location(Some(Location::from(&h.source)))
            .cause(cause)
            .fix(title, fix)
            .certain_if(!can_type)
            .rejects_auth(),
        );
    }
    out
}

/// Names the user for this host where the helper is configured, or says which name.
fn fix(u: &PushUrl, https: &Https, h: &Helper) -> (&'static str, Vec<String>) {
    let key = format!(
        "credential.{}://{}.username",
        https.request.protocol, https.request.host
    );
    let at = Location::from(&h.source).describe();
    let pat_user = u.provider.and_then(|p| p.info().pat_username);
    match (pat_user, h.source.file.is_some()) {
        (Some(user), true) => (
            "name the user git sends with the token",
            vec![
                format!("git config {} {key} {user}", h.source.scope.flag()),
                format!("# or add `echo username={user};` to the helper function at {at}"),
            ],
        ),
        _ => {
            let who = u
                .provider
                .map(|p| p.info().https_username)
                .unwrap_or("the account's user name on this server");
            (
                "name the user git sends with the token",
                vec![format!(
                    "# set {key} (where the helper is: {at}) to {who}, or add `echo username=<that name>;` to the helper function"
                )],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::credential::{HelperKind, Program};
    use crate::facts::testing::*;
    use crate::rules::testing::{diagnose, severities};
    use crate::rules::Severity::*;

    fn echo_helper(keys: &[&str]) -> Helper {
        let mut h = helper(HelperKind::Custom, Program::Unknown, Answer::Maybe);
        h.display = "!f …".into();
        h.answer_keys = Some(keys.iter().map(|k| (*k).to_owned()).collect());
        h
    }

    fn facts(url: &str, keys: &[&str]) -> Facts {
        let mut f = with_push_url(url);
        f.env.tty = false;
        https_mut(&mut f).helpers.push(echo_helper(keys));
        f
    }

    #[test]
    fn a_password_without_a_user_name_dies_without_a_terminal() {
        let mut f = facts("https://github.com/a/b.git", &["password"]);
        f.env.terminal_prompt_disabled = true;
        let d = diagnose(&HELPER_OMITS_USERNAME, &f);
        assert_eq!(d[0].severity, Error);
        let cause = d[0].finding.cause.clone().unwrap_or_default();
        assert!(
            cause.contains("fatal: could not read Username for 'https://github.com': terminal prompts disabled"),
            "{cause}"
        );
        let fix = d[0].finding.fix.clone().expect("fix");
        assert_eq!(
            fix.commands[0],
            "git config --global credential.https://github.com.username x-access-token"
        );
        // At a terminal git asks: a warning.
        f.env.tty = true;
        f.env.terminal_prompt_disabled = false;
        assert_eq!(severities(&HELPER_OMITS_USERNAME, &f), vec![Warning]);
    }

    #[test]
    fn a_provider_without_a_fixed_user_name_gets_words() {
        let f = facts("https://bitbucket.org/a/b.git", &["password"]);
        let d = diagnose(&HELPER_OMITS_USERNAME, &f);
        let cause = d[0].finding.cause.clone().unwrap_or_default();
        assert!(cause.contains("No such device or address"), "{cause}");
        let fix = d[0].finding.fix.clone().expect("fix");
        assert!(fix.commands.iter().all(|c| c.starts_with('#')), "{fix:?}");
        assert!(fix.commands[0].contains("x-bitbucket-api-token-auth"), "{fix:?}");
    }

    #[test]
    fn near_misses_are_silent() {
        // It prints the user name too.
        let f = facts("https://github.com/a/b.git", &["username", "password"]);
        assert!(severities(&HELPER_OMITS_USERNAME, &f).is_empty());
        // The URL names the user.
        let f = facts("https://alice@github.com/a/b.git", &["password"]);
        assert!(severities(&HELPER_OMITS_USERNAME, &f).is_empty());
        // `credential.username` names it.
        let mut f = facts("https://github.com/a/b.git", &["password"]);
        https_mut(&mut f).request.username = Some("alice".into());
        assert!(severities(&HELPER_OMITS_USERNAME, &f).is_empty());
        // Another helper may answer in full.
        let mut f = facts("https://github.com/a/b.git", &["password"]);
        https_mut(&mut f).helpers.push(helper(
            HelperKind::Libsecret,
            Program::Builtin,
            Answer::Maybe,
        ));
        assert!(severities(&HELPER_OMITS_USERNAME, &f).is_empty());
        // A helper whose answer cannot be read.
        let mut f = with_push_url("https://github.com/a/b.git");
        f.env.tty = false;
        https_mut(&mut f)
            .helpers
            .push(helper(HelperKind::Custom, Program::Unknown, Answer::Maybe));
        assert!(severities(&HELPER_OMITS_USERNAME, &f).is_empty());
    }
}
