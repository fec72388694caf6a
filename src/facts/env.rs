//! The process environment, read once and reduced to what decides an outcome (CI,
//! prompts, tokens by shape, the ssh agent, the desktop session Git Credential Manager's
//! stores need). Rules see it only through [`Env`]; a token is kept by shape only.

use super::{gitconfig, ssh};
use crate::secret::Shape;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The environment, reduced to what decides an outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Env {
    /// The CI marker variable that is set, if any (`CI`, `GITHUB_ACTIONS`…).
    pub ci: Option<String>,
    /// `GIT_TERMINAL_PROMPT` is false.
    pub terminal_prompt_disabled: bool,
    /// `/dev/tty` can be opened: someone could answer git's prompt.
    pub tty: bool,
    /// The token variables a CLI credential helper reads (`GH_TOKEN`, `GITLAB_TOKEN`…, as
    /// the provider tables list them) that are set and not empty, by shape.
    #[serde(default)]
    pub cli_tokens: Vec<CliToken>,
    /// `GCM_CREDENTIAL_STORE` (a store name such as `secretservice`), when set.
    #[serde(default)]
    pub gcm_credential_store: Option<String>,
    /// `DISPLAY` or `WAYLAND_DISPLAY` is set: a graphical session (GCM's `IsDesktopSession`).
    #[serde(default)]
    pub desktop_session: bool,
    /// A D-Bus session bus is reachable: `DBUS_SESSION_BUS_ADDRESS`, or `$XDG_RUNTIME_DIR/bus`.
    #[serde(default)]
    pub dbus_session: bool,
    /// `GPG_TTY` or `SSH_TTY` is set: gpg's pin entry has a terminal.
    #[serde(default)]
    pub gpg_tty: bool,
    pub ssh_auth_sock: Option<PathBuf>,
    /// Private key files in ~/.ssh (names only): an SSH key is provisioned here.
    pub ssh_keys: Vec<String>,
    pub os: String,
    #[serde(skip)]
    pub path: String,
    #[serde(skip)]
    pub git_askpass: Option<String>,
    #[serde(skip)]
    pub ssh_askpass: Option<String>,
    #[serde(skip)]
    pub netrc: Option<PathBuf>,
    #[serde(skip)]
    pub git_ssh_command: Option<String>,
    #[serde(skip)]
    pub git_ssh: Option<String>,
    /// `DISPLAY` or `WAYLAND_DISPLAY` is set: ssh may ask through its askpass program.
    #[serde(skip)]
    pub display: bool,
    /// Directories named by variables (`GH_CONFIG_DIR`, `PASSWORD_STORE_DIR`…), for gatherers.
    #[serde(skip)]
    pub dirs: Vec<(String, PathBuf)>,
    /// `SSH_ASKPASS_REQUIRE` (`force`, `prefer`, `never`).
    #[serde(skip)]
    pub ssh_askpass_require: Option<String>,
}

/// A token variable that is set, by shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CliToken {
    pub variable: String,
    pub shape: Shape,
}

/// Variables naming directories or programs that gatherers look into (never secrets).
const DIR_VARIABLES: &[&str] = &[
    "GH_CONFIG_DIR",
    "GLAB_CONFIG_DIR",
    "PASSWORD_STORE_DIR",
    "GCM_GPG_PATH",
];

impl Env {
    /// Can git (or ssh) ask a person for anything?
    pub(crate) fn can_prompt(&self) -> bool {
        self.tty && !self.terminal_prompt_disabled
    }

    /// The first of `variables` that is set, with its token's shape.
    pub(crate) fn cli_token(&self, variables: &[&str]) -> Option<&CliToken> {
        variables
            .iter()
            .find_map(|v| self.cli_tokens.iter().find(|t| t.variable == *v))
    }

    /// The directory a variable of [`DIR_VARIABLES`] names, if it is set.
    pub(crate) fn dir(&self, variable: &str) -> Option<&Path> {
        self.dirs
            .iter()
            .find(|(k, _)| k == variable)
            .map(|(_, p)| p.as_path())
    }

    pub(crate) fn from_process() -> Env {
        let var = |k: &str| std::env::var(k).ok();
        const CI_MARKERS: &[&str] = &[
            "GITHUB_ACTIONS",
            "GITLAB_CI",
            "BITBUCKET_BUILD_NUMBER",
            "TF_BUILD",
            "JENKINS_URL",
            "BUILDKITE",
            "CIRCLECI",
            "TRAVIS",
            "CI",
        ];
        let ci = CI_MARKERS
            .iter()
            .find(|k| {
                var(k)
                    .is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
            })
            .map(|k| (*k).to_owned());
        let terminal_prompt_disabled =
            var("GIT_TERMINAL_PROMPT").is_some_and(|v| !gitconfig::parse_bool(Some(&v)));
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .is_ok();
        Env {
            ci,
            terminal_prompt_disabled,
            tty,
            cli_tokens: crate::provider::CliHelper::all_variables()
                .filter_map(|v| {
                    let t = var(v).filter(|t| !t.is_empty())?;
                    Some(CliToken {
                        variable: v.to_owned(),
                        shape: Shape::of(&t),
                    })
                })
                .collect(),
            gcm_credential_store: var(crate::provider::gcm::STORE_VARIABLE),
            desktop_session: ["DISPLAY", "WAYLAND_DISPLAY"]
                .iter()
                .any(|k| var(k).is_some_and(|d| !d.trim().is_empty())),
            dbus_session: var("DBUS_SESSION_BUS_ADDRESS").is_some_and(|a| !a.is_empty())
                || var("XDG_RUNTIME_DIR")
                    .filter(|d| !d.is_empty())
                    .is_some_and(|d| Path::new(&d).join("bus").exists()),
            // GCM checks only that the variable exists (`Variables.ContainsKey`).
            gpg_tty: var("GPG_TTY").is_some() || var("SSH_TTY").is_some(),
            dirs: DIR_VARIABLES
                .iter()
                .filter_map(|k| {
                    var(k)
                        .filter(|v| !v.is_empty())
                        .map(|v| ((*k).to_owned(), PathBuf::from(v)))
                })
                .collect(),
            ssh_auth_sock: var("SSH_AUTH_SOCK")
                .filter(|s| !s.is_empty())
                .map(PathBuf::from),
            ssh_keys: ssh::passwd_home()
                .map(|h| provisioned_keys(&h.join(".ssh")))
                .unwrap_or_default(),
            os: std::env::consts::OS.to_owned(),
            path: var("PATH").unwrap_or_default(),
            git_askpass: var("GIT_ASKPASS"),
            ssh_askpass: var("SSH_ASKPASS"),
            netrc: var("NETRC").map(PathBuf::from),
            git_ssh_command: var("GIT_SSH_COMMAND"),
            git_ssh: var("GIT_SSH"),
            display: ["DISPLAY", "WAYLAND_DISPLAY"]
                .iter()
                .any(|k| var(k).is_some_and(|d| !d.is_empty())),
            ssh_askpass_require: var("SSH_ASKPASS_REQUIRE"),
        }
    }
}

/// Names of private keys in `dir` (`id_*` without `.pub`).
fn provisioned_keys(dir: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<String> = rd
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with("id_") && !n.ends_with(".pub"))
        .collect();
    v.sort();
    v
}
