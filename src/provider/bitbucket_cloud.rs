//! Bitbucket Cloud (bitbucket.org). Sources: ../shared/reference/providers.md §1.

use super::{
    Pattern, Provider, ProviderKind, Retirement, SshRefusal, TokenScope, TokenShape, TokenUsername,
};
use crate::date::Date;
use crate::provider::SecretKind::*;

/// App passwords: creation disabled 2025-09-09, brownouts 2026-06-09 → 2026-07-27,
/// removed 2026-07-28 (providers.md §1.1, §1.5: Atlassian's brownout notice,
/// community.atlassian.com/…/ba-p/3237429).
pub(super) const APP_PASSWORDS: Retirement = Retirement {
    kinds: &[BitbucketAppPassword, Alnum20],
    what: "app passwords",
    failing_from: Date::new(2026, 6, 9),
    refused_from: Date::new(2026, 7, 28),
    // Legacy app passwords are 20 letters and digits with no prefix (§1.3).
    ambiguous: Some((Alnum20, "a 20-character secret is the legacy app password form, or an account password, refused since 2022-03-01")),
};

/// §1.4: API tokens need `write:repository:bitbucket` and, separately,
/// `read:repository:bitbucket` ("This scope does not imply the read:repository:bitbucket
/// scope", api-token-permissions; `admin:repository:bitbucket` implies neither). Repository,
/// project and workspace access tokens need Repositories: Write
/// (repository-access-token-permissions). Scoped and unscoped API tokens share a shape.
pub(super) const TOKEN_SCOPES: &[TokenScope] = &[
    TokenScope {
        kinds: &[AtlassianApiToken],
        what: "API tokens",
        push: Some("both `write:repository:bitbucket` and `read:repository:bitbucket` (write does not imply read)"),
        read_only: Some("`read:repository:bitbucket` alone"),
        git_login: true,
        source: "https://support.atlassian.com/bitbucket-cloud/docs/api-token-permissions/",
    },
    TokenScope {
        kinds: &[BitbucketAccessToken],
        what: "repository, project and workspace access tokens",
        push: Some("the Repositories: Write permission"),
        read_only: Some("Repositories: Read"),
        git_login: true,
        source: "https://support.atlassian.com/bitbucket-cloud/docs/repository-access-token-permissions/",
    },
];

pub(super) static PROVIDER: Provider = Provider {
    kind: ProviderKind::BitbucketCloud,
    name: "Bitbucket Cloud",
    family: ProviderKind::BitbucketCloud,
    hosts: &["bitbucket.org", "altssh.bitbucket.org"],
    // §1.3: prefixes observed by scanners (noseyparker) and Atlassian's Bamboo API ("ATAT").
    shapes: &[
        TokenShape { kind: AtlassianApiToken, pattern: Pattern::Prefix("ATATT"), name: "Atlassian API token" },
        TokenShape { kind: BitbucketAccessToken, pattern: Pattern::Prefix("ATCTT"), name: "Bitbucket repository/project/workspace access token" },
        TokenShape { kind: BitbucketAppPassword, pattern: Pattern::Prefix("ATBB"), name: "Bitbucket app password" },
    ],
    // §1.1: API tokens (with scopes) and access tokens.
    tokens: &[AtlassianApiToken, BitbucketAccessToken],
    // §1.1: account passwords refused for everyone from 2022-03-01.
    password_cutoff: Some(Date::new(2022, 3, 1)),
    retired: &[APP_PASSWORDS],
    // §1.2: API token → Bitbucket username or `x-bitbucket-api-token-auth`; access and
    // OAuth tokens → `x-token-auth`.
    token_usernames: &[
        TokenUsername { kinds: &[BitbucketAccessToken], exactly: Some("x-token-auth"), refused: &[], refuse_labels: false, want: "x-token-auth" },
        TokenUsername { kinds: &[AtlassianApiToken], exactly: None, refused: &["x-token-auth"], refuse_labels: true, want: "your Bitbucket username or x-bitbucket-api-token-auth" },
        TokenUsername { kinds: &[BitbucketAppPassword, Alnum20], exactly: None, refused: &[], refuse_labels: true, want: "your Bitbucket username or x-bitbucket-api-token-auth" },
    ],
    service_usernames: &["x-token-auth", "x-bitbucket-api-token-auth"],
    // §1.2: git wants the Bitbucket username (or a fixed service name) with a token, and
    // refuses another ("Wrong username/token combination", §1.6).
    username_checked: true,
    // §1.2: "For git: username or x-bitbucket-api-token-auth. Email = REST only."
    email_username_refused: Some("Bitbucket Cloud wants your Bitbucket username (or x-bitbucket-api-token-auth) for git; the email is only for the REST API"),
    https_username: "your Bitbucket username (Personal settings → Bitbucket profile settings), or `x-bitbucket-api-token-auth`; `x-token-auth` for access tokens; never your email",
    username_placeholder: Some("<your-bitbucket-username>"),
    // §1.6
    no_write_error: Some("Your credentials lack one or more required privilege scopes."),
    // §1.4: write does not imply read.
    push_scopes: "read:repository:bitbucket and write:repository:bitbucket",
    token_scopes: TOKEN_SCOPES,
    token_page: "https://id.atlassian.com/manage-profile/security/api-tokens",
    // §1.7
    ssh_user: Some("git"),
    ssh_test: Some("ssh -T git@bitbucket.org"),
    // §1.5: RSA host key rotated 2023-06-20 (bitbucket.org/blog/ssh-host-key-changes).
    retired_host_keys: &[("AAAAubiN81eDcafrgMeLzaFPsw", Date::new(2023, 6, 20)), ("SHA256:zzXQOXSRBEiUtuE8AikJYKwbHaxvSc0ojez9YXaGp1A", Date::new(2023, 6, 20))],
    host_keys_page: Some("https://bitbucket.org/site/ssh"),
    // §1.4: API tokens expire after at most one year.
    max_token_days: Some(365),
    source: "https://support.atlassian.com/bitbucket-cloud/docs/using-api-tokens",
    // §1.7: the keys published at bitbucket.org/site/ssh (ssh-keygen -lf gives the
    // fingerprints of §1.7 for each line); RSA signs with rsa-sha2-* or ssh-rsa.
    ssh_host_key_algorithms: &["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
    ssh_known_hosts: &[
        "bitbucket.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIazEu89wgQZ4bqs3d63QSMzYVa0MuJ2e2gKTKqu+UUO",
        "bitbucket.org ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPIQmuzMBuKdWeF4+a2sjSSpBK0iqitSQ+5BM9KhpexuGt20JpTVM7u5BDZngncgrqDMbWdxMWWOGtZ9UgbqgZE=",
        "bitbucket.org ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQDQeJzhupRu0u0cdegZIa8e86EG2qOCsIsD1Xw0xSeiPDlCr7kq97NLmMbpKTX6Esc30NuoqEEHCuc7yWtwp8dI76EEEB1VqY9QJq6vk+aySyboD5QF61I/1WeTwu+deCbgKMGbUijeXhtfbxSxm6JwGrXrhBdofTsbKRUsrN1WoNgUa8uqN1Vx6WAJw1JHPhglEGGHea6QICwJOAr/6mrui/oB7pkaWKHj3z7d1IC4KWLtY47elvjbaTlkN04Kc/5LFEirorGYVbt15kAUlqGM65pk6ZBxtaO3+30LVlORZkxOh+LKL/BvbZ/iRNhItLqNyieoQj/uh/7Iv4uyH/cV/0b4WDSd3DptigWq84lJubb9t/DnZlrJazxyDCulTmKdOR7vs9gMTo+uoIrPSb8ScTtvw65+odKAlBj59dhnVp9zd7QUojOpXlL62Aw56U4oO+FALuevvMjiWeavKhJqlR7i5n9srYcrNV7ttmDw7kf/97P5zauIhxcjX+xHv4M=",
    ],
    // Bitbucket Cloud's access keys are read-only; its answer to a push with one, as
    // users quote it ("conq: repository access denied. access via a deployment key is
    // read-only.").
    ssh_refusals: &[SshRefusal { id: "read-only-key", text: &["access via a deployment key is read-only"], why: "the key is an access (deployment) key, which Bitbucket Cloud allows to read only", fix: "push with a key added to your Bitbucket account (Personal settings → SSH keys), not to the repository's Access keys" }],
    // GCM `src/shared/Atlassian.Bitbucket/BitbucketHostProvider.cs`: OAuth is the default
    // sign-in for bitbucket.org (`BitbucketAuthenticationMethods.All`, OAuth offered
    // first) and the credential it stores is the user name with the OAuth access token,
    // a string Atlassian publishes no shape for.
    gcm_oauth_shapeless: true,
    ..Provider::EMPTY
};
