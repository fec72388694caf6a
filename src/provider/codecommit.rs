//! AWS CodeCommit. Sources: ../shared/reference/providers.md §7.

use super::{Alphabet, Pattern, Provider, ProviderKind, ShortLived, TokenShape};
use crate::provider::SecretKind::*;

pub(super) static PROVIDER: Provider = Provider {
    kind: ProviderKind::Codecommit,
    name: "AWS CodeCommit",
    family: ProviderKind::Codecommit,
    hosts: &["git-codecommit.*.amazonaws.com"],
    https_username: "the IAM-generated Git credentials user name, or the AWS CLI credential helper",
    // §7: the AWS CLI helper signs each request for the repository path, so it needs
    // UseHttpPath and must answer before any stored credential.
    signing_helper: Some("!aws codecommit credential-helper $@"),
    // §7: the AWS CLI helper (awscli/customizations/codecommit.py) answers with
    // `'{0}Z{1}'.format(timestamp, signature)`: the SigV4 signing time `YYYYMMDDTHHMMSS`
    // (UTC), `Z`, then the hex HMAC-SHA256 signature (64 digits).
    shapes: &[TokenShape {
        kind: CodecommitSignedPassword,
        pattern: Pattern::Stamped {
            sig_len: 64,
            alphabet: Alphabet::HexLower,
        },
        name: "AWS CodeCommit helper password (signed for one request)",
    }],
    tokens: &[CodecommitSignedPassword],
    // §7: "the password generated for access to the CodeCommit repository is temporary,
    // so the credentials stored in the keychain stop working after about 15 minutes"
    // (AWS setup guide for the credential helper, as quoted by dev.classmethod.jp).
    short_lived: &[ShortLived {
        kind: CodecommitSignedPassword,
        minutes: 15,
        minted_by: "the AWS CLI credential helper (`!aws codecommit credential-helper $@`)",
    }],
    push_scopes: "IAM codecommit:GitPush",
    token_page: "IAM → Users → Security credentials → HTTPS Git credentials for AWS CodeCommit",
    source: "https://docs.aws.amazon.com/codecommit/latest/userguide/setting-up-https-unixes.html",
    ..Provider::EMPTY
};
