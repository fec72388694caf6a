//! The command line: parse, dispatch to an entry point, map the outcome to an exit code.

use crate::render::Format;
use clap::{Args, CommandFactory, Parser, Subcommand};

const EXIT_CODES: &str = "\
Exit codes:
  0  no error-level finding (the hook lets the push through)
  1  at least one error-level finding (the hook blocks the push)
  2  git-credcheck itself failed (the hook lets the push through unless
     `on-internal-error: block` is configured, and then exits 1)";

const LONG_ABOUT: &str = "\
Checks how `git push` will authenticate and says exactly what to fix before it fails.

git-credcheck reads the effective push URL, the credential-helper cascade as git resolves \
it, what the stores hold (by shape, never the secret), http.extraHeader, ~/.netrc, the \
environment and the SSH side, and names the cause, the file and line that set it, and \
the commands that fix it. It never prints a secret, never prompts and never uses the \
network.

It works in three places: the credential guard (`git-credcheck install --guard`), a \
credential helper that stops a doomed credential before git sends it; the pre-push hook \
(`git-credcheck install`, or a hook manager running `git-credcheck hook pre-push`); and \
`git credcheck` itself (the doctor), which checks every push URL of every remote and is \
also the CI lint stage (`--format sarif`).

Every finding names its rule code: `git credcheck explain CC202` explains one, \
`git credcheck rules` lists them all. Colour follows git's `color.credcheck`, then \
`color.ui`, then NO_COLOR, CLICOLOR_FORCE, CLICOLOR=0 and TERM=dumb.";
const SSH_HELP: &str = "\
git runs its ssh command with `-G <host>` first (its variant probe), then with
`[-o SendEnv=GIT_PROTOCOL] [-4|-6] [-p PORT] [user@]host 'git-receive-pack ...'`.
The guard runs the program git would have run without it: the core.sshCommand that
`install --ssh` kept in credcheck.sshCommand, else GIT_SSH, else ssh. Before
connecting it runs the SSH rules; a certain failure is explained and the run ends
with status 255 without connecting. Otherwise the program gets git's stdin and stdout,
its stderr is passed through, and its exit status is the guard's. After ssh fails
(255), rule CC312 explains why. Any failure of the guard itself runs the program
unchecked.

Install: git-credcheck install --ssh [--global | --local]
Remove:  git-credcheck uninstall --ssh [--global | --local]";

/// Checks how `git push` will authenticate and says exactly what to fix before it fails.
#[derive(Parser, Debug)]
#[command(name = "git-credcheck", version, about, long_about = LONG_ABOUT, after_help = EXIT_CODES)]
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
    /// Print the manual page (roff), generated from this command line; `install` puts it
    /// where `git help credcheck` and `man git-credcheck` find it.
    Man,
    /// Print a completion script for a shell.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
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

/// The manual page, `git-credcheck(1)`: clap_mangen's page for the whole command line,
/// then one subsection per command with its synopsis, description and options, so that a
/// single page (the one `git help credcheck` opens) documents everything.
pub(crate) fn man_page() -> Vec<u8> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone()).manual("Git Manual");
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    let _ = man.render_synopsis_section(&mut out);
    let _ = man.render_description_section(&mut out);
    let _ = man.render_options_section(&mut out);
    out.extend_from_slice(b".SH COMMANDS\n");
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        man_command(&mut out, "git-credcheck", sub);
    }
    out.extend_from_slice(b".SH \"EXIT STATUS\"\n");
    let mut extra = Vec::new();
    let _ = man.render_extra_section(&mut extra);
    without_headings(&mut out, &extra);
    out.extend_from_slice(
        b".SH FILES\n.TP\n.I .credcheck.yaml\nper repository, at the work tree's root \
(`git credcheck init` writes a commented template)\n.TP\n\
.I $XDG_CONFIG_HOME/git-credcheck/config.yaml\nper user; the repository's file wins\n\
.SH \"SEE ALSO\"\n\\fBgit\\fR(1), \\fBgitcredentials\\fR(7), \\fBgithooks\\fR(5), \\fBgit-config\\fR(1)\n",
    );
    let _ = man.render_version_section(&mut out);
    out
}

/// One command's subsection: what clap_mangen renders for it as a page of its own, with
/// the page's section headings turned into plain paragraphs.
fn man_command(out: &mut Vec<u8>, parent: &str, sub: &clap::Command) {
    let name = format!("{parent} {}", sub.get_name());
    if sub.has_subcommands() {
        for s in sub.get_subcommands().filter(|s| !s.is_hide_set()) {
            man_command(out, &name, s);
        }
        return;
    }
    let page = clap_mangen::Man::new(
        sub.clone()
            .display_name(name.clone())
            .bin_name(name.clone()),
    );
    out.extend_from_slice(format!(".SS \"{name}\"\n").as_bytes());
    let mut part = Vec::new();
    let _ = page.render_synopsis_section(&mut part);
    let _ = page.render_description_section(&mut part);
    let _ = page.render_options_section(&mut part);
    without_headings(out, &part);
}

/// Appends roff text with its `.SH` headings turned into paragraph breaks.
fn without_headings(out: &mut Vec<u8>, roff: &[u8]) {
    for line in String::from_utf8_lossy(roff).lines() {
        if line.starts_with(".SH ") {
            out.extend_from_slice(b".PP\n");
        } else {
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
    }
}

/// The completion script for `shell`.
pub(crate) fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "git-credcheck", &mut out);
    out
}
