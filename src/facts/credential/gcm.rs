//! What Git Credential Manager needs from this machine before it can answer: the store it
//! is told to use (`GCM_CREDENTIAL_STORE`, else `credential.credentialStore`, URL-scoped
//! or not) and, for its `gpg` store, whether `gpg` and an initialised `pass` store exist.
//! Everything is known by presence: no store is opened, no secret is read.

use super::{pattern_matches, Gcm, Request};
use crate::facts::gitconfig::Config;
use crate::facts::Ctx;
use crate::provider::gcm::STORE_KEY;

/// GCM's store setting for `req` and the files its `gpg` store needs.
pub(super) fn gather(ctx: &Ctx, config: &Config, req: &Request) -> Gcm {
    // GCM reads the variable first, then git's configuration; a URL-scoped key is more
    // specific than the plain one, and among equals the last one wins (as git's urlmatch).
    let mut scoped = None;
    let mut plain = None;
    for e in config.entries.iter().filter(|e| {
        e.section == "credential" && e.name.eq_ignore_ascii_case(STORE_KEY) && e.value.is_some()
    }) {
        match &e.subsection {
            None => plain = Some(e),
            Some(p) if pattern_matches(p, req) => scoped = Some(e),
            Some(_) => {}
        }
    }
    let configured = scoped.or(plain);
    let from_env = ctx.env.gcm_credential_store.is_some();
    let store = match &ctx.env.gcm_credential_store {
        Some(v) => Some(v.trim().to_ascii_lowercase()),
        None => configured
            .and_then(|e| e.value.as_deref())
            .map(|v| v.trim().to_ascii_lowercase()),
    };
    let pass_store = ctx
        .env
        .dir("PASSWORD_STORE_DIR")
        .map(|p| ctx.expand_home(&p.to_string_lossy()))
        .unwrap_or_else(|| ctx.home.join(".password-store"));
    let gpg = match ctx.env.dir("GCM_GPG_PATH") {
        Some(p) => p.is_file(),
        None => ["gpg2", "gpg"].iter().any(|g| {
            !matches!(
                super::find_program(ctx, g),
                super::Program::Missing { .. } | super::Program::NotExecutable { .. }
            )
        }),
    };
    Gcm {
        store: store.filter(|s| !s.is_empty()),
        source: if from_env {
            None
        } else {
            configured.map(|e| e.source())
        },
        from_env,
        gpg,
        pass_store_initialised: pass_store.join(".gpg-id").is_file(),
        pass_store,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::credential::gather as https;

    #[test]
    fn setting_from_config_scoped_wins_and_environment_wins_over_all() {
        let dir = tempfile::tempdir().expect("tmp");
        let config = crate::facts::testing::config(&[
            ("credential.helper", "manager"),
            ("credential.credentialStore", "secretservice"),
            ("credential.https://github.com.credentialStore", "GPG"),
            ("credential.https://gitlab.com.credentialStore", "cache"),
        ]);
        let url = crate::facts::url::parse("https://github.com/a/b.git").expect("url");
        let mut ctx = Ctx::for_test(dir.path(), "");
        let gcm = https(&ctx, &config, &url)
            .and_then(|h| h.gcm)
            .expect("gcm facts");
        assert_eq!(gcm.store.as_deref(), Some("gpg"));
        assert!(!gcm.from_env && gcm.source.is_some());
        assert!(!gcm.pass_store_initialised);
        std::fs::create_dir_all(dir.path().join(".password-store")).expect("mkdir");
        std::fs::write(dir.path().join(".password-store/.gpg-id"), "KEY\n").expect("write");
        ctx.env.gcm_credential_store = Some("plaintext".into());
        let gcm = https(&ctx, &config, &url)
            .and_then(|h| h.gcm)
            .expect("gcm facts");
        assert_eq!(gcm.store.as_deref(), Some("plaintext"));
        assert!(gcm.from_env && gcm.source.is_none() && gcm.pass_store_initialised);
    }

    #[test]
    fn no_gcm_helper_no_facts() {
        let dir = tempfile::tempdir().expect("tmp");
        let ctx = Ctx::for_test(dir.path(), "");
        let config = crate::facts::testing::config(&[("credential.helper", "store")]);
        let url = crate::facts::url::parse("https://github.com/a/b.git").expect("url");
        assert!(https(&ctx, &config, &url).is_some_and(|h| h.gcm.is_none()));
    }
}
