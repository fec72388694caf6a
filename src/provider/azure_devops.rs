//! Azure DevOps Services and Server. Sources: ../shared/reference/providers.md §5.

use super::{Alphabet, Pattern, Provider, ProviderKind, TokenScope, TokenShape};
use crate::date::Date;
use crate::provider::SecretKind::*;

/// §5: a PAT pushes with Code (Read & write), the scope `vso.code_write`; Code (Read) is
/// `vso.code` ("Scopes" table of Azure DevOps' OAuth page, shared by PATs: "vso.code_manage
/// includes vso.code_write"). A global or full-access PAT carries every scope.
pub(super) const TOKEN_SCOPES: &[TokenScope] = &[TokenScope {
    kinds: &[AzureDevopsPat, AzureDevopsLegacyPat],
    what: "personal access tokens",
    push: Some("the Code (Read & write) scope (`vso.code_write`)"),
    read_only: Some("Code (Read) (`vso.code`)"),
    git_login: true,
    source: "https://learn.microsoft.com/en-us/azure/devops/integrate/get-started/authentication/oauth#scopes",
}];

pub(super) static PROVIDER: Provider = Provider {
    kind: ProviderKind::AzureDevops,
    name: "Azure DevOps",
    family: ProviderKind::AzureDevops,
    hosts: &["dev.azure.com", "*.visualstudio.com", "ssh.dev.azure.com", "vs-ssh.visualstudio.com"],
    // §10: Azure DevOps Server URLs carry `/_git/`.
    path_markers: &["/_git/"],
    // §5: new PATs are 84 characters with `AZDO` at offset 76; legacy ones 52 base32.
    shapes: &[
        TokenShape { kind: AzureDevopsPat, pattern: Pattern::Fixed { len: 84, alphabet: Alphabet::Alnum, marker: Some((76, "AZDO")) }, name: "Azure DevOps personal access token" },
        TokenShape { kind: AzureDevopsLegacyPat, pattern: Pattern::Fixed { len: 52, alphabet: Alphabet::Base32Lower, marker: None }, name: "Azure DevOps personal access token (legacy 52-character form)" },
    ],
    tokens: &[AzureDevopsPat, AzureDevopsLegacyPat],
    // §5: alternate credentials (passwords) retired 2020-03-02.
    password_cutoff: Some(Date::new(2020, 3, 2)),
    https_username: "any non-empty value",
    push_scopes: "Code (Read & write)",
    token_scopes: TOKEN_SCOPES,
    token_page: "https://dev.azure.com/<org>/_usersSettings/tokens",
    ssh_user: Some("git"),
    ssh_test: Some("ssh -T git@ssh.dev.azure.com"),
    source: "https://learn.microsoft.com/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate",
    // §5: the SSH endpoint has an RSA host key only; it signs with rsa-sha2-512/256
    // since 2022 (devblogs.microsoft.com/devops/supporting-sha-2-algorithm-in-ssh-on-azure-devops/)
    // and still offers ssh-rsa (fluxcd/flux2#4726, 2024-04-16: "they still advertise the
    // SHA-1 host key"). Its host key lines are not published with a source we hold.
    ssh_host_key_algorithms: &["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
    // GCM `src/shared/Microsoft.AzureRepos/UriHelpers.cs` `CreateOrganizationUri`: for
    // dev.azure.com the organization is the first path component, else the URL's user,
    // else it throws "Cannot determine the organization name for this 'dev.azure.com'
    // remote URL. Ensure the `credential.useHttpPath` configuration value is set, or set
    // the organization name as the user in the remote URL '{org}@dev.azure.com'." It runs
    // for every `get` (PATs: `GetServiceName`; OAuth: `GetAzureAccessTokenAsync`).
    // `AzureReposHostProvider.ConfigureAsync` (GCM's installer, Git for Windows' system
    // config) sets `credential.https://dev.azure.com.useHttpPath true` for that reason.
    // *.visualstudio.com carries the organization in the host.
    gcm_org_from_path: &["dev.azure.com"],
    ..Provider::EMPTY
};
