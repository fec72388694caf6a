//! What several online rules share: the probed URLs, which credential the probe sent
//! (joined with the offline candidates, by shape), and how the server's answer reads.

use crate::facts::credential::{Answer, HelperKind};
use crate::facts::online::Probe;
use crate::facts::{Facts, PushUrl};
use crate::rules::support::{candidates, erase_then_new};
use crate::rules::{advice, Location};
use crate::secret::Shape;

/// Every push URL the probe asked about, with its probe.
pub(super) fn probes(facts: &Facts) -> impl Iterator<Item = (&PushUrl, &Probe)> {
    facts
        .push_urls()
        .filter_map(|u| u.online.as_ref().map(|p| (u, p)))
}

/// The credential git sent in the probe (HTTP), as far as the facts tell.
pub(super) struct Sent<'a> {
    /// "the GitHub personal access token (classic) (ghp_…, 40 chars) from the `store` helper".
    pub describe: String,
    pub username: Option<&'a str>,
    pub secret: Option<&'a Shape>,
    /// Where it lives.
    pub location: Option<Location>,
    /// Forget it where it lives, then create the right token.
    pub fix: Vec<String>,
}

/// The credential git sent: what the user's cascade answered our helper (matched with
/// the offline candidates by shape to say where it lives), else the one git sends
/// without asking a helper (the URL's password, an `extraHeader`, `~/.netrc`).
pub(super) fn sent<'a>(facts: &'a Facts, u: &'a PushUrl, p: &'a Probe) -> Option<Sent<'a>> {
    let https = u.https.as_ref()?;
    let all = candidates(&facts.env, u, https);
    if let Some(a) = &p.helper.answered {
        let found = all
            .into_iter()
            .find(|c| c.helper.is_some() && c.secret.is_some() && c.secret == a.secret.as_ref());
        let username = a.username.as_deref();
        return Some(match found {
            Some(c) => Sent {
                describe: c.describe(),
                username,
                secret: a.secret.as_ref(),
                location: Some(c.location.clone()),
                fix: erase_then_new(u, https, &c),
            },
            None => {
                let helper = https
                    .helpers
                    .iter()
                    .find(|h| h.answer != Answer::No && h.kind != HelperKind::Guard);
                let what = a
                    .secret
                    .as_ref()
                    .map(Shape::describe)
                    .unwrap_or_else(|| "credential".into());
                let from = helper
                    .map(|h| format!("the `{}` helper", h.display))
                    .unwrap_or_else(|| "the credential helpers".into());
                let mut fix = advice::erase(u, https, helper);
                fix.extend(advice::new_token(u, &https.request.host));
                Sent {
                    describe: format!("the {what} from {from}"),
                    username,
                    secret: a.secret.as_ref(),
                    location: helper.map(|h| Location::from(&h.source)),
                    fix,
                }
            }
        });
    }
    let c = all.into_iter().find(|c| c.helper.is_none())?;
    Some(Sent {
        describe: c.describe(),
        username: c.username,
        secret: c.secret,
        location: Some(c.location.clone()),
        fix: erase_then_new(u, https, &c),
    })
}

/// The server's answer in a few words: "HTTP 401: Invalid credentials".
pub(super) fn answer(p: &Probe, status: Option<u16>) -> String {
    let words = p.server_said.join(" ");
    match (status, words.is_empty()) {
        (Some(s), true) => format!("HTTP {s}"),
        (Some(s), false) => format!("HTTP {s}: {words}"),
        (None, false) => words,
        (None, true) => p.detail.clone().unwrap_or_else(|| "no reason given".into()),
    }
}

/// Milliseconds as seconds for people: "0.21 s".
/// The host git sends credentials for (`host[:port]`), empty for a non-HTTP URL.
pub(super) fn credential_host(u: &PushUrl) -> String {
    u.https
        .as_ref()
        .map(|h| h.request.host.clone())
        .unwrap_or_default()
}

pub(super) fn seconds(ms: u64) -> String {
    format!("{:.2} s", ms as f64 / 1000.0)
}

/// Fact fixtures for the online rules' tests.
#[cfg(test)]
pub(super) mod testing {
    use crate::facts::online::{HelperLog, Outcome, Probe, SentCredential, Transport};
    use crate::facts::testing::with_push_url;
    use crate::facts::Facts;
    use crate::secret::Shape;

    /// A probe with `outcome`, over the transport the URL's scheme gives.
    pub(crate) fn probe(url: &str, outcome: Outcome) -> Probe {
        let transport = if url.starts_with("http") {
            Transport::Http
        } else {
            Transport::Ssh
        };
        Probe {
            elapsed_ms: 210,
            deadline_ms: 15_000,
            ..Probe::not_run(transport, outcome)
        }
    }

    /// Facts for `url` (remote `origin`) whose probe answered `outcome`.
    pub(crate) fn probed(url: &str, outcome: Outcome) -> Facts {
        let mut f = with_push_url(url);
        f.remotes[0].urls[0].online = Some(probe(url, outcome));
        f
    }

    pub(crate) fn probe_mut(f: &mut Facts) -> &mut Probe {
        f.remotes[0].urls[0]
            .online
            .as_mut()
            .expect("a probed push URL")
    }

    /// The user's cascade answered the probe with `user`/`secret`.
    pub(crate) fn answered(f: &mut Facts, user: &str, secret: &str, refused: bool) {
        probe_mut(f).helper = HelperLog {
            asked: true,
            answered: Some(SentCredential {
                username: Some(user.into()),
                username_secret: None,
                secret: Some(Shape::of(secret)),
            }),
            quit: false,
            timed_out: false,
            approved: !refused,
            rejected: refused,
        };
    }
}
