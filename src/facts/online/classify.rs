//! Turns what the probing git printed (run with `LC_ALL=C`) into an [`Outcome`] and, when
//! the server's own words are known, a [`Meaning`]. Pure text work, tested here.

use super::{Meaning, Outcome, Transport, Unconfirmed};

/// Known server texts, lower case; every listed piece must appear in one line. First
/// match wins, so the more specific texts come first. Sources:
/// ../shared/reference/providers.md (§ per provider, "Error text").
const TEXTS: &[(&[&str], Meaning)] = &[
    // GitHub §3.5 (2026 wording; says "password" whatever was sent, so it is read as a
    // refused credential and the rule tells a password from a token by its shape).
    (&["invalid username or token"], Meaning::InvalidCredential),
    // GitHub §3.5 (2021 wording, sent for a password only).
    (
        &["support for password authentication was removed"],
        Meaning::PasswordNotAccepted,
    ),
    (
        &["password authentication is not supported"],
        Meaning::PasswordNotAccepted,
    ),
    // Bitbucket Cloud §1.6.
    (
        &["stopped supporting account passwords"],
        Meaning::PasswordNotAccepted,
    ),
    (&["app passwords are deprecated"], Meaning::KindRetired),
    (&["functionality has been deprecated"], Meaning::KindRetired),
    // GitHub §3.4: organisations with SAML single sign-on.
    (&["saml"], Meaning::SsoRequired),
    (&["single sign-on"], Meaning::SsoRequired),
    // GitHub §3.5, organisation policy.
    (
        &["personal access tokens (classic) are forbidden"],
        Meaning::ClassicTokenForbidden,
    ),
    // GitHub deploy keys ("The key you are authenticating with has been marked as read
    // only.", "Permission to o/r.git denied to deploy key"); Bitbucket ("access via a
    // deployment key is read-only").
    (&["marked as read only"], Meaning::ReadOnlyKey),
    (&["denied to deploy key"], Meaning::ReadOnlyKey),
    (&["deployment key is read-only"], Meaning::ReadOnlyKey),
    // GitHub §3.5; GitLab §4.1/§4.5 (job and deploy tokens, roles); Bitbucket §1.6 (scopes).
    (
        &["write access to repository not granted"],
        Meaning::NoWriteAccess,
    ),
    (&["permission to ", " denied to "], Meaning::NoWriteAccess),
    (&["not allowed to upload code"], Meaning::NoWriteAccess),
    (&["not allowed to push code"], Meaning::NoWriteAccess),
    (
        &["lack one or more required privilege scopes"],
        Meaning::NoWriteAccess,
    ),
    // GitHub, Bitbucket §1.6, GitLab §4.5, Azure DevOps §5 (SSH).
    (
        &["invalid username or password"],
        Meaning::InvalidCredential,
    ),
    (&["invalid credentials"], Meaning::InvalidCredential),
    (&["http basic: access denied"], Meaning::InvalidCredential),
    (
        &["public key authentication failed"],
        Meaning::InvalidCredential,
    ),
    // GitHub §3.5, GitLab, Bitbucket §1.6, and git itself on the server (SSH).
    (&["repository not found"], Meaning::RepositoryNotFound),
    (
        &["could not be found or you don't have permission"],
        Meaning::RepositoryNotFound,
    ),
    (
        &["no longer exists in this workspace"],
        Meaning::RepositoryNotFound,
    ),
    (
        &["does not appear to be a git repository"],
        Meaning::RepositoryNotFound,
    ),
];

/// Lines git prints around every SSH failure: not the server's words.
const GIT_SSH_TRAILER: &[&str] = &[
    "fatal: Could not read from remote repository.",
    "Please make sure you have the correct access rights",
    "and the repository exists.",
];

/// The most lines of the server's words kept, and the longest line.
const MAX_SAID: usize = 6;
const MAX_LINE: usize = 240;

/// What the probe's output says.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Classified {
    pub outcome: Outcome,
    pub meaning: Option<Meaning>,
    pub detail: Option<String>,
    pub said: Vec<String>,
}

/// Classifies one probe. `exit` is git's exit code (None when killed at the deadline),
/// `stderr` its standard error, `trace` the start of its packet trace, `quit` whether a
/// helper of the user's cascade answered `quit`.
pub(crate) fn classify(
    transport: Transport,
    exit: Option<i32>,
    timed_out: bool,
    stderr: &str,
    trace: &str,
    quit: bool,
) -> Classified {
    let said = said(transport, stderr);
    let meaning = said.iter().find_map(|l| meaning(l));
    let detail = stderr
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| {
            (l.starts_with("fatal: ") || l.starts_with("error: ")) && !GIT_SSH_TRAILER.contains(l)
        })
        .or_else(|| {
            stderr
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !GIT_SSH_TRAILER.contains(l))
        })
        .map(clip);
    let unconfirmed = |why| Outcome::Unconfirmed { why };
    let outcome = if timed_out {
        unconfirmed(Unconfirmed::Deadline)
    } else if quit || stderr.contains("told us to quit") {
        unconfirmed(Unconfirmed::HelperQuit)
    } else if exit == Some(0) {
        if trace.contains("report-status") {
            Outcome::Confirmed
        } else if trace.contains("capabilities") || trace.contains("\\0") {
            // An advertisement without receive-pack's capabilities: a fetch-only service
            // answered the push request (a key whose forced command is upload-pack).
            Outcome::PushDenied { status: None }
        } else {
            unconfirmed(Unconfirmed::Other)
        }
    } else {
        match transport {
            Transport::Http => http(stderr, meaning),
            Transport::Ssh => ssh(stderr, meaning),
        }
    };
    Classified {
        outcome,
        meaning,
        detail,
        said,
    }
}

fn http(stderr: &str, meaning: Option<Meaning>) -> Outcome {
    let has = |s: &str| stderr.contains(s);
    let unconfirmed = |why| Outcome::Unconfirmed { why };
    if has("could not read Username") || has("could not read Password") {
        // The server answered 401 and git had nothing to send (no terminal to ask).
        return Outcome::AuthRefused { status: 401 };
    }
    if has("Authentication failed for") {
        return Outcome::AuthRefused { status: 401 };
    }
    if let Some(code) = number_after(stderr, "Received HTTP code ") {
        return if code == 407 {
            Outcome::ProxyAuthRefused
        } else {
            unconfirmed(Unconfirmed::ServerStatus { status: code })
        };
    }
    if has("' not found") && has("repository '") {
        return Outcome::NotFound { status: Some(404) };
    }
    if let Some(code) = number_after(stderr, "The requested URL returned error: ") {
        return match code {
            401 | 410 => Outcome::AuthRefused { status: code },
            403 => Outcome::PushDenied { status: Some(403) },
            404 => Outcome::NotFound { status: Some(404) },
            407 => Outcome::ProxyAuthRefused,
            _ => unconfirmed(Unconfirmed::ServerStatus { status: code }),
        };
    }
    let lower = stderr.to_ascii_lowercase();
    let any = |xs: &[&str]| xs.iter().any(|x| lower.contains(x));
    if any(&["could not resolve host", "could not resolve proxy"]) {
        unconfirmed(Unconfirmed::Dns)
    } else if any(&["timed out", "timeout was reached"]) {
        unconfirmed(Unconfirmed::NetworkTimeout)
    } else if any(&["ssl", "tls", "certificate", "gnutls", "schannel"]) {
        unconfirmed(Unconfirmed::Tls)
    } else if any(&[
        "failed to connect",
        "couldn't connect",
        "connection refused",
    ]) {
        unconfirmed(Unconfirmed::ConnectionRefused)
    } else if any(&[
        "empty reply",
        "recv failure",
        "send failure",
        "connection reset",
        "transfer closed",
        "remote end hung up",
    ]) {
        unconfirmed(Unconfirmed::ConnectionLost)
    } else {
        by_meaning(Transport::Http, meaning).unwrap_or(unconfirmed(Unconfirmed::Other))
    }
}

fn ssh(stderr: &str, meaning: Option<Meaning>) -> Outcome {
    if let Some(o) = by_meaning(Transport::Ssh, meaning) {
        return o;
    }
    let lower = stderr.to_ascii_lowercase();
    let any = |xs: &[&str]| xs.iter().any(|x| lower.contains(x));
    let unconfirmed = |why| Outcome::Unconfirmed { why };
    if any(&[
        "host key verification failed",
        "remote host identification has changed",
        "host key is known for",
    ]) {
        unconfirmed(Unconfirmed::HostKey)
    } else if any(&["unable to negotiate", "no matching host key type"]) {
        unconfirmed(Unconfirmed::NoCommonAlgorithm)
    } else if any(&["permission denied ("]) {
        Outcome::KeyRefused
    } else if any(&["could not resolve hostname"]) {
        unconfirmed(Unconfirmed::Dns)
    } else if any(&["connection refused"]) {
        unconfirmed(Unconfirmed::ConnectionRefused)
    } else if any(&["timed out"]) {
        unconfirmed(Unconfirmed::NetworkTimeout)
    } else if any(&[
        "connection closed",
        "connection reset",
        "kex_exchange_identification",
        "broken pipe",
        "remote end hung up",
    ]) {
        unconfirmed(Unconfirmed::ConnectionLost)
    } else {
        unconfirmed(Unconfirmed::Other)
    }
}

/// The outcome a server text decides by itself (for answers without an HTTP status).
fn by_meaning(transport: Transport, meaning: Option<Meaning>) -> Option<Outcome> {
    Some(match meaning? {
        Meaning::ReadOnlyKey | Meaning::NoWriteAccess | Meaning::SsoRequired => {
            Outcome::PushDenied { status: None }
        }
        Meaning::RepositoryNotFound => Outcome::NotFound { status: None },
        Meaning::InvalidCredential if transport == Transport::Ssh => Outcome::KeyRefused,
        _ => return None,
    })
}

/// What the server (or ssh) said: `remote:` lines over HTTP; over SSH every line but
/// git's own trailer. Redacted, clipped, at most [`MAX_SAID`] lines.
fn said(transport: Transport, stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| match transport {
            Transport::Http => l.strip_prefix("remote:").map(str::trim),
            Transport::Ssh => {
                let l = l.trim();
                (!l.is_empty()
                    && !GIT_SSH_TRAILER.contains(&l)
                    && !l.starts_with("Warning: Permanently added"))
                .then_some(l.strip_prefix("remote:").map(str::trim).unwrap_or(l))
            }
        })
        .filter(|l| !l.is_empty())
        .take(MAX_SAID)
        .map(clip)
        .collect()
}

/// The meaning of one line of the server's words, if the text is known.
fn meaning(line: &str) -> Option<Meaning> {
    let lower = line.to_ascii_lowercase();
    TEXTS
        .iter()
        .find(|(pieces, _)| pieces.iter().all(|p| lower.contains(p)))
        .map(|(_, m)| *m)
}

/// A line as it may be kept: redacted and clipped.
fn clip(line: &str) -> String {
    let line = crate::redact::text(line.trim());
    match line.char_indices().nth(MAX_LINE) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line,
    }
}

/// The three-digit number right after `marker`, if any.
fn number_after(text: &str, marker: &str) -> Option<u16> {
    let at = text.find(marker)? + marker.len();
    let digits: String = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http_of(stderr: &str) -> Classified {
        classify(Transport::Http, Some(128), false, stderr, "", false)
    }

    fn ssh_of(stderr: &str) -> Classified {
        classify(Transport::Ssh, Some(128), false, stderr, "", false)
    }

    const TRAILER: &str = "fatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n";

    #[test]
    fn success_needs_receive_pack_capabilities() {
        let rp = "packet: git< 0000 capabilities^{}\\0report-status delete-refs ofs-delta";
        let up = "packet: git< 0000 capabilities^{}\\0multi_ack thin-pack side-band shallow";
        let ok = |trace| classify(Transport::Ssh, Some(0), false, "", trace, false).outcome;
        assert_eq!(ok(rp), Outcome::Confirmed);
        assert_eq!(ok(up), Outcome::PushDenied { status: None });
        assert_eq!(
            ok(""),
            Outcome::Unconfirmed {
                why: Unconfirmed::Other
            }
        );
    }

    #[test]
    fn http_statuses() {
        let c = http_of(
            "remote: Invalid credentials\nfatal: Authentication failed for 'http://h/r.git/'\n",
        );
        assert_eq!(c.outcome, Outcome::AuthRefused { status: 401 });
        assert_eq!(c.meaning, Some(Meaning::InvalidCredential));
        assert_eq!(c.said, vec!["Invalid credentials"]);
        assert_eq!(
            c.detail.as_deref(),
            Some("fatal: Authentication failed for 'http://h/r.git/'")
        );
        let c =
            http_of("fatal: could not read Username for 'http://h': terminal prompts disabled\n");
        assert_eq!(c.outcome, Outcome::AuthRefused { status: 401 });
        let c = http_of("remote: Write access to repository not granted.\nfatal: unable to access 'http://h/r.git/': The requested URL returned error: 403\n");
        assert_eq!(c.outcome, Outcome::PushDenied { status: Some(403) });
        assert_eq!(c.meaning, Some(Meaning::NoWriteAccess));
        let c = http_of(
            "remote: Repository not found.\nfatal: repository 'http://h/r.git/' not found\n",
        );
        assert_eq!(c.outcome, Outcome::NotFound { status: Some(404) });
        assert_eq!(c.meaning, Some(Meaning::RepositoryNotFound));
        let c = http_of("remote: CHANGE-3222 - Functionality has been deprecated\nfatal: unable to access 'https://h/r/': The requested URL returned error: 410\n");
        assert_eq!(c.outcome, Outcome::AuthRefused { status: 410 });
        assert_eq!(c.meaning, Some(Meaning::KindRetired));
        let c = http_of("fatal: unable to access 'https://h/r/': Received HTTP code 407 from proxy after CONNECT\n");
        assert_eq!(c.outcome, Outcome::ProxyAuthRefused);
        let c = http_of(
            "fatal: unable to access 'https://h/r/': The requested URL returned error: 502\n",
        );
        assert_eq!(
            c.outcome,
            Outcome::Unconfirmed {
                why: Unconfirmed::ServerStatus { status: 502 }
            }
        );
    }

    #[test]
    fn http_network_failures_are_unconfirmed() {
        let why = |s: &str| match http_of(s).outcome {
            Outcome::Unconfirmed { why } => why,
            o => panic!("{o:?}"),
        };
        assert_eq!(
            why("fatal: unable to access 'http://h:1/r/': Failed to connect to h port 1 after 0 ms: Couldn't connect to server\n"),
            Unconfirmed::ConnectionRefused
        );
        assert_eq!(
            why("fatal: unable to access 'https://x.invalid/r/': Could not resolve host: x.invalid\n"),
            Unconfirmed::Dns
        );
        assert_eq!(
            why("fatal: unable to access 'https://h/r/': SSL certificate problem: self-signed certificate\n"),
            Unconfirmed::Tls
        );
        assert_eq!(
            why("fatal: unable to access 'https://h/r/': Failed to connect to h port 443 after 130000 ms: Connection timed out\n"),
            Unconfirmed::NetworkTimeout
        );
        let c = classify(Transport::Http, None, true, "", "", false);
        assert_eq!(
            c.outcome,
            Outcome::Unconfirmed {
                why: Unconfirmed::Deadline
            }
        );
        let c = http_of("fatal: credential helper '!x' told us to quit\n");
        assert_eq!(
            c.outcome,
            Outcome::Unconfirmed {
                why: Unconfirmed::HelperQuit
            }
        );
    }

    #[test]
    fn ssh_refusals() {
        let c = ssh_of(&format!("git@h: Permission denied (publickey).\n{TRAILER}"));
        assert_eq!(c.outcome, Outcome::KeyRefused);
        assert_eq!(c.said, vec!["git@h: Permission denied (publickey)."]);
        let c = ssh_of(&format!(
            "ERROR: The key you are authenticating with has been marked as read only.\n{TRAILER}"
        ));
        assert_eq!(c.outcome, Outcome::PushDenied { status: None });
        assert_eq!(c.meaning, Some(Meaning::ReadOnlyKey));
        let c = ssh_of(&format!(
            "fatal: '/srv/nope.git' does not appear to be a git repository\n{TRAILER}"
        ));
        assert_eq!(c.outcome, Outcome::NotFound { status: None });
        let c = ssh_of(&format!("ERROR: Repository not found.\n{TRAILER}"));
        assert_eq!(c.outcome, Outcome::NotFound { status: None });
        let c = ssh_of(&format!("Host key verification failed.\n{TRAILER}"));
        assert_eq!(
            c.outcome,
            Outcome::Unconfirmed {
                why: Unconfirmed::HostKey
            }
        );
        let c = ssh_of(&format!("Unable to negotiate with 10.0.0.1 port 22: no matching host key type found. Their offer: ssh-rsa,ssh-dss\n{TRAILER}"));
        assert_eq!(
            c.outcome,
            Outcome::Unconfirmed {
                why: Unconfirmed::NoCommonAlgorithm
            }
        );
        let c = ssh_of(&format!(
            "ssh: connect to host 127.0.0.1 port 1: Connection refused\n{TRAILER}"
        ));
        assert_eq!(
            c.outcome,
            Outcome::Unconfirmed {
                why: Unconfirmed::ConnectionRefused
            }
        );
        let c = ssh_of(&format!(
            "ssh: Could not resolve hostname nowhere.invalid: Name or service not known\n{TRAILER}"
        ));
        assert_eq!(
            c.outcome,
            Outcome::Unconfirmed {
                why: Unconfirmed::Dns
            }
        );
    }

    #[test]
    fn said_is_redacted_and_clipped() {
        let long = "x".repeat(500);
        let c = http_of(&format!(
            "remote: see https://bob:hunter2hunter2@h/x\nremote: {long}\nfatal: Authentication failed for 'h'\n"
        ));
        assert!(!c.said.join("\n").contains("hunter2"), "{:?}", c.said);
        assert!(c.said[1].chars().count() <= MAX_LINE + 1);
    }

    #[test]
    fn sso_and_classic_token_policies() {
        let c = http_of("remote: The `acme' organization has enabled or enforced SAML SSO. To access\nfatal: unable to access 'https://h/r/': The requested URL returned error: 403\n");
        assert_eq!(c.meaning, Some(Meaning::SsoRequired));
        let c = http_of("remote: Personal access tokens (classic) are forbidden from accessing this repository.\nfatal: unable to access 'https://h/r/': The requested URL returned error: 403\n");
        assert_eq!(c.meaning, Some(Meaning::ClassicTokenForbidden));
    }
}
