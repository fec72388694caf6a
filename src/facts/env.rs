//! The process environment, read once and reduced to what decides an outcome (CI,
//! prompts, tokens by shape, the ssh agent). Rules see it only through [`Env`].

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
    /// `GH_TOKEN` / `GITHUB_TOKEN` (read by gh's helper), by shape.
    pub gh_token: Option<Shape>,
    /// `GITLAB_TOKEN` (read by glab's helper), by shape.
    pub gitlab_token: Option<Shape>,
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
    /// `SSH_ASKPASS_REQUIRE` (`force`, `prefer`, `never`).
    #[serde(skip)]
    pub ssh_askpass_require: Option<String>,
}

impl Env {
    /// Can git (or ssh) ask a person for anything?
    pub(crate) fn can_prompt(&self) -> bool {
        self.tty && !self.terminal_prompt_disabled
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
            gh_token: var("GH_TOKEN")
                .or_else(|| var("GITHUB_TOKEN"))
                .filter(|t| !t.is_empty())
                .map(|t| Shape::of(&t)),
            gitlab_token: var("GITLAB_TOKEN")
                .filter(|t| !t.is_empty())
                .map(|t| Shape::of(&t)),
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
