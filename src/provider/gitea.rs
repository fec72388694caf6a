//! Gitea, Forgejo and Codeberg. Sources: ../shared/reference/providers.md §6.

use super::{Provider, ProviderKind};
use crate::provider::SecretKind::*;

pub(super) static PROVIDER: Provider = Provider {
    kind: ProviderKind::Gitea,
    name: "Gitea/Forgejo",
    family: ProviderKind::Gitea,
    hosts: &["codeberg.org"],
    // §6: access tokens are 40 lowercase hex digits.
    tokens: &[Hex40],
    https_username: "your username (any value when the token is the password)",
    // §6 (services/auth/basic.go): with a token as the password, any user name.
    pat_username: Some("oauth2"),
    push_scopes: "write:repository",
    token_page: "Settings → Applications → Access tokens",
    ssh_user: Some("git"),
    source: "https://docs.codeberg.org/security/2fa/",
    ..Provider::EMPTY
};
