//! git-credcheck: checks how `git push` will authenticate and says exactly what to fix.
//!
//! `main` parses the command line, runs one entry point inside a panic boundary, and maps
//! the outcome to an exit code: 0 clean, 1 error-level findings, 2 the tool failed. The
//! hooks never fail a push because git-credcheck itself failed (unless configured to),
//! and the guard answers nothing on failure.

mod cli;
mod config;
mod date;
mod entry;
mod facts;
mod platform;
mod process;
mod provider;
mod redact;
mod render;
mod rules;
/// Secret shapes live with the provider tables that define them.
use provider::shape as secret;

#[cfg(test)]
mod proptests;

use clap::Parser;
use std::process::ExitCode;
use std::sync::Mutex;

static PANIC: Mutex<Option<String>> = Mutex::new(None);

enum Kind {
    Report,
    Hook,
    Guard,
    Other,
}

fn main() -> ExitCode {
    // The SSH guard gets git's ssh arguments as they are: they never go through clap.
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if argv.get(1).is_some_and(|a| a == "ssh")
        && !argv.get(2).is_some_and(|a| a == "--help" || a == "-h")
    {
        set_panic_hook();
        return entry::ssh::run(&argv[2..]);
    }
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    set_panic_hook();
    if let Some(cli::Command::Ssh { args }) = &cli.command {
        return entry::ssh::run(args);
    }
    let kind = match &cli.command {
        None | Some(cli::Command::Doctor(_)) => Kind::Report,
        Some(cli::Command::Hook(_)) => Kind::Hook,
        // The online probe's helper, like the guard, never fails git.
        Some(cli::Command::Guard { .. } | cli::Command::OnlineHelper { .. }) => Kind::Guard,
        _ => Kind::Other,
    };
    let outcome = std::panic::catch_unwind(|| dispatch(&cli)).unwrap_or_else(|_| {
        let msg = PANIC
            .lock()
            .ok()
            .and_then(|mut p| p.take())
            .unwrap_or_default();
        Err(anyhow::anyhow!("internal error (panic): {msg}"))
    });
    match outcome {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::from(1),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let msg = redact::text(&format!("{e:#}"));
            match kind {
                Kind::Hook => {
                    let block = hook_blocks_on_internal_error();
                    let what = if block {
                        "push blocked (on-internal-error: block)"
                    } else {
                        "push not checked"
                    };
                    entry::say(format_args!("git-credcheck: {msg}; {what}"));
                    ExitCode::from(u8::from(block))
                }
                Kind::Guard => {
                    entry::say(format_args!("git-credcheck guard: {msg}; ignored"));
                    ExitCode::SUCCESS
                }
                Kind::Report | Kind::Other => {
                    entry::say(format_args!("git-credcheck: error: {msg}"));
                    ExitCode::from(2)
                }
            }
        }
    }
}

/// Keeps a panic's message (redacted) for the error line instead of printing it.
fn set_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut p) = PANIC.lock() {
            *p = Some(format!("{}{at}", redact::text(&msg)));
        }
    }));
}

fn dispatch(cli: &cli::Cli) -> anyhow::Result<bool> {
    use cli::{Command, Hook};
    if std::env::var_os("GIT_CREDCHECK_FORCE_INTERNAL_ERROR").is_some() {
        // Lets tests drive the internal-failure path end to end.
        panic!("forced internal error for https://user:Fz8Kq2Wm7Xp4Rt9Lv@example.com/");
    }
    match &cli.command {
        None => entry::doctor::run(&cli.doctor),
        Some(Command::Doctor(args)) => entry::doctor::run(args),
        Some(Command::Hook(Hook::PrePush {
            remote,
            url,
            output,
        })) => entry::hook::pre_push(remote, url, output),
        Some(Command::Hook(Hook::PreCommit { output })) => entry::hook::pre_commit(output),
        Some(Command::Guard { operation }) => {
            entry::guard::run(operation, cli.doctor.output.today.as_deref()).map(|()| false)
        }
        Some(Command::OnlineHelper { operation }) => {
            facts::online::helper::run(operation);
            Ok(false)
        }
        Some(Command::Install(args)) => entry::install::install(args).map(|()| false),
        Some(Command::Uninstall(args)) => entry::install::uninstall(args).map(|()| false),
        Some(Command::Explain { rule }) => explain(rule).map(|()| false),
        Some(Command::Rules { output }) => list_rules(output).map(|()| false),
        Some(Command::Providers) => {
            print!("{}", provider::table_markdown());
            Ok(false)
        }
        Some(Command::Init { force }) => entry::install::init(*force).map(|()| false),
        Some(Command::Man) => print_bytes(&cli::man_page()),
        Some(Command::Completions { shell }) => print_bytes(&cli::completions(*shell)),
        // Run from `main` before dispatching: it has its own exit status.
        Some(Command::Ssh { .. }) => Ok(false),
    }
}

fn print_bytes(bytes: &[u8]) -> anyhow::Result<bool> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(false)
}

/// A command line clap cannot parse. Run by git as a hook or a credential helper, the
/// tool's own failure must not stop git: one line, then let git continue. Anywhere else
/// clap prints its usage (or `--help`/`--version`) and exits as usual.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let mode = std::env::args().nth(1).unwrap_or_default();
    let shown = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
    if shown || !matches!(mode.as_str(), "hook" | "guard" | "ssh" | "online-helper") {
        let _ = e.print();
        return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
    }
    let text = e.to_string();
    let first = text
        .lines()
        .map(str::trim)
        .take_while(|l| !l.is_empty() && !l.starts_with("Usage:"))
        .collect::<Vec<_>>()
        .join(" ");
    let first = first.trim_start_matches("error: ");
    let what = if mode == "guard" || mode == "online-helper" {
        "ignored"
    } else {
        "push not checked"
    };
    entry::say(format_args!(
        "git-credcheck {mode}: {}; {what}",
        redact::text(first)
    ));
    ExitCode::SUCCESS
}

/// Reads only the configuration files, not git's: the failure may be git's.
fn hook_blocks_on_internal_error() -> bool {
    std::panic::catch_unwind(|| {
        let ctx = facts::Ctx::from_process();
        let cwd = std::env::current_dir().ok();
        config::Config::load(&config::user_dir(&ctx), cwd.as_deref())
            .map(|c| c.block_on_internal_error)
            .unwrap_or(false)
    })
    .unwrap_or(false)
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn explain(code: &str) -> anyhow::Result<()> {
    let rule = rules::find(code)
        .ok_or_else(|| anyhow::anyhow!("no rule `{code}` (see `git-credcheck rules`)"))?;
    println!(
        "{} ({}) — default severity: {}\n{}\n",
        rule.code,
        rule.name,
        rule.default_severity.as_str(),
        rule.summary
    );
    println!("{}", rule.explanation());
    Ok(())
}

fn list_rules(output: &cli::OutputArgs) -> anyhow::Result<()> {
    if output.format == Some(render::Format::Json) {
        let list: Vec<_> = rules::ALL
            .iter()
            .map(|r| serde_json::json!({ "code": r.code, "name": r.name, "category": r.category, "severity": r.default_severity.as_str(), "summary": r.summary }))
            .collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
    } else {
        for r in rules::ALL.iter() {
            println!(
                "{}  {:<32} {:<8} {}",
                r.code,
                r.name,
                r.default_severity.as_str(),
                r.summary
            );
        }
    }
    Ok(())
}
