//! Recognises what kind of secret a string is, by shape only.
//!
//! The result ([`Shape`]) is what facts hold instead of the secret: its kind, the known
//! fixed prefix of that kind (a constant of a provider table, never characters copied
//! from the secret), its length and the provider that issues it. The shapes themselves
//! live in the provider tables (`TokenShape`); the few that no provider owns (a JWT, 40
//! hex digits, 20 letters and digits) are listed here.

use super::{Alphabet, Pattern, ProviderKind, TokenShape, PROVIDERS};
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

/// Shapes no single provider issues.
const GENERIC: &[TokenShape] = &[
    // OAuth access tokens (Microsoft Entra for Azure DevOps, GCM) are JWTs.
    TokenShape {
        kind: SecretKind::Jwt,
        pattern: Pattern::Prefix("eyJ"),
        name: "OAuth access token (JWT)",
    },
    TokenShape {
        kind: SecretKind::Hex40,
        pattern: Pattern::Fixed {
            len: 40,
            alphabet: Alphabet::HexLower,
            marker: None,
        },
        name: "40-hex-digit token (legacy GitHub token or Gitea/Forgejo token)",
    },
    TokenShape {
        kind: SecretKind::Alnum20,
        pattern: Pattern::Fixed {
            len: 20,
            alphabet: Alphabet::Alnum,
            marker: None,
        },
        name: "20-character password (the legacy Bitbucket app password form)",
    },
];

/// Every known shape with its issuer: fixed prefixes first (longest wins where they
/// overlap, since tables list them so), then markers, then fixed-length forms.
fn shapes() -> impl Iterator<Item = (&'static TokenShape, Option<ProviderKind>)> {
    let all = || {
        PROVIDERS
            .iter()
            .flat_map(|p| p.shapes.iter().map(move |s| (s, Some(p.kind))))
            .chain(GENERIC.iter().map(|s| (s, None)))
    };
    let rank = |s: &TokenShape| match s.pattern {
        Pattern::Prefix(_) => 0,
        Pattern::Contains(_) => 1,
        Pattern::Fixed { .. } => 2,
    };
    (0..3).flat_map(move |r| all().filter(move |(s, _)| rank(s) == r))
}

impl Pattern {
    fn matches(self, secret: &str) -> bool {
        match self {
            Pattern::Prefix(p) => secret.starts_with(p) && secret.len() > p.len(),
            Pattern::Contains(m) => secret.contains(m) && secret.len() > m.len(),
            Pattern::Fixed {
                len,
                alphabet,
                marker,
            } => {
                let b = secret.as_bytes();
                b.len() == len
                    && b.iter().all(|c| match alphabet {
                        Alphabet::Alnum => c.is_ascii_alphanumeric(),
                        Alphabet::Base32Lower => {
                            c.is_ascii_lowercase() || (b'2'..=b'7').contains(c)
                        }
                        Alphabet::HexLower => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
                    })
                    && marker.is_none_or(|(at, m)| secret.get(at..at + m.len()) == Some(m))
            }
        }
    }

    /// The fixed text that identifies the kind, if the pattern has one.
    fn prefix(self) -> Option<&'static str> {
        match self {
            Pattern::Prefix(p) | Pattern::Contains(p) => Some(p),
            Pattern::Fixed { .. } => None,
        }
    }
}

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
        let found = (!secret.is_empty())
            .then(|| shapes().find(|(s, _)| s.pattern.matches(secret)))
            .flatten();
        match found {
            Some((s, provider)) => Shape {
                kind: s.kind,
                prefix: s.pattern.prefix().map(str::to_owned),
                len,
                provider,
            },
            None => Shape {
                kind: if secret.is_empty() {
                    SecretKind::Empty
                } else {
                    SecretKind::Password
                },
                prefix: None,
                len,
                provider: None,
            },
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
        if let Some((s, _)) = shapes().find(|(s, _)| s.kind == self) {
            return s.name;
        }
        match self {
            SecretKind::Empty => "empty secret",
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
