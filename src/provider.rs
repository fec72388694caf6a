//! The provider table: what each hosting service accepts, in data rather than code.
//!
//! Every row cites ../shared/reference/providers.md. Rules look facts up here; no rule
//! hard-codes a host name, a date or a scope list. Detection is by host, then by path
//! marker (`/scm/`, `/_git/`), then by the user's `hosts:` mapping in the config file.

use crate::date::Date;
use crate::secret::SecretKind;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ProviderKind {
    BitbucketCloud,
    BitbucketDatacenter,
    Github,
    GithubEnterprise,
    Gitlab,
    AzureDevops,
    Gitea,
    Codecommit,
    HuggingFace,
}

/// One provider's rules for git authentication.
pub(crate) struct Provider {
    pub kind: ProviderKind,
    pub name: &'static str,
    /// Host names (exact, lower case) and `*.suffix` patterns.
    pub hosts: &'static [&'static str],
    /// Secret kinds the provider issues for git over HTTPS.
    pub tokens: &'static [SecretKind],
    /// Account passwords are refused for git over HTTPS from this date (None: accepted or instance-dependent).
    pub password_cutoff: Option<Date>,
    /// App passwords: (brownouts start, removed on).
    pub app_password_end: Option<(Date, Date)>,
    /// What to put in the user name field next to a token.
    pub https_username: &'static str,
    /// What a token needs to push.
    pub push_scopes: &'static str,
    /// Where to create a token.
    pub token_page: &'static str,
    /// The SSH user every push must use, for hosted services.
    pub ssh_user: Option<&'static str>,
    /// How to check an SSH setup against this provider.
    pub ssh_test: Option<&'static str>,
    /// Retired SSH host keys: (SHA256 fingerprint or base64 blob fragment, replaced on).
    pub retired_host_keys: &'static [(&'static str, Date)],
    /// Where the provider publishes its current host key fingerprints.
    pub host_keys_page: Option<&'static str>,
    /// Longest lifetime of a token, in days.
    pub max_token_days: Option<u32>,
    pub source: &'static str,
}

pub(crate) const BITBUCKET_APP_PASSWORD_BROWNOUT: Date = Date::new(2026, 6, 9);
pub(crate) const BITBUCKET_APP_PASSWORD_REMOVED: Date = Date::new(2026, 7, 28);

pub(crate) static PROVIDERS: &[Provider] = &[
    Provider {
        kind: ProviderKind::BitbucketCloud,
        name: "Bitbucket Cloud",
        hosts: &["bitbucket.org", "altssh.bitbucket.org"],
        tokens: &[SecretKind::AtlassianApiToken, SecretKind::BitbucketAccessToken],
        password_cutoff: Some(Date::new(2022, 3, 1)),
        app_password_end: Some((BITBUCKET_APP_PASSWORD_BROWNOUT, BITBUCKET_APP_PASSWORD_REMOVED)),
        https_username: "your Bitbucket username (Personal settings → Bitbucket profile settings), or `x-bitbucket-api-token-auth`; `x-token-auth` for access tokens; never your email",
        push_scopes: "read:repository:bitbucket and write:repository:bitbucket",
        token_page: "https://id.atlassian.com/manage-profile/security/api-tokens",
        ssh_user: Some("git"),
        ssh_test: Some("ssh -T git@bitbucket.org"),
        retired_host_keys: &[("AAAAubiN81eDcafrgMeLzaFPsw", Date::new(2023, 6, 20)), ("SHA256:zzXQOXSRBEiUtuE8AikJYKwbHaxvSc0ojez9YXaGp1A", Date::new(2023, 6, 20))],
        host_keys_page: Some("https://bitbucket.org/site/ssh"),
        max_token_days: Some(365),
        source: "https://support.atlassian.com/bitbucket-cloud/docs/using-api-tokens",
    },
    Provider {
        kind: ProviderKind::BitbucketDatacenter,
        name: "Bitbucket Data Center",
        hosts: &[],
        tokens: &[SecretKind::BitbucketDatacenterToken],
        password_cutoff: None,
        app_password_end: None,
        https_username: "your Bitbucket Data Center username (project/repository tokens: Bearer header only, no user name)",
        push_scopes: "Repository write",
        token_page: "Profile picture → Manage account → HTTP access tokens",
        ssh_user: None,
        ssh_test: None,
        retired_host_keys: &[],
        host_keys_page: None,
        max_token_days: None,
        source: "https://confluence.atlassian.com/bitbucketserver/personal-access-tokens-939515499.html",
    },
    Provider {
        kind: ProviderKind::Github,
        name: "GitHub",
        hosts: &["github.com", "ssh.github.com"],
        tokens: &[
            SecretKind::GithubClassicPat,
            SecretKind::GithubFineGrainedPat,
            SecretKind::GithubOauthToken,
            SecretKind::GithubUserToServerToken,
            SecretKind::GithubInstallationToken,
            SecretKind::Hex40,
        ],
        password_cutoff: Some(Date::new(2021, 8, 13)),
        app_password_end: None,
        https_username: "your GitHub username (`x-access-token` for App installation tokens)",
        push_scopes: "classic: repo (and workflow to change .github/workflows); fine-grained: Contents read and write (and Workflows read and write)",
        token_page: "https://github.com/settings/tokens",
        ssh_user: Some("git"),
        ssh_test: Some("ssh -T git@github.com"),
        retired_host_keys: &[("SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8", Date::new(2023, 3, 24))],
        host_keys_page: Some("https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/githubs-ssh-key-fingerprints"),
        max_token_days: None,
        source: "https://docs.github.com/en/get-started/git-basics/about-remote-repositories#cloning-with-https-urls",
    },
    Provider {
        kind: ProviderKind::GithubEnterprise,
        name: "GitHub Enterprise Server",
        hosts: &[],
        tokens: &[
            SecretKind::GithubClassicPat,
            SecretKind::GithubFineGrainedPat,
            SecretKind::GithubOauthToken,
            SecretKind::GithubUserToServerToken,
            SecretKind::GithubInstallationToken,
            SecretKind::Hex40,
        ],
        password_cutoff: None,
        app_password_end: None,
        https_username: "your GitHub Enterprise username",
        push_scopes: "classic: repo (and workflow to change .github/workflows); fine-grained: Contents read and write",
        token_page: "Settings → Developer settings → Personal access tokens",
        ssh_user: Some("git"),
        ssh_test: None,
        retired_host_keys: &[],
        host_keys_page: None,
        max_token_days: None,
        source: "https://docs.github.com/en/enterprise-server@latest/authentication",
    },
    Provider {
        kind: ProviderKind::Gitlab,
        name: "GitLab",
        hosts: &["gitlab.com", "altssh.gitlab.com"],
        tokens: &[SecretKind::GitlabPersonalToken, SecretKind::GitlabJobToken, SecretKind::GitlabDeployToken, SecretKind::GitlabOtherToken],
        password_cutoff: None,
        app_password_end: None,
        https_username: "any non-empty value (your GitLab username by convention; `oauth2` for OAuth tokens)",
        push_scopes: "write_repository (role Developer or above)",
        token_page: "https://gitlab.com/-/user_settings/personal_access_tokens",
        ssh_user: Some("git"),
        ssh_test: Some("ssh -T git@gitlab.com"),
        retired_host_keys: &[],
        host_keys_page: Some("https://docs.gitlab.com/user/gitlab_com/#ssh-host-keys-fingerprints"),
        max_token_days: Some(365),
        source: "https://docs.gitlab.com/user/profile/personal_access_tokens/",
    },
    Provider {
        kind: ProviderKind::AzureDevops,
        name: "Azure DevOps",
        hosts: &["dev.azure.com", "*.visualstudio.com", "ssh.dev.azure.com", "vs-ssh.visualstudio.com"],
        tokens: &[SecretKind::AzureDevopsPat, SecretKind::AzureDevopsLegacyPat],
        password_cutoff: Some(Date::new(2020, 3, 2)),
        app_password_end: None,
        https_username: "any non-empty value",
        push_scopes: "Code (Read & write)",
        token_page: "https://dev.azure.com/<org>/_usersSettings/tokens",
        ssh_user: Some("git"),
        ssh_test: Some("ssh -T git@ssh.dev.azure.com"),
        retired_host_keys: &[],
        host_keys_page: None,
        max_token_days: None,
        source: "https://learn.microsoft.com/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate",
    },
    Provider {
        kind: ProviderKind::Gitea,
        name: "Gitea/Forgejo",
        hosts: &["codeberg.org"],
        tokens: &[SecretKind::Hex40],
        password_cutoff: None,
        app_password_end: None,
        https_username: "your username (any value when the token is the password)",
        push_scopes: "write:repository",
        token_page: "Settings → Applications → Access tokens",
        ssh_user: Some("git"),
        ssh_test: None,
        retired_host_keys: &[],
        host_keys_page: None,
        max_token_days: None,
        source: "https://docs.codeberg.org/security/2fa/",
    },
    Provider {
        kind: ProviderKind::Codecommit,
        name: "AWS CodeCommit",
        hosts: &["git-codecommit.*.amazonaws.com"],
        tokens: &[],
        password_cutoff: None,
        app_password_end: None,
        https_username: "the IAM-generated Git credentials user name, or the AWS CLI credential helper",
        push_scopes: "IAM codecommit:GitPush",
        token_page: "IAM → Users → Security credentials → HTTPS Git credentials for AWS CodeCommit",
        ssh_user: None,
        ssh_test: None,
        retired_host_keys: &[],
        host_keys_page: None,
        max_token_days: None,
        source: "https://docs.aws.amazon.com/codecommit/latest/userguide/setting-up-https-unixes.html",
    },
    Provider {
        kind: ProviderKind::HuggingFace,
        name: "Hugging Face",
        hosts: &["huggingface.co", "hf.co"],
        tokens: &[SecretKind::HuggingfaceToken],
        password_cutoff: Some(Date::new(2023, 10, 1)),
        app_password_end: None,
        https_username: "your Hugging Face user name",
        push_scopes: "a token with the write role (or fine-grained write access to the repository)",
        token_page: "https://huggingface.co/settings/tokens",
        ssh_user: Some("git"),
        ssh_test: Some("ssh -T git@hf.co"),
        retired_host_keys: &[],
        host_keys_page: None,
        max_token_days: None,
        source: "https://huggingface.co/blog/password-git-deprecation",
    },
];

/// The provider table as Markdown (`git-credcheck providers`, docs/providers.md).
pub(crate) fn table_markdown() -> String {
    let mut s = String::from("| provider | id | hosts | tokens for git | user name | push needs | passwords refused from | app passwords | max token age | SSH user | source |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for p in PROVIDERS {
        let tokens: Vec<&str> = p.tokens.iter().map(|k| k.name()).collect();
        let app = p
            .app_password_end
            .map(|(b, r)| format!("brownouts from {b}, removed {r}"))
            .unwrap_or_else(|| "-".into());
        s.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            p.name,
            p.kind.id(),
            if p.hosts.is_empty() {
                "(configured in `hosts:`)".to_owned()
            } else {
                p.hosts.join(", ")
            },
            if tokens.is_empty() {
                "-".to_owned()
            } else {
                tokens.join("; ")
            },
            p.https_username,
            p.push_scopes,
            p.password_cutoff
                .map(|d| d.to_string())
                .unwrap_or_else(|| "-".into()),
            app,
            p.max_token_days
                .map(|d| format!("{d} days"))
                .unwrap_or_else(|| "-".into()),
            p.ssh_user.unwrap_or("-"),
            p.source,
        ));
    }
    s
}

/// docs/providers.md, generated from the table.
#[cfg(test)]
pub(crate) fn docs_markdown() -> String {
    format!(
        "# Providers\n\n<!-- generated from src/provider.rs by `UPDATE_DOCS=1 cargo test docs_are_fresh`; do not edit -->\n\nWhat git-credcheck knows about each provider (also `git-credcheck providers`). Self-hosted servers are mapped with `hosts:` in the configuration file; paths with `/scm/` are Bitbucket Data Center, paths with `/_git/` Azure DevOps Server.\n\n{}",
        table_markdown()
    )
}

impl ProviderKind {
    pub(crate) fn info(self) -> &'static Provider {
        PROVIDERS
            .iter()
            .find(|p| p.kind == self)
            .expect("every kind has a row in PROVIDERS")
    }

    /// The kebab-case id used in config files and JSON.
    pub(crate) fn id(self) -> &'static str {
        match self {
            ProviderKind::BitbucketCloud => "bitbucket-cloud",
            ProviderKind::BitbucketDatacenter => "bitbucket-datacenter",
            ProviderKind::Github => "github",
            ProviderKind::GithubEnterprise => "github-enterprise",
            ProviderKind::Gitlab => "gitlab",
            ProviderKind::AzureDevops => "azure-devops",
            ProviderKind::Gitea => "gitea",
            ProviderKind::Codecommit => "codecommit",
            ProviderKind::HuggingFace => "hugging-face",
        }
    }

    pub(crate) fn from_id(id: &str) -> Option<ProviderKind> {
        PROVIDERS.iter().map(|p| p.kind).find(|k| k.id() == id)
    }

    /// Is this the same family (a GitHub token sent to GitHub Enterprise is not foreign)?
    pub(crate) fn family(self) -> ProviderKind {
        match self {
            ProviderKind::GithubEnterprise => ProviderKind::Github,
            ProviderKind::BitbucketDatacenter => ProviderKind::BitbucketDatacenter,
            other => other,
        }
    }
}

/// Which provider serves `host` (lower case, without port) and `path`.
/// `mapped` holds the user's `hosts:` entries from the config file, which win.
pub(crate) fn detect(
    host: &str,
    path: &str,
    mapped: &[(String, ProviderKind)],
) -> Option<ProviderKind> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if let Some((_, kind)) = mapped.iter().find(|(h, _)| h.eq_ignore_ascii_case(&host)) {
        return Some(*kind);
    }
    for p in PROVIDERS {
        if p.hosts.iter().any(|pat| host_matches(pat, &host)) {
            return Some(p.kind);
        }
    }
    let path = format!("/{}", path.trim_start_matches('/'));
    if path.starts_with("/scm/") || path.contains("/scm/") {
        return Some(ProviderKind::BitbucketDatacenter);
    }
    if path.contains("/_git/") {
        return Some(ProviderKind::AzureDevops);
    }
    None
}

fn host_matches(pattern: &str, host: &str) -> bool {
    match pattern.split_once('*') {
        Some((pre, post)) => {
            host.len() > pre.len() + post.len() && host.starts_with(pre) && host.ends_with(post)
        }
        None => pattern == host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_an_id_that_round_trips() {
        for p in PROVIDERS {
            assert_eq!(ProviderKind::from_id(p.kind.id()), Some(p.kind));
            assert!(p.source.starts_with("http"), "{}", p.name);
        }
    }

    #[test]
    fn detects_hosted_services() {
        let none: &[(String, ProviderKind)] = &[];
        assert_eq!(
            detect("bitbucket.org", "ws/r.git", none),
            Some(ProviderKind::BitbucketCloud)
        );
        assert_eq!(
            detect("GitHub.com", "a/b", none),
            Some(ProviderKind::Github)
        );
        assert_eq!(
            detect("gitlab.com", "a/b", none),
            Some(ProviderKind::Gitlab)
        );
        assert_eq!(
            detect("dev.azure.com", "o/p/_git/r", none),
            Some(ProviderKind::AzureDevops)
        );
        assert_eq!(
            detect("acme.visualstudio.com", "p/_git/r", none),
            Some(ProviderKind::AzureDevops)
        );
        assert_eq!(
            detect("git-codecommit.eu-west-1.amazonaws.com", "v1/repos/r", none),
            Some(ProviderKind::Codecommit)
        );
        assert_eq!(
            detect("hf.co", "spaces/x", none),
            Some(ProviderKind::HuggingFace)
        );
        assert_eq!(
            detect("codeberg.org", "a/b", none),
            Some(ProviderKind::Gitea)
        );
        assert_eq!(
            detect("git.acme.test", "scm/PROJ/r.git", none),
            Some(ProviderKind::BitbucketDatacenter)
        );
        assert_eq!(
            detect("tfs.acme.test", "tfs/c/p/_git/r", none),
            Some(ProviderKind::AzureDevops)
        );
        assert_eq!(detect("git.acme.test", "a/b", none), None);
        let mapped = vec![("git.acme.test".to_owned(), ProviderKind::Gitlab)];
        assert_eq!(
            detect("git.acme.test", "a/b", &mapped),
            Some(ProviderKind::Gitlab)
        );
    }
}
