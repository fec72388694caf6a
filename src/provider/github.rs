//! GitHub.com. Sources: ../shared/reference/providers.md §3.

use super::{CliHelper, GuardedPaths, Pattern, Provider, ProviderKind, ShortLived, TokenShape};
use crate::date::Date;
use crate::provider::SecretKind::{self, *};

/// §3.3: GitHub's token formats (github/docs "about-authentication-to-github", "GitHub's
/// token formats"). Shared with GitHub Enterprise Server.
pub(super) const SHAPES: &[TokenShape] = &[
    TokenShape {
        kind: GithubFineGrainedPat,
        pattern: Pattern::Prefix("github_pat_"),
        name: "GitHub fine-grained personal access token",
    },
    TokenShape {
        kind: GithubClassicPat,
        pattern: Pattern::Prefix("ghp_"),
        name: "GitHub personal access token (classic)",
    },
    TokenShape {
        kind: GithubOauthToken,
        pattern: Pattern::Prefix("gho_"),
        name: "GitHub OAuth token",
    },
    TokenShape {
        kind: GithubUserToServerToken,
        pattern: Pattern::Prefix("ghu_"),
        name: "GitHub App user token",
    },
    TokenShape {
        kind: GithubInstallationToken,
        pattern: Pattern::Prefix("ghs_"),
        name: "GitHub App installation token (or Actions GITHUB_TOKEN)",
    },
    TokenShape {
        kind: GithubRefreshToken,
        pattern: Pattern::Prefix("ghr_"),
        name: "GitHub refresh token",
    },
];

/// §3.1: accepted over HTTPS (plus the legacy 40-hex form from before 2021).
pub(super) const TOKENS: &[SecretKind] = &[
    GithubClassicPat,
    GithubFineGrainedPat,
    GithubOauthToken,
    GithubUserToServerToken,
    GithubInstallationToken,
    Hex40,
];

/// §3.4: `workflow` scope for classic and OAuth tokens, the Workflows permission for
/// fine-grained tokens and Apps; Actions' GITHUB_TOKEN can never have it.
pub(super) const WORKFLOWS: GuardedPaths = GuardedPaths {
    prefixes: &[".github/workflows/"],
    needs: &[
        (GithubClassicPat, "the `workflow` scope"),
        (GithubOauthToken, "the `workflow` scope"),
        (
            GithubInstallationToken,
            "the Workflows: write permission (an Actions GITHUB_TOKEN can never have it)",
        ),
        (
            GithubUserToServerToken,
            "the Workflows: Read and write permission",
        ),
        (
            GithubFineGrainedPat,
            "the Workflows: Read and write permission",
        ),
    ],
    fix: "# classic token: https://github.com/settings/tokens → edit → tick `workflow`",
};

/// Installation tokens expire an hour after they are created; Actions' GITHUB_TOKEN (also
/// an installation token) "can only be refreshed for up to 24 hours"
/// (https://docs.github.com/en/actions/concepts/security/github_token; the 1 hour is in
/// GitHub's "Authenticating as a GitHub App installation" and actions/create-github-app-token#121).
/// The longer bound is the one a stored copy is judged by.
pub(super) const SHORT_LIVED: &[ShortLived] = &[ShortLived {
    kind: GithubInstallationToken,
    minutes: 24 * 60,
    minted_by: "the GitHub App or the Actions job, for each run",
}];

/// `gh auth git-credential` answers with the token of GH_TOKEN, else GITHUB_TOKEN, for
/// github.com (gh's `help environment`: "GH_TOKEN, GITHUB_TOKEN (in order of precedence):
/// an authentication token for github.com API requests"), as `x-access-token`, before its
/// own login; logins are kept in `hosts.yml` of `$GH_CONFIG_DIR` or `~/.config/gh`.
pub(super) const GH: CliHelper = CliHelper {
    program: "gh",
    variables: &["GH_TOKEN", "GITHUB_TOKEN"],
    username: Some("x-access-token"),
    config_dir_variable: "GH_CONFIG_DIR",
    config_dir: "gh",
    hosts_file: "hosts.yml",
    hosts_at_top: true,
};

/// For other hosts gh reads "GH_ENTERPRISE_TOKEN, GITHUB_ENTERPRISE_TOKEN (in order of
/// precedence): an authentication token for API requests to GitHub Enterprise".
pub(super) const GH_ENTERPRISE: CliHelper = CliHelper {
    variables: &["GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"],
    ..GH
};

pub(super) static PROVIDER: Provider = Provider {
    kind: ProviderKind::Github,
    name: "GitHub",
    family: ProviderKind::Github,
    hosts: &["github.com", "ssh.github.com"],
    shapes: SHAPES,
    tokens: TOKENS,
    // §3.1: "Support for password authentication was removed on August 13, 2021."
    password_cutoff: Some(Date::new(2021, 8, 13)),
    // GitHub issues no 20-character secrets: one is a password.
    password_like: &[Alnum20],
    // §3.2: installation tokens go with `x-access-token`.
    service_usernames: &["x-access-token"],
    https_username: "your GitHub username (`x-access-token` for App installation tokens)",
    // §3.2: the user name is not checked with a PAT; `x-access-token` is the one
    // installation tokens need, so it serves both.
    pat_username: Some("x-access-token"),
    // §3.5
    no_write_error: Some("Write access to repository not granted."),
    guarded_paths: Some(WORKFLOWS),
    cli_helper: Some(GH),
    short_lived: SHORT_LIVED,
    push_scopes: "classic: repo (and workflow to change .github/workflows); fine-grained: Contents read and write (and Workflows read and write)",
    token_page: "https://github.com/settings/tokens",
    ssh_user: Some("git"),
    ssh_test: Some("ssh -T git@github.com"),
    // §3.6: RSA host key replaced 2023-03-24.
    retired_host_keys: &[("SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8", Date::new(2023, 3, 24))],
    host_keys_page: Some("https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/githubs-ssh-key-fingerprints"),
    source: "https://docs.github.com/en/get-started/git-basics/about-remote-repositories#cloning-with-https-urls",
    ..Provider::EMPTY
};
