//! `git-credcheck guard <get|store|erase>`: a credential helper that never returns a
//! credential. git calls `get` after the server's first 401 and before it sends anything;
//! when a rule is certain the credential the rest of the cascade will supply is refused,
//! the guard explains why on stderr and answers `quit=1`, so nothing is sent. `erase`
//! explains a credential the server just rejected. On any internal failure it answers
//! nothing and git carries on.

use super::Setup;
use crate::facts::credential::HelperKind;
use crate::facts::request::{self, Attributes};
use crate::facts::{Facts, PushUrl, Rejected, Remote, Stage};
use crate::render::{self, Format, Report, Style};
use crate::rules::{Category, Severity};
use crate::secret::Shape;
use std::io::{Read, Write};

const MAX_INPUT: u64 = 1 << 20;

pub(crate) fn run(operation: &str, today: Option<&str>) -> anyhow::Result<()> {
    let mut input = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_INPUT)
        .read_to_end(&mut input)?;
    let attrs = Attributes::parse(&input);
    match operation {
        "get" => get(&attrs, today),
        "erase" => erase(&attrs, today),
        "store" => store(&attrs, today),
        _ => Ok(()),
    }
}

/// The URL facts of a credential request.
fn request_url(setup: &Setup, a: &Attributes) -> Option<PushUrl> {
    request::push_url(&setup.ctx, &setup.git_config, &setup.settings.hosts, a)
}

fn facts_for(setup: &Setup, u: PushUrl, rejected: Option<Rejected>) -> Facts {
    Facts {
        today: setup.today,
        stage: Stage::Guard,
        env: setup.ctx.env.clone(),
        repo: None,
        remotes: vec![Remote {
            name: u.remote.clone(),
            urls: vec![u],
        }],
        pushed: None,
        rejected,
    }
}

fn get(a: &Attributes, today: Option<&str>) -> anyhow::Result<()> {
    let setup = Setup::new(today)?;
    let Some(u) = request_url(&setup, a) else {
        return Ok(());
    };
    let facts = facts_for(&setup, u, None);
    let diagnostics: Vec<_> = crate::rules::run(&facts, &setup.settings)
        .into_iter()
        .filter(|d| d.severity == Severity::Error && d.rule.category == Category::Credential)
        .collect();
    if diagnostics.is_empty() {
        return Ok(());
    }
    let report = Report {
        diagnostics,
        unused_suppressions: Vec::new(),
        root: None,
        notes: Vec::new(),
    };
    // The verdict does not depend on stderr: a closed one loses the words, not the stop.
    let _ = (|| -> std::io::Result<()> {
        let mut err = std::io::stderr().lock();
        writeln!(
            err,
            "git-credcheck guard: stopped git before it sent a credential that will be refused"
        )?;
        let style = Style {
            color: render::use_color(std::io::IsTerminal::is_terminal(&std::io::stderr())),
            quiet: false,
            hook: false,
        };
        render::render(Format::Human, &report, style, &mut err)?;
        writeln!(err, "git-credcheck guard: fix the above, or bypass once with `git -c credential.helper= -c credential.helper=<your helper> push`")
    })();
    let mut out = std::io::stdout().lock();
    writeln!(out, "quit=1")?;
    Ok(())
}

fn erase(a: &Attributes, today: Option<&str>) -> anyhow::Result<()> {
    let setup = Setup::new(today)?;
    let Some(u) = request_url(&setup, a) else {
        return Ok(());
    };
    let secret = a.password.as_deref().map(Shape::of);
    let username = u.url.user.clone();
    let provider = u.provider;
    let host = u
        .https
        .as_ref()
        .map(|h| h.request.host.clone())
        .unwrap_or_default();
    let mut lines = Vec::new();
    let what = secret
        .as_ref()
        .map(Shape::describe)
        .unwrap_or_else(|| "credential".into());
    let who = username
        .as_deref()
        .map(|x| format!(" for user `{x}`"))
        .unwrap_or_default();
    let pname = provider.map(|p| p.info().name).unwrap_or("the server");
    lines.push(format!(
        "git-credcheck: {pname} ({host}) rejected the {what}{who}"
    ));
    let mut cause = None;
    if let (Some(p), Some(s)) = (provider, secret.as_ref()) {
        if let Some((why, _)) =
            crate::rules::support::refusal(setup.today, p, username.as_deref(), s)
        {
            cause = Some(why);
        } else if let Some(issuer) = s.provider.filter(|i| i.family() != p.family()) {
            cause = Some(format!(
                "it is a {} token; {} accepts only its own",
                issuer.info().name,
                p.info().name
            ));
        }
    }
    if provider == Some(crate::provider::ProviderKind::BitbucketCloud)
        && username.as_deref().is_some_and(|x| x.contains('@'))
    {
        cause = Some("the user name is an email address; Bitbucket Cloud wants your Bitbucket username (or x-bitbucket-api-token-auth) for git".into());
    }
    let cause = cause.unwrap_or_else(|| match provider {
        Some(p) => format!("it may be mistyped, expired or revoked, or lack the scopes a push needs ({}); user name: {}", p.info().push_scopes, p.info().https_username),
        None => "it may be mistyped, expired or revoked, or lack write access".into(),
    });
    lines.push(format!("  = cause: {cause}"));
    lines.push("  = fix: forget the rejected credential, then push again with a valid one".into());
    if let Some(h) = &u.https {
        let persistent: Vec<_> = h
            .helpers
            .iter()
            .filter(|x| x.kind != HelperKind::Guard)
            .collect();
        for helper in persistent.iter().take(3) {
            for c in crate::rules::advice::erase(&u, h, Some(helper)) {
                lines.push(format!("        {c}"));
            }
        }
        if persistent.is_empty() {
            for c in crate::rules::advice::erase(&u, h, None) {
                lines.push(format!("        {c}"));
            }
        }
    }
    for c in crate::rules::advice::new_token(provider, &host) {
        lines.push(format!("        {c}"));
    }
    for l in lines {
        super::say(crate::redact::text(&l));
    }
    Ok(())
}

/// Opt-in (`guard: record: true`): remember that a credential was accepted, by a keyed
/// hash, so its age can be told later. Never the secret.
fn store(a: &Attributes, today: Option<&str>) -> anyhow::Result<()> {
    let setup = Setup::new(today)?;
    if !setup.settings.guard_record {
        return Ok(());
    }
    let (Some(host), Some(password)) = (a.host.as_deref(), a.password.as_deref()) else {
        return Ok(());
    };
    let dir = setup.ctx.state_dir();
    crate::facts::ledger::record(
        &dir,
        &host.to_ascii_lowercase(),
        a.username.as_deref().unwrap_or(""),
        password,
        setup.today,
    )
}
