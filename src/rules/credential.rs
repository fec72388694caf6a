//! Credential rules: what git will send over HTTPS, and whether the provider takes it.

use super::{advice, declare_rule, Finding, Location};
use crate::facts::credential::{Answer, HelperKind, Https, Program};
use crate::facts::{Facts, PushUrl, Stage};
use crate::provider::{
    ProviderKind, BITBUCKET_APP_PASSWORD_BROWNOUT, BITBUCKET_APP_PASSWORD_REMOVED,
};
use crate::secret::{SecretKind, Shape};

/// Where a credential comes from, in the order git uses them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Url,
    Header,
    Netrc,
    Store,
    /// A token variable read by the helper that answers (`GH_TOKEN` for gh, `GITLAB_TOKEN` for glab).
    Env(&'static str),
}

/// A credential git may send, by shape.
struct Candidate<'a> {
    origin: Origin,
    username: Option<&'a str>,
    secret: Option<&'a Shape>,
    location: Location,
    /// Git will send this one, and a refusal fails the push.
    certain: bool,
    helper: Option<usize>,
}

impl Candidate<'_> {
    fn describe(&self) -> String {
        let what = self
            .secret
            .map(Shape::describe)
            .unwrap_or_else(|| "credential".into());
        match self.origin {
            Origin::Url => format!("the {what} in the push URL"),
            Origin::Header => format!("the {what} in an http.extraHeader Authorization header"),
            Origin::Netrc => format!("the {what} in {}", self.location.describe()),
            Origin::Store => format!("the {what} from the `store` helper"),
            Origin::Env(var) => format!("the {what} in {var}, which the credential helper reads"),
        }
    }
}

/// Every credential we can see for a push URL, in the order git would use them.
fn candidates<'a>(
    env: &'a crate::facts::Env,
    u: &'a PushUrl,
    https: &'a Https,
) -> Vec<Candidate<'a>> {
    let mut out = Vec::new();
    if let Some(pw) = &u.url.password {
        out.push(Candidate {
            origin: Origin::Url,
            username: u.url.user.as_deref(),
            secret: Some(pw),
            location: u
                .configured
                .as_ref()
                .map(Location::from)
                .unwrap_or(Location {
                    file: None,
                    line: None,
                    what: "push URL".into(),
                }),
            certain: true,
            helper: None,
        });
        // git calls no helper when the URL carries a password.
        return out;
    }
    let header = https.auth_header();
    if let Some(h) = header {
        out.push(Candidate {
            origin: Origin::Header,
            username: h.username.as_deref(),
            secret: h.secret.as_ref(),
            location: Location::from(&h.source),
            certain: true,
            helper: None,
        });
    }
    if let Some(n) = &https.netrc {
        out.push(Candidate {
            origin: Origin::Netrc,
            username: n.username.as_deref(),
            secret: Some(&n.secret),
            location: Location {
                file: Some(n.file.clone()),
                line: Some(n.line),
                what: "netrc entry".into(),
            },
            // libcurl sends it first; if refused, git still asks the helpers.
            certain: false,
            helper: None,
        });
    }
    if let Some((i, h)) = https.first_answering() {
        // gh and glab answer with the token in the environment when one is set.
        let env_token = match h.kind {
            HelperKind::Gh
                if u.provider.map(ProviderKind::family) == Some(ProviderKind::Github) =>
            {
                env.gh_token.as_ref().map(|t| ("GH_TOKEN/GITHUB_TOKEN", t))
            }
            HelperKind::Glab if u.provider == Some(ProviderKind::Gitlab) => {
                env.gitlab_token.as_ref().map(|t| ("GITLAB_TOKEN", t))
            }
            _ => None,
        };
        if let Some((var, token)) = env_token {
            out.push(Candidate {
                origin: Origin::Env(var),
                username: Some("x-access-token").filter(|_| h.kind == HelperKind::Gh),
                secret: Some(token),
                location: Location::from(&h.source),
                certain: header.is_none(),
                helper: Some(i),
            });
        }
        if let Some(s) = &h.stored {
            out.push(Candidate {
                origin: Origin::Store,
                username: s.username.as_deref(),
                secret: Some(&s.secret),
                location: Location {
                    file: Some(s.file.clone()),
                    line: Some(s.line),
                    what: "stored credential".into(),
                },
                certain: header.is_none(),
                helper: Some(i),
            });
        }
    }
    out
}

fn https_urls(facts: &Facts) -> impl Iterator<Item = (&PushUrl, &Https)> {
    facts
        .push_urls()
        .filter_map(|u| u.https.as_ref().map(|h| (u, h)))
}

fn erase_then_new(u: &PushUrl, https: &Https, c: &Candidate<'_>) -> Vec<String> {
    let host = https.request.host.as_str();
    let mut cmds = match c.origin {
        Origin::Url => vec![advice::set_url(u, &advice::clean_url(u))],
        Origin::Header => vec![format!(
            "git config --unset-all {} # in {}",
            c.location.what,
            c.location.describe()
        )],
        Origin::Netrc => vec![format!(
            "# remove the `machine {host}` entry at {}",
            c.location.describe()
        )],
        Origin::Store => advice::erase(u, https, c.helper.map(|i| &https.helpers[i])),
        Origin::Env(var) => vec![format!(
            "# replace the token in {var} (or unset it to let the helper use its own login)"
        )],
    };
    cmds.extend(advice::new_token(u.provider, host));
    cmds
}

declare_rule! {
    /// ## What it does
    /// Checks for credential helpers in the HTTPS helper cascade whose program cannot be
    /// found or run: a helper that was uninstalled or renamed (`manager-core` became
    /// `manager`), an absolute path that no longer exists, a value that already carries the
    /// `git-credential-` prefix, or a platform's helper on another platform
    /// (`osxkeychain`, `wincred` on Linux).
    ///
    /// ## Why is this bad?
    /// git prints `git: 'credential-foo' is not a git command` and moves on. When nothing
    /// else can supply a credential and nobody can type one, the push dies with
    /// `could not read Username … terminal prompts disabled`.
    ///
    /// ## Example
    /// ```ini
    /// [credential]
    ///     helper = manager-core
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git config --global --replace-all credential.helper manager '^manager-core$'
    /// ```
    /// Error only when the missing helper leaves nothing that could answer in a run where
    /// nobody can type; otherwise a warning.
    ///
    /// ## References
    /// - [gitcredentials(7)](https://git-scm.com/docs/gitcredentials)
    HELPER_MISSING, "CC201", "credential-helper-missing", Credential, Error,
    "a credential helper's program cannot be found", helper_missing
}

fn helper_missing(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let nothing_else = u.url.password.is_none()
            && https.extra_headers.is_empty()
            && https.netrc.is_none()
            && https.helpers.iter().all(|h| h.answer == Answer::No)
            && !askpass_available(https)
            && !facts.env.can_prompt()
            // git has just authenticated here, so something did answer.
            && !u.authenticated_now;
        for h in &https.helpers {
            let (looked_for, not_exec) = match &h.program {
                Program::Missing { looked_for } => (looked_for.clone(), false),
                Program::NotExecutable { path } => (path.display().to_string(), true),
                _ => continue,
            };
            let scope = h.source.scope.flag();
            let value = h.display.trim_start_matches('!');
            let first = value.split_whitespace().next().unwrap_or("");
            let (cause, title, cmds): (String, &str, Vec<String>) = if not_exec {
                (
                    format!("{looked_for} exists but is not executable"),
                    "make the helper executable",
                    vec![format!("chmod +x '{looked_for}'")],
                )
            } else if h.kind == HelperKind::ManagerCore {
                (
                    "Git Credential Manager 2.x renamed `manager-core` to `manager`".into(),
                    "use the current helper name",
                    vec![format!("git config {scope} --replace-all credential.helper manager '^manager-core'")],
                )
            } else if let Some(stripped) = first.strip_prefix("git-credential-") {
                (
                    format!("git prepends `git-credential-` itself, so it looks for `git-credential-{first}`"),
                    "drop the git-credential- prefix",
                    vec![format!("git config {scope} --replace-all credential.helper '{stripped}' '^{first}'")],
                )
            } else if matches!(h.kind, HelperKind::Osxkeychain | HelperKind::Wincred)
                && facts.env.os != "macos"
                && facts.env.os != "windows"
            {
                (
                    format!("`{first}` is the {} helper; this machine runs {}", if h.kind == HelperKind::Osxkeychain { "macOS" } else { "Windows" }, facts.env.os),
                    "use a helper that exists on this platform",
                    vec![format!("git config {scope} --replace-all credential.helper 'cache --timeout=3600' '^{first}'")],
                )
            } else if first.starts_with('/') {
                (
                    format!("{first} no longer exists (moved or uninstalled)"),
                    "point the helper at the installed program, or remove it",
                    vec![format!(
                        "git config {scope} --unset credential.helper '^{}'",
                        regex_escape(first)
                    )],
                )
            } else {
                (
                    format!("{looked_for} is not on PATH nor in git's exec path"),
                    "install the helper, or remove it from the configuration",
                    vec![format!(
                        "git config {scope} --unset-all {} '^{}'",
                        h.source.key,
                        regex_escape(value.split_whitespace().next().unwrap_or(""))
                    )],
                )
            };
            let mut f = Finding::at(u, format!("credential helper `{}` for remote `{}` ({}) cannot be run", h.display, u.remote, u.url.display))
                .location(Location::from(&h.source))
                .cause(if nothing_else {
                    format!("{cause}; nothing else can supply a credential and nobody can type one, so git will die with `could not read Username`")
                } else {
                    format!("{cause}; git prints `git: 'credential-…' is not a git command` and falls back to other helpers or a prompt")
                })
                .fix(title, cmds)
                .certain_if(nothing_else);
            f.rejects_auth = false;
            out.push(f);
        }
    }
    out
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if ".[]()*+?^$|\\".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
}

fn askpass_available(https: &Https) -> bool {
    https.askpass.iter().any(|a| {
        !matches!(
            a.program,
            Program::Missing { .. } | Program::NotExecutable { .. }
        )
    })
}

declare_rule! {
    /// ## What it does
    /// Checks for a credential of a kind the provider no longer accepts: Bitbucket Cloud
    /// app passwords (`ATBB…` or the legacy 20-character form; brownouts from 2026-06-09,
    /// removed on 2026-07-28), and account passwords where only tokens are accepted
    /// (Bitbucket Cloud since 2022-03-01, GitHub since 2021-08-13, Hugging Face since
    /// 2023-10-01, Azure DevOps alternate credentials since 2020-03-02).
    ///
    /// ## Why is this bad?
    /// The server refuses it: `Invalid credentials`, `Authentication failed`, or for
    /// Bitbucket app passwords `410` with `App passwords are deprecated`. Each retry
    /// counts against the account's lockout limit.
    ///
    /// ## Example
    /// ```console
    /// $ cat ~/.git-credentials
    /// https://alice:ATBB…@bitbucket.org
    /// ```
    ///
    /// ## Fix
    /// Remove the stale entry and create an API token with `read:repository:bitbucket` and
    /// `write:repository:bitbucket`, used with your Bitbucket username:
    /// ```sh
    /// sed -i '2d' ~/.git-credentials
    /// git config --global credential.https://bitbucket.org.username alice
    /// git push
    /// ```
    ///
    /// ## References
    /// - [Bitbucket: app password brownout and removal](https://community.atlassian.com/forums/Bitbucket-articles/Deprecation-notice-Bitbucket-Cloud-app-password-brownout/ba-p/3237429)
    /// - [GitHub: token authentication](https://github.blog/2020-12-15-token-authentication-requirements-for-git-operations/)
    RETIRED_SECRET_KIND, "CC202", "retired-secret-kind", Credential, Error,
    "the credential is of a kind the provider no longer accepts", retired_secret_kind
}

fn retired_secret_kind(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let Some(provider) = u.provider else { continue };
        for c in candidates(&facts.env, u, https) {
            let Some(secret) = c.secret else { continue };
            if let Some(f) = judge_secret(facts, u, https, provider, &c, secret) {
                out.push(f);
            }
        }
    }
    out
}

/// Why `secret` is refused by `provider` on `today`, if it is.
pub(crate) fn refusal(
    today: crate::date::Date,
    provider: ProviderKind,
    username: Option<&str>,
    secret: &Shape,
) -> Option<(String, bool)> {
    let info = provider.info();
    let token_user = matches!(
        username,
        Some("x-token-auth" | "x-bitbucket-api-token-auth" | "x-access-token" | "oauth2")
    );
    match (provider, secret.kind) {
        (ProviderKind::BitbucketCloud, SecretKind::BitbucketAppPassword | SecretKind::Alnum20) => {
            let legacy = if secret.kind == SecretKind::Alnum20 {
                " (a 20-character secret is the legacy app password form, or an account password, refused since 2022-03-01)"
            } else {
                ""
            };
            let removed = BITBUCKET_APP_PASSWORD_REMOVED;
            if today >= removed {
                Some((
                    format!("Bitbucket Cloud removed app passwords on {removed}{legacy}"),
                    true,
                ))
            } else if today >= BITBUCKET_APP_PASSWORD_BROWNOUT {
                let since = BITBUCKET_APP_PASSWORD_BROWNOUT;
                Some((format!("Bitbucket Cloud app passwords fail during brownouts since {since} and are removed on {removed}{legacy}"), false))
            } else {
                None
            }
        }
        (_, SecretKind::Password) if !token_user => password_refused(today, info),
        (ProviderKind::Github | ProviderKind::HuggingFace, SecretKind::Alnum20) => {
            password_refused(today, info)
        }
        _ => None,
    }
}

fn password_refused(
    today: crate::date::Date,
    info: &crate::provider::Provider,
) -> Option<(String, bool)> {
    let cutoff = info.password_cutoff?;
    (today >= cutoff).then(|| {
        (
            format!(
                "{} refuses account passwords for git since {cutoff}; this is not a token shape",
                info.name
            ),
            true,
        )
    })
}

fn judge_secret(
    facts: &Facts,
    u: &PushUrl,
    https: &Https,
    provider: ProviderKind,
    c: &Candidate<'_>,
    secret: &Shape,
) -> Option<Finding> {
    let (why, dead) = refusal(facts.today, provider, c.username, secret)?;
    Some(
        Finding::at(
            u,
            format!(
                "remote `{}` ({}) will send {}",
                u.remote,
                u.url.display,
                c.describe()
            ),
        )
        .location(c.location.clone())
        .cause(why)
        .fix(
            "replace it with a token the provider accepts",
            erase_then_new(u, https, c),
        )
        .certain_if(dead && c.certain)
        .rejects_auth(),
    )
}

declare_rule! {
    /// ## What it does
    /// Checks for an email address used as the git user name for Bitbucket Cloud over
    /// HTTPS: in the URL, in `credential.username`, in a stored credential or a header.
    ///
    /// ## Why is this bad?
    /// Bitbucket Cloud wants your Bitbucket username (or `x-bitbucket-api-token-auth`)
    /// for git. The email works only for the REST API, so git gets `Authentication
    /// failed` even with a valid API token.
    ///
    /// ## Example
    /// ```sh
    /// git remote set-url origin https://alice%40example.com@bitbucket.org/acme/app.git
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git remote set-url origin https://bitbucket.org/acme/app.git
    /// git config --global credential.https://bitbucket.org.username alice
    /// ```
    ///
    /// ## References
    /// - [Bitbucket: using API tokens](https://support.atlassian.com/bitbucket-cloud/docs/using-api-tokens)
    EMAIL_AS_USERNAME, "CC203", "email-as-username", Credential, Error,
    "an email address is used as the Bitbucket Cloud git user name", email_as_username
}

fn is_email(s: &str) -> bool {
    s.split_once('@')
        .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
}

fn email_as_username(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        if u.provider != Some(ProviderKind::BitbucketCloud) {
            continue;
        }
        let host = &https.request.host;
        let fix_user = |mut cmds: Vec<String>| {
            cmds.push(format!(
                "git config --global credential.https://{host}.username <your-bitbucket-username>"
            ));
            cmds
        };
        if let Some(user) = u.url.user.as_deref().filter(|x| is_email(x)) {
            out.push(
                Finding::at(u, format!("remote `{}` ({}) uses the email `{user}` as its Bitbucket user name", u.remote, u.url.display))
                    .location(u.configured.as_ref().map(Location::from))
                    .cause("Bitbucket Cloud wants your Bitbucket username (or x-bitbucket-api-token-auth) for git; the email is only for the REST API")
                    .fix("use your Bitbucket username", fix_user(vec![advice::set_url(u, &advice::clean_url(u).replace(&format!("{}@", user), ""))]))
                    .rejects_auth(),
            );
            continue;
        }
        if let Some((user, src)) = https
            .username_config
            .as_ref()
            .filter(|(x, _)| is_email(x) && u.url.user.is_none())
        {
            out.push(
                Finding::at(u, format!("credential.username `{user}` for remote `{}` ({}) is an email address", u.remote, u.url.display))
                    .location(Location::from(src))
                    .cause("Bitbucket Cloud wants your Bitbucket username (or x-bitbucket-api-token-auth) for git; the email is only for the REST API")
                    .fix("use your Bitbucket username", vec![format!("git config {} --unset {}", src.scope.flag(), src.key)].into_iter().chain(fix_user(vec![])).collect())
                    .rejects_auth(),
            );
            continue;
        }
        for c in candidates(&facts.env, u, https) {
            let Some(user) = c.username.filter(|x| is_email(x)) else {
                continue;
            };
            out.push(
                Finding::at(u, format!("remote `{}` ({}) will send the email `{user}` as user name with {}", u.remote, u.url.display, c.describe()))
                    .location(c.location.clone())
                    .cause("Bitbucket Cloud wants your Bitbucket username (or x-bitbucket-api-token-auth) for git; the email is only for the REST API")
                    .fix("store the token under your Bitbucket username", fix_user(erase_then_new(u, https, &c)))
                    .certain_if(c.certain)
                    .rejects_auth(),
            );
        }
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for a token paired with a user name its provider does not accept with it:
    /// a Bitbucket access token (`ATCTT…`) without `x-token-auth`, an Atlassian API token
    /// (`ATATT…`) with `x-token-auth`, and a Bitbucket user name that reads like the label
    /// given to the token (`git-push-token`) rather than the Bitbucket username.
    ///
    /// ## Why is this bad?
    /// The server checks the pair and answers `Authentication failed` or
    /// `You may not have access to this repository`.
    ///
    /// ## Example
    /// ```console
    /// https://alice:ATCTT…@bitbucket.org
    /// ```
    ///
    /// ## Fix
    /// Store the access token with the user name `x-token-auth`.
    ///
    /// ## References
    /// - [Bitbucket: access tokens](https://support.atlassian.com/bitbucket-cloud/docs/using-access-tokens/)
    USERNAME_MISMATCH, "CC204", "token-username-mismatch", Credential, Warning,
    "a token is paired with a user name its provider does not accept", username_mismatch
}

fn username_mismatch(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        for c in candidates(&facts.env, u, https) {
            let (Some(secret), Some(user)) = (c.secret, c.username) else {
                continue;
            };
            let bitbucket = u.provider == Some(ProviderKind::BitbucketCloud);
            let want = match (secret.kind, user) {
                (SecretKind::BitbucketAccessToken, u) if u != "x-token-auth" => "x-token-auth",
                (SecretKind::AtlassianApiToken, "x-token-auth") => {
                    "your Bitbucket username or x-bitbucket-api-token-auth"
                }
                // The name given to a token when it was created is not a user name.
                (
                    SecretKind::AtlassianApiToken
                    | SecretKind::BitbucketAppPassword
                    | SecretKind::Alnum20,
                    u,
                ) if bitbucket && looks_like_token_label(u) => {
                    "your Bitbucket username or x-bitbucket-api-token-auth (not the token's label)"
                }
                _ => continue,
            };
            out.push(
                Finding::at(
                    u,
                    format!(
                        "remote `{}` ({}) pairs {} with the user name `{user}`",
                        u.remote,
                        u.url.display,
                        c.describe()
                    ),
                )
                .location(c.location.clone())
                .cause(format!("this kind of token needs the user name {want}"))
                .fix(
                    format!("store the token with the user name {want}"),
                    erase_then_new(u, https, &c),
                )
                .likely()
                .rejects_auth(),
            );
        }
    }
    out
}

/// A user name that reads like the label a token was given (`git-push-token`, `my_api_token`).
fn looks_like_token_label(user: &str) -> bool {
    const FIXED: &[&str] = &[
        "x-token-auth",
        "x-bitbucket-api-token-auth",
        "x-access-token",
        "gitlab-ci-token",
    ];
    let lower = user.to_ascii_lowercase();
    !FIXED.contains(&lower.as_str())
        && !lower.contains('@')
        && (lower.contains("token")
            || lower.contains("app-password")
            || lower.contains("apppassword"))
}

declare_rule! {
    /// ## What it does
    /// Checks for GitLab tokens that cannot push: deploy tokens (`gldt-…` or user
    /// `gitlab+deploy-token-N`, which have no `write_repository` scope) and CI/CD job
    /// tokens (`glcbt-…` or user `gitlab-ci-token`, which push only where the project
    /// allows it).
    ///
    /// ## Why is this bad?
    /// GitLab answers `You are not allowed to upload code.` with HTTP 403.
    ///
    /// ## Example
    /// ```console
    /// https://gitlab+deploy-token-12:gldt-…@gitlab.com
    /// ```
    ///
    /// ## Fix
    /// Push with a personal, project or group access token that has `write_repository`.
    ///
    /// ## References
    /// - [GitLab: deploy tokens](https://docs.gitlab.com/user/project/deploy_tokens/)
    GITLAB_TOKEN_CANNOT_PUSH, "CC205", "gitlab-token-cannot-push", Credential, Error,
    "a GitLab deploy token or CI job token is used to push", gitlab_token_cannot_push
}

fn gitlab_token_cannot_push(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        if u.provider.is_some_and(|p| p != ProviderKind::Gitlab) {
            continue;
        }
        for c in candidates(&facts.env, u, https) {
            let kind = c.secret.map(|s| s.kind);
            let user = c.username.unwrap_or("");
            let (what, certain) = if kind == Some(SecretKind::GitlabDeployToken)
                || user.starts_with("gitlab+deploy-token")
            {
                (
                    "a GitLab deploy token, which has no write_repository scope",
                    true,
                )
            } else if kind == Some(SecretKind::GitlabJobToken) || user == "gitlab-ci-token" {
                ("a GitLab CI/CD job token, which pushes only where the project enables `Allow Git push requests`", false)
            } else {
                continue;
            };
            out.push(
                Finding::at(
                    u,
                    format!(
                        "remote `{}` ({}) will push with {}",
                        u.remote,
                        u.url.display,
                        c.describe()
                    ),
                )
                .location(c.location.clone())
                .cause(format!(
                    "{what}; GitLab answers `You are not allowed to upload code.` (403)"
                ))
                .fix(
                    "push with an access token that has write_repository",
                    erase_then_new(u, https, &c),
                )
                .certain_if(certain && c.certain),
            );
        }
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for a token issued by one provider sent to another: a `glpat-` token to
    /// github.com, a `ghp_` token to bitbucket.org, an `ATATT` token to gitlab.com.
    ///
    /// ## Why is this bad?
    /// No provider accepts another's tokens: the push fails with `Authentication failed`.
    /// It usually means a store line or header written for one host matches another.
    ///
    /// ## Example
    /// ```console
    /// https://alice:glpat-…@github.com
    /// ```
    ///
    /// ## Fix
    /// Remove the entry and store a token from the right provider.
    ///
    /// ## References
    /// - [GitHub token formats](https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/)
    FOREIGN_TOKEN, "CC206", "token-for-other-provider", Credential, Error,
    "a token issued by another provider is sent", foreign_token
}

fn foreign_token(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let Some(provider) = u.provider else { continue };
        for c in candidates(&facts.env, u, https) {
            let Some(issuer) = c.secret.and_then(|s| s.provider) else {
                continue;
            };
            if issuer.family() == provider.family() {
                continue;
            }
            out.push(
                Finding::at(
                    u,
                    format!(
                        "remote `{}` ({}) will send {} to {}",
                        u.remote,
                        u.url.display,
                        c.describe(),
                        provider.info().name
                    ),
                )
                .location(c.location.clone())
                .cause(format!(
                    "it is a {} token; {} accepts only its own tokens",
                    issuer.info().name,
                    provider.info().name
                ))
                .fix(
                    "replace it with a token from this provider",
                    erase_then_new(u, https, &c),
                )
                .certain_if(c.certain)
                .rejects_auth(),
            );
        }
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for several persistent credential helpers that may each hold an account for
    /// the same host, and for `store` files with several lines for one host.
    ///
    /// ## Why is this bad?
    /// The first helper that answers wins. When it holds another account (a work and a
    /// personal login), the push fails with `Permission denied` or `Repository not found`
    /// while the right credential sits in the next helper.
    ///
    /// ## Example
    /// ```ini
    /// [credential]
    ///     helper = store
    ///     helper = libsecret
    /// ```
    ///
    /// ## Fix
    /// Keep one persistent helper, or set the user name per host so each helper answers for
    /// the right account: `git config credential.https://github.com.username alice`.
    ///
    /// ## References
    /// - [gitcredentials(7)](https://git-scm.com/docs/gitcredentials)
    CONFLICTING_STORED_ACCOUNTS, "CC207", "conflicting-stored-accounts", Credential, Warning,
    "several stored accounts may answer for the same host", conflicting_accounts
}

fn conflicting_accounts(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        if u.url.password.is_some() || https.request.username.is_some() {
            continue;
        }
        let persistent: Vec<_> = https
            .helpers
            .iter()
            .filter(|h| h.kind.persistent() && h.answer != Answer::No)
            .collect();
        if persistent.len() >= 2 {
            let names: Vec<_> = persistent
                .iter()
                .map(|h| format!("`{}`", h.display))
                .collect();
            out.push(
                Finding::at(u, format!("remote `{}` ({}) has {} persistent helpers that may answer: {}", u.remote, u.url.display, names.len(), names.join(", ")))
                    .location(Location::from(&persistent[0].source))
                    .cause("the first helper to answer wins; if it holds another account the push is refused")
                    .fix("pin the user name for this host", vec![format!("git config --global credential.https://{}.username <user>", https.request.host)])
                    .likely(),
            );
        }
        for h in &https.helpers {
            if let Some(s) = h.stored.as_ref().filter(|s| !s.other_usernames.is_empty()) {
                out.push(
                    Finding::at(u, format!("{} holds {} accounts for {}; git uses line {}", s.file.display(), s.other_usernames.len() + 1, https.request.host, s.line))
                        .location(Location { file: Some(s.file.clone()), line: Some(s.line), what: "stored credential".into() })
                        .cause("without a user name in the URL or credential.username, the first matching line wins")
                        .fix("pin the user name for this host", vec![format!("git config credential.https://{}.username <user>", https.request.host)])
                        .likely(),
                );
            }
        }
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for the AWS CodeCommit credential helper placed after a persistent helper
    /// that may answer first, and for CodeCommit without `credential.UseHttpPath`.
    ///
    /// ## Why is this bad?
    /// CodeCommit's helper signs a short-lived credential per repository. A persistent
    /// helper that answers first sends a stale one (`403`), and without `UseHttpPath`
    /// the helper cannot sign for the right repository.
    ///
    /// ## Example
    /// ```ini
    /// [credential]
    ///     helper = store
    ///     helper = !aws codecommit credential-helper $@
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git config --global credential.https://git-codecommit.eu-west-1.amazonaws.com.helper ''
    /// git config --global --add credential.https://git-codecommit.eu-west-1.amazonaws.com.helper '!aws codecommit credential-helper $@'
    /// git config --global credential.https://git-codecommit.eu-west-1.amazonaws.com.UseHttpPath true
    /// ```
    ///
    /// ## References
    /// - [AWS CodeCommit: HTTPS with the credential helper](https://docs.aws.amazon.com/codecommit/latest/userguide/setting-up-https-unixes.html)
    CODECOMMIT_HELPER_SHADOWED, "CC208", "codecommit-helper-shadowed", Credential, Warning,
    "the AWS CodeCommit helper is shadowed or lacks UseHttpPath", codecommit_shadowed
}

fn codecommit_shadowed(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let Some(pos) = https
            .helpers
            .iter()
            .position(|h| h.kind == HelperKind::Codecommit)
        else {
            continue;
        };
        let host = &https.request.host;
        let fix = vec![
            format!("git config --global credential.https://{host}.helper ''"),
            format!("git config --global --add credential.https://{host}.helper '!aws codecommit credential-helper $@'"),
            format!("git config --global credential.https://{host}.UseHttpPath true"),
        ];
        if let Some(before) = https.helpers[..pos]
            .iter()
            .find(|h| h.kind.persistent() && h.answer != Answer::No)
        {
            out.push(
                Finding::at(u, format!("helper `{}` answers before the CodeCommit helper for remote `{}` ({})", before.display, u.remote, u.url.display))
                    .location(Location::from(&before.source))
                    .cause("a stored credential is sent instead of a freshly signed one, and CodeCommit refuses it (403)")
                    .fix("give CodeCommit its own cascade", fix.clone())
                    .certain_if(before.answer == Answer::Yes)
                    .rejects_auth(),
            );
        } else if !https.use_http_path {
            out.push(
                Finding::at(u, format!("CodeCommit helper for remote `{}` ({}) runs without credential.UseHttpPath", u.remote, u.url.display))
                    .location(Location::from(&https.helpers[pos].source))
                    .cause("the helper signs per repository and needs the path")
                    .fix("enable UseHttpPath for this host", fix[2..].to_vec())
                    .likely(),
            );
        }
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for an HTTPS push where nobody can type a credential (CI, no terminal,
    /// `GIT_TERMINAL_PROMPT=0`) and nothing else can supply one: no password in the URL,
    /// no `http.extraHeader`, no `~/.netrc` entry, no helper that can answer, no askpass
    /// program.
    ///
    /// ## Why is this bad?
    /// git dies with `fatal: could not read Username for 'https://…': terminal prompts
    /// disabled`. When an SSH key is provisioned on the machine, the remote should be SSH.
    ///
    /// ## Example
    /// ```console
    /// $ CI=true git push
    /// fatal: could not read Username for 'https://bitbucket.org': terminal prompts disabled
    /// ```
    ///
    /// ## Fix
    /// Give the job a credential (a helper that reads a token from the environment, or
    /// `http.extraHeader`), or switch the remote to SSH when a deploy key is installed.
    ///
    /// ## References
    /// - [git(1): GIT_TERMINAL_PROMPT](https://git-scm.com/docs/git#Documentation/git.txt-codeGITTERMINALPROMPTcode)
    NO_CREDENTIAL_SOURCE, "CC209", "credential-source-missing", Credential, Error,
    "nothing can supply a credential and nobody can type one", no_credential_source
}

fn no_credential_source(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    if facts.env.can_prompt() {
        return out;
    }
    for (u, https) in https_urls(facts) {
        let missing_helper = https.helpers.iter().any(|h| {
            matches!(
                h.program,
                Program::Missing { .. } | Program::NotExecutable { .. }
            )
        });
        if u.url.password.is_some()
            || !https.extra_headers.is_empty()
            || https.netrc.is_some()
            || https.proxy.is_some()
            || missing_helper
            || https.helpers.iter().any(|h| h.answer != Answer::No)
            || askpass_available(https)
        {
            continue;
        }
        let why = match (&facts.env.ci, facts.env.terminal_prompt_disabled) {
            (Some(ci), _) => format!("this is a CI run ({ci} is set)"),
            (None, true) => "GIT_TERMINAL_PROMPT=0".to_owned(),
            (None, false) => "there is no terminal".to_owned(),
        };
        let host = &https.request.host;
        let mut fix = Vec::new();
        let ssh_url = u
            .url
            .host
            .as_deref()
            .map(|h| format!("git@{h}:{}", u.url.path));
        let title = if let (false, Some(ssh_url)) =
            (facts.env.ssh_keys.is_empty(), ssh_url.as_ref())
        {
            fix.push(format!(
                "# an SSH key is provisioned here ({}): use SSH",
                facts.env.ssh_keys.join(", ")
            ));
            fix.push(advice::set_url(u, ssh_url));
            "switch the remote to SSH"
        } else {
            fix.push(format!("git config --global credential.https://{host}.helper '!f() {{ echo username=<user>; echo \"password=$YOUR_TOKEN_VARIABLE\"; }}; f'"));
            "supply a credential from the job's secrets"
        };
        out.push(
            Finding::at(u, format!("remote `{}` ({}) has no credential source and {why}", u.remote, u.url.display))
                .location(u.configured.as_ref().map(Location::from))
                .cause(format!("git will die with `fatal: could not read Username for 'https://{host}': terminal prompts disabled`"))
                .fix(title, fix)
                .certain_if(u.provider.is_some())
                .rejects_auth(),
        );
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for an `http.extraHeader` with an `Authorization` header (as actions/checkout
    /// writes) that applies to a push URL which also has a password in the URL, a stored
    /// credential or a `~/.netrc` entry.
    ///
    /// ## Why is this bad?
    /// git sends the header on every request and never asks the helpers while it is
    /// accepted, so the credential you updated is not the one sent. When the header's token
    /// expires or lacks a permission the push fails although the stored credential is good.
    ///
    /// ## Example
    /// ```ini
    /// [http "https://github.com/"]
    ///     extraheader = AUTHORIZATION: basic …
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git config --unset-all http.https://github.com/.extraheader
    /// ```
    ///
    /// ## References
    /// - [git-config: http.extraHeader](https://git-scm.com/docs/git-config#Documentation/git-config.txt-httpextraHeader)
    EXTRA_HEADER_SHADOWS, "CC210", "extra-header-shadows-credential", Credential, Warning,
    "an Authorization extraHeader is sent instead of the configured credential", extra_header_shadows
}

fn extra_header_shadows(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let Some(h) = https.auth_header() else {
            continue;
        };
        let shadowed = if u.url.password.is_some() {
            Some("the password in the URL".to_owned())
        } else if let Some(n) = &https.netrc {
            Some(format!(
                "the ~/.netrc entry at {}:{}",
                n.file.display(),
                n.line
            ))
        } else {
            https
                .first_answering()
                .and_then(|(_, x)| x.stored.as_ref())
                .map(|s| format!("the credential stored at {}:{}", s.file.display(), s.line))
        };
        let Some(shadowed) = shadowed else { continue };
        let what = h
            .secret
            .as_ref()
            .map(Shape::describe)
            .unwrap_or_else(|| format!("{} credential", h.scheme));
        out.push(
            Finding::at(u, format!("remote `{}` ({}) sends the {what} from http.extraHeader, not {shadowed}", u.remote, u.url.display))
                .location(Location::from(&h.source))
                .cause("git sends the header on every request; other credentials are used only if it is refused")
                .fix("remove the header if the other credential is the one you mean", vec![format!("git config {} --unset-all '{}'", h.source.scope.flag(), h.source.key)])
                .likely(),
        );
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for a push to GitHub that creates, changes or deletes files under
    /// `.github/workflows/` with a token whose `workflow` scope (or Workflows permission)
    /// cannot be seen: `ghp_`, `gho_`, `ghu_`, `github_pat_`, `ghs_`.
    ///
    /// ## Why is this bad?
    /// GitHub accepts the connection, receives the pack, then refuses the ref:
    /// `refusing to allow a Personal Access Token to create or update workflow … without
    /// workflow scope`. This is the one refusal the pre-push hook can still prevent.
    ///
    /// ## Example
    /// ```console
    /// ! [remote rejected] main -> main (refusing to allow a Personal Access Token to create or update workflow `.github/workflows/ci.yml` without `workflow` scope)
    /// ```
    ///
    /// ## Fix
    /// Add the `workflow` scope to the classic token, or Workflows: Read and write to the
    /// fine-grained token or GitHub App; `GITHUB_TOKEN` can never change workflows.
    ///
    /// ## References
    /// - [GitHub: scopes for OAuth apps](https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps)
    WORKFLOW_SCOPE_UNKNOWN, "CC211", "workflow-scope-unknown", Credential, Warning,
    "the push changes GitHub workflows with a token that may lack the workflow scope", workflow_scope
}

fn workflow_scope(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(pushed) = &facts.pushed else {
        return out;
    };
    if pushed.workflow_files.is_empty() {
        return out;
    }
    for (u, https) in https_urls(facts) {
        if u.provider.map(ProviderKind::family) != Some(ProviderKind::Github) {
            continue;
        }
        let Some(c) = candidates(&facts.env, u, https).into_iter().find(|c| {
            c.secret.is_some_and(|s| {
                matches!(
                    s.kind,
                    SecretKind::GithubClassicPat
                        | SecretKind::GithubOauthToken
                        | SecretKind::GithubUserToServerToken
                        | SecretKind::GithubFineGrainedPat
                        | SecretKind::GithubInstallationToken
                )
            })
        }) else {
            continue;
        };
        let kind = c.secret.map(|s| s.kind);
        let need = match kind {
            Some(SecretKind::GithubClassicPat) | Some(SecretKind::GithubOauthToken) => {
                "the `workflow` scope"
            }
            Some(SecretKind::GithubInstallationToken) => {
                "the Workflows: write permission (an Actions GITHUB_TOKEN can never have it)"
            }
            _ => "the Workflows: Read and write permission",
        };
        let files: Vec<_> = pushed
            .workflow_files
            .iter()
            .take(5)
            .map(|f| format!("`{f}`"))
            .collect();
        out.push(
            Finding::at(u, format!("push to `{}` ({}) changes {} with {}", u.remote, u.url.display, files.join(", "), c.describe()))
                .location(c.location.clone())
                .cause(format!("GitHub refuses workflow changes from a token without {need}; it cannot be seen from the token"))
                .fix(
                    format!("make sure the token has {need}"),
                    vec!["# classic token: https://github.com/settings/tokens → edit → tick `workflow`".into(), "git push".into()],
                )
                .likely(),
        );
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for a git-credcheck guard that is installed but not reached in the helper
    /// cascade of an HTTPS push URL: a later `credential.<url>.helper =` reset (as `gh auth setup-git`
    /// writes) silently removes it, and a helper before it may answer first.
    ///
    /// ## Why is this bad?
    /// Without the guard a doomed credential is sent and the user gets only the server's
    /// `Authentication failed`, not the cause.
    ///
    /// ## Example
    /// ```ini
    /// [credential "https://github.com"]
    ///     helper =
    ///     helper = !gh auth git-credential
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// git-credcheck install --guard --global
    /// ```
    ///
    /// ## References
    /// - [gitcredentials(7)](https://git-scm.com/docs/gitcredentials)
    GUARD_NOT_ACTIVE, "CC212", "guard-not-active", Credential, Warning,
    "the credential guard is installed but not reached for this URL", guard_not_active
}

fn guard_not_active(facts: &Facts) -> Vec<Finding> {
    use crate::facts::credential::GuardState;
    let mut out = Vec::new();
    if facts.stage == Stage::Guard {
        return out;
    }
    for (u, https) in https_urls(facts) {
        let f = match https.guard {
            GuardState::Reset => Finding::at(u, format!("the credential guard is not active for remote `{}` ({})", u.remote, u.url.display))
                .location(https.reset.as_ref().map(Location::from))
                .cause("a later empty `helper =` reset removes it from the cascade for this URL")
                .fix(
                    "add the guard after the reset",
                    vec![format!("git config --global --add credential.https://{}.helper \"$(command -v git-credcheck) guard\"", https.request.host)],
                ),
            GuardState::AfterOtherHelpers => {
                let first = https.first_answering().map(|(_, h)| h.display.clone()).unwrap_or_default();
                Finding::at(u, format!("the credential guard runs after helper `{first}` for remote `{}` ({})", u.remote, u.url.display))
                    .cause("a helper before it may answer, so the guard never sees the credential")
                    .fix("put the guard first", vec!["git-credcheck uninstall --guard --global".into(), "git-credcheck install --guard --global".into()])
                    .likely()
            }
            _ => continue,
        };
        out.push(f);
    }
    out
}

declare_rule! {
    /// ## What it does
    /// Checks for a stored token whose first accepted use, recorded by the guard's opt-in
    /// ledger (`guard: record: true`), is close to or past its provider's maximum token
    /// lifetime (GitLab personal access tokens and Atlassian API tokens: one year).
    ///
    /// ## Why is this bad?
    /// The provider expires the token and the next push fails with `Authentication failed`,
    /// usually on the day you need it.
    ///
    /// ## Example
    /// ```console
    /// first accepted 2025-12-01, GitLab maximum 365 days: expires by 2026-12-01
    /// ```
    ///
    /// ## Fix
    /// Create a new token before the old one expires and replace the stored one.
    /// Error once the maximum has passed on a hosted service (gitlab.com, bitbucket.org);
    /// a warning in the last 14 days, or where an administrator may set another maximum.
    ///
    /// ## References
    /// - [GitLab: token expiry](https://docs.gitlab.com/user/profile/personal_access_tokens/)
    /// - [Atlassian: API token expiry](https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/)
    TOKEN_MAX_AGE, "CC213", "token-max-age", Credential, Error,
    "a stored token nears or passes its provider's maximum lifetime", token_max_age
}

/// How many days before the end a warning starts.
const EXPIRY_WARNING_DAYS: i64 = 14;

fn token_max_age(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, https) in https_urls(facts) {
        let Some(provider) = u.provider else { continue };
        let Some(max) = provider.info().max_token_days else {
            continue;
        };
        for c in candidates(&facts.env, u, https) {
            let Some(h) = c.helper.map(|i| &https.helpers[i]) else {
                continue;
            };
            let Some(first) = h.stored.as_ref().and_then(|s| s.first_seen) else {
                continue;
            };
            if !c
                .secret
                .is_some_and(|s| provider.info().tokens.contains(&s.kind))
            {
                continue;
            }
            let ends = crate::date::Date::from_days(first.days() + i64::from(max));
            let left = ends.days() - facts.today.days();
            if left > EXPIRY_WARNING_DAYS {
                continue;
            }
            let (msg, certain) = if left <= 0 {
                (format!("{} for remote `{}` ({}) was first accepted on {first} and has expired by {ends}", c.describe(), u.remote, u.url.display), true)
            } else {
                (format!("{} for remote `{}` ({}) was first accepted on {first} and expires by {ends}", c.describe(), u.remote, u.url.display), false)
            };
            // Self-managed instances may configure another maximum.
            let hosted = u
                .url
                .host
                .as_deref()
                .is_some_and(|h| provider.info().hosts.contains(&h));
            let certain = certain && hosted;
            out.push(
                Finding::at(u, msg)
                    .location(c.location.clone())
                    .cause(format!(
                        "{} tokens live at most {max} days",
                        provider.info().name
                    ))
                    .fix(
                        "create a new token and replace the stored one",
                        erase_then_new(u, https, &c),
                    )
                    .certain_if(certain)
                    .rejects_auth(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::facts::credential::{GuardState, Helper};
    use crate::facts::testing::*;
    use crate::rules::testing::severities;
    use crate::rules::Severity::*;

    const ATBB: &str = "ATBB0123456789abcdefABCDEF0123456789";
    const ATATT: &str = "ATATT3xFfGF0abcdefghijklmnopqrstuvwxyz0123=0A1B2C3D";

    #[test]
    fn app_password_on_both_sides_of_the_dates() {
        let mut f = with_store("https://bitbucket.org/acme/app.git", Some("alice"), ATBB);
        assert_eq!(severities(&RETIRED_SECRET_KIND, &f), vec![Error]);
        f.today = Date::new(2026, 7, 27);
        assert_eq!(severities(&RETIRED_SECRET_KIND, &f), vec![Warning]);
        f.today = Date::new(2026, 6, 8);
        assert!(severities(&RETIRED_SECRET_KIND, &f).is_empty());
        f.today = Date::new(2026, 7, 28);
        let d = crate::rules::testing::diagnose(&RETIRED_SECRET_KIND, &f);
        let cause = d[0].finding.cause.clone().unwrap_or_default();
        assert!(cause.contains("2026-07-28"), "{cause}");
        let cmds = crate::rules::testing::fix_commands(&d[0]);
        assert!(
            cmds.contains("sed -i '2d'") && cmds.contains("write:repository:bitbucket"),
            "{cmds}"
        );
        assert!(!format!("{:?}", d[0].finding).contains("0123456789abcdef"));
    }

    #[test]
    fn api_token_is_fine() {
        let f = with_store("https://bitbucket.org/acme/app.git", Some("alice"), ATATT);
        assert!(severities(&RETIRED_SECRET_KIND, &f).is_empty());
        assert!(severities(&EMAIL_AS_USERNAME, &f).is_empty());
        assert!(severities(&FOREIGN_TOKEN, &f).is_empty());
    }

    #[test]
    fn passwords_after_cutoffs() {
        for (url, cutoff) in [
            ("https://github.com/a/b.git", Date::new(2021, 8, 13)),
            ("https://bitbucket.org/a/b.git", Date::new(2022, 3, 1)),
            ("https://huggingface.co/a/b", Date::new(2023, 10, 1)),
            ("https://dev.azure.com/o/p/_git/r", Date::new(2020, 3, 2)),
        ] {
            let mut f = with_store(url, Some("alice"), "correct horse battery staple");
            f.today = cutoff;
            assert_eq!(severities(&RETIRED_SECRET_KIND, &f), vec![Error], "{url}");
            f.today = Date::from_days(cutoff.days() - 1);
            assert!(severities(&RETIRED_SECRET_KIND, &f).is_empty(), "{url}");
        }
        // GitLab and unknown hosts may accept passwords.
        let f = with_store(
            "https://gitlab.com/a/b.git",
            Some("alice"),
            "correct horse battery staple",
        );
        assert!(severities(&RETIRED_SECRET_KIND, &f).is_empty());
        let f = with_store(
            "https://git.example.test/a/b.git",
            Some("alice"),
            "correct horse battery staple",
        );
        assert!(severities(&RETIRED_SECRET_KIND, &f).is_empty());
        // A JWT (OAuth) is not a password.
        let f = with_store(
            "https://dev.azure.com/o/p/_git/r",
            Some("alice"),
            "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
        );
        assert!(severities(&RETIRED_SECRET_KIND, &f).is_empty());
    }

    #[test]
    fn url_password_is_certain_store_behind_unknown_helper_is_not() {
        let f = with_push_url(&format!("https://alice:{ATBB}@bitbucket.org/a/b.git"));
        assert_eq!(severities(&RETIRED_SECRET_KIND, &f), vec![Error]);
        let mut f = with_store("https://bitbucket.org/a/b.git", Some("alice"), ATBB);
        https_mut(&mut f).helpers.insert(
            0,
            helper(
                HelperKind::Libsecret,
                Program::Found { path: "/x".into() },
                Answer::Maybe,
            ),
        );
        // The store is not the first helper that may answer: nothing is certain.
        assert!(severities(&RETIRED_SECRET_KIND, &f).is_empty());
    }

    #[test]
    fn authenticated_url_is_never_called_dead() {
        let mut f = with_store("https://bitbucket.org/a/b.git", Some("alice"), ATBB);
        f.remotes[0].urls[0].authenticated_now = true;
        assert!(severities(&RETIRED_SECRET_KIND, &f).is_empty());
    }

    #[test]
    fn email_username() {
        let f = with_store(
            "https://bitbucket.org/a/b.git",
            Some("alice@example.com"),
            ATATT,
        );
        assert_eq!(severities(&EMAIL_AS_USERNAME, &f), vec![Error]);
        let f = with_push_url("https://alice%40example.com@bitbucket.org/a/b.git");
        assert_eq!(severities(&EMAIL_AS_USERNAME, &f), vec![Error]);
        let f = with_store(
            "https://github.com/a/b.git",
            Some("alice@example.com"),
            "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
        );
        assert!(severities(&EMAIL_AS_USERNAME, &f).is_empty());
    }

    #[test]
    fn username_pairs() {
        let f = with_store(
            "https://bitbucket.org/a/b.git",
            Some("alice"),
            "ATCTT3xFfGN0aaaaaaaaaaaaaaaaaaaaaaaaaaa",
        );
        assert_eq!(severities(&USERNAME_MISMATCH, &f), vec![Warning]);
        let f = with_store(
            "https://bitbucket.org/a/b.git",
            Some("x-token-auth"),
            "ATCTT3xFfGN0aaaaaaaaaaaaaaaaaaaaaaaaaaa",
        );
        assert!(severities(&USERNAME_MISMATCH, &f).is_empty());
    }

    #[test]
    fn token_label_as_user_name() {
        let f = with_store(
            "https://bitbucket.org/a/b.git",
            Some("git-push-token"),
            ATATT,
        );
        assert_eq!(severities(&USERNAME_MISMATCH, &f), vec![Warning]);
        let f = with_store(
            "https://bitbucket.org/a/b.git",
            Some("x-bitbucket-api-token-auth"),
            ATATT,
        );
        assert!(severities(&USERNAME_MISMATCH, &f).is_empty());
        let f = with_store(
            "https://gitlab.com/a/b.git",
            Some("my-token"),
            "glpat-aaaaaaaaaaaaaaaaaaaa",
        );
        assert!(
            severities(&USERNAME_MISMATCH, &f).is_empty(),
            "GitLab ignores the user name"
        );
    }

    #[test]
    fn gitlab_tokens() {
        let f = with_store(
            "https://gitlab.com/a/b.git",
            Some("gitlab+deploy-token-1"),
            "gldt-aaaaaaaaaaaaaaaaaaaa",
        );
        assert_eq!(severities(&GITLAB_TOKEN_CANNOT_PUSH, &f), vec![Error]);
        let f = with_store(
            "https://gitlab.com/a/b.git",
            Some("gitlab-ci-token"),
            "glcbt-aaaaaaaaaaaaaaaaaaaa",
        );
        assert_eq!(severities(&GITLAB_TOKEN_CANNOT_PUSH, &f), vec![Warning]);
        let f = with_store(
            "https://gitlab.com/a/b.git",
            Some("alice"),
            "glpat-aaaaaaaaaaaaaaaaaaaa",
        );
        assert!(severities(&GITLAB_TOKEN_CANNOT_PUSH, &f).is_empty());
    }

    #[test]
    fn foreign_tokens() {
        let f = with_store(
            "https://github.com/a/b.git",
            Some("alice"),
            "glpat-aaaaaaaaaaaaaaaaaaaa",
        );
        assert_eq!(severities(&FOREIGN_TOKEN, &f), vec![Error]);
        let f = with_store(
            "https://bitbucket.org/a/b.git",
            Some("alice"),
            "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
        );
        assert_eq!(severities(&FOREIGN_TOKEN, &f), vec![Error]);
        let f = with_store(
            "https://github.com/a/b.git",
            Some("alice"),
            "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
        );
        assert!(severities(&FOREIGN_TOKEN, &f).is_empty());
    }

    #[test]
    fn missing_helper_error_only_when_nothing_else() {
        let mut f = with_push_url("https://bitbucket.org/a/b.git");
        f.env.tty = false;
        https_mut(&mut f).helpers.push(helper(
            HelperKind::ManagerCore,
            Program::Missing {
                looked_for: "git-credential-manager-core".into(),
            },
            Answer::No,
        ));
        assert_eq!(severities(&HELPER_MISSING, &f), vec![Error]);
        let d = crate::rules::testing::diagnose(&HELPER_MISSING, &f);
        assert!(d[0]
            .finding
            .fix
            .as_ref()
            .is_some_and(|x| x.commands[0].contains("manager '^manager-core'")));
        // With a terminal, git can prompt: a warning.
        f.env.tty = true;
        assert_eq!(severities(&HELPER_MISSING, &f), vec![Warning]);
        // Another helper may answer: a warning.
        f.env.tty = false;
        https_mut(&mut f).helpers.push(helper(
            HelperKind::Libsecret,
            Program::Found { path: "/x".into() },
            Answer::Maybe,
        ));
        assert_eq!(severities(&HELPER_MISSING, &f), vec![Warning]);
        let f = with_push_url("https://bitbucket.org/a/b.git");
        assert!(severities(&HELPER_MISSING, &f).is_empty());
    }

    #[test]
    fn no_source_in_ci() {
        let mut f = with_push_url("https://bitbucket.org/a/b.git");
        f.env.tty = false;
        f.env.ci = Some("CI".into());
        assert_eq!(severities(&NO_CREDENTIAL_SOURCE, &f), vec![Error]);
        f.env.ssh_keys = vec!["id_ed25519".into()];
        let d = crate::rules::testing::diagnose(&NO_CREDENTIAL_SOURCE, &f);
        assert!(d[0].finding.fix.as_ref().is_some_and(|x| x
            .commands
            .iter()
            .any(|c| c.contains("git@bitbucket.org:a/b.git"))));
        f.env.tty = true;
        assert!(severities(&NO_CREDENTIAL_SOURCE, &f).is_empty());
        let mut f = with_store("https://bitbucket.org/a/b.git", Some("alice"), ATATT);
        f.env.tty = false;
        assert!(severities(&NO_CREDENTIAL_SOURCE, &f).is_empty());
    }

    #[test]
    fn a_proxy_may_authenticate() {
        let mut f = with_push_url("http://bitbucket.org/a/b.git");
        f.env.tty = false;
        f.env.ci = Some("BITBUCKET_BUILD_NUMBER".into());
        assert_eq!(severities(&NO_CREDENTIAL_SOURCE, &f), vec![Error]);
        https_mut(&mut f).proxy = Some(source("http.http://bitbucket.org.proxy"));
        assert!(severities(&NO_CREDENTIAL_SOURCE, &f).is_empty());
    }

    #[test]
    fn tokens_in_the_environment_for_gh_and_glab() {
        let mut f = with_push_url("https://github.com/a/b.git");
        https_mut(&mut f).helpers.push(helper(
            HelperKind::Gh,
            Program::Found {
                path: "/usr/bin/gh".into(),
            },
            Answer::Maybe,
        ));
        f.env.gh_token = Some(Shape::of("glpat-aaaaaaaaaaaaaaaaaaaa"));
        assert_eq!(severities(&FOREIGN_TOKEN, &f), vec![Error]);
        f.env.gh_token = Some(Shape::of("ghs_0123456789abcdefghijklmnopqrstuvwxyz"));
        assert!(severities(&FOREIGN_TOKEN, &f).is_empty());
        f.stage = Stage::PrePush;
        f.pushed = Some(crate::facts::pushed::Pushed {
            refs: 1,
            workflow_files: vec![".github/workflows/ci.yml".into()],
            probe_error: None,
        });
        assert_eq!(severities(&WORKFLOW_SCOPE_UNKNOWN, &f), vec![Warning]);
        // glab reads GITLAB_TOKEN only for GitLab.
        let mut g = with_push_url("https://gitlab.com/a/b.git");
        https_mut(&mut g).helpers.push(helper(
            HelperKind::Glab,
            Program::Found {
                path: "/usr/bin/glab".into(),
            },
            Answer::Maybe,
        ));
        g.env.gitlab_token = Some(Shape::of("ghp_0123456789abcdefghijklmnopqrstuvwxyz"));
        assert_eq!(severities(&FOREIGN_TOKEN, &g), vec![Error]);
    }

    #[test]
    fn header_shadows_store() {
        let mut f = with_store(
            "https://github.com/a/b.git",
            Some("alice"),
            "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
        );
        assert!(severities(&EXTRA_HEADER_SHADOWS, &f).is_empty());
        https_mut(&mut f)
            .extra_headers
            .push(crate::facts::credential::ExtraHeader {
                scheme: "basic".into(),
                username: Some("x-access-token".into()),
                secret: Some(Shape::of("ghs_0123456789abcdefghijklmnopqrstuvwxyz")),
                source: source("http.https://github.com/.extraheader"),
            });
        assert_eq!(severities(&EXTRA_HEADER_SHADOWS, &f), vec![Warning]);
    }

    #[test]
    fn workflow_scope_only_with_workflow_changes() {
        let mut f = with_store(
            "https://github.com/a/b.git",
            Some("alice"),
            "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
        );
        f.stage = Stage::PrePush;
        f.remotes[0].urls[0].authenticated_now = true;
        assert!(severities(&WORKFLOW_SCOPE_UNKNOWN, &f).is_empty());
        f.pushed = Some(crate::facts::pushed::Pushed {
            refs: 1,
            workflow_files: vec![".github/workflows/ci.yml".into()],
            probe_error: None,
        });
        assert_eq!(severities(&WORKFLOW_SCOPE_UNKNOWN, &f), vec![Warning]);
        let f2 = with_store("https://bitbucket.org/a/b.git", Some("alice"), ATATT);
        let mut f2 = f2;
        f2.pushed = f.pushed.clone();
        assert!(severities(&WORKFLOW_SCOPE_UNKNOWN, &f2).is_empty());
    }

    #[test]
    fn guard_reset_is_reported() {
        let mut f = with_push_url("https://github.com/a/b.git");
        https_mut(&mut f).guard = GuardState::Reset;
        assert_eq!(severities(&GUARD_NOT_ACTIVE, &f), vec![Warning]);
        https_mut(&mut f).guard = GuardState::Active;
        assert!(severities(&GUARD_NOT_ACTIVE, &f).is_empty());
    }

    #[test]
    fn codecommit() {
        let mut f = with_store(
            "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/r",
            Some("u"),
            "pw",
        );
        let mut cc: Helper = helper(
            HelperKind::Codecommit,
            Program::Found {
                path: "/usr/bin/aws".into(),
            },
            Answer::Maybe,
        );
        cc.display = "!aws …".into();
        https_mut(&mut f).helpers.push(cc);
        assert_eq!(severities(&CODECOMMIT_HELPER_SHADOWED, &f), vec![Warning]);
    }

    #[test]
    fn token_age_from_the_ledger() {
        let mut f = with_store(
            "https://gitlab.com/a/b.git",
            Some("alice"),
            "glpat-aaaaaaaaaaaaaaaaaaaa",
        );
        let first_seen = |f: &mut Facts, d: Date| {
            https_mut(f).helpers[0]
                .stored
                .as_mut()
                .expect("stored")
                .first_seen = Some(d);
        };
        assert!(
            severities(&TOKEN_MAX_AGE, &f).is_empty(),
            "no ledger, no finding"
        );
        first_seen(&mut f, Date::new(2026, 1, 1));
        assert!(
            severities(&TOKEN_MAX_AGE, &f).is_empty(),
            "far from the end"
        );
        first_seen(&mut f, Date::new(2025, 12, 5));
        assert_eq!(severities(&TOKEN_MAX_AGE, &f), vec![Warning]);
        first_seen(&mut f, Date::new(2025, 11, 1));
        assert_eq!(severities(&TOKEN_MAX_AGE, &f), vec![Error]);
        let mut g = with_store(
            "https://github.com/a/b.git",
            Some("alice"),
            "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
        );
        https_mut(&mut g).helpers[0]
            .stored
            .as_mut()
            .expect("stored")
            .first_seen = Some(Date::new(2020, 1, 1));
        assert!(
            severities(&TOKEN_MAX_AGE, &g).is_empty(),
            "GitHub has no maximum"
        );
    }

    #[test]
    fn conflicting() {
        let mut f = with_store(
            "https://github.com/a/b.git",
            None,
            "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
        );
        https_mut(&mut f).helpers.push(helper(
            HelperKind::Libsecret,
            Program::Found { path: "/x".into() },
            Answer::Maybe,
        ));
        assert_eq!(severities(&CONFLICTING_STORED_ACCOUNTS, &f), vec![Warning]);
    }
}
