//! Hugging Face Hub. Sources: ../shared/reference/providers.md §9.

use super::{Pattern, Provider, ProviderKind, TokenScope, TokenShape};
use crate::date::Date;
use crate::provider::SecretKind::*;

/// §9: user access tokens have the role `read`, `write` ("Use this token if you need to
/// create or push content to a repository") or `fine-grained`; every role has the same
/// `hf_` shape (huggingface/hub-docs docs/hub/security-tokens.md).
pub(super) const TOKEN_SCOPES: &[TokenScope] = &[TokenScope {
    kinds: &[HuggingfaceToken],
    what: "user access tokens",
    push: Some("the `write` role, or a fine-grained token with write access to the repository"),
    read_only: Some("the `read` role"),
    git_login: true,
    source: "https://huggingface.co/docs/hub/security-tokens",
}];

pub(super) static PROVIDER: Provider = Provider {
    kind: ProviderKind::HuggingFace,
    name: "Hugging Face",
    family: ProviderKind::HuggingFace,
    hosts: &["huggingface.co", "hf.co"],
    // §9: user access tokens start with `hf_`.
    shapes: &[TokenShape {
        kind: HuggingfaceToken,
        pattern: Pattern::Prefix("hf_"),
        name: "Hugging Face access token",
    }],
    tokens: &[HuggingfaceToken],
    // §9: passwords refused for git from 2023-10-01 (huggingface.co/blog/password-git-deprecation).
    password_cutoff: Some(Date::new(2023, 10, 1)),
    password_like: &[Alnum20],
    https_username: "your Hugging Face user name",
    push_scopes: "a token with the write role (or fine-grained write access to the repository)",
    token_scopes: TOKEN_SCOPES,
    token_page: "https://huggingface.co/settings/tokens",
    ssh_user: Some("git"),
    ssh_test: Some("ssh -T git@hf.co"),
    source: "https://huggingface.co/blog/password-git-deprecation",
    ..Provider::EMPTY
};
