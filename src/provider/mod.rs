//! Provider policy as data: one table per hosting service, one file per table.
//!
//! Each file in this folder (`github.rs`, `bitbucket_cloud.rs`, …) holds one [`Provider`]:
//! its hosts, the token shapes it issues, the secrets and user names it accepts for git,
//! the scopes a push needs, its dates, error texts and SSH facts, each with its source in
//! a comment (most cite `../shared/reference/providers.md`). [`shape`] classifies a secret
//! by reading these tables, so the issuer of a token is written down once.
//!
//! Rules ask these tables (`u.provider.map(ProviderKind::info)`, the helper methods on
//! [`Provider`]); no rule names a host, a date or a token prefix. This folder imports
//! only `crate::date`; everything else imports it.

mod azure_devops;
mod bitbucket_cloud;
mod bitbucket_datacenter;
pub(crate) mod ci;
mod codecommit;
pub(crate) mod gcm;
mod gitea;
mod github;
mod github_enterprise;
mod gitlab;
mod helpers;
mod hugging_face;
mod placeholder;
mod policy;
pub(crate) mod shape;
mod table;

use crate::date::Date;
pub(crate) use helpers::{CliHelper, PlatformHelper, ShortLived, SshRefusal, TokenScope};
pub(crate) use policy::is_service_username;
use serde::{Deserialize, Serialize};
pub(crate) use shape::{SecretKind, Shape};
#[cfg(test)]
pub(crate) use table::docs_markdown;
pub(crate) use table::table_markdown;

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

/// How a token of some kind is recognised, by shape only.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Pattern {
    /// Starts with this fixed prefix (and has more after it).
    Prefix(&'static str),
    /// Holds this marker anywhere (an instance may put its own prefix before it).
    Contains(&'static str),
    /// Exactly `len` characters from `alphabet`, with `marker` at a byte offset if given.
    Fixed {
        len: usize,
        alphabet: Alphabet,
        marker: Option<(usize, &'static str)>,
    },
    /// A signing time `YYYYMMDDTHHMMSSZ` (UTC, as AWS Signature Version 4 writes it)
    /// followed by exactly `sig_len` characters from `alphabet`: the shape tells the day
    /// the secret was minted.
    Stamped { sig_len: usize, alphabet: Alphabet },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Alphabet {
    /// `[A-Za-z0-9]`
    Alnum,
    /// `[a-z2-7]` (RFC 4648 base32, lower case)
    Base32Lower,
    /// `[0-9a-f]`
    HexLower,
}

/// A token shape a provider issues.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TokenShape {
    pub kind: SecretKind,
    pub pattern: Pattern,
    /// What people call it: "GitHub personal access token (classic)".
    pub name: &'static str,
}

/// A kind of secret the provider used to accept and has retired.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Retirement {
    pub kinds: &'static [SecretKind],
    /// "app passwords"
    pub what: &'static str,
    /// From this day the secret fails some of the time (brownouts).
    pub failing_from: Date,
    /// From this day the provider refuses it.
    pub refused_from: Date,
    /// An ambiguous kind among `kinds`, and why it is counted here.
    pub ambiguous: Option<(SecretKind, &'static str)>,
}

/// The user name a kind of token must be paired with.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TokenUsername {
    pub kinds: &'static [SecretKind],
    /// The only user name accepted, if there is one.
    pub exactly: Option<&'static str>,
    /// User names refused with these kinds.
    pub refused: &'static [&'static str],
    /// The name the token was given when created is not a user name.
    pub refuse_labels: bool,
    /// What to use instead.
    pub want: &'static str,
}

/// A credential that authenticates but cannot push.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CannotPush {
    pub kind: SecretKind,
    /// The user name that marks it when the secret's shape does not (`gitlab-ci-token`).
    pub username: Option<&'static str>,
    /// A user name prefix that marks it (`gitlab+deploy-token`).
    pub username_prefix: Option<&'static str>,
    /// "a GitLab deploy token, which has no write_repository scope"
    pub why: &'static str,
    /// Refused on every push (else only where the project has not allowed it).
    pub always: bool,
}

/// Paths a token may change only with an extra scope or permission.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GuardedPaths {
    /// Path prefixes, relative to the repository root.
    pub prefixes: &'static [&'static str],
    /// What each token kind needs to change them; kinds not listed are not judged.
    pub needs: &'static [(SecretKind, &'static str)],
    /// Where to grant it.
    pub fix: &'static str,
}

/// One provider's rules for git authentication.
pub(crate) struct Provider {
    pub kind: ProviderKind,
    pub name: &'static str,
    /// The provider whose tokens this one accepts (GitHub for GitHub Enterprise).
    pub family: ProviderKind,
    /// Host names (exact, lower case) and `*.suffix` patterns.
    pub hosts: &'static [&'static str],
    /// Path markers of self-hosted instances (`/scm/`, `/_git/`).
    pub path_markers: &'static [&'static str],
    /// Token shapes this provider issues (whether or not git accepts them).
    pub shapes: &'static [TokenShape],
    /// Secret kinds the provider accepts for git over HTTPS.
    pub tokens: &'static [SecretKind],
    /// Account passwords are refused for git over HTTPS from this date (None: accepted or instance-dependent).
    pub password_cutoff: Option<Date>,
    /// Kinds this provider never issues and reads as an account password.
    pub password_like: &'static [SecretKind],
    /// Secret kinds it has retired.
    pub retired: &'static [Retirement],
    /// User names each kind of token needs.
    pub token_usernames: &'static [TokenUsername],
    /// Fixed user names that go with tokens, never with a password.
    pub service_usernames: &'static [&'static str],
    /// Why an e-mail address is refused as the git user name, when it is.
    pub email_username_refused: Option<&'static str>,
    /// What to put in the user name field next to a token.
    pub https_username: &'static str,
    /// A placeholder for `credential.<url>.username` in fixes, when the user name matters.
    pub username_placeholder: Option<&'static str>,
    /// A fixed user name the provider accepts with a personal access token, whoever owns
    /// it: what a fix writes where git needs a user name and the owner is not known
    /// (`None`: the user's own name is needed).
    pub pat_username: Option<&'static str>,
    /// Credentials that authenticate but cannot push.
    pub cannot_push: &'static [CannotPush],
    /// Text the server answers when a push is refused for lack of write access.
    pub no_write_error: Option<&'static str>,
    /// Paths that need an extra scope to change.
    pub guarded_paths: Option<GuardedPaths>,
    /// The CLI helper that prefers a token from the environment.
    pub cli_helper: Option<CliHelper>,
    /// A helper this provider needs and how (`!aws codecommit credential-helper $@`).
    pub signing_helper: Option<&'static str>,
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
    /// Kinds minted for minutes or hours, not to be kept by a credential store.
    pub short_lived: &'static [ShortLived],
    /// The server checks the user name sent with a token: any other name is refused
    /// (false: ignored, or not known to be checked).
    pub username_checked: bool,
    pub source: &'static str,
    /// What each kind of token must carry to push, each fact with its source.
    pub token_scopes: &'static [TokenScope],
    /// Every host key algorithm the SSH endpoint can offer (its host keys are of these
    /// types only): an ssh that accepts none of them cannot connect. Empty: not known.
    pub ssh_host_key_algorithms: &'static [&'static str],
    /// The provider's published known_hosts lines (its current host keys).
    pub ssh_known_hosts: &'static [&'static str],
    /// What the SSH endpoint prints when it refuses a push after authentication.
    pub ssh_refusals: &'static [SshRefusal],
    /// Hosts where Git Credential Manager takes the organization from the first path
    /// component, so it needs `credential.useHttpPath` (or the organization as the URL's
    /// user) to answer at all.
    pub gcm_org_from_path: &'static [&'static str],
    /// Git Credential Manager signs in to this provider with OAuth by default and stores
    /// an access token of no published shape: from GCM, a secret of no known shape is not
    /// an account password.
    pub gcm_oauth_shapeless: bool,
}

/// Every provider, in the order of the docs table.
pub(crate) static PROVIDERS: &[&Provider] = &[
    &bitbucket_cloud::PROVIDER,
    &bitbucket_datacenter::PROVIDER,
    &github::PROVIDER,
    &github_enterprise::PROVIDER,
    &gitlab::PROVIDER,
    &azure_devops::PROVIDER,
    &gitea::PROVIDER,
    &codecommit::PROVIDER,
    &hugging_face::PROVIDER,
];

impl ProviderKind {
    pub(crate) fn info(self) -> &'static Provider {
        PROVIDERS
            .iter()
            .copied()
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
        self.info().family
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
    if let Some(p) = PROVIDERS.iter().find(|p| p.hosts_exactly(&host)) {
        return Some(p.kind);
    }
    let path = format!("/{}", path.trim_start_matches('/'));
    PROVIDERS
        .iter()
        .find(|p| p.path_markers.iter().any(|m| path.contains(m)))
        .map(|p| p.kind)
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
    fn retired_and_password_refusals_follow_the_tables() {
        let bb = ProviderKind::BitbucketCloud.info();
        let atbb = Shape::of("ATBB0123456789abcdefABCDEF0123456789");
        assert!(bb.refusal(Date::new(2026, 6, 8), None, &atbb).is_none());
        assert_eq!(
            bb.refusal(Date::new(2026, 6, 9), None, &atbb).map(|r| r.1),
            Some(false)
        );
        let (why, certain) = bb
            .refusal(Date::new(2026, 7, 28), None, &atbb)
            .expect("removed");
        assert!(certain && why.contains("2026-07-28"), "{why}");
        let gh = ProviderKind::Github.info();
        let password = Shape::of("correct horse battery staple");
        assert!(gh
            .refusal(Date::new(2021, 8, 12), None, &password)
            .is_none());
        assert!(gh
            .refusal(Date::new(2021, 8, 13), None, &password)
            .is_some());
        // A service user name says the secret is a token of a shape we do not know.
        assert!(gh
            .refusal(Date::new(2026, 1, 1), Some("x-access-token"), &password)
            .is_none());
        assert!(gh
            .refusal(
                Date::new(2026, 1, 1),
                None,
                &Shape::of("bLHDMmvlk7L9wGerIfMg")
            )
            .is_some());
        let gl = ProviderKind::Gitlab.info();
        assert!(gl.refusal(Date::new(2026, 1, 1), None, &password).is_none());
    }

    #[test]
    fn usernames_and_read_only_credentials_follow_the_tables() {
        let bb = ProviderKind::BitbucketCloud.info();
        assert_eq!(
            bb.username_needed(SecretKind::BitbucketAccessToken, "alice")
                .as_deref(),
            Some("x-token-auth")
        );
        assert!(bb
            .username_needed(SecretKind::BitbucketAccessToken, "x-token-auth")
            .is_none());
        assert!(bb
            .username_needed(SecretKind::AtlassianApiToken, "my-push-token")
            .is_some_and(|w| w.contains("label")));
        assert!(bb
            .username_needed(SecretKind::AtlassianApiToken, "alice")
            .is_none());
        let gl = ProviderKind::Gitlab.info();
        assert!(gl
            .cannot_push(None, "gitlab+deploy-token-7")
            .is_some_and(|c| c.always));
        assert!(gl
            .cannot_push(Some(SecretKind::GitlabJobToken), "x")
            .is_some_and(|c| !c.always));
        assert!(gl
            .cannot_push(Some(SecretKind::GitlabPersonalToken), "alice")
            .is_none());
    }

    /// Each kind is issued by one provider: the issuer table cannot disagree with itself.
    #[test]
    fn every_token_kind_has_one_issuer() {
        let mut seen = std::collections::HashMap::new();
        for p in PROVIDERS {
            for s in p.shapes {
                let issuer = seen.entry(s.kind).or_insert(p.kind);
                assert_eq!(*issuer, p.kind, "{:?}", s.kind);
                if let Pattern::Prefix(fixed) | Pattern::Contains(fixed) = s.pattern {
                    let token = format!("{fixed}{}", "a".repeat(30));
                    assert_eq!(Shape::of(&token).provider, Some(p.kind), "{fixed}");
                }
            }
            for k in p.tokens {
                let issuer = PROVIDERS
                    .iter()
                    .find(|q| q.shapes.iter().any(|s| s.kind == *k))
                    .map(|q| q.family);
                assert!(
                    issuer.is_none_or(|i| i == p.family),
                    "{:?} in {}",
                    k,
                    p.name
                );
            }
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
