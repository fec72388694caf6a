//! CI services as data: how a job of each gets a token git can push with (issue 14). A
//! lint stage in a job whose checkout kept no credential (`persist-credentials: false`)
//! must fail with the CI's own way to give git one, not a generic "supply a token".
//!
//! Keyed by the marker variable `facts::env` reports (`Env::ci`). Rules ask
//! [`by_marker`]; no rule names a CI, a variable or a user name.

use super::ProviderKind;

/// One CI service.
pub(crate) struct Ci {
    /// The environment variable that marks a job of this CI (`Env::ci`).
    pub marker: &'static str,
    pub name: &'static str,
    /// The job's own token, for the forge the CI belongs to.
    pub job_token: Option<JobToken>,
    /// How a job hands a secret of its own to a step, as `$PUSH_TOKEN`.
    pub secret: &'static str,
}

/// A token every job of the CI gets for its own forge.
pub(crate) struct JobToken {
    /// The providers it is valid for.
    pub providers: &'static [ProviderKind],
    /// The environment variable that holds it in the step.
    pub variable: &'static str,
    /// The user name git pairs it with.
    pub username: &'static str,
    /// How the job gets it, and what limits it.
    pub how: &'static str,
}

static CIS: &[Ci] = &[
    Ci {
        marker: "GITHUB_ACTIONS",
        name: "GitHub Actions",
        // actions/checkout persists `x-access-token:${GITHUB_TOKEN}` as an extraheader unless
        // `persist-credentials: false` (shared/reference/providers.md, GitHub, "Installation /
        // App tokens" and the extraHeader note; actions/checkout src/git-auth-helper.ts); a
        // push needs `contents: write` (GitHub docs, "Permissions for the GITHUB_TOKEN").
        job_token: Some(JobToken {
            providers: &[ProviderKind::Github, ProviderKind::GithubEnterprise],
            variable: "GITHUB_TOKEN",
            username: "x-access-token",
            how: "actions/checkout keeps the job's token for git unless `persist-credentials: false`; \
                  otherwise give the step `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` \
                  and the job `permissions: contents: write`",
        }),
        secret: "a repository secret given to the step as `env: PUSH_TOKEN: ${{ secrets.PUSH_TOKEN }}`",
    },
    Ci {
        marker: "GITLAB_CI",
        name: "GitLab CI",
        // `gitlab-ci-token:${CI_JOB_TOKEN}`; pushes to its own project only when "Allow Git
        // push requests to the repository" is enabled (17.2+, off by default)
        // (shared/reference/providers.md, GitLab, "CI/CD job token").
        job_token: Some(JobToken {
            providers: &[ProviderKind::Gitlab],
            variable: "CI_JOB_TOKEN",
            username: "gitlab-ci-token",
            how: "the job token pushes only to its own project, and only when the project enables \
                  `Allow Git push requests to the repository` (Settings → CI/CD → Job token permissions); \
                  otherwise use a project access token with write_repository in a masked CI/CD variable",
        }),
        secret: "a masked CI/CD variable (Settings → CI/CD → Variables) named `PUSH_TOKEN`",
    },
    Ci {
        marker: "BITBUCKET_BUILD_NUMBER",
        name: "Bitbucket Pipelines",
        job_token: None,
        secret: "a secured repository variable (Repository settings → Pipelines → Repository variables) named `PUSH_TOKEN`",
    },
    Ci {
        marker: "TF_BUILD",
        name: "Azure Pipelines",
        job_token: None,
        secret: "a secret pipeline variable mapped into the step as `env: PUSH_TOKEN: $(PUSH_TOKEN)` \
                 (for Azure Repos, `persistCredentials: true` on the checkout step keeps the job's own token)",
    },
];

/// The CI whose marker variable is `marker`.
pub(crate) fn by_marker(marker: &str) -> Option<&'static Ci> {
    CIS.iter().find(|c| c.marker == marker)
}

impl Ci {
    /// The job token when it is valid for `provider`.
    pub(crate) fn job_token_for(&self, provider: Option<ProviderKind>) -> Option<&JobToken> {
        self.job_token
            .as_ref()
            .filter(|t| provider.is_some_and(|p| t.providers.contains(&p)))
    }
}
