//! What the provider tables say about the programs around a credential: a CLI whose
//! helper prefers a token variable to its own login (`gh`, `glab`), and secrets minted
//! for minutes or hours by a helper, which a credential store must not keep, and what
//! each kind of token must carry to push ([`TokenScope`]).

use super::{SecretKind, PROVIDERS};

/// A CLI whose credential helper answers with a token from the environment when one is set.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CliHelper {
    /// The helper's program (`gh` for `gh auth git-credential`).
    pub program: &'static str,
    /// The variables it takes a token from before its own login, first wins.
    pub variables: &'static [&'static str],
    /// The user name the helper pairs with the token.
    pub username: Option<&'static str>,
    /// The variable that moves its configuration directory (`GH_CONFIG_DIR`).
    pub config_dir_variable: &'static str,
    /// Its configuration directory under `$XDG_CONFIG_HOME` (`gh`).
    pub config_dir: &'static str,
    /// The YAML file in that directory whose `hosts` (or top-level keys) hold its logins.
    pub hosts_file: &'static str,
    /// The login is in a top-level map keyed by host (`gh`'s hosts.yml), not under `hosts:`.
    pub hosts_at_top: bool,
}

impl CliHelper {
    /// Every variable some provider's CLI helper reads a token from (what the
    /// environment gatherer keeps, by shape).
    pub(crate) fn all_variables() -> impl Iterator<Item = &'static str> {
        PROVIDERS
            .iter()
            .filter_map(|p| p.cli_helper)
            .flat_map(|c| c.variables.iter().copied())
    }
}

/// A kind of secret that expires soon after it is minted: a copy kept by a store goes stale.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ShortLived {
    pub kind: SecretKind,
    /// The longest it can be accepted after it was minted, in minutes.
    pub minutes: u32,
    /// Who mints a fresh one each time (shown in the fix).
    pub minted_by: &'static str,
}

/// What a kind of token must carry to push, as the provider documents it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TokenScope {
    pub kinds: &'static [SecretKind],
    /// The token types these kinds are ("personal, project and group access tokens").
    pub what: &'static str,
    /// The scope or permission a push needs; `None`: this kind can never push.
    pub push: Option<&'static str>,
    /// The read-only choice the same shape can carry (the shape does not tell which).
    pub read_only: Option<&'static str>,
    /// False: the provider refuses this kind for git altogether (a feed token).
    pub git_login: bool,
    pub source: &'static str,
}

impl super::Provider {
    /// The scope facts of `kind`, if the table has them.
    pub(crate) fn token_scope(&self, kind: SecretKind) -> Option<&TokenScope> {
        self.token_scopes.iter().find(|t| t.kinds.contains(&kind))
    }
}

/// What a provider's SSH endpoint prints when it refuses a push after the key was
/// accepted (a read-only or foreign deploy key, a repository the account cannot see).
#[derive(Clone, Copy, Debug)]
pub(crate) struct SshRefusal {
    /// A stable name, kept in the facts (`read-only-key`).
    pub id: &'static str,
    /// All of these appear in one line of what the server said.
    pub text: &'static [&'static str],
    /// Why the push was refused.
    pub why: &'static str,
    /// What to change, in words (the rule adds the commands).
    pub fix: &'static str,
}

/// A credential helper that git's own packages bring on some platforms only.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PlatformHelper {
    /// The helper's value in `credential.helper` (`git-credential-<name>`).
    pub name: &'static str,
    /// The platforms it can work on at all (`std::env::consts::OS` names); empty: any.
    pub works_on: &'static [&'static str],
    /// Said of a helper that cannot work here: "the macOS helper".
    pub platform: &'static str,
    /// Per platform where it may be missing: why, and the commands that bring it.
    pub install: &'static [(&'static str, &'static str, &'static [&'static str])],
}

/// Where each platform's credential helper comes from.
///
/// Sources: git `contrib/credential/{osxkeychain,wincred,libsecret}` (each builds against
/// its platform's API: Security.framework, the Windows Credential Manager, libsecret);
/// Homebrew's `git` formula installs `git-credential-osxkeychain` into git's exec path, as
/// Apple's git (Xcode Command Line Tools) does; Git for Windows ships
/// `git-credential-wincred.exe` in `mingw64/libexec/git-core` and bundles Git Credential
/// Manager as `mingw64/bin/git-credential-manager.exe` (its system gitconfig says
/// `helper = manager`); Debian and Ubuntu's `git` package ships libsecret's helper as
/// source only (`/usr/share/doc/git/contrib/credential/libsecret/{Makefile,
/// git-credential-libsecret.c}`), to be built with `make`; Fedora packages it as
/// `git-credential-libsecret`; GCM's `docs/install.md` for macOS and Linux.
pub(crate) static PLATFORM_HELPERS: &[PlatformHelper] = &[
    PlatformHelper {
        name: "osxkeychain",
        works_on: &["macos"],
        platform: "macOS",
        install: &[(
            "macos",
            "Apple's git (Xcode Command Line Tools) and Homebrew's git ship it in git's exec path; this git has none",
            &["xcode-select --install   # or: brew install git"],
        )],
    },
    PlatformHelper {
        name: "wincred",
        works_on: &["windows"],
        platform: "Windows",
        install: &[(
            "windows",
            "Git for Windows ships it in mingw64/libexec/git-core; this git has none",
            &["winget install --id Git.Git -e   # Git for Windows"],
        )],
    },
    PlatformHelper {
        name: "manager",
        works_on: &[],
        platform: "",
        install: &[
            (
                "windows",
                "Git for Windows bundles Git Credential Manager in mingw64/bin; this git has none",
                &["winget install --id Git.Git -e   # Git for Windows, with Git Credential Manager"],
            ),
            (
                "macos",
                "git does not ship Git Credential Manager on macOS",
                &["brew install --cask git-credential-manager"],
            ),
            (
                "linux",
                "git does not ship Git Credential Manager on Linux",
                &["# install Git Credential Manager: https://github.com/git-ecosystem/git-credential-manager/blob/main/docs/install.md", "git-credential-manager configure"],
            ),
        ],
    },
    PlatformHelper {
        name: "libsecret",
        works_on: &["linux", "freebsd", "openbsd", "netbsd", "dragonfly"],
        platform: "Linux",
        install: &[(
            "linux",
            "Debian and Ubuntu ship only its source (in /usr/share/doc/git/contrib/credential/libsecret), which must be built; Fedora packages it as git-credential-libsecret",
            &[
                "sudo apt-get install -y libsecret-1-dev make gcc   # Fedora: sudo dnf install git-credential-libsecret",
                "sudo make -C /usr/share/doc/git/contrib/credential/libsecret",
                "git config --global credential.helper /usr/share/doc/git/contrib/credential/libsecret/git-credential-libsecret",
            ],
        )],
    },
];

impl PlatformHelper {
    /// The entry for the helper `name` (`osxkeychain`, `git-credential-osxkeychain.exe`).
    pub(crate) fn find(name: &str) -> Option<&'static PlatformHelper> {
        let name = std::path::Path::new(name)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(name);
        let name = name.strip_prefix("git-credential-").unwrap_or(name);
        let name = name.strip_suffix(".exe").unwrap_or(name);
        PLATFORM_HELPERS.iter().find(|h| h.name == name)
    }

    /// Whether it can work on `os` at all.
    pub(crate) fn works_on(&self, os: &str) -> bool {
        self.works_on.is_empty() || self.works_on.contains(&os)
    }

    /// Why it is missing on `os` and the commands that bring it, when the table knows.
    pub(crate) fn install_on(&self, os: &str) -> Option<(&'static str, &'static [&'static str])> {
        self.install
            .iter()
            .find(|(o, _, _)| *o == os)
            .map(|(_, why, cmds)| (*why, *cmds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_helpers_by_platform() {
        let osx = PlatformHelper::find("osxkeychain").expect("osxkeychain");
        assert!(osx.works_on("macos") && !osx.works_on("linux") && !osx.works_on("windows"));
        let win = PlatformHelper::find(
            "C:/Program Files/Git/mingw64/libexec/git-core/git-credential-wincred.exe",
        )
        .expect("wincred");
        assert!(win.works_on("windows") && !win.works_on("macos"));
        let gcm = PlatformHelper::find("manager").expect("manager");
        assert!(gcm.works_on("linux") && gcm.works_on("macos") && gcm.works_on("windows"));
        assert!(gcm
            .install_on("macos")
            .is_some_and(|(_, c)| c[0].contains("brew")));
        let ls = PlatformHelper::find(
            "/usr/share/doc/git/contrib/credential/libsecret/git-credential-libsecret",
        )
        .expect("libsecret");
        assert!(ls.works_on("linux") && !ls.works_on("macos"));
        assert!(ls
            .install_on("linux")
            .is_some_and(|(why, c)| why.contains("source") && c[1].starts_with("sudo make -C")));
        assert!(PlatformHelper::find("store").is_none());
    }
}
