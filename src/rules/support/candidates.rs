//! The credentials git may send for an HTTPS push URL, in the order it uses them, and
//! the fix that removes one of them.

use crate::facts::credential::{HelperKind, Https};
use crate::facts::{Facts, PushUrl};
use crate::rules::{advice, Location};
use crate::secret::Shape;

/// Where a credential comes from, in the order git uses them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin<'a> {
    Url,
    Header,
    Netrc,
    Store,
    /// A token variable read by the helper that answers (`GH_TOKEN` for gh, `GITLAB_TOKEN` for glab).
    Env(&'a str),
}

/// A credential git may send, by shape.
pub(crate) struct Candidate<'a> {
    origin: Origin<'a>,
    pub(crate) username: Option<&'a str>,
    pub(crate) secret: Option<&'a Shape>,
    pub(crate) location: Location,
    /// Git will send this one, and a refusal fails the push.
    pub(crate) certain: bool,
    /// The index in [`Https::helpers`] of the helper that answers with it.
    pub(crate) helper: Option<usize>,
}

impl Candidate<'_> {
    /// Kept in a file across runs (a `store` line, a `~/.netrc` entry): a copy that does
    /// not change when the secret is renewed.
    pub(crate) fn kept_in_file(&self) -> bool {
        matches!(self.origin, Origin::Store | Origin::Netrc)
    }

    /// Read from the environment by the helper that answers (`GH_TOKEN` for gh).
    pub(crate) fn env_variable(&self) -> Option<&str> {
        match self.origin {
            Origin::Env(v) => Some(v),
            _ => None,
        }
    }

    /// "the GitHub classic token (ghp_…, 40 chars) from the `store` helper".
    pub(crate) fn describe(&self) -> String {
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
pub(crate) fn candidates<'a>(
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
        let cli = u.provider.and_then(|p| p.info().cli_helper);
        let env_token = match (h.kind, cli) {
            (HelperKind::Gh, Some(c)) if c.program == "gh" => {
                env.cli_token(c.variables).map(|t| (c, t))
            }
            (HelperKind::Glab, Some(c)) if c.program == "glab" => {
                env.cli_token(c.variables).map(|t| (c, t))
            }
            _ => None,
        };
        if let Some((cli, token)) = env_token {
            out.push(Candidate {
                origin: Origin::Env(&token.variable),
                username: cli.username,
                secret: Some(&token.shape),
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

/// The push URLs that authenticate over HTTP(S), with their HTTPS facts.
pub(crate) fn https_urls(facts: &Facts) -> impl Iterator<Item = (&PushUrl, &Https)> {
    facts
        .push_urls()
        .filter_map(|u| u.https.as_ref().map(|h| (u, h)))
}

/// Fix steps: remove `c` where it lives, then create the token this provider wants.
pub(crate) fn erase_then_new(u: &PushUrl, https: &Https, c: &Candidate<'_>) -> Vec<String> {
    let host = https.request.host.as_str();
    let mut cmds = match c.origin {
        Origin::Url => vec![advice::set_url(u, &advice::clean_url(u))],
        Origin::Header => vec![advice::unset_auth_header(&c.location)],
        Origin::Netrc => vec![format!(
            "# remove the `machine {host}` entry at {}",
            c.location.describe()
        )],
        Origin::Store => advice::erase(u, https, c.helper.map(|i| &https.helpers[i])),
        Origin::Env(var) => vec![format!(
            "# replace the token in {var} (or unset it to let the helper use its own login)"
        )],
    };
    cmds.extend(advice::new_token(u, host));
    cmds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::credential::{Answer, ExtraHeader, Program};
    use crate::facts::testing::*;
    use crate::facts::Stage;
    use crate::rules::scope::WORKFLOW_SCOPE_UNKNOWN;
    use crate::rules::stored::TOKEN_FOR_OTHER_PROVIDER;
    use crate::rules::support::samples::{ATATT, GHP, GLPAT};
    use crate::rules::testing::severities;
    use crate::rules::Severity::*;

    fn describe_all(f: &Facts) -> Vec<(String, bool)> {
        let u = &f.remotes[0].urls[0];
        let https = u.https.as_ref().expect("HTTPS facts");
        candidates(&f.env, u, https)
            .iter()
            .map(|c| (c.describe(), c.certain))
            .collect()
    }

    #[test]
    fn a_password_in_the_url_is_the_only_candidate() {
        let mut f = with_store("https://bitbucket.org/a/b.git", Some("alice"), ATATT);
        let all = describe_all(&f);
        assert_eq!(all.len(), 1, "{all:?}");
        assert!(
            all[0].0.ends_with("from the `store` helper") && all[0].1,
            "{all:?}"
        );
        f.remotes[0].urls[0].url.password = Some(Shape::of(GHP));
        let all = describe_all(&f);
        assert_eq!(all.len(), 1, "{all:?}");
        assert!(all[0].0.ends_with("in the push URL") && all[0].1, "{all:?}");
    }

    #[test]
    fn a_header_goes_first_and_makes_the_store_uncertain() {
        let mut f = with_store("https://github.com/a/b.git", Some("alice"), GHP);
        https_mut(&mut f).extra_headers.push(ExtraHeader {
            scheme: "basic".into(),
            username: Some("x-access-token".into()),
            secret: Some(Shape::of("ghs_0123456789abcdefghijklmnopqrstuvwxyz")),
            source: source("http.https://github.com/.extraheader"),
        });
        let all = describe_all(&f);
        assert_eq!(all.len(), 2, "{all:?}");
        assert!(all[0].0.contains("http.extraHeader") && all[0].1, "{all:?}");
        assert!(all[1].0.contains("`store` helper") && !all[1].1, "{all:?}");
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
        f.env.cli_tokens = vec![cli_token("GH_TOKEN", GLPAT)];
        assert_eq!(severities(&TOKEN_FOR_OTHER_PROVIDER, &f), vec![Error]);
        f.env.cli_tokens = vec![cli_token(
            "GITHUB_TOKEN",
            "ghs_0123456789abcdefghijklmnopqrstuvwxyz",
        )];
        assert!(severities(&TOKEN_FOR_OTHER_PROVIDER, &f).is_empty());
        f.stage = Stage::PrePush;
        f.pushed = Some(workflow_push());
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
        g.env.cli_tokens = vec![cli_token("GITLAB_TOKEN", GHP)];
        assert_eq!(severities(&TOKEN_FOR_OTHER_PROVIDER, &g), vec![Error]);
    }

    #[test]
    fn an_ssh_url_has_no_https_facts() {
        let f = with_push_url("git@github.com:a/b.git");
        assert_eq!(https_urls(&f).count(), 0);
        let f = with_push_url("https://github.com/a/b.git");
        assert_eq!(https_urls(&f).count(), 1);
    }
}
