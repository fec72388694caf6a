//! Online facts (`git credcheck --online`): what the server answers when git asks it for
//! push access, through git's own transport and the user's own configuration.
//!
//! A push asks first for the receive-pack advertisement. The probe asks for exactly that
//! and nothing else, so it proves *push* access (an `ls-remote` only proves read access)
//! and writes nothing anywhere:
//! - HTTP(S): `git remote-http(s) <remote> <url>` (the helper `git push` itself runs for
//!   the URL) is sent the one command `list for-push`: a `GET
//!   info/refs?service=git-receive-pack` with the user's `http.*` settings, `extraHeader`,
//!   proxy, cookies and `~/.netrc`, and the credential cascade on a 401. No `POST`, no
//!   pack, no hooks, no local refs involved.
//! - SSH (and `git://`): `git ls-remote --upload-pack=<receive-pack> <url>` runs git's
//!   connect code (the same `core.sshCommand`/`GIT_SSH_COMMAND`/`GIT_SSH`, `ssh.variant`,
//!   keys and agent as a push) and starts the server's `git-receive-pack`, reads its
//!   advertisement and ends with a flush: receive-pack gets no command and changes nothing.
//!
//! Both run with `GIT_TRACE_PACKET` into a private file: the advertisement must carry
//! receive-pack's `report-status` capability, so a server that answers a push request
//! with a fetch-only service (a key whose forced command is `git-upload-pack`) is seen.
//!
//! Harmless to credential stores: the probing git has one credential helper, ours
//! ([`helper`]): `-c credential.helper=` resets the user's cascade, then our helper runs
//! the user's real cascade for `get` (`git credential fill` with the user's own
//! configuration, no terminal, inside the deadline) and swallows `store` and `erase`, so
//! a refused credential is never erased from the user's store. No prompt: no terminal
//! (own session), `GIT_TERMINAL_PROMPT=0`, `GCM_INTERACTIVE=never`, no askpass
//! variables, `core.askPass=` and, for OpenSSH, `-o BatchMode=yes -o ControlMaster=no`.
//!
//! Bounded: each URL has a deadline after which its whole process group is killed
//! ([`crate::process`]); URLs are probed [`CONCURRENCY`] at a time.
//!
//! What the server said is classified here ([`classify`]) into data the rules judge
//! (`src/rules/online/`); secrets never enter these facts, only their shapes.

mod classify;
pub(crate) mod helper;
mod run;

use classify::classify;

use super::gitconfig::Config;
use super::url::Scheme;
use super::{Ctx, Facts, PushUrl};
use crate::secret::Shape;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// URLs probed at once: enough for a handful of remotes in one round trip, few enough
/// not to look like a flood to a server or a proxy.
pub(crate) const CONCURRENCY: usize = 4;

/// The deadline of one URL when none is given.
pub(crate) const DEFAULT_DEADLINE: Duration = Duration::from_secs(15);

/// How git's transport reached the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Transport {
    /// `git remote-http(s)`, `list for-push`.
    Http,
    /// git's connect code: ssh or `git://`, receive-pack's advertisement.
    Ssh,
}

/// What the server's answer means for a push, as far as the probe can tell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub(crate) enum Outcome {
    /// The server sent receive-pack's advertisement: a push may start.
    Confirmed,
    /// HTTP 401 (or 410): the credential git sent was refused, or git had none to send.
    AuthRefused { status: u16 },
    /// HTTP 407: the proxy wants credentials it did not get or refused.
    ProxyAuthRefused,
    /// SSH: the server accepted none of the keys ssh offered.
    KeyRefused,
    /// Authenticated but not allowed to push: HTTP 403, a read-only key, or a server
    /// that answers a push request with a fetch-only service.
    PushDenied { status: Option<u16> },
    /// HTTP 404 or the server's "not found": the repository does not exist or the
    /// credential cannot see it.
    NotFound { status: Option<u16> },
    /// No answer that says anything about push access.
    Unconfirmed { why: Unconfirmed },
    /// Not probed: an offline rule (these codes) already calls the credential refused;
    /// sending it again would only add a refusal (repeated ones lock accounts).
    Withheld { codes: Vec<String> },
}

/// Why the probe got no answer it can judge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub(crate) enum Unconfirmed {
    /// The deadline passed; the probe was killed.
    Deadline,
    /// The host name did not resolve.
    Dns,
    /// Nothing listens there (connection refused).
    ConnectionRefused,
    /// The network timed out before the deadline (curl's or ssh's own timeout).
    NetworkTimeout,
    /// The connection broke (reset, closed before the protocol began).
    ConnectionLost,
    /// TLS failed (certificate not trusted, name mismatch, handshake).
    Tls,
    /// ssh refused the server's host key (unknown or changed).
    HostKey,
    /// ssh and the server share no host key type, key exchange or cipher.
    NoCommonAlgorithm,
    /// The server failed (HTTP 5xx) or answered with a status that says nothing about access.
    ServerStatus { status: u16 },
    /// A credential helper of the user's cascade told git to stop (`quit`), as the
    /// credential guard does for a credential it calls refused.
    HelperQuit,
    /// git could not be run, or ended in a way we do not recognise.
    Other,
}

/// What the server's own words say, when we know the text (see [`classify`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Meaning {
    /// The provider no longer takes account passwords for git.
    PasswordNotAccepted,
    /// The user name or token is wrong, expired or revoked.
    InvalidCredential,
    /// The kind of secret is retired (Bitbucket app passwords).
    KindRetired,
    /// The organisation enforces SAML single sign-on: the token must be authorised for it.
    SsoRequired,
    /// The organisation forbids classic personal access tokens.
    ClassicTokenForbidden,
    /// The credential authenticates but has no write access (scope, role, job token).
    NoWriteAccess,
    /// The SSH key is a read-only (deploy) key.
    ReadOnlyKey,
    /// The repository does not exist, or this credential cannot see it.
    RepositoryNotFound,
}

/// A credential by shape, as the user's cascade returned it to git.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SentCredential {
    /// The user name as it may be printed (a token-shaped one is kept as its shape).
    pub username: Option<String>,
    pub username_secret: Option<Shape>,
    /// The password, or the `credential` of a non-Basic `authtype`.
    pub secret: Option<Shape>,
}

/// What git asked of our helper during the probe (HTTP only; git asks no helper for SSH).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct HelperLog {
    /// git asked for a credential (the server answered 401 first).
    pub asked: bool,
    /// What the user's cascade answered, by shape (None: nothing).
    pub answered: Option<SentCredential>,
    /// A helper of the cascade answered `quit`.
    pub quit: bool,
    /// The cascade gave no answer before the deadline (it was ended).
    #[serde(default)]
    pub timed_out: bool,
    /// git reported the credential accepted (`store`; swallowed).
    pub approved: bool,
    /// git reported the credential refused (`erase`; swallowed, so the user's store is untouched).
    pub rejected: bool,
}

/// The probe of one push URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Probe {
    pub transport: Transport,
    pub outcome: Outcome,
    pub meaning: Option<Meaning>,
    /// git's own last `fatal:`/`error:` line, redacted, when the probe failed.
    pub detail: Option<String>,
    /// The server's own words (`remote:` lines, or the server's lines on ssh's stderr),
    /// redacted, at most a few lines.
    pub server_said: Vec<String>,
    pub helper: HelperLog,
    pub elapsed_ms: u64,
    pub deadline_ms: u64,
}

impl Probe {
    /// A probe that did not run: `outcome` says why.
    pub(crate) fn not_run(transport: Transport, outcome: Outcome) -> Probe {
        Probe {
            transport,
            outcome,
            meaning: None,
            detail: None,
            server_said: Vec::new(),
            helper: HelperLog::default(),
            elapsed_ms: 0,
            deadline_ms: 0,
        }
    }
}

/// How to probe.
#[derive(Clone, Debug)]
pub(crate) struct Options {
    /// Per URL.
    pub deadline: Duration,
    /// This executable: the probing git runs it as its only credential helper.
    pub exe: PathBuf,
}

/// One URL to probe: everything the runner needs, secret-bearing parts included (the
/// URL as git uses it); never serialised, dropped after the run.
pub(crate) struct Job {
    pub transport: Transport,
    /// The remote name git would pass (`remote.<name>.*` settings apply), or the URL.
    pub remote: String,
    /// The push URL exactly as git will use it.
    pub url: String,
    /// The scheme as written (`https`), for `git remote-<scheme>`.
    pub scheme: String,
    /// `remote.<name>.receivepack`, else `git-receive-pack`.
    pub receive_pack: String,
    /// `GIT_SSH_COMMAND` for the probe (the user's command plus non-interactive options),
    /// when the ssh program is OpenSSH.
    pub ssh_command: Option<String>,
}

/// Probes every push URL of `facts` whose transport git speaks itself (HTTP(S), SSH,
/// `git://`), and records the answer on the URL. `remotes` are the names or URLs the
/// facts were gathered for, in the same order; `withheld` names the offline findings
/// that already call a URL's credential refused (that URL is not probed).
pub(crate) fn gather(
    ctx: &Ctx,
    config: &Config,
    facts: &mut Facts,
    remotes: &[String],
    withheld: &dyn Fn(&PushUrl) -> Vec<String>,
    opts: &Options,
) {
    let mut jobs: Vec<((usize, usize), Job)> = Vec::new();
    for (ri, (remote, name)) in facts.remotes.iter_mut().zip(remotes).enumerate() {
        let raw = super::url::push_urls(config, name);
        for (ui, (u, raw)) in remote.urls.iter_mut().zip(raw).enumerate() {
            let Some(transport) = transport(u) else {
                continue;
            };
            let codes = withheld(u);
            if !codes.is_empty() {
                u.online = Some(Probe::not_run(transport, Outcome::Withheld { codes }));
                continue;
            }
            let receive_pack = config
                .last_sub("remote", name, "receivepack")
                .and_then(|e| e.value.clone())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "git-receive-pack".to_owned());
            let ssh_command = u
                .ssh
                .as_ref()
                .and_then(|s| run::ssh_command(ctx, config, s));
            jobs.push((
                (ri, ui),
                Job {
                    transport,
                    remote: name.clone(),
                    url: raw.url,
                    scheme: u.url.scheme_text.to_ascii_lowercase(),
                    receive_pack,
                    ssh_command,
                },
            ));
        }
    }
    let results = run_all(&ctx.git, &jobs, opts);
    for (((ri, ui), _), probe) in jobs.iter().zip(results) {
        facts.remotes[*ri].urls[*ui].online = Some(probe);
    }
}

/// The transport to probe a URL with, if git speaks it itself and it can be pushed to
/// over the network. Local paths, `file://` and remote helpers (`codecommit::`, `ext::`)
/// are not probed.
fn transport(u: &PushUrl) -> Option<Transport> {
    if u.remote_helper.is_some() {
        return None;
    }
    match u.url.scheme {
        Scheme::Https | Scheme::Http => Some(Transport::Http),
        Scheme::Ssh | Scheme::Git => Some(Transport::Ssh),
        Scheme::File | Scheme::Other => None,
    }
}

/// Runs the jobs, at most [`CONCURRENCY`] at a time; results in the jobs' order.
fn run_all(git: &str, jobs: &[((usize, usize), Job)], opts: &Options) -> Vec<Probe> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Probe>>> = Mutex::new(vec![None; jobs.len()]);
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENCY.min(jobs.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((_, job)) = jobs.get(i) else { break };
                let probe = run::probe(git, job, opts);
                if let Ok(mut r) = results.lock() {
                    r[i] = Some(probe);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .zip(jobs)
        .map(|(p, (_, job))| {
            p.unwrap_or_else(|| {
                Probe::not_run(
                    job.transport,
                    Outcome::Unconfirmed {
                        why: Unconfirmed::Other,
                    },
                )
            })
        })
        .collect()
}
