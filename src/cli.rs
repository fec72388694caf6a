//! The command line: parse, dispatch to an entry point, map the outcome to an exit code.

use crate::render::Format;
use clap::{Args, Parser, Subcommand};

const EXIT_CODES: &str = "\
Exit codes:
  0  no error-level finding (the hook lets the push through)
  1  at least one error-level finding (the hook blocks the push)
  2  git-credcheck itself failed (the hook lets the push through unless
     `on-internal-error: block` is configured, and then exits 1)";

/// Checks how `git push` will authenticate and says exactly what to fix before it fails.
#[derive(Parser, Debug)]
#[command(name = "git-credcheck", version, about, after_help = EXIT_CODES)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub doctor: DoctorArgs,
}

#[derive(Args, Debug, Clone, Default)]
pub(crate) struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, global = true)]
    pub format: Option<Format>,
    /// Print only error-level findings.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Also print the gathered facts (secret-free) to stderr.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// Print the gathered facts as JSON instead of a report (for bug reports; secret-free).
    #[arg(long, global = true)]
    pub facts: bool,
    /// Judge as of this date (YYYY-MM-DD) instead of today; also GIT_CREDCHECK_TODAY.
    #[arg(long, global = true, hide = true)]
    pub today: Option<String>,
}

#[derive(Args, Debug, Clone, Default)]
pub(crate) struct DoctorArgs {
    /// Check only this remote (default: every remote).
    #[arg(long)]
    pub remote: Option<String>,
    /// Also ask each push URL's server for push access, through git's own transport
    /// (writes nothing; see README "Online check"); also `online: true` in .credcheck.yaml.
    #[arg(long)]
    pub online: bool,
    /// Stay offline even when .credcheck.yaml says `online: true`.
    #[arg(long, conflicts_with_all = ["online", "online_timeout"])]
    pub offline: bool,
    /// Seconds each push URL's online check may take (default 15); implies --online.
    #[arg(long, value_name = "SECONDS")]
    pub online_timeout: Option<f64>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Check every remote's push URLs (the default command).
    #[command(after_help = EXIT_CODES)]
    Doctor(DoctorArgs),
    /// Run as a git hook.
    #[command(subcommand)]
    Hook(Hook),
    /// Run as a git credential helper that stops doomed credentials (see README).
    Guard {
        /// The operation git passes: get, store or erase.
        operation: String,
    },
    /// The credential helper of `--online`'s probing git (internal).
    #[command(hide = true)]
    OnlineHelper {
        /// The operation git passes: get, store or erase.
        operation: String,
    },
    /// Install the pre-push hook (or, with --guard, the credential guard).
    Install(InstallArgs),
    /// Remove what `install` added.
    Uninstall(InstallArgs),
    /// Print a rule's full explanation.
    Explain {
        /// Rule code (CC202) or name (retired-secret-kind).
        rule: String,
    },
    /// List the rules.
    Rules {
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Print the provider table: accepted secrets, user names, scopes and dates.
    Providers,
    /// Write a commented .credcheck.yaml template at the repository root.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum Hook {
    /// git's pre-push hook: `git-credcheck hook pre-push <remote> <url>`, refs on stdin.
    PrePush {
        remote: String,
        url: String,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Under the pre-commit framework or prek (reads PRE_COMMIT_* variables).
    PreCommit {
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(Args, Debug, Clone)]
pub(crate) struct InstallArgs {
    /// Install the credential guard instead of the pre-push hook.
    #[arg(long)]
    pub guard: bool,
    /// The guard in the user's global configuration (the default for --guard).
    #[arg(long, conflicts_with = "local")]
    pub global: bool,
    /// The guard in this repository's configuration.
    #[arg(long)]
    pub local: bool,
    /// Keep an existing foreign pre-push hook and run it after git-credcheck.
    #[arg(long)]
    pub chain: bool,
}
