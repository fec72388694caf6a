//! Git Credential Manager's credential stores: which store GCM uses, where each one works
//! and what it needs. GCM serves every provider, so this is its own table.
//!
//! Sources: ../shared/reference/providers.md "Git Credential Manager's credential store";
//! git-ecosystem/git-credential-manager `docs/credstores.md` (per store: "Available on",
//! requirements) and `src/shared/Core/CredentialStore.cs` (`EnsureBackingStore`,
//! `GetDefaultStore` and the `Validate…` checks that throw before any credential is read).

/// The variable GCM reads its store from; it wins over the git setting
/// (`Settings.TryGetSetting`: environment first, then git configuration).
pub(crate) const STORE_VARIABLE: &str = "GCM_CREDENTIAL_STORE";
/// The git setting GCM reads its store from (`credential.<url>.credentialStore` too).
pub(crate) const STORE_KEY: &str = "credentialStore";

/// Where a store works, by `std::env::consts::OS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Platforms {
    Windows,
    MacOs,
    Linux,
    /// Every platform but Windows (`PlatformUtils.IsPosix`).
    Posix,
    NotWindows,
    All,
}

impl Platforms {
    pub(crate) fn includes(self, os: &str) -> bool {
        match self {
            Platforms::Windows => os == "windows",
            Platforms::MacOs => os == "macos",
            Platforms::Linux => os == "linux",
            Platforms::Posix | Platforms::NotWindows => os != "windows",
            Platforms::All => true,
        }
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Platforms::Windows => "Windows",
            Platforms::MacOs => "macOS",
            Platforms::Linux => "Linux",
            Platforms::Posix | Platforms::NotWindows => "macOS and Linux",
            Platforms::All => "every platform",
        }
    }
}

/// What a store needs besides the platform, each checked by GCM before it reads a credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Need {
    /// `DISPLAY` or `WAYLAND_DISPLAY` (`PosixSessionManager.IsDesktopSession`): "Cannot use
    /// the 'secretservice' credential backing store without a graphical interface present."
    DesktopSession,
    /// A D-Bus session bus for libsecret to reach the Secret Service (not checked by GCM
    /// itself: without one libsecret fails, so this is likely rather than certain).
    DbusSession,
    /// `gpg2` or `gpg` on PATH, or `GCM_GPG_PATH` naming a file.
    Gpg,
    /// A desktop session, `GPG_TTY` or `SSH_TTY`: "GPG_TTY is not set; add `export
    /// GPG_TTY=$(tty)` to your profile."
    GpgTty,
    /// `.gpg-id` in `PASSWORD_STORE_DIR` or `~/.password-store`: "Password store has not been
    /// initialized at '…'; run `pass init <gpg-id>` to initialize the store."
    PassInit,
}

/// One of GCM's credential stores.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Store {
    /// The value of `credential.credentialStore` (lower case; GCM lower-cases it).
    pub name: &'static str,
    pub what: &'static str,
    pub platforms: Platforms,
    pub needs: &'static [Need],
    /// It keeps nothing across runs (`none`): GCM must sign in each time.
    pub keeps_nothing: bool,
}

const fn store(name: &'static str, what: &'static str, platforms: Platforms) -> Store {
    Store {
        name,
        what,
        platforms,
        needs: &[],
        keeps_nothing: false,
    }
}

/// Every store GCM knows, as docs/credstores.md lists them.
pub(crate) static STORES: &[Store] = &[
    store(
        "wincredman",
        "Windows Credential Manager",
        Platforms::Windows,
    ),
    store("dpapi", "DPAPI protected files", Platforms::Windows),
    store("keychain", "macOS Keychain", Platforms::MacOs),
    Store {
        needs: &[Need::DesktopSession, Need::DbusSession],
        ..store(
            "secretservice",
            "freedesktop.org Secret Service",
            Platforms::Linux,
        )
    },
    Store {
        needs: &[Need::Gpg, Need::GpgTty, Need::PassInit],
        ..store("gpg", "GPG/`pass` compatible files", Platforms::Posix)
    },
    // "Can not use the 'cache' credential store on Windows due to lack of UNIX socket
    // support in Git for Windows."
    store(
        "cache",
        "git's in-memory credential cache",
        Platforms::NotWindows,
    ),
    store("plaintext", "plaintext files", Platforms::All),
    // Newer GCM lists "none : disable internal credential storage" in its store error.
    Store {
        keeps_nothing: true,
        ..store("none", "no credential storage", Platforms::All)
    },
];

/// The store GCM uses when none is set: "The default credential stores on macOS and
/// Windows are the macOS Keychain and the Windows Credential Manager"; "GCM comes without a
/// default store on Linux distributions".
pub(crate) fn default_store(os: &str) -> Option<&'static Store> {
    let name = match os {
        "windows" => "wincredman",
        "macos" => "keychain",
        _ => return None,
    };
    find(name)
}

/// The store called `name` (compared as GCM does, ignoring case and surrounding blanks).
pub(crate) fn find(name: &str) -> Option<&'static Store> {
    let name = name.trim();
    STORES.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_platforms() {
        assert_eq!(default_store("macos").map(|s| s.name), Some("keychain"));
        assert_eq!(default_store("windows").map(|s| s.name), Some("wincredman"));
        assert!(default_store("linux").is_none());
        assert!(find(" SecretService ").is_some_and(|s| s.platforms.includes("linux")));
        assert!(find("cache").is_some_and(|s| !s.platforms.includes("windows")));
        assert!(find("gpg").is_some_and(|s| s.platforms.includes("freebsd")));
        assert!(find("bogus").is_none());
    }
}
