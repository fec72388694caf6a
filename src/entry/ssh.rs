//! `git-credcheck ssh <args as git passes them>`: the SSH guard, a transparent
//! `core.sshCommand` wrapper (`install --ssh` puts it there, see install_ssh.rs).
//!
//! git runs its ssh command for every fetch and push over SSH before anything is sent:
//! the one point where a doomed SSH connection can be stopped. The guard
//! 1. runs the program git would have run without it ([`guard::underlying`]: the kept
//!    `credcheck.sshCommand`, a lower scope's `core.sshCommand`, `GIT_SSH`, `ssh`),
//!    with git's variant semantics: git probes an unknown command with `-G` first, so
//!    the guard answers that probe as git would have treated the program (OpenSSH and
//!    plink by name: yes, without running anything; another program: its own answer),
//!    passes OpenSSH options through untouched, and turns git's OpenSSH options into
//!    the ones git gives plink and tortoiseplink (`-P`, `-batch`, no `SendEnv`);
//! 2. before connecting, gathers the SSH facts the doctor gathers for that host and runs
//!    the SSH rules; an error-level finding (certain failure) is explained on stderr and
//!    the run ends with ssh's own failure status, 255, without connecting;
//! 3. otherwise spawns the program with git's stdin and stdout (inherited, never
//!    copied) and passes its stderr through live while keeping its tail; the exit status
//!    is the program's (killed by signal n: 128+n). When ssh fails (255), or the remote
//!    command fails with a provider's own refusal text (a read-only deploy key…), the
//!    kept messages are classified into the facts and rule CC312 explains them.
//!
//! It fails open: when anything of ours fails, the program runs all the same, after one
//! line on stderr. The checks have a deadline; nothing here prompts or reads stdin.

mod argv;
mod program;

use crate::facts::ssh::failure;
use crate::facts::ssh::guard;
use crate::facts::{self, gitconfig, url, Ctx, Facts, PushUrl, Remote, Repo, Stage};
use crate::rules::{Category, Diagnostic, Severity};
use anyhow::Context as _;
use argv::{parse, plink_args, url_of, SshArgs};
use program::{connect, depth, exec, exit_code, stdout_is_dev_null, Target, Variant, MAX_DEPTH};
use std::ffi::OsString;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

/// The whole pre-connection check (configuration, `ssh -G`, keys, agent, known_hosts,
/// rules) must be done by then, or the connection goes ahead without it.
const CHECK_DEADLINE: Duration = Duration::from_millis(800);

/// The configured remote whose push URL is this place, for the label and the source.
fn find_remote(
    config: &gitconfig::Config,
    here: &url::ParsedUrl,
) -> Option<(String, url::RawPushUrl, url::ParsedUrl)> {
    let same = |p: &url::ParsedUrl| {
        p.host == here.host
            && p.user == here.user
            && p.port.unwrap_or(22) == here.port.unwrap_or(22)
            && p.path.trim_matches('/') == here.path.trim_matches('/')
    };
    config.remote_names().into_iter().find_map(|name| {
        url::push_urls(config, &name).into_iter().find_map(|raw| {
            let p = url::parse(&raw.url).ok().filter(same)?;
            Some((name.clone(), raw, p))
        })
    })
}

pub(crate) fn run(args: &[OsString]) -> ExitCode {
    if depth() >= MAX_DEPTH {
        // The program the guard runs keeps running the guard: run what git runs without
        // any ssh command, unchecked, rather than loop.
        let env = facts::Env {
            git_ssh: std::env::var("GIT_SSH").ok(),
            ..facts::Env::default()
        };
        return exec(&Target::new(&guard::fallback(&env), None), args);
    }
    let ctx = Ctx::from_process();
    let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| facts::load(&ctx)));
    let (config, repo) = match loaded {
        Ok(Ok(loaded)) => loaded,
        failed => {
            let why = match failed {
                Ok(Err(e)) => format!("reading git's configuration: {e}"),
                _ => panic_message(),
            };
            fail_open(&why);
            return exec(&Target::new(&guard::fallback(&ctx.env), None), args);
        }
    };
    let configured = std::env::var("GIT_SSH_VARIANT")
        .ok()
        .or_else(|| config.value("ssh", "variant").map(str::to_owned));
    let target = Target::new(&guard::underlying(&ctx.env, &config), configured.as_deref());
    let parsed = parse(args);
    if parsed.as_ref().is_some_and(|a| a.probe) {
        return probe(&target, args);
    }
    let mut argv = args.to_vec();
    let mut drop_protocol = false;
    if let (Variant::Plink { tortoise }, Some(a)) = (target.variant, &parsed) {
        if let Some(v) = plink_args(a, tortoise) {
            (argv, drop_protocol) = (v, true);
        }
    }
    let checked = match parsed {
        Some(a) if !matches!(target.variant, Variant::Configured { ssh: false }) => checks(Input {
            ctx,
            config,
            repo,
            args: a,
        }),
        _ => None,
    };
    if let Some(c) = &checked {
        if !c.blocking.is_empty() {
            let host = c
                .facts
                .push_urls()
                .next()
                .and_then(|u| u.url.host.clone())
                .unwrap_or_default();
            super::show_on_stderr(
                c.blocking.clone(),
                anstream::ColorChoice::Auto,
                Some(&format!(
                    "git-credcheck ssh: stopped before connecting to {host}: this connection cannot succeed"
                )),
                Some(&format!(
                    "git-credcheck ssh: fix the above, or connect once without the check: {} git …",
                    target.bypass()
                )),
            );
            return ExitCode::from(failure::SSH_FAILED as u8);
        }
    }
    match connect(&target, &argv, drop_protocol) {
        Ok((status, kept)) => {
            // ssh's own failure (255), or the remote's refusal text with its status;
            // nothing at all on success.
            if let (Some(code), Some(c)) = (status.code().filter(|&c| c != 0), checked) {
                explain(c, code, &kept);
            }
            exit_code(status)
        }
        Err(e) => {
            super::say(format_args!(
                "git-credcheck ssh: cannot run `{}`: {e}",
                target.command
            ));
            ExitCode::from(127)
        }
    }
}

/// git's `-G` probe asks whether the command takes OpenSSH options. For a program git
/// knows by name it would not have asked: answer yes without running anything when
/// the output goes nowhere (git's probe), else show the program's own answer.
fn probe(target: &Target, args: &[OsString]) -> ExitCode {
    match target.variant {
        Variant::Plink { .. } => ExitCode::SUCCESS,
        Variant::OpenSsh if stdout_is_dev_null() => ExitCode::SUCCESS,
        _ => exec(target, args),
    }
}

fn fail_open(why: &str) {
    super::say(format_args!(
        "git-credcheck ssh: {}; connecting without checks",
        crate::redact::text(why)
    ));
}

fn panic_message() -> String {
    let msg = crate::PANIC
        .lock()
        .ok()
        .and_then(|mut p| p.take())
        .unwrap_or_default();
    format!("internal error (panic): {msg}")
}

/// What the checks need, moved to their thread.
struct Input {
    ctx: Ctx,
    config: gitconfig::Config,
    repo: Option<Repo>,
    args: SshArgs,
}

/// The facts of this connection and the findings that stop it.
struct Checked {
    facts: Facts,
    blocking: Vec<Diagnostic>,
    settings: crate::config::Config,
}

/// Runs [`check`] on its own thread with a deadline: past it, or on any failure, the
/// connection goes ahead unchecked (one line says so).
fn checks(input: Input) -> Option<Checked> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(input)));
        let _ = tx.send(out);
    });
    let why = match rx.recv_timeout(CHECK_DEADLINE) {
        Ok(Ok(Ok(checked))) => return checked,
        Ok(Ok(Err(e))) => format!("{e:#}"),
        Ok(Err(_)) => panic_message(),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            format!("the checks took longer than {CHECK_DEADLINE:?}")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => "the checks stopped".to_owned(),
    };
    fail_open(&why);
    None
}

/// Gathers the SSH facts of this connection as the doctor does and runs the rules.
fn check(input: Input) -> anyhow::Result<Option<Checked>> {
    if std::env::var_os("GIT_CREDCHECK_FORCE_INTERNAL_ERROR").is_some() {
        // Lets tests drive the fail-open path end to end.
        panic!("forced internal error");
    }
    let Input {
        ctx,
        config,
        repo,
        args,
    } = input;
    let settings = crate::config::Config::load(
        &crate::config::user_dir(&ctx),
        repo.as_ref().and_then(|r| r.work_tree.as_deref()),
    )
    .context("reading the git-credcheck configuration")?;
    let today = match std::env::var("GIT_CREDCHECK_TODAY") {
        Ok(s) => crate::date::Date::parse(&s)
            .with_context(|| format!("GIT_CREDCHECK_TODAY=`{s}` is not a YYYY-MM-DD date"))?,
        Err(_) => crate::date::Date::today_utc(),
    };
    let Some(here) = url_of(&args).and_then(|u| url::parse(&u).ok()) else {
        return Ok(None);
    };
    let (remote, parsed, configured, rewrite) = match find_remote(&config, &here) {
        Some((name, raw, p)) => (name, p, raw.configured, raw.rewrite),
        None => (here.display.clone(), here, None, None),
    };
    let ssh = facts::ssh::gather_for(
        &ctx,
        &config,
        &parsed,
        &settings.hosts,
        guard::underlying(&ctx.env, &config),
    );
    let provider = parsed
        .host
        .as_deref()
        .and_then(|h| crate::provider::detect(h, &parsed.path, &settings.hosts))
        .or(ssh.provider);
    let facts = Facts {
        today,
        stage: Stage::SshGuard,
        env: ctx.env.clone(),
        repo,
        remotes: vec![Remote {
            name: remote.clone(),
            urls: vec![PushUrl {
                remote,
                url: parsed,
                configured,
                rewrite,
                provider,
                authenticated_now: false,
                https: None,
                ssh: Some(ssh),
                remote_helper: None,
                local_path_exists: None,
                online: None,
            }],
        }],
        pushed: None,
        rejected: None,
        unchecked: crate::facts::files::take_skipped(),
    };
    let blocking = crate::rules::run(&facts, &settings)
        .into_iter()
        .filter(|d| d.rule.category == Category::Ssh && d.severity == Severity::Error)
        .collect();
    Ok(Some(Checked {
        facts,
        blocking,
        settings,
    }))
}

/// The connection failed (ssh exited 255, or the remote command failed): classify what
/// ssh and the server said into the facts and let CC312 explain it.
fn explain(mut c: Checked, status: i32, kept: &[u8]) {
    let Some(u) = c
        .facts
        .remotes
        .iter_mut()
        .flat_map(|r| r.urls.iter_mut())
        .find(|u| u.ssh.is_some())
    else {
        return;
    };
    let Some(f) = failure::classify(status, kept, u.provider) else {
        return;
    };
    let Some(ssh) = u.ssh.as_mut() else {
        return;
    };
    ssh.failure = Some(f);
    let rule = &crate::rules::ssh::SSH_CONNECTION_FAILED;
    let diagnostics = crate::rules::run(&c.facts, &c.settings)
        .into_iter()
        .filter(|d| d.rule.code == rule.code)
        .collect();
    super::show_on_stderr(diagnostics, anstream::ColorChoice::Auto, None, None);
}

/// The doctor's notes on SSH host keys, one per SSH push URL: which known_hosts lines
/// pin the host (file:line, key type, retired) and which of the provider's host key
/// algorithms this ssh accepts (issue 13). The full lists are in `--facts`.
pub(crate) fn host_key_notes(facts: &Facts) -> Vec<String> {
    use crate::facts::ssh::Probed;
    let mut out = Vec::new();
    for u in facts.push_urls() {
        let Some(s) = &u.ssh else { continue };
        let (Probed::Found(c), Probed::Found(k)) = (&s.config, &s.known_hosts) else {
            continue;
        };
        let pinned = if k.entries.is_empty() {
            format!("{} is in no known_hosts file ssh reads", k.name)
        } else {
            let lines: Vec<String> = k
                .entries
                .iter()
                .map(|e| {
                    let mut what = e.key_type.clone();
                    if e.cert_authority {
                        what.push_str(", @cert-authority");
                    }
                    if e.retired {
                        what.push_str(", retired by the provider");
                    }
                    format!("{}:{} ({what})", e.file.display(), e.line)
                })
                .collect();
            format!("{} pinned in {}", k.name, lines.join(", "))
        };
        let offered = u
            .provider
            .map(|p| p.info().ssh_host_key_algorithms)
            .unwrap_or(&[]);
        let algorithms = match (&c.host_key_algorithms, offered.is_empty()) {
            (Some(accepted), false) => {
                let refused: Vec<&str> = offered
                    .iter()
                    .copied()
                    .filter(|a| !accepted.iter().any(|b| b == a))
                    .collect();
                let name = u.provider.map(|p| p.info().name).unwrap_or_default();
                format!(
                    "; ssh accepts {} of the {} host key algorithms {name} offers{}",
                    offered.len() - refused.len(),
                    offered.len(),
                    if refused.is_empty() {
                        String::new()
                    } else {
                        format!(" (not {})", refused.join(", "))
                    }
                )
            }
            (Some(accepted), true) => {
                format!("; ssh accepts {} host key algorithms", accepted.len())
            }
            (None, _) => String::new(),
        };
        out.push(format!(
            "SSH host keys for {}: {pinned}{algorithms}",
            u.label()
        ));
    }
    out
}
