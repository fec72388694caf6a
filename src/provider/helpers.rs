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
