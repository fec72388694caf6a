//! Runs the probe of one URL: builds the probing git's command line and environment,
//! runs it under the deadline ([`crate::process`]), reads our helper's log and the start
//! of the packet trace, and classifies the answer.

use super::helper::{DEADLINE_VAR, LOG_VAR, PARAMS_VAR};
use super::{classify, HelperLog, Job, Options, Outcome, Probe, Transport, Unconfirmed};
use crate::facts::gitconfig::Config;
use crate::facts::ssh::{Ssh, Variant};
use crate::facts::Ctx;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// How much of the packet trace is read: the advertisement's first line carries the
/// capabilities; a repository with many refs makes the rest long.
const TRACE_HEAD: u64 = 64 * 1024;

pub(super) fn probe(git: &str, job: &Job, opts: &Options) -> Probe {
    let start = Instant::now();
    let deadline_ms = u64::try_from(opts.deadline.as_millis()).unwrap_or(u64::MAX);
    let failed = |detail: String| Probe {
        detail: Some(detail),
        deadline_ms,
        ..Probe::not_run(
            job.transport,
            Outcome::Unconfirmed {
                why: Unconfirmed::Other,
            },
        )
    };
    let dir = match PrivateDir::new() {
        Ok(d) => d,
        Err(e) => return failed(format!("cannot create a private temporary directory: {e}")),
    };
    let log = dir.0.join("helper.log");
    let trace = dir.0.join("packet.trace");
    let deadline_at = SystemTime::now()
        .checked_add(opts.deadline)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_millis().to_string())
        .unwrap_or_default();
    let helper = format!(
        "credential.helper=!{} online-helper",
        shell_words::quote(&opts.exe.to_string_lossy())
    );
    let mut args: Vec<String> = [
        "-c",
        "credential.helper=",
        "-c",
        &helper,
        "-c",
        "core.askPass=",
    ]
    .map(str::to_owned)
    .to_vec();
    let input: &[u8] = match job.transport {
        Transport::Http => {
            args.extend([
                format!("remote-{}", job.scheme),
                job.remote.clone(),
                job.url.clone(),
            ]);
            // One command, then the blank line that ends the session cleanly.
            b"list for-push\n\n"
        }
        Transport::Ssh => {
            args.extend([
                "ls-remote".to_owned(),
                format!("--upload-pack={}", job.receive_pack),
                "--".to_owned(),
                job.url.clone(),
            ]);
            b""
        }
    };
    let user_params = std::env::var("GIT_CONFIG_PARAMETERS").unwrap_or_default();
    let trace_s = trace.to_string_lossy().into_owned();
    let log_s = log.to_string_lossy().into_owned();
    let mut env: Vec<(&str, &str)> = vec![
        ("LC_ALL", "C"),
        ("LANGUAGE", ""),
        ("GIT_TRACE_PACKET", &trace_s),
        // Never trace HTTP headers (they carry the credential), nor anything else.
        ("GIT_TRACE_CURL", "0"),
        ("GIT_TRACE", "0"),
        ("GIT_TRACE2", "0"),
        ("GIT_TRACE2_EVENT", "0"),
        ("GIT_TRACE2_PERF", "0"),
        ("GIT_TRACE_REDACT", "1"),
        ("GIT_CREDCHECK_GIT", git),
        (LOG_VAR, &log_s),
        (DEADLINE_VAR, &deadline_at),
        (PARAMS_VAR, &user_params),
    ];
    if let Some(cmd) = &job.ssh_command {
        env.push(("GIT_SSH_COMMAND", cmd));
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = crate::process::run_with_env(git, &argv, input, opts.deadline, &env);
    let elapsed_ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    let out = match out {
        Ok(o) => o,
        Err(e) => return failed(format!("cannot run `{git}`: {e}")),
    };
    let helper_log = read_log(&log);
    let trace_head = read_head(&trace);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let c = classify(
        job.transport,
        out.status,
        out.timed_out || helper_log.timed_out,
        &stderr,
        &trace_head,
        helper_log.quit,
    );
    Probe {
        transport: job.transport,
        outcome: c.outcome,
        meaning: c.meaning,
        detail: c.detail,
        server_said: c.said,
        helper: helper_log,
        elapsed_ms,
        deadline_ms,
    }
}

/// The `GIT_SSH_COMMAND` of the probe: the user's own ssh command with `BatchMode=yes`
/// (never ask) and `ControlMaster=no` (use a running master, never leave a new one
/// behind). Only for OpenSSH by name: another program may not take `-o`; it still has
/// no terminal and no askpass to prompt with.
pub(super) fn ssh_command(ctx: &Ctx, config: &Config, ssh: &Ssh) -> Option<String> {
    let program = &ssh.program;
    let base = Path::new(&program.name)
        .file_name()?
        .to_string_lossy()
        .to_ascii_lowercase();
    if program.variant != Variant::Ssh || base.trim_end_matches(".exe") != "ssh" {
        return None;
    }
    let command = match program.via.as_str() {
        "GIT_SSH_COMMAND" => ctx.env.git_ssh_command.clone()?,
        "core.sshCommand" => config.last("core", "sshcommand")?.value.clone()?,
        "GIT_SSH" => shell_words::quote(ctx.env.git_ssh.as_deref()?).into_owned(),
        _ => "ssh".to_owned(),
    };
    Some(format!("{command} -o BatchMode=yes -o ControlMaster=no"))
}

/// Our helper's log: one JSON line per operation git asked of it.
fn read_log(path: &Path) -> HelperLog {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut log = HelperLog::default();
    for line in text.lines() {
        let Ok(entry) = serde_json::from_str::<super::helper::Entry>(line) else {
            continue;
        };
        match entry.op.as_str() {
            "get" => {
                log.asked = true;
                log.quit |= entry.quit;
                log.timed_out |= entry.timed_out;
                if entry.answered.is_some() {
                    log.answered = entry.answered;
                }
            }
            "store" => log.approved = true,
            "erase" => log.rejected = true,
            _ => {}
        }
    }
    log
}

fn read_head(path: &Path) -> String {
    let mut buf = Vec::new();
    if let Ok(f) = std::fs::File::open(path) {
        let _ = f.take(TRACE_HEAD).read_to_end(&mut buf);
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// A directory only we can read (mode 0700), removed when dropped.
struct PrivateDir(PathBuf);

impl PrivateDir {
    fn new() -> std::io::Result<PrivateDir> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let mut last = None;
        for _ in 0..16 {
            let p = std::env::temp_dir().join(format!(
                "git-credcheck-online-{}-{}-{nanos:x}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            match crate::platform::private_dir(&mut std::fs::DirBuilder::new()).create(&p) {
                Ok(()) => return Ok(PrivateDir(p)),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no free name")))
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
