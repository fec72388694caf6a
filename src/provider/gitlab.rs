//! GitLab.com and self-managed GitLab. Sources: ../shared/reference/providers.md §4.

use super::{
    CannotPush, CliHelper, Pattern, Provider, ProviderKind, SshRefusal, TokenScope, TokenShape,
};
use crate::provider::SecretKind::*;

/// §4.1, §4.3: what each kind of GitLab token needs to push.
/// - Personal, project, group and impersonation tokens (`glpat-`): `write_repository`
///   "Grants read-write access to repositories on private projects using Git-over-HTTP"
///   (`api` also works); `read_repository` is read-only; project and group tokens push
///   only with the Developer role or above (docs.gitlab.com personal_access_tokens,
///   "Personal access token scopes"; project access tokens).
/// - Deploy tokens: scopes `read_repository`, registry and package scopes, no
///   `write_repository` (deploy tokens page) — CC205 reports them.
/// - CI/CD job tokens: push only to their own project, and only where "Allow Git push
///   requests to the repository" is on (GitLab 17.2+, off by default; ci/jobs/ci_job_token).
/// - Feed tokens ("You cannot use this token to access any other data"), runner
///   authentication tokens, pipeline trigger tokens and OAuth application secrets
///   authenticate RSS readers, runners, the trigger API and OAuth clients: none is a git
///   login (docs.gitlab.com security/tokens "GitLab token overview").
pub(super) const TOKEN_SCOPES: &[TokenScope] = &[
    TokenScope {
        kinds: &[GitlabPersonalToken],
        what: "personal, project, group and impersonation access tokens",
        push: Some("the `write_repository` (or `api`) scope; project and group tokens also need the Developer role"),
        read_only: Some("`read_repository`"),
        git_login: true,
        source: "https://docs.gitlab.com/user/profile/personal_access_tokens/#personal-access-token-scopes",
    },
    TokenScope {
        kinds: &[GitlabDeployToken],
        what: "deploy tokens",
        push: None,
        read_only: Some("`read_repository`"),
        git_login: true,
        source: "https://docs.gitlab.com/user/project/deploy_tokens/",
    },
    TokenScope {
        kinds: &[GitlabJobToken],
        what: "CI/CD job tokens",
        push: Some("the project setting `Allow Git push requests to the repository` (GitLab 17.2 and later, off by default)"),
        read_only: None,
        git_login: true,
        source: "https://docs.gitlab.com/ci/jobs/ci_job_token/",
    },
    TokenScope {
        kinds: &[GitlabOtherToken],
        what: "feed, runner and pipeline trigger tokens and OAuth application secrets",
        push: None,
        read_only: None,
        git_login: false,
        source: "https://docs.gitlab.com/security/tokens/",
    },
];

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
    token_scopes: TOKEN_SCOPES,
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
    // §4.6: the published keys (ssh-keygen -lf gives the fingerprints of §4.6 for each
    // line); RSA signs with rsa-sha2-* or ssh-rsa.
    ssh_host_key_algorithms: &["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
    ssh_known_hosts: &[
        "gitlab.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAfuCHKVTjquxvt6CM6tdG4SLp1Btn/nOeHHE5UOzRdf",
        "gitlab.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBFSMqzJeV9rUzU4kWitGjeR4PWSa29SPqJ1fVkhtj3Hw9xjLVXVYrU9QlYWrOLXBpQ6KWjbjTDTdDkoohFzgbEY=",
        "gitlab.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCsj2bNKTBSpIYDEGk9KxsGh3mySTRgMtXL583qmBpzeQ+jqCMRgBqB98u3z++J1sKlXHWfM9dyhSevkMwSbhoR8XIq/U0tCNyokEi/ueaBMCvbcTHhO7FcwzY92WK4Yt0aGROY5qX2UKSeOvuP4D6TPqKF1onrSzH9bx9XUf2lEdWT/ia1NEKjunUqu1xOB/StKDHMoX4/OKyIzuS0q/T1zOATthvasJFoPrAjkohTyaDUz2LN5JoH839hViyEG82yB+MjcFV5MU3N1l1QL3cVUCh93xSaua1N85qivl+siMkPGbO5xR/En4iEY6K2XPASUEMaieWVNTRCtJ4S8H+9",
    ],
    // GitLab's answers (lib/gitlab/git_access.rb ERROR_MESSAGES: push_code "You are not
    // allowed to push code to this project.", deploy_key_upload "This deploy key does not
    // have write access to this project.", project_not_found "The project you were looking
    // for could not be found…"), printed by gitlab-shell as "GitLab: …" over SSH
    // (sameersbn/docker-gitlab#1561).
    ssh_refusals: &[
        SshRefusal { id: "repository-not-found", text: &["The project you were looking for could not be found"], why: "the project does not exist, or the account (or deploy key) of the key ssh offered has no access to it", fix: "check the URL (`git remote -v`) and which account the key logs in as (`ssh -T` names it)" },
        SshRefusal { id: "no-write-access", text: &["You are not allowed to push code"], why: "the account of the key ssh offered may read the project but not push (role below Developer, or a protected branch)", fix: "ask for the Developer role (or push rights on the branch), or push with the key of an account that has them" },
        SshRefusal { id: "read-only-key", text: &["deploy key does not have write access"], why: "the key is a deploy key without write access", fix: "in the project's Settings → Repository → Deploy keys, grant the key write access, or push with a key registered to your account" },
    ],
    ..Provider::EMPTY
};
