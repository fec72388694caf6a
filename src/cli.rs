//! The command line: parse, dispatch to an entry point, map the outcome to an exit code.

use crate::render::Format;
use clap::{Args, Parser, Subcommand};

const EXIT_CODES: &str = "\
Exit codes:
  0  no error-level finding (the hook lets the push through)
  1  at least one error-level finding (the hook blocks the push)
  2  git-credcheck itself failed (the hook lets the push through unless
     `on-internal-error: block` is configured, and then exits 1)";

const SSH_HELP: &str = "\
git runs its ssh command with `-G <host>` first (its variant probe), then with
`[-o SendEnv=GIT_PROTOCOL] [-4|-6] [-p PORT] [user@]host 'git-receive-pack ...'`.
The guard runs the program git would have run without it: the core.sshCommand that
`install --ssh` kept in credcheck.sshCommand, else GIT_SSH, else ssh. Before
connecting it runs the SSH rules; a certain failure is explained and the run ends
with status 255 without connecting. Otherwise the program gets git's stdin and stdout,
its stderr is passed through, and its exit status is the guard's. After ssh fails
(255), rule CC311 explains why. Any failure of the guard itself runs the program
unchecked.

Install: git-credcheck install --ssh [--global | --local]
Remove:  git-credcheck uninstall --ssh [--global | --local]";

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
    /// The SSH guard: git runs it as `core.sshCommand` (`install --ssh`); it stops a
    /// doomed SSH connection before it is made and explains a failed one.
    #[command(after_help = SSH_HELP)]
    Ssh {
        /// The arguments git passes to its ssh command, passed on to the ssh program.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
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
    /// Install the SSH guard (`core.sshCommand`; global unless --local) instead of the hook.
    #[arg(long, conflicts_with_all = ["guard", "chain"])]
    pub ssh: bool,
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
