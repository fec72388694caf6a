//! Whether a provider refuses a secret of some shape on some day: retired kinds of
//! secret (Bitbucket Cloud app passwords) and account passwords past the provider's
//! cutoff. Shared by `retired-secret-kind` (CC202) and the guard's `erase`.

use crate::provider::{
    ProviderKind, BITBUCKET_APP_PASSWORD_BROWNOUT, BITBUCKET_APP_PASSWORD_REMOVED,
};
use crate::secret::{SecretKind, Shape};

/// Why `secret` is refused by `provider` on `today`, if it is, and whether the refusal
/// is certain (`false` during Bitbucket's brownout window).
pub(crate) fn refusal(
    today: crate::date::Date,
    provider: ProviderKind,
    username: Option<&str>,
    secret: &Shape,
) -> Option<(String, bool)> {
    let info = provider.info();
    let token_user = matches!(
        username,
        Some("x-token-auth" | "x-bitbucket-api-token-auth" | "x-access-token" | "oauth2")
    );
    match (provider, secret.kind) {
        (ProviderKind::BitbucketCloud, SecretKind::BitbucketAppPassword | SecretKind::Alnum20) => {
            let legacy = if secret.kind == SecretKind::Alnum20 {
                " (a 20-character secret is the legacy app password form, or an account password, refused since 2022-03-01)"
            } else {
                ""
            };
            let removed = BITBUCKET_APP_PASSWORD_REMOVED;
            if today >= removed {
                Some((
                    format!("Bitbucket Cloud removed app passwords on {removed}{legacy}"),
                    true,
                ))
            } else if today >= BITBUCKET_APP_PASSWORD_BROWNOUT {
                let since = BITBUCKET_APP_PASSWORD_BROWNOUT;
                Some((format!("Bitbucket Cloud app passwords fail during brownouts since {since} and are removed on {removed}{legacy}"), false))
            } else {
                None
            }
        }
        (_, SecretKind::Password) if !token_user => password_refused(today, info),
        (ProviderKind::Github | ProviderKind::HuggingFace, SecretKind::Alnum20) => {
            password_refused(today, info)
        }
        _ => None,
    }
}

fn password_refused(
    today: crate::date::Date,
    info: &crate::provider::Provider,
) -> Option<(String, bool)> {
    let cutoff = info.password_cutoff?;
    (today >= cutoff).then(|| {
        (
            format!(
                "{} refuses account passwords for git since {cutoff}; this is not a token shape",
                info.name
            ),
            true,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::rules::support::samples::{ATATT, ATBB};

    const PASSWORD: &str = "correct horse battery staple";

    #[test]
    fn app_passwords_are_refused_for_certain_once_removed() {
        let atbb = Shape::of(ATBB);
        let at = |d| refusal(d, ProviderKind::BitbucketCloud, Some("alice"), &atbb);
        assert_eq!(at(Date::new(2026, 6, 8)), None);
        assert!(at(Date::new(2026, 6, 9)).is_some_and(|(_, certain)| !certain));
        assert!(at(Date::new(2026, 7, 28)).is_some_and(|(_, certain)| certain));
    }

    #[test]
    fn a_token_user_name_means_the_secret_is_a_token() {
        let today = Date::new(2026, 11, 29);
        let pw = Shape::of(PASSWORD);
        assert!(refusal(today, ProviderKind::Github, Some("alice"), &pw).is_some());
        assert_eq!(
            refusal(today, ProviderKind::Github, Some("x-access-token"), &pw),
            None
        );
        let api = Shape::of(ATATT);
        assert_eq!(
            refusal(today, ProviderKind::BitbucketCloud, Some("alice"), &api),
            None
        );
    }
}
