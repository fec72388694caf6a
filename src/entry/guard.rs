//! `git-credcheck guard <get|store|erase>`: a credential helper that never returns a
//! credential. git calls `get` after the server's first 401 and before it sends anything;
//! when a rule is certain the credential the rest of the cascade will supply is refused,
//! the guard explains why on stderr and answers `quit=1`, so nothing is sent. `erase`
//! explains a credential the server just rejected. On any internal failure it answers
//! nothing and git carries on.

use super::Setup;
use crate::facts::credential::{self, Answer, HelperKind};
use crate::facts::{url, Facts, PushUrl, Rejected, Remote, Stage};
use crate::render::{self, Format, Report, Style};
use crate::rules::{Category, Severity};
use crate::secret::Shape;
use std::io::{Read, Write};

const MAX_INPUT: u64 = 1 << 20;

/// The attributes of git's credential protocol that the guard uses.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Attributes {
    pub protocol: Option<String>,
    pub host: Option<String>,
    pub path: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
}

/// Parses `key=value` lines up to a blank line or EOF; unknown keys (`wwwauth[]`,
/// `capability[]`…) and malformed lines are ignored.
pub(crate) fn parse(input: &[u8]) -> Attributes {
    let mut a = Attributes::default();
    for line in input.split(|b| *b == b'\n') {
        let line = String::from_utf8_lossy(line);
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = Some(v.to_owned());
        match k {
            "protocol" => a.protocol = v,
            "host" => a.host = v,
            "path" => a.path = v,
            "username" => a.username = v,
            "password" => a.password = v,
            _ => {}
        }
    }
    a
}

pub(crate) fn run(operation: &str, today: Option<&str>) -> anyhow::Result<()> {
    let mut input = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_INPUT)
        .read_to_end(&mut input)?;
    let attrs = parse(&input);
    match operation {
        "get" => get(&attrs, today),
        "erase" => erase(&attrs, today),
        "store" => store(&attrs, today),
        _ => Ok(()),
    }
}

/// The URL facts of a credential request.
fn request_url(setup: &Setup, a: &Attributes) -> Option<PushUrl> {
    let protocol = a.protocol.as_deref()?.to_ascii_lowercase();
    if protocol != "https" && protocol != "http" {
        return None;
    }
    let hostport = a.host.as_deref().filter(|h| !h.is_empty())?;
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) && !h.ends_with(':') => {
            (h.trim_matches(['[', ']']).to_owned(), p.parse().ok())
        }
        _ => (hostport.trim_matches(['[', ']']).to_owned(), None),
    };
    let path = a.path.clone().unwrap_or_default();
    let user_secret = a
        .username
        .as_deref()
        .filter(|u| crate::secret::username_is_secret(u))
        .map(Shape::of);
    let parsed = url::ParsedUrl {
        scheme: if protocol == "https" {
            url::Scheme::Https
        } else {
            url::Scheme::Http
        },
        scheme_text: protocol.clone(),
        host: Some(host.to_ascii_lowercase()),
        port,
        path: path.clone(),
        user: a.username.clone().filter(|_| user_secret.is_none()),
        user_secret,
        password: None,
        display: format!("{protocol}://{hostport}/{path}"),
    };
    let provider = crate::provider::detect(&host, &path, &setup.settings.hosts);
    let mut https = credential::gather(&setup.ctx, &setup.git_config, &parsed)?;
    // git reached the guard: every helper up to it did not answer.
    if let Some(pos) = https
        .helpers
        .iter()
        .position(|h| h.kind == HelperKind::Guard)
    {
        for h in &mut https.helpers[..=pos] {
            h.answer = Answer::No;
        }
    }
    Some(PushUrl {
        remote: crate::facts::GUARD_REMOTE.into(),
        url: parsed,
        configured: None,
        rewrite: None,
        provider,
        authenticated_now: false,
        https: Some(https),
        ssh: None,
    })
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
    writeln!(err, "git-credcheck guard: fix the above, or bypass once with `git -c credential.helper= -c credential.helper=<your helper> push`")?;
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
    let mut err = std::io::stderr().lock();
    for l in lines {
        writeln!(err, "{}", crate::redact::text(&l))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_protocol_and_ignores_unknown_keys() {
        let a = parse(b"capability[]=authtype\nprotocol=https\nhost=bitbucket.org\nwwwauth[]=Basic realm=\"x\"\nusername=alice\nnonsense\n\nhost=ignored\n");
        assert_eq!(a.protocol.as_deref(), Some("https"));
        assert_eq!(a.host.as_deref(), Some("bitbucket.org"));
        assert_eq!(a.username.as_deref(), Some("alice"));
        assert_eq!(parse(b""), Attributes::default());
        assert_eq!(parse(&[0xff, 0xfe, b'\n']), Attributes::default());
    }
}
