//! GitLab.com and self-managed GitLab. Sources: ../shared/reference/providers.md §4.

use super::{CannotPush, CliHelper, Pattern, Provider, ProviderKind, TokenShape};
use crate::provider::SecretKind::*;

pub(super) static PROVIDER: Provider = Provider {
    kind: ProviderKind::Gitlab,
    name: "GitLab",
    family: ProviderKind::Gitlab,
    hosts: &["gitlab.com", "altssh.gitlab.com"],
    // §4.2: gitlabhq doc/security/tokens "Token prefixes"; self-managed may put an
    // instance prefix before `glpat-` (issue 388379), so it may appear anywhere.
    shapes: &[
        TokenShape { kind: GitlabPersonalToken, pattern: Pattern::Contains("glpat-"), name: "GitLab personal/project/group access token" },
        TokenShape { kind: GitlabDeployToken, pattern: Pattern::Prefix("gldt-"), name: "GitLab deploy token" },
        TokenShape { kind: GitlabJobToken, pattern: Pattern::Prefix("glcbt-"), name: "GitLab CI/CD job token" },
        TokenShape { kind: GitlabOtherToken, pattern: Pattern::Prefix("gloas-"), name: "GitLab OAuth application secret" },
        TokenShape { kind: GitlabOtherToken, pattern: Pattern::Prefix("glrt-"), name: "GitLab runner token" },
        TokenShape { kind: GitlabOtherToken, pattern: Pattern::Prefix("glptt-"), name: "GitLab pipeline trigger token" },
        TokenShape { kind: GitlabOtherToken, pattern: Pattern::Prefix("glft-"), name: "GitLab feed token" },
    ],
    tokens: &[GitlabPersonalToken, GitlabJobToken, GitlabDeployToken, GitlabOtherToken],
    // §4.1: `oauth2` for OAuth tokens, `gitlab-ci-token` for job tokens.
    service_usernames: &["oauth2", "gitlab-ci-token"],
    https_username: "any non-empty value (your GitLab username by convention; `oauth2` for OAuth tokens)",
    // §4.1: "any non-blank value" with an access token; `oauth2` also serves OAuth tokens.
    pat_username: Some("oauth2"),
    // §4.1: deploy tokens have no write_repository scope; job tokens push only where
    // "Allow Git push requests to the repository" is on (17.2+, default off).
    cannot_push: &[
        CannotPush { kind: GitlabDeployToken, username: None, username_prefix: Some("gitlab+deploy-token"), why: "a GitLab deploy token, which has no write_repository scope", always: true },
        CannotPush { kind: GitlabJobToken, username: Some("gitlab-ci-token"), username_prefix: None, why: "a GitLab CI/CD job token, which pushes only where the project enables `Allow Git push requests`", always: false },
    ],
    // §4.5
    no_write_error: Some("You are not allowed to upload code."),
    // glab takes its token from GITLAB_TOKEN, GITLAB_ACCESS_TOKEN, OAUTH_TOKEN before the
    // login in its config (gitlab-org/cli internal/config: `EnvKeyEquivalence("token")`);
    // logins sit under `hosts:` in `config.yml` of `$GLAB_CONFIG_DIR` or `~/.config/glab-cli`.
    cli_helper: Some(CliHelper {
        program: "glab",
        variables: &["GITLAB_TOKEN", "GITLAB_ACCESS_TOKEN", "OAUTH_TOKEN"],
        username: None,
        config_dir_variable: "GLAB_CONFIG_DIR",
        config_dir: "glab-cli",
        hosts_file: "config.yml",
        hosts_at_top: false,
    }),
    push_scopes: "write_repository (role Developer or above)",
    token_page: "https://gitlab.com/-/user_settings/personal_access_tokens",
    ssh_user: Some("git"),
    ssh_test: Some("ssh -T git@gitlab.com"),
    host_keys_page: Some("https://docs.gitlab.com/user/gitlab_com/#ssh-host-keys-fingerprints"),
    // §4.4: personal access tokens expire after at most 365 days.
    max_token_days: Some(365),
    source: "https://docs.gitlab.com/user/profile/personal_access_tokens/",
    ..Provider::EMPTY
};
