//! `git-credcheck online-helper <get|store|erase>`: the only credential helper of the
//! probing git, standing between it and the user's helpers.
//!
//! - `get`: runs the user's real cascade, `git credential fill`, with the user's own
//!   configuration (the probe's `-c credential.helper=…` overrides removed, so it does
//!   not call us again), `credential.interactive=false` and `core.askPass=` (no prompt, no
//!   terminal), inside what is left of the probe's deadline, and passes the answer
//!   through to git unchanged. A helper that answered `quit` is passed on as `quit=1`.
//! - `store` and `erase`: swallowed. git calls `erase` after a refusal, and `store`'s
//!   helper would delete the user's stored line; the user's stores stay exactly as they
//!   were.
//!
//! Each operation is logged for the probe as one JSON line, by shape only: the secret is
//! held in memory just long enough to pass it on, and never written or printed.

use super::SentCredential;
use crate::secret::Shape;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The log file the probe reads.
pub(crate) const LOG_VAR: &str = "GIT_CREDCHECK_ONLINE_LOG";
/// The probe's deadline, in milliseconds since the Unix epoch.
pub(crate) const DEADLINE_VAR: &str = "GIT_CREDCHECK_ONLINE_DEADLINE";
/// The user's own `GIT_CONFIG_PARAMETERS` (empty: none), restored for `git credential fill`.
pub(crate) const PARAMS_VAR: &str = "GIT_CREDCHECK_ONLINE_PARAMS";

/// Time kept back from the deadline, so the cascade is ended before the probe is.
const MARGIN: Duration = Duration::from_millis(300);
/// The request git writes is small; anything longer is cut.
const MAX_INPUT: u64 = 64 * 1024;

/// One logged operation.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub op: String,
    #[serde(default)]
    pub answered: Option<SentCredential>,
    #[serde(default)]
    pub quit: bool,
    /// The user's cascade gave no answer before the deadline (it was killed).
    #[serde(default)]
    pub timed_out: bool,
}

/// Runs one operation. Never fails git: whatever goes wrong, git gets no answer.
pub(crate) fn run(op: &str) {
    let mut input = Vec::new();
    let _ = std::io::stdin().take(MAX_INPUT).read_to_end(&mut input);
    let mut entry = Entry {
        op: op.to_owned(),
        ..Entry::default()
    };
    if op == "get" {
        let (answer, logged) = fill(&input);
        entry = Entry {
            op: entry.op,
            ..logged
        };
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(&answer);
        let _ = out.flush();
    }
    log(&entry);
}

/// The user's cascade for `input`: what to answer git, and what to log. The cascade runs
/// in its own process group, ended [`MARGIN`] before the probe's deadline, so nothing
/// it started outlives the probe.
fn fill(input: &[u8]) -> (Vec<u8>, Entry) {
    let git = std::env::var("GIT_CREDCHECK_GIT").unwrap_or_else(|_| "git".to_owned());
    let params = std::env::var(PARAMS_VAR).unwrap_or_default();
    let none = Entry::default();
    let Some(left) = remaining()
        .checked_sub(MARGIN)
        .filter(|d| *d >= Duration::from_millis(50))
    else {
        return (
            Vec::new(),
            Entry {
                timed_out: true,
                ..none
            },
        );
    };
    let out = crate::process::run_with_env(
        &git,
        &[
            "-c",
            "credential.interactive=false",
            "-c",
            "core.askPass=",
            "credential",
            "fill",
        ],
        input,
        left,
        &[
            ("GIT_CONFIG_PARAMETERS", params.as_str()),
            (LOG_VAR, ""),
            (DEADLINE_VAR, ""),
        ],
    );
    let Ok(out) = out else {
        return (Vec::new(), none);
    };
    if !out.success() {
        // git passes a helper's `quit` on as this message; pass it on to the probing git.
        if String::from_utf8_lossy(&out.stderr).contains("told us to quit") {
            return (b"quit=1\n".to_vec(), Entry { quit: true, ..none });
        }
        return (
            Vec::new(),
            Entry {
                timed_out: out.timed_out,
                ..none
            },
        );
    }
    let answered = shape_of(&out.stdout);
    (out.stdout, Entry { answered, ..none })
}

/// The credential in `git credential fill`'s answer, by shape only.
fn shape_of(answer: &[u8]) -> Option<SentCredential> {
    let text = String::from_utf8_lossy(answer);
    let mut sent = SentCredential::default();
    let mut any = false;
    for line in text.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        match key {
            "username" => {
                any = true;
                if crate::secret::username_is_secret(value) {
                    sent.username_secret = Some(Shape::of(value));
                } else {
                    sent.username = Some(value.to_owned());
                }
            }
            "password" | "credential" => {
                any = true;
                sent.secret = Some(Shape::of(value));
            }
            _ => {}
        }
    }
    any.then_some(sent)
}

/// Time left before the probe's deadline (ten seconds when none was given).
fn remaining() -> Duration {
    let at = std::env::var(DEADLINE_VAR)
        .ok()
        .and_then(|v| v.parse::<u64>().ok());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    match at {
        Some(at) => Duration::from_millis(at.saturating_sub(now)),
        None => Duration::from_secs(10),
    }
}

fn log(entry: &Entry) {
    let Some(path) = std::env::var_os(LOG_VAR).filter(|p| !p.is_empty()) else {
        return;
    };
    let Ok(line) = serde_json::to_string(entry) else {
        return;
    };
    if let Ok(mut f) =
        crate::platform::private_file(std::fs::OpenOptions::new().create(true).append(true))
            .open(path)
    {
        let _ = writeln!(f, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_kept_by_shape_only() {
        let s = shape_of(b"protocol=https\nhost=h\nusername=alice\npassword=ghp_0123456789abcdefghijklmnopqrstuvwxyz\n")
            .expect("a credential");
        assert_eq!(s.username.as_deref(), Some("alice"));
        let secret = s.secret.expect("a secret");
        assert_eq!(secret.len, 40);
        let json = serde_json::to_string(&Entry {
            op: "get".into(),
            answered: Some(SentCredential {
                secret: Some(secret),
                ..SentCredential::default()
            }),
            quit: false,
            timed_out: false,
        })
        .expect("json");
        assert!(!json.contains("0123456789abcdef"), "{json}");
        assert!(shape_of(b"protocol=https\nhost=h\n").is_none());
    }

    #[test]
    fn a_token_as_user_name_is_a_shape() {
        let s = shape_of(
            b"username=ghp_0123456789abcdefghijklmnopqrstuvwxyz\npassword=x-oauth-basic\n",
        )
        .expect("a credential");
        assert!(s.username.is_none() && s.username_secret.is_some());
    }
}
