//! Recognises what kind of secret a string is, by shape only.
//!
//! The result ([`Shape`]) is what facts hold instead of the secret: its kind, the known
//! fixed prefix of that kind (a constant of this module, never characters copied from the
//! secret), its length and the provider that issues it. Sources for every prefix:
//! ../shared/reference/providers.md (§1.3, §3.3, §4.2, §5, §6, §9).

use crate::provider::ProviderKind;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum SecretKind {
    Empty,
    GithubClassicPat,
    GithubFineGrainedPat,
    GithubOauthToken,
    GithubUserToServerToken,
    GithubInstallationToken,
    GithubRefreshToken,
    GitlabPersonalToken,
    GitlabDeployToken,
    GitlabJobToken,
    GitlabOtherToken,
    AtlassianApiToken,
    BitbucketAccessToken,
    BitbucketAppPassword,
    /// 20 letters and digits: the legacy Bitbucket app password form, or a password.
    Alnum20,
    BitbucketDatacenterToken,
    HuggingfaceToken,
    Jwt,
    AzureDevopsPat,
    AzureDevopsLegacyPat,
    /// 40 lowercase hex digits: a legacy GitHub token or a Gitea/Forgejo token.
    Hex40,
    /// Anything else: an account password or a token of a shape we do not know.
    Password,
}

/// (prefix, kind, provider, human name). Longest prefixes first where they overlap.
const PREFIXES: &[(&str, SecretKind, Option<ProviderKind>, &str)] = &[
    (
        "github_pat_",
        SecretKind::GithubFineGrainedPat,
        Some(ProviderKind::Github),
        "GitHub fine-grained personal access token",
    ),
    (
        "ghp_",
        SecretKind::GithubClassicPat,
        Some(ProviderKind::Github),
        "GitHub personal access token (classic)",
    ),
    (
        "gho_",
        SecretKind::GithubOauthToken,
        Some(ProviderKind::Github),
        "GitHub OAuth token",
    ),
    (
        "ghu_",
        SecretKind::GithubUserToServerToken,
        Some(ProviderKind::Github),
        "GitHub App user token",
    ),
    (
        "ghs_",
        SecretKind::GithubInstallationToken,
        Some(ProviderKind::Github),
        "GitHub App installation token (or Actions GITHUB_TOKEN)",
    ),
    (
        "ghr_",
        SecretKind::GithubRefreshToken,
        Some(ProviderKind::Github),
        "GitHub refresh token",
    ),
    (
        "glpat-",
        SecretKind::GitlabPersonalToken,
        Some(ProviderKind::Gitlab),
        "GitLab personal/project/group access token",
    ),
    (
        "gldt-",
        SecretKind::GitlabDeployToken,
        Some(ProviderKind::Gitlab),
        "GitLab deploy token",
    ),
    (
        "glcbt-",
        SecretKind::GitlabJobToken,
        Some(ProviderKind::Gitlab),
        "GitLab CI/CD job token",
    ),
    (
        "gloas-",
        SecretKind::GitlabOtherToken,
        Some(ProviderKind::Gitlab),
        "GitLab OAuth application secret",
    ),
    (
        "glrt-",
        SecretKind::GitlabOtherToken,
        Some(ProviderKind::Gitlab),
        "GitLab runner token",
    ),
    (
        "glptt-",
        SecretKind::GitlabOtherToken,
        Some(ProviderKind::Gitlab),
        "GitLab pipeline trigger token",
    ),
    (
        "glft-",
        SecretKind::GitlabOtherToken,
        Some(ProviderKind::Gitlab),
        "GitLab feed token",
    ),
    (
        "ATATT",
        SecretKind::AtlassianApiToken,
        Some(ProviderKind::BitbucketCloud),
        "Atlassian API token",
    ),
    (
        "ATCTT",
        SecretKind::BitbucketAccessToken,
        Some(ProviderKind::BitbucketCloud),
        "Bitbucket repository/project/workspace access token",
    ),
    (
        "ATBB",
        SecretKind::BitbucketAppPassword,
        Some(ProviderKind::BitbucketCloud),
        "Bitbucket app password",
    ),
    (
        "BBDC-",
        SecretKind::BitbucketDatacenterToken,
        Some(ProviderKind::BitbucketDatacenter),
        "Bitbucket Data Center HTTP access token",
    ),
    (
        "hf_",
        SecretKind::HuggingfaceToken,
        Some(ProviderKind::HuggingFace),
        "Hugging Face access token",
    ),
    // OAuth access tokens (Microsoft Entra for Azure DevOps, GCM) are JWTs.
    ("eyJ", SecretKind::Jwt, None, "OAuth access token (JWT)"),
];

/// The shape of a secret: everything about it that may be stored, printed or serialised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Shape {
    pub kind: SecretKind,
    /// The fixed prefix that identifies the kind (a constant such as `ATBB`), if any.
    pub prefix: Option<String>,
    pub len: usize,
    /// The provider that issues this kind of secret, when the shape says so.
    pub provider: Option<ProviderKind>,
}

impl Shape {
    pub(crate) fn of(secret: &str) -> Shape {
        let len = secret.chars().count();
        if secret.is_empty() {
            return Shape {
                kind: SecretKind::Empty,
                prefix: None,
                len,
                provider: None,
            };
        }
        for (prefix, kind, provider, _) in PREFIXES {
            // Self-managed GitLab may put an instance prefix before `glpat-` (providers.md §4.2).
            let hit = if *kind == SecretKind::GitlabPersonalToken {
                secret.contains(prefix)
            } else {
                secret.starts_with(prefix)
            };
            if hit && secret.len() > prefix.len() {
                return Shape {
                    kind: *kind,
                    prefix: Some((*prefix).to_owned()),
                    len,
                    provider: *provider,
                };
            }
        }
        let b = secret.as_bytes();
        let (kind, provider) = if b.len() == 84
            && b.iter().all(u8::is_ascii_alphanumeric)
            && &secret[76..80] == "AZDO"
        {
            (SecretKind::AzureDevopsPat, Some(ProviderKind::AzureDevops))
        } else if b.len() == 52
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || (b'2'..=b'7').contains(c))
        {
            (
                SecretKind::AzureDevopsLegacyPat,
                Some(ProviderKind::AzureDevops),
            )
        } else if b.len() == 40
            && b.iter()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
        {
            (SecretKind::Hex40, None)
        } else if b.len() == 20 && b.iter().all(u8::is_ascii_alphanumeric) {
            (SecretKind::Alnum20, None)
        } else {
            (SecretKind::Password, None)
        };
        Shape {
            kind,
            prefix: None,
            len,
            provider,
        }
    }

    /// "GitHub personal access token (classic) (ghp_…, 40 chars)".
    pub(crate) fn describe(&self) -> String {
        let name = self.kind.name();
        match (&self.prefix, self.kind) {
            (Some(p), _) => format!("{name} ({p}…, {} chars)", self.len),
            (None, SecretKind::Password) => {
                format!("password ({} chars, not a known token shape)", self.len)
            }
            (None, _) => format!("{name} ({} chars)", self.len),
        }
    }

    pub(crate) fn is_token(&self) -> bool {
        !matches!(
            self.kind,
            SecretKind::Password | SecretKind::Empty | SecretKind::Alnum20
        )
    }
}

impl SecretKind {
    pub(crate) fn name(self) -> &'static str {
        if let Some((_, _, _, name)) = PREFIXES.iter().find(|(_, k, _, _)| *k == self) {
            return name;
        }
        match self {
            SecretKind::Empty => "empty secret",
            SecretKind::Alnum20 => "20-character password (the legacy Bitbucket app password form)",
            SecretKind::AzureDevopsPat => "Azure DevOps personal access token",
            SecretKind::AzureDevopsLegacyPat => {
                "Azure DevOps personal access token (legacy 52-character form)"
            }
            SecretKind::Hex40 => "40-hex-digit token (legacy GitHub token or Gitea/Forgejo token)",
            _ => "password (not a known token shape)",
        }
    }
}

/// A user name that is itself a token (`https://ghp_…@github.com`) must be treated as a secret.
pub(crate) fn username_is_secret(user: &str) -> bool {
    let shape = Shape::of(user);
    shape.is_token()
        || user.len() >= 32 && !user.contains('@') && user.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_provider_prefixes() {
        let cases = [
            (
                "ATBB0123456789abcdefABCDEF0123456789",
                SecretKind::BitbucketAppPassword,
            ),
            (
                "ATATT3xFfGF0aaaaaaaaaaaaaaaaaaaaaaaa=0A1B2C3D",
                SecretKind::AtlassianApiToken,
            ),
            (
                "ATCTT3xFfGN0aaaaaaaaaaaaaaaaaaaaaaaaaaa",
                SecretKind::BitbucketAccessToken,
            ),
            (
                "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
                SecretKind::GithubClassicPat,
            ),
            (
                "github_pat_11AAAAAAA0aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbb",
                SecretKind::GithubFineGrainedPat,
            ),
            (
                "ghs_0123456789abcdefghijklmnopqrstuvwxyz",
                SecretKind::GithubInstallationToken,
            ),
            (
                "glpat-abcdefghij0123456789",
                SecretKind::GitlabPersonalToken,
            ),
            (
                "SIE-glpat-abcdefghij0123456789",
                SecretKind::GitlabPersonalToken,
            ),
            ("gldt-abcdefghij0123456789", SecretKind::GitlabDeployToken),
            (
                "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH",
                SecretKind::HuggingfaceToken,
            ),
            ("bLHDMmvlk7L9wGerIfMg", SecretKind::Alnum20),
            (
                "0123456789abcdef0123456789abcdef01234567",
                SecretKind::Hex40,
            ),
            ("correct horse battery", SecretKind::Password),
            ("", SecretKind::Empty),
        ];
        for (s, kind) in cases {
            assert_eq!(Shape::of(s).kind, kind, "{s}");
        }
    }

    #[test]
    fn azure_pat_shape() {
        let mut pat = "a".repeat(76);
        pat.push_str("AZDO");
        pat.push_str("bbbb");
        assert_eq!(Shape::of(&pat).kind, SecretKind::AzureDevopsPat);
        assert_eq!(
            Shape::of(&"abcdefgh234567ab".repeat(4)[..52]).kind,
            SecretKind::AzureDevopsLegacyPat
        );
    }

    #[test]
    fn describe_never_copies_the_body() {
        let s = "ATBB0123456789abcdefABCDEF0123456789";
        let d = Shape::of(s).describe();
        assert!(d.contains("ATBB…") && d.contains("36 chars"), "{d}");
        assert!(!d.contains("0123456"));
    }

    #[test]
    fn usernames() {
        assert!(username_is_secret(
            "ghp_0123456789abcdefghijklmnopqrstuvwxyz"
        ));
        assert!(!username_is_secret("alice"));
        assert!(!username_is_secret("x-token-auth"));
        assert!(!username_is_secret("alice@example.com"));
    }
}
