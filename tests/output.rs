//! Reports for people and machines: golden files of each format on a real repository,
//! schema validation, explanations, the configuration file, colour and verbosity.

use crate::util::{assert_no_leak, manifest_dir, Env, Run};
use std::path::PathBuf;

const URL_SECRET: &str = "Zk3Pq9Wm2Lx8Rt4Yv";
const APP_PASSWORD: &str = "ATBBQq1Ww2Ee3Rr4Tt5Yy6Uu7Ii8Oo9Pp0Aa";

/// A repository with one finding of each severity: an error (a stored app password), a
/// warning (a token in a URL) and an info (a rewrite that changes the host).
fn scenario() -> (Env, PathBuf) {
    let env = Env::new();
    let repo = env.repo("work");
    env.git_ok(
        &repo,
        &[
            "remote",
            "add",
            "origin",
            &format!("https://alice:{URL_SECRET}@git.example.test/acme/app.git"),
        ],
    );
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            "url.https://bitbucket.org/.insteadOf",
            "bb:",
        ],
    );
    env.git_ok(&repo, &["remote", "add", "bb", "bb:acme/app.git"]);
    env.git_ok(&repo, &["config", "--global", "credential.helper", "store"]);
    env.home_file(
        ".git-credentials",
        &format!("https://alice:{APP_PASSWORD}@bitbucket.org\n"),
    );
    (env, repo)
}

fn secrets() -> Vec<String> {
    vec![URL_SECRET.to_owned(), APP_PASSWORD.to_owned()]
}

fn normalise(env: &Env, text: &str) -> String {
    let tmp = env.dir.path().to_str().expect("utf8");
    text.replace(tmp, "[TMP]")
        .replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

/// Compares with tests/snapshots/NAME (rewrites it under UPDATE_GOLDEN=1).
fn golden(name: &str, actual: &str) {
    let path = manifest_dir().join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("write golden");
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(expected == actual, "{name} differs from the golden file (UPDATE_GOLDEN=1 to accept):\n--- expected\n{expected}\n--- actual\n{actual}");
}

fn schema(path: PathBuf) -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("schema JSON");
    jsonschema::validator_for(&schema).expect("valid schema")
}

fn validate(validator: &jsonschema::Validator, doc: &serde_json::Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match its schema:\n{}",
        errors.join("\n")
    );
}

#[test]
fn golden_human_json_sarif() {
    let (env, repo) = scenario();
    for (format, file) in [
        ("human", "doctor.txt"),
        ("json", "doctor.json"),
        ("sarif", "doctor.sarif"),
    ] {
        let r = env.credcheck(&repo, &["--format", format]);
        assert_eq!(r.code, 1, "{format}: {}", r.all());
        assert_eq!(r.stderr, "", "{format}: stdout carries only the report");
        assert_no_leak(&r.all(), &secrets(), format);
        golden(file, &normalise(&env, &r.stdout));
    }
}

#[test]
fn json_and_sarif_match_their_schemas_with_every_severity() {
    let (env, repo) = scenario();
    let json = env.credcheck(&repo, &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    let severities: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["severity"].as_str().expect("severity"))
        .collect();
    for s in ["error", "warning", "info"] {
        assert!(severities.contains(&s), "no {s} finding: {severities:?}");
    }
    validate(
        &schema(manifest_dir().join("docs/report.schema.json")),
        &doc,
        "JSON report",
    );
    let sarif = env.credcheck(&repo, &["--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("sarif");
    validate(
        &schema(manifest_dir().join("tests/fixtures/sarif-schema-2.1.0.json")),
        &doc,
        "SARIF",
    );
    let results = doc["runs"][0]["results"].as_array().expect("results");
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().expect("level"))
        .collect();
    assert!(
        levels.contains(&"error") && levels.contains(&"warning") && levels.contains(&"note"),
        "{levels:?}"
    );
    // Locations point at the file and line holding the value: the store line, .git/config.
    let uris: Vec<String> = results
        .iter()
        .filter_map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert!(
        uris.iter().any(|u| u.ends_with("/home/.git-credentials")),
        "{uris:?}"
    );
    assert!(uris.iter().any(|u| u == ".git/config"), "{uris:?}");
    assert_eq!(
        doc["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .expect("rules")
            .len(),
        rule_codes().len()
    );
}

fn rule_codes() -> Vec<String> {
    let env = Env::new();
    let r = env.credcheck(env.dir.path(), &["rules", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&r.stdout).expect("rules json");
    list.as_array()
        .expect("list")
        .iter()
        .map(|r| r["code"].as_str().expect("code").to_owned())
        .collect()
}

#[test]
fn explain_every_rule() {
    let env = Env::new();
    let codes = rule_codes();
    assert!(codes.len() >= 20);
    for code in codes {
        let r = env.credcheck(env.dir.path(), &["explain", &code]);
        assert_eq!(r.code, 0, "{code}: {}", r.all());
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Fix",
        ] {
            assert!(r.stdout.contains(section), "{code} lacks {section}");
        }
    }
    let r = env.credcheck(env.dir.path(), &["explain", "retired-secret-kind"]);
    assert!(r.stdout.starts_with("CC202"), "{}", r.stdout);
    let r = env.credcheck(env.dir.path(), &["explain", "CC999"]);
    assert_eq!(r.code, 2);
}

fn with_config(text: &str) -> (Env, PathBuf, Run) {
    let (env, repo) = scenario();
    std::fs::write(repo.join(".credcheck.yaml"), text).expect("config");
    let r = env.credcheck(&repo, &["--format", "json"]);
    (env, repo, r)
}

#[test]
fn config_file_levels_hosts_and_errors() {
    let (_, _, r) = with_config("rules:\n  CC202: warning\n  url-embeds-secret: off\n");
    assert_eq!(r.code, 0, "{}", r.all());
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let codes: Vec<(&str, &str)> = doc["findings"]
        .as_array()
        .expect("f")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().expect("c"),
                f["severity"].as_str().expect("s"),
            )
        })
        .collect();
    assert!(
        codes.contains(&("CC202", "warning")) && !codes.iter().any(|(c, _)| *c == "CC101"),
        "{codes:?}"
    );
    let (_, _, r) = with_config("rules:\n  CC307: off\n");
    assert!(
        r.stdout.contains("suppression of CC307 (ssh-many-keys)")
            && r.stdout.contains("matched nothing"),
        "{}",
        r.stdout
    );
    for (text, needle) in [
        (
            "rules:\n  CC999: off\n",
            ".credcheck.yaml:2:3: unknown rule `CC999`",
        ),
        (
            "rules:\n  CC101: loud\n",
            "valid: error, warning, info, off",
        ),
        (
            "hosts:\n  git.acme.test: fossil\n",
            "unknown provider `fossil`",
        ),
        ("colour: true\n", "unknown field `colour`"),
        ("on-internal-error: maybe\n", "valid: allow, block"),
    ] {
        let (_, _, r) = with_config(text);
        assert_eq!(r.code, 2, "{text}: {}", r.all());
        assert!(r.stderr.contains(needle), "{text}: {}", r.stderr);
        assert_eq!(r.stdout, "");
    }
    // The user file maps a host; the repository file wins over it.
    let (env, repo) = scenario();
    env.home_file(
        ".config/git-credcheck/config.yaml",
        "hosts:\n  git.example.test: github\n",
    );
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(
        r.stdout.contains("\"provider\": \"github\""),
        "{}",
        r.stdout
    );
    std::fs::write(
        repo.join(".credcheck.yaml"),
        "hosts:\n  git.example.test: gitlab\n",
    )
    .expect("write");
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(
        r.stdout.contains("\"provider\": \"gitlab\"")
            && !r.stdout.contains("\"provider\": \"github\""),
        "{}",
        r.stdout
    );
}

#[test]
fn init_writes_a_template_that_parses() {
    let (env, repo) = scenario();
    let r = env.credcheck(&repo, &["init"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(repo.join(".credcheck.yaml").exists());
    assert_eq!(
        env.credcheck(&repo, &["init"]).code,
        2,
        "init must not overwrite"
    );
    assert_eq!(
        env.credcheck(&repo, &[]).code,
        1,
        "the template parses and changes nothing"
    );
}

#[test]
fn colour_quiet_verbose_facts() {
    let (env, repo) = scenario();
    let plain = env.credcheck(&repo, &[]);
    assert!(
        plain.stdout.contains("error[CC202]") && !plain.stdout.contains('\x1b'),
        "{}",
        plain.stdout
    );
    let forced: Run = env
        .cmd(crate::util::BIN, &repo)
        .env("CLICOLOR_FORCE", "1")
        .output()
        .expect("run")
        .into();
    assert!(
        forced.stdout.contains("\x1b[1m\x1b[31m"),
        "{}",
        forced.stdout
    );
    let no: Run = env
        .cmd(crate::util::BIN, &repo)
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .output()
        .expect("run")
        .into();
    assert!(
        no.stdout.contains("error[CC202]") && !no.stdout.contains('\x1b'),
        "{}",
        no.stdout
    );
    let quiet = env.credcheck(&repo, &["--quiet"]);
    assert!(
        quiet.stdout.contains("error[CC202]")
            && !quiet.stdout.contains("warning[")
            && !quiet.stdout.contains("info["),
        "{}",
        quiet.stdout
    );
    let verbose = env.credcheck(&repo, &["--verbose"]);
    assert!(verbose.stderr.contains("\"remotes\""), "{}", verbose.stderr);
    assert_no_leak(&verbose.all(), &secrets(), "--verbose");
    let facts = env.credcheck(&repo, &["--facts"]);
    let doc: serde_json::Value = serde_json::from_str(&facts.stdout).expect("facts JSON");
    assert_eq!(doc["remotes"].as_array().map(Vec::len), Some(2));
    assert_no_leak(&facts.all(), &secrets(), "--facts");
}

#[test]
fn exit_codes() {
    let (env, repo) = scenario();
    assert_eq!(env.credcheck(&repo, &[]).code, 1);
    assert_eq!(
        env.credcheck(&repo, &["--remote", "origin"]).code,
        0,
        "origin alone has only a warning"
    );
    assert_eq!(env.credcheck(&repo, &["--remote", "nope"]).code, 2);
    assert_eq!(
        env.credcheck(env.dir.path(), &[]).code,
        2,
        "not a repository"
    );
    let help = env.credcheck(&repo, &["--help"]);
    assert!(
        help.stdout.contains("Exit codes:")
            && help.stdout.contains("2  git-credcheck itself failed"),
        "{}",
        help.stdout
    );
}
