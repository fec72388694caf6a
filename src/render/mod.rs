//! Rendering: a [`Report`] to text. Renderers decide nothing: severity, exit codes and
//! what is reported are settled before they run.

pub(crate) mod human;
pub(crate) mod json;
pub(crate) mod sarif;

use crate::rules::{Diagnostic, Severity};
pub(crate) use anstream::ColorChoice;
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
    Sarif,
}

/// Everything a run reports.
pub(crate) struct Report {
    pub diagnostics: Vec<Diagnostic>,
    /// Config suppressions that matched nothing.
    pub unused_suppressions: Vec<String>,
    /// The work tree, for repository-relative SARIF locations.
    pub root: Option<PathBuf>,
    /// Short notes for people (guard status…), not findings.
    pub notes: Vec<String>,
    /// git's colour setting for this command ([`git_color`]); `Auto` leaves it to the
    /// environment and the terminal.
    pub color: ColorChoice,
}

impl Report {
    pub(crate) fn count(&self, s: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == s).count()
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }
}

/// How human output looks.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Style {
    pub color: bool,
    pub quiet: bool,
    /// Text appended after a blocking report (how to bypass once).
    pub hook: bool,
}

pub(crate) fn render(
    format: Format,
    report: &Report,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, style, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
    }
}

/// Whether human output written to a stream is coloured: `configured` is git's setting
/// ([`git_color`]), then the process environment. Callers pass whether that stream
/// (stdout or stderr, whichever the report goes to) is a terminal.
pub(crate) fn use_color(configured: ColorChoice, is_terminal: bool) -> bool {
    color_enabled(configured, &|k| std::env::var_os(k), is_terminal)
}

/// git's colour setting for this command, as a git subcommand follows it: the more
/// specific `color.credcheck` wins over `color.ui` (each last-one-wins). Values as git's
/// `git_config_colorbool()` reads them: `always`; `never` or a false boolean; `auto` or a
/// true boolean (a bare `ui` key is true). Unset, or a value git would reject, is `Auto`.
pub(crate) fn git_color(config: &crate::facts::gitconfig::Config) -> ColorChoice {
    ["credcheck", "ui"]
        .iter()
        .find_map(|name| config.last("color", name))
        .map_or(ColorChoice::Auto, |e| colorbool(e.value.as_deref()))
}

fn colorbool(value: Option<&str>) -> ColorChoice {
    let Some(v) = value.map(|v| v.trim().to_ascii_lowercase()) else {
        return ColorChoice::Auto;
    };
    match v.as_str() {
        "always" => ColorChoice::Always,
        "never" | "false" | "no" | "off" | "0" | "" => ColorChoice::Never,
        _ => ColorChoice::Auto,
    }
}

/// Whether to colour, in this order:
/// 1. `configured`: an explicit choice wins over the environment. This is where a caller
///    passes git's colour setting (`color.ui`, as `Always`/`Never`) or a `--color` flag;
///    `Auto` leaves the decision to the rest of this list.
/// 2. `NO_COLOR` set and not empty: never (<https://no-color.org>, any value).
/// 3. `CLICOLOR_FORCE` set, not empty and not `0`: always, even into a pipe.
/// 4. `CLICOLOR=0`: never.
/// 5. Not a terminal: never.
/// 6. `TERM=dumb`, or no `TERM` (unless `CLICOLOR` is set or `CI` is): never.
///
/// This is anstream's own order (`AutoStream::choice`), but it reads the environment
/// through `env` so tests need not change the process environment.
pub(crate) fn color_enabled(
    configured: ColorChoice,
    env: &dyn Fn(&str) -> Option<OsString>,
    is_terminal: bool,
) -> bool {
    match configured {
        ColorChoice::Always | ColorChoice::AlwaysAnsi => return true,
        ColorChoice::Never => return false,
        ColorChoice::Auto => {}
    }
    let set = |k: &str| env(k).is_some_and(|v| !v.is_empty());
    if set("NO_COLOR") {
        return false;
    }
    if env("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
        return true;
    }
    let clicolor = env("CLICOLOR");
    if clicolor.as_deref().is_some_and(|v| v == "0") {
        return false;
    }
    if !is_terminal {
        return false;
    }
    match env("TERM") {
        Some(term) if term == "dumb" => false,
        Some(_) => true,
        None => clicolor.is_some() || env("CI").is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |k| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| OsString::from(v))
        }
    }

    fn auto(vars: &[(&str, &str)], tty: bool) -> bool {
        color_enabled(ColorChoice::Auto, &with(vars), tty)
    }

    const TERM: (&str, &str) = ("TERM", "xterm-256color");

    #[test]
    fn a_terminal_gets_colour_and_a_pipe_does_not() {
        assert!(auto(&[TERM], true));
        assert!(!auto(&[TERM], false));
    }

    #[test]
    fn no_color_wins_over_everything_in_the_environment() {
        assert!(!auto(&[TERM, ("NO_COLOR", "1")], true));
        assert!(!auto(&[TERM, ("NO_COLOR", "0")], true));
        assert!(!auto(
            &[TERM, ("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")],
            true
        ));
        assert!(auto(&[TERM, ("NO_COLOR", "")], true));
    }

    #[test]
    fn clicolor_force_colours_a_pipe() {
        assert!(auto(&[("CLICOLOR_FORCE", "1")], false));
        assert!(auto(&[("CLICOLOR_FORCE", "1"), ("CLICOLOR", "0")], false));
        assert!(!auto(&[("CLICOLOR_FORCE", "0")], false));
        assert!(!auto(&[("CLICOLOR_FORCE", "")], false));
    }

    #[test]
    fn clicolor_zero_turns_colour_off() {
        assert!(!auto(&[TERM, ("CLICOLOR", "0")], true));
        assert!(auto(&[TERM, ("CLICOLOR", "1")], true));
    }

    #[test]
    fn a_dumb_or_unknown_terminal_gets_none() {
        assert!(!auto(&[("TERM", "dumb")], true));
        assert!(!auto(&[("TERM", "dumb"), ("CLICOLOR", "1")], true));
        assert!(!auto(&[], true));
        assert!(auto(&[("CLICOLOR", "1")], true));
        assert!(auto(&[("CI", "true")], true));
    }

    #[test]
    fn git_colour_settings_the_more_specific_wins() {
        use crate::facts::testing::config;
        let choice = |pairs: &[(&str, &str)]| git_color(&config(pairs));
        assert_eq!(choice(&[]), ColorChoice::Auto);
        assert_eq!(choice(&[("color.ui", "never")]), ColorChoice::Never);
        assert_eq!(choice(&[("color.ui", "false")]), ColorChoice::Never);
        assert_eq!(choice(&[("color.ui", "Always")]), ColorChoice::Always);
        assert_eq!(choice(&[("color.ui", "true")]), ColorChoice::Auto);
        assert_eq!(choice(&[("color.ui", "auto")]), ColorChoice::Auto);
        assert_eq!(
            choice(&[("color.ui", "always"), ("color.ui", "never")]),
            ColorChoice::Never
        );
        assert_eq!(
            choice(&[("color.credcheck", "never"), ("color.ui", "always")]),
            ColorChoice::Never
        );
        assert_eq!(
            choice(&[("color.ui", "never"), ("color.credcheck", "always")]),
            ColorChoice::Always
        );
        assert_eq!(
            choice(&[("color.ui", "never"), ("color.credcheck", "auto")]),
            ColorChoice::Auto
        );
        // git's `never` wins over CLICOLOR_FORCE, its `always` over NO_COLOR.
        let env = with(&[TERM, ("CLICOLOR_FORCE", "1")]);
        assert!(!color_enabled(choice(&[("color.ui", "never")]), &env, true));
        let env = with(&[TERM, ("NO_COLOR", "1")]);
        assert!(color_enabled(
            choice(&[("color.credcheck", "always")]),
            &env,
            false
        ));
    }

    #[test]
    fn an_explicit_choice_wins_over_the_environment() {
        let env = with(&[("NO_COLOR", "1"), ("TERM", "dumb")]);
        assert!(color_enabled(ColorChoice::Always, &env, false));
        let env = with(&[TERM, ("CLICOLOR_FORCE", "1")]);
        assert!(!color_enabled(ColorChoice::Never, &env, true));
    }
}
