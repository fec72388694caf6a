//! GitHub Enterprise Server (self-hosted). Sources: ../shared/reference/providers.md §3
//! (password policy per instance: unconfirmed, so no cutoff).

use super::{github, Provider, ProviderKind};

pub(super) static PROVIDER: Provider = Provider {
    kind: ProviderKind::GithubEnterprise,
    name: "GitHub Enterprise Server",
    family: ProviderKind::Github,
    tokens: github::TOKENS,
    service_usernames: &["x-access-token"],
    https_username: "your GitHub Enterprise username",
    pat_username: Some("x-access-token"),
    guarded_paths: Some(github::WORKFLOWS),
    token_scopes: github::TOKEN_SCOPES,
    cli_helper: Some(github::GH_ENTERPRISE),
    short_lived: github::SHORT_LIVED,
    push_scopes: "classic: repo (and workflow to change .github/workflows); fine-grained: Contents read and write",
    token_page: "Settings → Developer settings → Personal access tokens",
    ssh_user: Some("git"),
    source: "https://docs.github.com/en/enterprise-server@latest/authentication",
    ..Provider::EMPTY
};
