//! Bitbucket Data Center / Server (self-hosted). Sources: ../shared/reference/providers.md §2, §10.

use super::{Pattern, Provider, ProviderKind, TokenShape};
use crate::provider::SecretKind::*;

pub(super) static PROVIDER: Provider = Provider {
    kind: ProviderKind::BitbucketDatacenter,
    name: "Bitbucket Data Center",
    family: ProviderKind::BitbucketDatacenter,
    // §10: clone URLs carry `/scm/`.
    path_markers: &["/scm/"],
    // §2: HTTP access tokens start with `BBDC-`.
    shapes: &[TokenShape { kind: BitbucketDatacenterToken, pattern: Pattern::Prefix("BBDC-"), name: "Bitbucket Data Center HTTP access token" }],
    tokens: &[BitbucketDatacenterToken],
    https_username: "your Bitbucket Data Center username (project/repository tokens: Bearer header only, no user name)",
    push_scopes: "Repository write",
    token_page: "Profile picture → Manage account → HTTP access tokens",
    source: "https://confluence.atlassian.com/bitbucketserver/personal-access-tokens-939515499.html",
    ..Provider::EMPTY
};
