//! Recognises what kind of secret a string is, by shape only.
//!
//! The result ([`Shape`]) is what facts hold instead of the secret: its kind, the known
//! fixed prefix of that kind (a constant of a provider table, never characters copied
//! from the secret), its length and the provider that issues it. The shapes themselves
//! live in the provider tables (`TokenShape`); the few that no provider owns (a JWT, 40
//! hex digits, 20 letters and digits) are listed here, with what no provider issues at
//! all: the placeholders of documentation (`<token>`, `YOUR_TOKEN`, `$GITHUB_TOKEN`
//! written literally), which a server is certain to refuse.
//!
//! A shape may carry dates read from the secret itself: the `exp`/`iat` claims of a JWT,
//! the signing time that starts an AWS CodeCommit helper password. Only the dates are
//! kept, never the secret or the rest of its claims.

use super::placeholder::is_placeholder_secret;
pub(crate) use super::placeholder::is_placeholder_user;
use super::{Alphabet, Pattern, ProviderKind, TokenShape, PROVIDERS};
use crate::date::Date;
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
    /// A password the AWS CLI's CodeCommit helper signed for one request (`YYYYMMDDTHHMMSSZ` + signature).
    CodecommitSignedPassword,
    /// Text copied from documentation instead of a secret (`<token>`, `YOUR_TOKEN`,
    /// `$GITHUB_TOKEN` written literally, `xxxxx`): no server accepts it.
    Placeholder,
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
        Pattern::Stamped { .. } => 1,
        Pattern::Fixed { .. } => 2,
    };
    (0..3).flat_map(move |r| all().filter(move |(s, _)| rank(s) == r))
}

impl Pattern {
    fn matches(self, secret: &str) -> bool {
        match self {
            Pattern::Stamped { sig_len, alphabet } => {
                let b = secret.as_bytes();
                b.len() == STAMP_LEN + sig_len
                    && stamp_date(secret).is_some()
                    && b[STAMP_LEN..].iter().all(|c| alphabet.has(*c))
            }
            Pattern::Prefix(p) => secret.starts_with(p) && secret.len() > p.len(),
            Pattern::Contains(m) => secret.contains(m) && secret.len() > m.len(),
            Pattern::Fixed {
                len,
                alphabet,
                marker,
            } => {
                let b = secret.as_bytes();
                b.len() == len
                    && b.iter().all(|c| alphabet.has(*c))
                    && marker.is_none_or(|(at, m)| secret.get(at..at + m.len()) == Some(m))
            }
        }
    }

    /// The fixed text that identifies the kind, if the pattern has one.
    pub(super) fn prefix(self) -> Option<&'static str> {
        match self {
            Pattern::Prefix(p) | Pattern::Contains(p) => Some(p),
            Pattern::Fixed { .. } | Pattern::Stamped { .. } => None,
        }
    }
}

impl Alphabet {
    fn has(self, c: u8) -> bool {
        match self {
            Alphabet::Alnum => c.is_ascii_alphanumeric(),
            Alphabet::Base32Lower => c.is_ascii_lowercase() || (b'2'..=b'7').contains(&c),
            Alphabet::HexLower => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        }
    }
}

/// `YYYYMMDDTHHMMSSZ`: the length of an AWS Signature Version 4 timestamp.
const STAMP_LEN: usize = 16;

/// The day of the `YYYYMMDDTHHMMSSZ` stamp that starts `secret`, if it starts with one.
fn stamp_date(secret: &str) -> Option<Date> {
    let b = secret.as_bytes().get(..STAMP_LEN)?;
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..8) && b[8] == b'T' && digits(9..15) && b[15] == b'Z') {
        return None;
    }
    let hms = |i: usize| (b[i] - b'0') * 10 + (b[i + 1] - b'0');
    if hms(9) > 23 || hms(11) > 59 || hms(13) > 60 {
        return None;
    }
    Date::parse(&format!(
        "{}-{}-{}",
        &secret[..4],
        &secret[4..6],
        &secret[6..8]
    ))
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
    /// The day the secret was minted, when it says (a JWT's `iat`, a signing time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<Date>,
    /// The day it expires, when it says (a JWT's `exp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
}

impl Shape {
    pub(crate) fn of(secret: &str) -> Shape {
        let len = secret.chars().count();
        let bare = |kind| Shape {
            kind,
            prefix: None,
            len,
            provider: None,
            issued: None,
            expires: None,
        };
        if secret.is_empty() {
            return bare(SecretKind::Empty);
        }
        if is_placeholder_secret(secret) {
            return bare(SecretKind::Placeholder);
        }
        match shapes().find(|(s, _)| s.pattern.matches(secret)) {
            Some((s, provider)) => {
                let (issued, expires) = match s.pattern {
                    Pattern::Stamped { .. } => (stamp_date(secret), None),
                    _ if s.kind == SecretKind::Jwt => jwt_dates(secret),
                    _ => (None, None),
                };
                Shape {
                    kind: s.kind,
                    prefix: s.pattern.prefix().map(str::to_owned),
                    len,
                    provider,
                    issued,
                    expires,
                }
            }
            None => bare(SecretKind::Password),
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
            (None, SecretKind::Placeholder) => {
                format!(
                    "placeholder text ({} chars) where a secret belongs",
                    self.len
                )
            }
            (None, _) => format!("{name} ({} chars)", self.len),
        }
    }

    pub(crate) fn is_token(&self) -> bool {
        !matches!(
            self.kind,
            SecretKind::Password
                | SecretKind::Empty
                | SecretKind::Alnum20
                | SecretKind::Placeholder
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
            SecretKind::Placeholder => "placeholder text",
            _ => "password (not a known token shape)",
        }
    }
}

/// The `iat` and `exp` days of a JWT (`header.payload.signature`, base64url), read from
/// its payload; nothing else of it is kept. A payload that does not decode gives none.
fn jwt_dates(token: &str) -> (Option<Date>, Option<Date>) {
    use base64::Engine;
    let mut parts = token.split('.');
    let (Some(_), Some(payload)) = (parts.next(), parts.next()) else {
        return (None, None);
    };
    if payload.len() > 16 * 1024 {
        return (None, None);
    }
    let Ok(bytes) =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('='))
    else {
        return (None, None);
    };
    let Ok(claims) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return (None, None);
    };
    let day = |claim: &str| {
        claims
            .get(claim)
            .and_then(serde_json::Value::as_f64)
            .filter(|s| s.is_finite() && s.abs() < 1e12)
            .map(|s| Date::from_days((s as i64).div_euclid(86_400)))
    };
    (day("iat"), day("exp"))
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
    fn dates_carried_by_the_secret() {
        let sig = "0123456789abcdef".repeat(4);
        let cc = Shape::of(&format!("20261127T101500Z{sig}"));
        assert_eq!(cc.kind, SecretKind::CodecommitSignedPassword);
        assert_eq!(cc.issued, Some(Date::new(2026, 11, 27)));
        assert_eq!(cc.provider, Some(ProviderKind::Codecommit));
        // Not a time: not the shape.
        assert_ne!(
            Shape::of(&format!("20261327T101500Z{sig}")).kind,
            SecretKind::CodecommitSignedPassword
        );
        assert_ne!(
            Shape::of(&format!("20261127T251500Z{sig}")).kind,
            SecretKind::CodecommitSignedPassword
        );
        use base64::Engine;
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let jwt = format!(
            "{}.{}.sig",
            b(r#"{"alg":"none"}"#),
            b(r#"{"iat":1793523600,"exp":1793527200,"upn":"alice@example.com"}"#)
        );
        let shape = Shape::of(&jwt);
        assert_eq!(
            (shape.kind, shape.issued, shape.expires),
            (
                SecretKind::Jwt,
                Some(Date::new(2026, 11, 1)),
                Some(Date::new(2026, 11, 1))
            )
        );
        let json = serde_json::to_string(&shape).expect("json");
        assert!(
            !json.contains("alice") && !json.contains("eyJhbGci"),
            "{json}"
        );
        // A payload that is not JSON gives no dates, and no panic.
        assert_eq!(Shape::of("eyJhbGciOiJub25lIn0.!!!.sig").expires, None);
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
