//! `git credcheck --online` (or `online: true` in .credcheck.yaml): after the offline
//! facts, ask each push URL's server for push access ([`crate::facts::online`]); the
//! rules in `src/rules/online/` judge the answers with everything else.
//!
//! Only the doctor goes online. The pre-push hook and the credential guard never do:
//! they run inside a push, where git is about to ask the server itself.

use super::Setup;
use crate::cli::DoctorArgs;
use crate::facts::online::{Options, DEFAULT_DEADLINE};
use crate::facts::{Facts, PushUrl};
use crate::rules::Severity;
use anyhow::{bail, Context as _};
use std::time::Duration;

/// The longest deadline accepted for one URL.
const MAX_DEADLINE_SECS: f64 = 600.0;

/// The probe's options, when this run goes online.
pub(crate) fn options(args: &DoctorArgs, setup: &Setup) -> anyhow::Result<Option<Options>> {
    let asked = args.online || args.online_timeout.is_some() || setup.settings.online;
    if args.offline || !asked {
        return Ok(None);
    }
    let deadline = match args.online_timeout {
        None => DEFAULT_DEADLINE,
        Some(s) if s.is_finite() && s > 0.0 && s <= MAX_DEADLINE_SECS => {
            Duration::from_secs_f64(s)
        }
        Some(s) => bail!("--online-timeout {s}: give a number of seconds above 0 and at most {MAX_DEADLINE_SECS}"),
    };
    let exe = std::env::current_exe().context("finding git-credcheck's own path for --online")?;
    Ok(Some(Options { deadline, exe }))
}

/// Probes the push URLs of `facts` (gathered for `remotes`, in that order). A URL whose
/// credential an offline rule already calls refused (an error-level finding that
/// predicts a refused authentication) is not probed: the credential is not sent again.
pub(crate) fn probe(setup: &Setup, facts: &mut Facts, remotes: &[String], opts: &Options) {
    let offline = crate::rules::run(facts, &setup.settings);
    let withheld = |u: &PushUrl| -> Vec<String> {
        let mut codes: Vec<String> = offline
            .iter()
            .filter(|d| {
                d.severity == Severity::Error
                    && d.finding.rejects_auth
                    && d.finding.remote.as_deref() == Some(u.remote.as_str())
                    && d.finding.url.as_deref() == Some(u.url.display.as_str())
            })
            .map(|d| d.rule.code.to_owned())
            .collect();
        codes.dedup();
        codes
    };
    crate::facts::online::gather(
        &setup.ctx,
        &setup.git_config,
        facts,
        remotes,
        &withheld,
        opts,
    );
}
