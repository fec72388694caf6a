//! Hugging Face Hub. Sources: ../shared/reference/providers.md §9.

use super::{Pattern, Provider, ProviderKind, TokenShape};
use crate::date::Date;
use crate::provider::SecretKind::*;

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
    token_page: "https://huggingface.co/settings/tokens",
    ssh_user: Some("git"),
    ssh_test: Some("ssh -T git@hf.co"),
    source: "https://huggingface.co/blog/password-git-deprecation",
    ..Provider::EMPTY
};
