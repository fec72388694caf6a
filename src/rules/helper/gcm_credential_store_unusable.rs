//! CC215 `gcm-credential-store-unusable`.

use super::askpass_available;
use crate::facts::credential::{Answer, Gcm, HelperKind, Program};
use crate::facts::{Env, Facts};
use crate::provider::gcm::{self, Need, Store};
use crate::rules::support::https_urls;
use crate::rules::{advice, declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for Git Credential Manager (`credential.helper = manager`) as the helper git
    /// relies on, told to use a credential store that cannot work here: none selected on
    /// Linux (GCM has no default there), a name GCM does not know, a store of another
    /// platform (`cache` on Windows, `keychain` off macOS), `secretservice` without a
    /// graphical session or D-Bus, `gpg` without `gpg`, without a terminal for its pin
    /// entry (`GPG_TTY`), or without an initialised `pass` store. The store is read from
    /// `GCM_CREDENTIAL_STORE` first, then `credential.credentialStore` (URL-scoped or not).
    ///
    /// ## Why is this bad?
    /// GCM checks its store before it looks for a credential and exits with `fatal: No
    /// credential store has been selected` (or `Cannot use the 'secretservice' credential
    /// backing store without a graphical interface present`, `Password store has not been
    /// initialized`…). It never supplies a credential, so every push where nobody can type
    /// one fails with `could not read Username`; with a terminal git asks every time.
    ///
    /// ## Example
    /// ```console
    /// $ ssh build-box git push
    /// fatal: No credential store has been selected.
    /// fatal: could not read Username for 'https://github.com': No such device or address
    /// ```
    ///
    /// ## Fix
    /// Select a store that works on this machine, or prepare the one selected:
    /// ```sh
    /// git config --global credential.credentialStore cache
    /// pass init <gpg-id>          # for the gpg store
    /// export GPG_TTY=$(tty)       # for the gpg store without a desktop
    /// ```
    /// Error when nothing else can supply a credential and nobody can type one; otherwise
    /// a warning (git falls back to another helper or the terminal).
    ///
    /// ## When it is silent
    /// - When GCM is not the helper git relies on: a password in the URL, an
    ///   `http.extraHeader`, a `~/.netrc` entry or an earlier helper that holds a credential
    ///   answers first; a GCM whose program is missing is `credential-helper-missing`
    ///   (CC201).
    /// - When the store works: the platform default (`wincredman` on Windows, `keychain`
    ///   on macOS), `plaintext`, `cache` off Windows, `secretservice` in a desktop session
    ///   with D-Bus, `gpg` with `gpg`, a terminal and `pass init` done.
    /// - For the `none` store while someone can type (GCM then signs in each time).
    /// - In the pre-push stage, for the URL git has just authenticated to.
    ///
    /// ## References
    /// - [GCM: credential stores](https://github.com/git-ecosystem/git-credential-manager/blob/main/docs/credstores.md)
    GCM_CREDENTIAL_STORE_UNUSABLE, "CC215", "gcm-credential-store-unusable", Credential, Error,
    "the credential store Git Credential Manager is told to use cannot work here", gcm_credential_store_unusable
}

fn gcm_credential_store_unusable(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let Some(gcm) = &https.gcm else { continue };
        let Some(pos) = https.helpers.iter().position(|h| {
            matches!(h.kind, HelperKind::Manager | HelperKind::ManagerCore)
                && !matches!(
                    h.program,
                    Program::Missing { .. } | Program::NotExecutable { .. }
                )
        }) else {
            continue;
        };
        if u.url.password.is_some()
            || https.auth_header().is_some()
            || https.netrc.is_some()
            || https.helpers[..pos].iter().any(|h| h.answer != Answer::No)
        {
            continue;
        }
        let Some(problem) = problem(&facts.env, gcm) else {
            continue;
        };
        let fallback = https.helpers[pos + 1..]
            .iter()
            .any(|h| h.answer != Answer::No)
            || askpass_available(https)
            || facts.env.can_prompt();
        let then = if fallback {
            "git falls back to the next helper or a prompt, and asks again on every push"
        } else {
            "nothing else can supply a credential and nobody can type one, so git dies with `could not read Username`"
        };
        let helper = &https.helpers[pos];
        let location = gcm
            .source
            .as_ref()
            .map(Location::from)
            .or_else(|| (!gcm.from_env).then(|| Location::from(&helper.source)));
        out.push(
            Finding::at(
                u,
                format!(
                    "{} relies on Git Credential Manager, which cannot answer: {}",
                    u.label(),
                    problem.why
                ),
            )
            .location(location)
            .cause(format!(
                "GCM checks its credential store before it looks for a credential and exits with an error; {then}"
            ))
            .fix(problem.title, fix_commands(&facts.env, gcm, &problem))
            .certain_if(problem.certain && !fallback)
            .rejects_auth(),
        );
    }
    out
}

/// Why the store cannot work, and what would.
struct Problem {
    why: String,
    certain: bool,
    title: &'static str,
    /// Steps that prepare the selected store, when that is the fix.
    prepare: Vec<String>,
    /// Select another store instead.
    switch: bool,
}

fn problem(env: &Env, gcm: &Gcm) -> Option<Problem> {
    let os = env.os.as_str();
    let switch = |why: String| Problem {
        why,
        certain: true,
        title: "select a credential store that works here",
        prepare: Vec::new(),
        switch: true,
    };
    let Some(name) = gcm.store.as_deref() else {
        return match gcm::default_store(os) {
            Some(_) => None,
            None => Some(switch(format!(
                "no credential store is selected ({} and credential.credentialStore are unset, and GCM has no default on {os})",
                gcm::STORE_VARIABLE
            ))),
        };
    };
    let Some(store) = gcm::find(name) else {
        return Some(switch(format!("`{name}` is not a credential store GCM knows")));
    };
    if !store.platforms.includes(os) {
        return Some(switch(format!(
            "the `{}` store ({}) works only on {}, and this machine runs {os}",
            store.name,
            store.what,
            store.platforms.describe()
        )));
    }
    if store.keeps_nothing && !env.can_prompt() {
        return Some(Problem {
            certain: false,
            ..switch(format!(
                "the `{}` store keeps no credential, so GCM must sign in interactively and nobody can",
                store.name
            ))
        });
    }
    for need in store.needs {
        if let Some(p) = unmet(*need, env, gcm, store) {
            return Some(p);
        }
    }
    None
}

fn unmet(need: Need, env: &Env, gcm: &Gcm, store: &Store) -> Option<Problem> {
    let s = store.name;
    let p = |why: String, certain, title, prepare: Vec<String>, switch| Problem {
        why,
        certain,
        title,
        prepare,
        switch,
    };
    match need {
        Need::DesktopSession if !env.desktop_session => Some(p(
            format!("the `{s}` store needs a graphical session (DISPLAY or WAYLAND_DISPLAY) and this one has none"),
            true,
            "select a credential store that works without a desktop",
            Vec::new(),
            true,
        )),
        Need::DbusSession if !env.dbus_session => Some(p(
            format!("the `{s}` store reaches the Secret Service over D-Bus, and no session bus is set (DBUS_SESSION_BUS_ADDRESS, $XDG_RUNTIME_DIR/bus)"),
            false,
            "start the desktop's keyring session, or select another credential store",
            Vec::new(),
            true,
        )),
        Need::Gpg if !gcm.gpg => Some(p(
            format!("the `{s}` store needs `gpg`, and neither gpg2 nor gpg is on PATH"),
            true,
            "install gpg and pass, or select another credential store",
            vec!["# install gpg and pass (e.g. apt-get install gnupg pass), then: pass init <gpg-id>".into()],
            false,
        )),
        Need::GpgTty if !env.desktop_session && !env.gpg_tty => Some(p(
            format!("the `{s}` store needs a terminal for gpg's pin entry and GPG_TTY is not set (nor SSH_TTY, nor a desktop)"),
            true,
            "give gpg a terminal",
            vec!["export GPG_TTY=$(tty)   # add it to ~/.bashrc or ~/.profile".into()],
            false,
        )),
        Need::PassInit if !gcm.pass_store_initialised => Some(p(
            format!("the `{s}` store needs an initialised pass store, and {} has no .gpg-id", gcm.pass_store.display()),
            true,
            "initialise the pass store",
            vec![
                "gpg --list-secret-keys --keyid-format=long   # pick a key, or create one: gpg --gen-key".into(),
                "pass init <gpg-id>".into(),
            ],
            false,
        )),
        _ => None,
    }
}

/// A store whose needs this machine meets: the one to suggest.
fn working_store(env: &Env, gcm: &Gcm) -> Option<&'static Store> {
    gcm::STORES.iter().find(|s| {
        s.platforms.includes(&env.os)
            && !s.keeps_nothing
            && s.name != "plaintext"
            && s.needs.iter().all(|n| unmet(*n, env, gcm, s).is_none())
    })
}

fn fix_commands(env: &Env, gcm: &Gcm, p: &Problem) -> Vec<String> {
    if !p.switch {
        return p.prepare.clone();
    }
    let Some(store) = working_store(env, gcm) else {
        return vec![format!(
            "# see https://aka.ms/gcm/credstores for the stores {} supports",
            env.os
        )];
    };
    let set = if gcm.from_env {
        format!(
            "export {}={}   # where the variable is set (shell profile, CI settings)",
            gcm::STORE_VARIABLE,
            store.name
        )
    } else {
        let scope = gcm
            .source
            .as_ref()
            .map(|s| s.scope.flag())
            .unwrap_or("--global");
        let key = gcm
            .source
            .as_ref()
            .map(|s| s.key.clone())
            .unwrap_or_else(|| format!("credential.{}", gcm::STORE_KEY));
        format!("git config {scope} {} {}", advice::sh_quote(&key), store.name)
    };
    vec![format!("# {}: {}", store.name, store.what), set]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::testing::*;
    use crate::rules::testing::{diagnose, fix_commands as fix, severities};
    use crate::rules::Severity::*;
    use std::path::PathBuf;

    fn with_gcm(store: Option<&str>) -> Facts {
        let mut f = with_push_url("https://github.com/a/b.git");
        f.env.tty = false;
        let h = https_mut(&mut f);
        h.helpers.push(helper(
            HelperKind::Manager,
            Program::Found {
                path: "/usr/local/bin/git-credential-manager".into(),
            },
            Answer::Maybe,
        ));
        h.gcm = Some(Gcm {
            store: store.map(Into::into),
            source: store.map(|_| source("credential.credentialstore")),
            from_env: false,
            gpg: true,
            pass_store: PathBuf::from("/home/u/.password-store"),
            pass_store_initialised: false,
        });
        f
    }

    fn gcm_mut(f: &mut Facts) -> &mut Gcm {
        https_mut(f).gcm.as_mut().expect("gcm facts")
    }

    #[test]
    fn no_store_on_linux_fails_every_unattended_push() {
        let f = with_gcm(None);
        assert_eq!(severities(&GCM_CREDENTIAL_STORE_UNUSABLE, &f), vec![Error]);
        let d = diagnose(&GCM_CREDENTIAL_STORE_UNUSABLE, &f);
        assert!(
            d[0].finding
                .message
                .contains("no credential store is selected"),
            "{}",
            d[0].finding.message
        );
        assert!(fix(&d[0]).contains("credential.credentialStore' cache"), "{}", fix(&d[0]));
        // With a terminal git prompts instead: a warning.
        let mut f = with_gcm(None);
        f.env.tty = true;
        assert_eq!(severities(&GCM_CREDENTIAL_STORE_UNUSABLE, &f), vec![Warning]);
        // macOS has a default store.
        let mut f = with_gcm(None);
        f.env.os = "macos".into();
        assert!(severities(&GCM_CREDENTIAL_STORE_UNUSABLE, &f).is_empty());
    }

    #[test]
    fn secretservice_needs_a_desktop_and_dbus() {
        let mut f = with_gcm(Some("secretservice"));
        assert_eq!(severities(&GCM_CREDENTIAL_STORE_UNUSABLE, &f), vec![Error]);
        f.env.desktop_session = true;
        assert_eq!(severities(&GCM_CREDENTIAL_STORE_UNUSABLE, &f), vec![Warning]);
        f.env.dbus_session = true;
        assert!(severities(&GCM_CREDENTIAL_STORE_UNUSABLE, &f).is_empty());
    }

    #[test]
    fn gpg_needs_pass_init_and_a_tty() {
        let mut f = with_gcm(Some("gpg"));
        let d = diagnose(&GCM_CREDENTIAL_STORE_UNUSABLE, &f);
        assert!(d[0].finding.message.contains("GPG_TTY"), "{}", d[0].finding.message);
        f.env.gpg_tty = true;
        let d = diagnose(&GCM_CREDENTIAL_STORE_UNUSABLE, &f);
        assert!(d[0].finding.message.contains("no .gpg-id"), "{}", d[0].finding.message);
        assert!(fix(&d[0]).contains("pass init <gpg-id>"));
        gcm_mut(&mut f).pass_store_initialised = true;
        assert!(severities(&GCM_CREDENTIAL_STORE_UNUSABLE, &f).is_empty());
    }

    #[test]
    fn stores_of_other_platforms_and_unknown_names() {
        let mut f = with_gcm(Some("cache"));
        assert!(severities(&GCM_CREDENTIAL_STORE_UNUSABLE, &f).is_empty());
        f.env.os = "windows".into();
        let d = diagnose(&GCM_CREDENTIAL_STORE_UNUSABLE, &f);
        assert!(d[0].finding.message.contains("works only on macOS and Linux"));
        assert!(fix(&d[0]).contains("wincredman"), "{}", fix(&d[0]));
        let f = with_gcm(Some("keychian"));
        assert_eq!(severities(&GCM_CREDENTIAL_STORE_UNUSABLE, &f), vec![Error]);
    }

    #[test]
    fn the_environment_variable_is_named_in_the_fix() {
        let mut f = with_gcm(Some("secretservice"));
        let g = gcm_mut(&mut f);
        g.from_env = true;
        g.source = None;
        let d = diagnose(&GCM_CREDENTIAL_STORE_UNUSABLE, &f);
        assert!(fix(&d[0]).contains("export GCM_CREDENTIAL_STORE=cache"), "{}", fix(&d[0]));
        assert!(d[0].finding.location.is_none());
    }

    #[test]
    fn silent_when_something_answers_before_gcm() {
        let mut f = with_store("https://github.com/a/b.git", Some("alice"), "pw");
        f.env.tty = false;
        let h = https_mut(&mut f);
        h.helpers.push(helper(
            HelperKind::Manager,
            Program::Found { path: "/x".into() },
            Answer::Maybe,
        ));
        h.gcm = with_gcm(None).remotes[0].urls[0]
            .https
            .as_ref()
            .and_then(|h| h.gcm.clone());
        assert!(severities(&GCM_CREDENTIAL_STORE_UNUSABLE, &f).is_empty());
        // Pre-push, git has just authenticated there.
        let mut f = with_gcm(None);
        f.remotes[0].urls[0].authenticated_now = true;
        assert!(severities(&GCM_CREDENTIAL_STORE_UNUSABLE, &f).is_empty());
    }
}
