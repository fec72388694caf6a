//! GitHub.com. Sources: ../shared/reference/providers.md §3.

use super::{
    CliHelper, GuardedPaths, Pattern, Provider, ProviderKind, ShortLived, SshRefusal, TokenScope,
    TokenShape,
};
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

/// §3.4: what each kind needs to push. Classic and OAuth tokens: `repo` ("To use your
/// token to access repositories from the command line, select repo", github/docs
/// creating-a-personal-access-token; `public_repo` for public ones, scopes-for-oauth-apps).
/// Fine-grained tokens and Apps: the Contents permission ("Contents: Read and write",
/// choosing-permissions-for-a-github-app). Refresh tokens (`ghr_`) only buy a new user
/// token from the OAuth endpoint ("refreshing-user-access-tokens"); they are no login.
/// Nothing records a classic token's scopes on disk (`gh` keeps only the token in
/// hosts.yml and asks the API for `X-OAuth-Scopes`), so no scope is ever known offline.
pub(super) const TOKEN_SCOPES: &[TokenScope] = &[
    TokenScope {
        kinds: &[GithubClassicPat, GithubOauthToken],
        what: "personal access tokens (classic) and OAuth tokens",
        push: Some("the `repo` scope (`public_repo` for public repositories)"),
        read_only: None,
        git_login: true,
        source: "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps",
    },
    TokenScope {
        kinds: &[GithubFineGrainedPat, GithubUserToServerToken, GithubInstallationToken],
        what: "fine-grained personal access tokens and GitHub App tokens",
        push: Some("the Contents: Read and write permission"),
        read_only: Some("Contents: Read-only"),
        git_login: true,
        source: "https://docs.github.com/en/apps/creating-github-apps/registering-a-github-app/choosing-permissions-for-a-github-app",
    },
    TokenScope {
        kinds: &[GithubRefreshToken],
        what: "GitHub App refresh tokens, which only mint a new user token",
        push: None,
        read_only: None,
        git_login: false,
        source: "https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens",
    },
];

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
    token_scopes: TOKEN_SCOPES,
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
    // §3.6: the published keys (ssh-keygen -lf gives the fingerprints of §3.6 for each
    // line); RSA signs with rsa-sha2-* or ssh-rsa.
    ssh_host_key_algorithms: &["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
    ssh_known_hosts: &[
        "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
        "github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=",
        "github.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCj7ndNxQowgcQnjshcLrqPEiiphnt+VTTvDP6mHBL9j1aNUkY4Ue1gvwnGLVlOhGeYrnZaMgRK6+PKCUXaDbC7qtbW8gIkhL7aGCsOr/C56SJMy/BCZfxd1nWzAOxSDPgVsmerOBYfNqltV9/hWCqBywINIR+5dIg6JTJ72pcEpEjcYgXkE2YEFXV1JHnsKgbLWNlhScqb2UmyRkQyytRLtL+38TGxkxCflmO+5Z8CSSNY7GidjMIZ7Q4zMjA2n1nGrlTDkzwDCsw+wqFPGQA179cnfGWOWRVruj16z6XyvxvjJwbz0wQZ75XK5tKSb7FNyeIEs4TT4jk+S4dhPeAUC5y+bDYirYgM4GC7uEnztnZyaVWQ7B381AK4Qdrwt51ZqExKbQpTUNn+EjqoTwvqNj4kqx5QUCI0ThS/YkOxJCXmPUWZbhjpCg56i+2aB6CmK2JGhn57K5mj0MNdBXA4/WnwH6XoPWJzK5Nyu2zB3nAZp+S5hpQs+p1vN1/wsjk=",
    ],
    // What GitHub's SSH endpoint answers git-receive-pack, as users quote it (e.g.
    // greenkeeperio/greenkeeper-lockfile#103, taichi/ci-yarn-upgrade#37; §3.5 for the
    // HTTPS form of "Repository not found").
    ssh_refusals: &[
        SshRefusal { id: "read-only-key", text: &["The key you are authenticating with has been marked as read only"], why: "the key is a deploy key without write access", fix: "in the repository's Settings → Deploy keys, add the key again with `Allow write access` ticked, or push with a key registered to your account" },
        SshRefusal { id: "deploy-key-other-repository", text: &["Permission to ", " denied to deploy key"], why: "ssh offered a deploy key, and a deploy key opens only the one repository it was added to", fix: "offer your account's key for this host (`IdentityFile` and `IdentitiesOnly yes` in its Host block), or add a deploy key with write access to this repository" },
        SshRefusal { id: "repository-not-found", text: &["ERROR: Repository not found."], why: "the repository does not exist, or the account the key belongs to cannot see it", fix: "check the URL (`git remote -v`) and which account the key logs in as (`ssh -T` names it); a key of another account or a deploy key of another repository gets this answer" },
    ],
    ..Provider::EMPTY
};
