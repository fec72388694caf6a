//! AWS CodeCommit. Sources: ../shared/reference/providers.md §7.

use super::{Provider, ProviderKind};

pub(super) static PROVIDER: Provider = Provider {
    kind: ProviderKind::Codecommit,
    name: "AWS CodeCommit",
    family: ProviderKind::Codecommit,
    hosts: &["git-codecommit.*.amazonaws.com"],
    https_username: "the IAM-generated Git credentials user name, or the AWS CLI credential helper",
    // §7: the AWS CLI helper signs each request for the repository path, so it needs
    // UseHttpPath and must answer before any stored credential.
    signing_helper: Some("!aws codecommit credential-helper $@"),
    push_scopes: "IAM codecommit:GitPush",
    token_page: "IAM → Users → Security credentials → HTTPS Git credentials for AWS CodeCommit",
    source: "https://docs.aws.amazon.com/codecommit/latest/userguide/setting-up-https-unixes.html",
    ..Provider::EMPTY
};
