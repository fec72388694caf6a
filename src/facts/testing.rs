//! Builders for facts in rule tests (`with_push_url`, `with_store`, …) and for
//! configuration and files in gatherer tests (`config`, `executable`).

use super::*;
use crate::facts::credential::{Answer, GuardState, Helper, HelperKind, Https, Program};
use std::path::{Path, PathBuf};

pub(crate) fn today() -> Date {
    Date::new(2026, 11, 29)
}

pub(crate) fn source(key: &str) -> Source {
    Source {
        scope: gitconfig::Scope::Global,
        file: Some(PathBuf::from("/home/u/.gitconfig")),
        line: Some(3),
        key: key.into(),
    }
}

/// Facts for one push URL of remote `origin`, HTTPS facts empty.
pub(crate) fn with_push_url(u: &str) -> Facts {
    let parsed = url::parse(u).expect("test URL parses");
    let provider = parsed
        .host
        .as_deref()
        .and_then(|h| crate::provider::detect(h, &parsed.path, &[]));
    let https = parsed.is_http().then(|| Https {
        request: credential::Request {
            protocol: parsed.scheme_text.clone(),
            host: parsed.credential_host().unwrap_or_default(),
            path: None,
            username: parsed.user.clone(),
        },
        helpers: Vec::new(),
        reset: None,
        username_config: None,
        use_http_path: false,
        extra_headers: Vec::new(),
        netrc: None,
        askpass: Vec::new(),
        guard: GuardState::NotInstalled,
        proxy: None,
        gcm: None,
        cli_login: None,
    });
    Facts {
        today: today(),
        stage: Stage::Doctor,
        env: Env {
            tty: true,
            os: "linux".into(),
            ..Env::default()
        },
        repo: None,
        remotes: vec![Remote {
            name: "origin".into(),
            urls: vec![PushUrl {
                remote: "origin".into(),
                url: parsed,
                configured: Some(source("remote.origin.url")),
                rewrite: None,
                provider,
                authenticated_now: false,
                https,
                ssh: None,
                remote_helper: super::url::remote_helper_name(u)
                    .map(|name| super::url::RemoteHelper { name, found: false }),
                local_path_exists: None,
                online: None,
            }],
        }],
        pushed: None,
        rejected: None,
        unchecked: Vec::new(),
    }
}

pub(crate) fn https_mut(f: &mut Facts) -> &mut Https {
    f.remotes[0].urls[0]
        .https
        .as_mut()
        .expect("an HTTPS push URL")
}

/// A `store` helper holding `username`/`secret` for the URL.
pub(crate) fn with_store(u: &str, username: Option<&str>, secret: &str) -> Facts {
    let mut f = with_push_url(u);
    https_mut(&mut f).helpers.push(Helper {
        display: "store".into(),
        kind: HelperKind::Store,
        program: Program::Builtin,
        source: source("credential.helper"),
        file_arg: None,
        answer: Answer::Yes,
        stored: Some(credential::Stored {
            file: PathBuf::from("/home/u/.git-credentials"),
            line: 2,
            username: username.map(Into::into),
            username_secret: None,
            secret: Shape::of(secret),
            other_usernames: Vec::new(),
            first_seen: None,
            ledger_id: None,
        }),
        answer_keys: None,
    });
    f
}

/// Global configuration holding `entries` (`("credential.helper", "store")`), in order.
pub(crate) fn config(entries: &[(&str, &str)]) -> Config {
    let mut raw = Vec::new();
    for (key, value) in entries {
        raw.extend_from_slice(
            format!("global\0file:/home/u/.gitconfig\0{key}\n{value}\0").as_bytes(),
        );
    }
    Config::parse(&raw, Path::new("/"))
}

/// An executable script at `path` (parents created).
pub(crate) fn executable(path: &Path) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, "#!/bin/sh\n").expect("write");
    crate::platform::set_executable(path).expect("chmod");
}

pub(crate) fn helper(kind: HelperKind, program: Program, answer: Answer) -> Helper {
    Helper {
        display: format!("{kind:?}").to_lowercase(),
        kind,
        program,
        source: source("credential.helper"),
        file_arg: None,
        answer,
        stored: None,
        answer_keys: None,
    }
}

/// A token variable read by a CLI helper (`GH_TOKEN`), by shape.
pub(crate) fn cli_token(variable: &str, secret: &str) -> super::env::CliToken {
    super::env::CliToken {
        variable: variable.into(),
        shape: Shape::of(secret),
    }
}

/// What the hook saw of a one-ref push that changes a GitHub workflow file.
pub(crate) fn workflow_push() -> super::pushed::Pushed {
    super::pushed::Pushed {
        refs: 1,
        workflow_files: vec![".github/workflows/ci.yml".into()],
        probe_error: None,
        ..Default::default()
    }
}
