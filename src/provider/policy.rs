//! What a provider's table says about a credential: the empty row the tables start from,
//! which hosts it serves, why it refuses a secret, which user name a kind of token needs
//! and which kinds cannot push. Pure lookups over the table, no I/O.

use super::{
    host_matches, CannotPush, Provider, ProviderKind, SecretKind, Shape, ShortLived, PROVIDERS,
};
use crate::date::Date;

impl Provider {
    /// A row with nothing known, for `..Provider::EMPTY` in the tables.
    pub(crate) const EMPTY: Provider = Provider {
        kind: ProviderKind::Gitea,
        name: "",
        family: ProviderKind::Gitea,
        hosts: &[],
        path_markers: &[],
        shapes: &[],
        tokens: &[],
        password_cutoff: None,
        password_like: &[],
        retired: &[],
        token_usernames: &[],
        service_usernames: &[],
        email_username_refused: None,
        https_username: "",
        username_placeholder: None,
        pat_username: None,
        cannot_push: &[],
        no_write_error: None,
        guarded_paths: None,
        cli_helper: None,
        signing_helper: None,
        push_scopes: "",
        token_page: "",
        ssh_user: None,
        ssh_test: None,
        retired_host_keys: &[],
        host_keys_page: None,
        max_token_days: None,
        short_lived: &[],
        username_checked: false,
        source: "",
        token_scopes: &[],
        ssh_host_key_algorithms: &[],
        ssh_known_hosts: &[],
        ssh_refusals: &[],
        gcm_org_from_path: &[],
        gcm_oauth_shapeless: false,
    };

    /// Is `host` one of this provider's hosted services (not a self-hosted instance)?
    pub(crate) fn hosts_exactly(&self, host: &str) -> bool {
        self.hosts.iter().any(|pat| host_matches(pat, host))
    }

    /// Why this provider refuses `secret` (with `username`) on `today`, and whether the
    /// refusal is certain (false: it fails some of the time, as in a brownout).
    pub(crate) fn refusal(
        &self,
        today: Date,
        username: Option<&str>,
        secret: &Shape,
    ) -> Option<(String, bool)> {
        if let Some(r) = self.retired.iter().find(|r| r.kinds.contains(&secret.kind)) {
            let note = r
                .ambiguous
                .filter(|(k, _)| *k == secret.kind)
                .map(|(_, why)| format!(" ({why})"))
                .unwrap_or_default();
            let (name, what, removed) = (self.name, r.what, r.refused_from);
            return if today >= removed {
                Some((format!("{name} removed {what} on {removed}{note}"), true))
            } else if today >= r.failing_from {
                let since = r.failing_from;
                Some((format!("{name} {what} fail during brownouts since {since} and are removed on {removed}{note}"), false))
            } else {
                None
            };
        }
        let password = secret.kind == SecretKind::Password
            && !username.is_some_and(is_service_username)
            || self.password_like.contains(&secret.kind);
        if !password {
            return None;
        }
        let cutoff = self.password_cutoff?;
        (today >= cutoff).then(|| {
            (
                format!(
                    "{} refuses account passwords for git since {cutoff}; this is not a token shape",
                    self.name
                ),
                true,
            )
        })
    }

    /// The user name `kind` needs when `user` is not it, if this provider says.
    pub(crate) fn username_needed(&self, kind: SecretKind, user: &str) -> Option<String> {
        for t in self
            .token_usernames
            .iter()
            .filter(|t| t.kinds.contains(&kind))
        {
            if t.exactly.is_some_and(|want| want != user) || t.refused.contains(&user) {
                return Some(t.want.to_owned());
            }
            if t.refuse_labels && looks_like_token_label(user) {
                return Some(format!("{} (not the token's label)", t.want));
            }
        }
        None
    }

    /// How long a secret of `kind` lives after it is minted, if it is short-lived.
    pub(crate) fn short_lived(&self, kind: SecretKind) -> Option<&ShortLived> {
        self.short_lived.iter().find(|s| s.kind == kind)
    }

    /// What stops this credential from pushing, if the table knows.
    pub(crate) fn cannot_push(&self, kind: Option<SecretKind>, user: &str) -> Option<&CannotPush> {
        self.cannot_push.iter().find(|c| {
            kind == Some(c.kind)
                || c.username == Some(user)
                || c.username_prefix.is_some_and(|p| user.starts_with(p))
        })
    }
}

/// A fixed user name that goes with tokens on any provider (`x-token-auth`, `oauth2`).
pub(crate) fn is_service_username(user: &str) -> bool {
    PROVIDERS
        .iter()
        .any(|p| p.service_usernames.contains(&user))
}

/// A user name that reads like the label a token was given (`git-push-token`, `my_api_token`).
fn looks_like_token_label(user: &str) -> bool {
    let lower = user.to_ascii_lowercase();
    !is_service_username(&lower)
        && !lower.contains('@')
        && (lower.contains("token")
            || lower.contains("app-password")
            || lower.contains("apppassword"))
}
