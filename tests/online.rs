//! `git credcheck --online` against the real smart-HTTP server (git http-backend behind
//! Basic auth, tests/support/git_http_server.py) and the real sshd of tests/ssh.rs:
//! what each server answer is classified as, that the user's credential store is left
//! byte-identical, that a certain-dead credential is never sent, and that a server
//! that never answers costs one deadline with nothing left running.

use crate::http::{GHP, GHP_OTHER, PASSWORD};
use crate::util::{assert_no_leak, json, require, require_root, Env, HttpServer, Run};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A GitHub-like listener: GHP may push, READER may only read, `hidden.git` is private.
const GH: &str = "127.0.0.2";
/// A listener of no known provider: only `alice` with [`GOOD_PW`] gets in.
const PLAIN: &str = "127.0.0.6";
/// Accepts the connection, reads the request, never answers.
const HANG: &str = "127.0.0.7";
/// A GitHub-like listener that waits [`DELAY`] seconds before each answer.
const SLOW: &str = "127.0.0.8";

const READER: &str = "ghp_Rd4Lq8Wz2Xc6Vb0Nm3Kj7Hg5Fd1Sa9Po2Iu6";
const GOOD_PW: &str = "correct-Horse-battery-9";
const DELAY: f64 = 0.5;

/// Marks every process a test starts, to find any left running.
const MARK: &str = "CREDCHECK_ONLINE_TEST_MARK";

/// This test's mark value: the process and a per-test number (tests run in parallel).
fn mark(env: &mut Env) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let value = format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    env.set(MARK, &value);
    value
}

fn server(env: &Env) -> HttpServer {
    let srv = HttpServer::start_json(
        env,
        vec![
            json!({ "bind": GH, "provider": "github", "accept": [["", GHP]], "any_user": true,
                    "read_only": [["", READER]], "hidden": ["hidden.git"] }),
            json!({ "bind": PLAIN, "provider": "plain", "accept": [["alice", GOOD_PW]], "any_user": false }),
            json!({ "bind": HANG, "provider": "github", "accept": [], "any_user": false, "hang": true }),
            json!({ "bind": SLOW, "provider": "github", "accept": [["", GHP]], "any_user": true, "delay": DELAY }),
        ],
    );
    env.map_hosts(&[(GH, "github"), (HANG, "github"), (SLOW, "github")]);
    srv
}

/// A fresh environment, marked, with a work tree `work` and the server's repositories.
fn setup() -> (Env, PathBuf, HttpServer) {
    let mut env = Env::new();
    mark(&mut env);
    let repo = env.repo("work");
    let srv = server(&env);
    for name in ["app", "hidden"] {
        srv.repo(&env, name);
    }
    (env, repo, srv)
}

fn hostport(srv: &HttpServer, bind: &str) -> String {
    format!("{bind}:{}", srv.ports[bind])
}

/// A `store` helper holding one line per (host:port, user, secret).
fn store(env: &Env, repo: &Path, lines: &[(&str, &str, &str)]) -> PathBuf {
    env.git_ok(repo, &["config", "--global", "credential.helper", "store"]);
    let text: String = lines
        .iter()
        .map(|(hostport, user, secret)| {
            format!("http://{user}:{}@{hostport}\n", secret.replace('&', "%26"))
        })
        .collect();
    env.home_file(".git-credentials", &text)
}

/// `git credcheck --online --format json`; the report is checked against
/// docs/report.schema.json (its `confirmed` field included).
fn online(env: &Env, repo: &Path, extra: &[&str]) -> (Run, Value, Duration) {
    let start = Instant::now();
    let mut args = vec!["--online", "--format", "json"];
    args.extend_from_slice(extra);
    let run = env.credcheck(repo, &args);
    let took = start.elapsed();
    let doc = json(&run);
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::util::manifest_dir().join("docs/report.schema.json"))
            .expect("schema"),
    )
    .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "report breaks its schema: {errors:?}\n{doc:#}"
    );
    (run, doc, took)
}

/// The findings of the online rules (CC4xx) for `remote`.
fn online_findings<'a>(doc: &'a Value, remote: &str) -> Vec<&'a Value> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["remote"] == remote && f["code"].as_str().is_some_and(|c| c.starts_with("CC4"))
        })
        .collect()
}

/// The one online finding of `remote`, with its code.
fn the_finding<'a>(doc: &'a Value, remote: &str, code: &str) -> &'a Value {
    let found = online_findings(doc, remote);
    assert_eq!(found.len(), 1, "one online finding for {remote}: {doc:#}");
    assert_eq!(found[0]["code"], code, "{remote}: {:#}", found[0]);
    found[0]
}

/// Processes still running that carry this test's mark.
fn leftovers(env: &Env) -> Vec<String> {
    let value = env
        .extra
        .iter()
        .find(|(k, _)| k == MARK)
        .map(|(_, v)| v.clone())
        .expect("a marked environment");
    let me = format!("{MARK}={value}");
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        if environ.split(|b| *b == 0).any(|v| v == me.as_bytes()) {
            let cmd = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            out.push(format!(
                "{}: {}",
                entry.file_name().to_string_lossy(),
                String::from_utf8_lossy(&cmd).replace('\0', " ")
            ));
        }
    }
    out
}

fn log_lines<'a>(log: &'a str, bind: &str) -> Vec<&'a str> {
    log.lines()
        .filter(|l| l.starts_with(&format!("{bind} ")))
        .collect()
}

#[test]
fn healthy_https_is_confirmed_and_the_store_is_untouched() {
    if !require("python3") {
        return;
    }
    let (env, repo, srv) = setup();
    env.git_ok(&repo, &["remote", "add", "origin", &srv.url(GH, "app.git")]);
    let creds = store(&env, &repo, &[(&hostport(&srv, GH), "alice", GHP)]);
    let before = std::fs::read(&creds).expect("store");
    let (run, doc, _) = online(&env, &repo, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    let f = the_finding(&doc, "origin", "CC401");
    assert_eq!(f["confirmed"], true);
    assert_eq!(f["severity"], "info");
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("push access confirmed") && msg.contains("`store` helper"),
        "{msg}"
    );
    assert_eq!(std::fs::read(&creds).expect("store"), before);
    assert_no_leak(&run.all(), &[GHP.to_owned()], "confirmed");
    // Only the receive-pack advertisement was asked for: no POST, nothing pushed.
    let log = srv.log();
    let lines = log_lines(&log, GH);
    assert!(
        !lines.is_empty()
            && lines
                .iter()
                .all(|l| l.contains(" GET /app.git/info/refs?service=git-receive-pack ")),
        "{log}"
    );
    // Without --online nothing is asked.
    let before_len = srv.log().len();
    let offline = env.credcheck(&repo, &["--format", "json"]);
    assert_eq!(offline.code, 0, "{}", offline.all());
    assert!(online_findings(&json(&offline), "origin").is_empty());
    assert_eq!(srv.log().len(), before_len);
}

#[test]
fn a_refused_password_is_explained_and_the_store_is_byte_identical() {
    if !require("python3") {
        return;
    }
    let (env, repo, srv) = setup();
    env.git_ok(
        &repo,
        &["remote", "add", "origin", &srv.url(PLAIN, "app.git")],
    );
    let creds = store(&env, &repo, &[(&hostport(&srv, PLAIN), "alice", PASSWORD)]);
    let before = std::fs::read(&creds).expect("store");
    let (run, doc, _) = online(&env, &repo, &[]);
    assert_eq!(run.code, 1, "a confirmed refusal exits 1: {}", run.all());
    let f = the_finding(&doc, "origin", "CC402");
    assert_eq!(f["confirmed"], false);
    assert_eq!(f["severity"], "error");
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("refused the password")
            && msg.contains("`store` helper")
            && msg.contains("HTTP 401: Invalid credentials"),
        "{msg}"
    );
    let cause = f["cause"].as_str().unwrap_or_default();
    assert!(cause.contains("still stored"), "{cause}");
    let fix = f["fix"]["commands"].to_string();
    assert!(fix.contains(".git-credentials"), "{fix}");
    assert_eq!(
        std::fs::read(&creds).expect("store"),
        before,
        "git's erase reached the store helper"
    );
    assert_no_leak(&run.all(), &[PASSWORD.to_owned()], "refused");
    // The same password in the push URL: git asks no helper, sends it, and tells the
    // helpers to erase it; the finding points at the URL, and nothing leaks.
    let in_url = srv.url(PLAIN, "app.git").replacen(
        "http://",
        &format!("http://alice:{}@", PASSWORD.replace('&', "%26")),
        1,
    );
    env.git_ok(&repo, &["remote", "add", "inurl", &in_url]);
    let (run, doc, _) = online(&env, &repo, &["--remote", "inurl"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let f = the_finding(&doc, "inurl", "CC402");
    assert!(
        f["message"]
            .as_str()
            .unwrap_or_default()
            .contains("in the push URL"),
        "{f:#}"
    );
    assert_no_leak(&run.all(), &[PASSWORD.to_owned()], "refused, in the URL");
    assert_eq!(std::fs::read(&creds).expect("store"), before);
    // The password was sent once per probe (after the first 401), never retried.
    let log = srv.log();
    let with_auth = log_lines(&log, PLAIN)
        .into_iter()
        .filter(|l| !l.ends_with("auth=-"))
        .count();
    assert_eq!(with_auth, 2, "{log}");
}

#[test]
fn an_authenticated_reader_without_push_permission_gets_403() {
    if !require("python3") {
        return;
    }
    let (env, repo, srv) = setup();
    env.git_ok(&repo, &["remote", "add", "origin", &srv.url(GH, "app.git")]);
    store(&env, &repo, &[(&hostport(&srv, GH), "alice", READER)]);
    let (run, doc, _) = online(&env, &repo, &[]);
    assert_eq!(run.code, 1, "{}", run.all());
    let f = the_finding(&doc, "origin", "CC403");
    assert_eq!(f["confirmed"], false);
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("accepted the GitHub personal access token (classic)")
            && msg.contains("HTTP 403: Write access to repository not granted."),
        "{msg}"
    );
    assert!(
        f["cause"]
            .as_str()
            .unwrap_or_default()
            .contains("Contents read and write"),
        "{f:#}"
    );
    // The same credential can still read: ls-remote works, a push does not.
    env.git_ok(&repo, &["ls-remote", "origin"]);
    let push = env.git(&repo, &["push", "--no-verify", "origin", "HEAD:main"]);
    assert_ne!(push.code, 0, "the server was expected to refuse the push");
}

#[test]
fn a_repository_the_user_cannot_see_gets_404() {
    if !require("python3") {
        return;
    }
    let (env, repo, srv) = setup();
    env.git_ok(
        &repo,
        &["remote", "add", "origin", &srv.url(GH, "hidden.git")],
    );
    store(&env, &repo, &[(&hostport(&srv, GH), "alice", GHP)]);
    let (run, doc, _) = online(&env, &repo, &[]);
    assert_eq!(run.code, 1, "{}", run.all());
    let f = the_finding(&doc, "origin", "CC404");
    assert_eq!(f["confirmed"], false);
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(msg.contains("HTTP 404: Repository not found."), "{msg}");
    assert!(f["fix"]["commands"]
        .to_string()
        .contains("git remote set-url origin"));
}

#[test]
fn a_certain_dead_credential_is_not_sent() {
    if !require("python3") {
        return;
    }
    let (env, repo, srv) = setup();
    env.git_ok(&repo, &["remote", "add", "origin", &srv.url(GH, "app.git")]);
    // An account password for a GitHub host: CC202 calls it refused, certainly.
    store(&env, &repo, &[(&hostport(&srv, GH), "alice", PASSWORD)]);
    let (run, doc, _) = online(&env, &repo, &[]);
    assert_eq!(run.code, 1, "{}", run.all());
    let f = the_finding(&doc, "origin", "CC406");
    assert_eq!(f["confirmed"], "unknown");
    assert!(
        f["message"]
            .as_str()
            .unwrap_or_default()
            .contains("CC202 already says"),
        "{f:#}"
    );
    assert!(
        doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|x| x["code"] == "CC202" && x["severity"] == "error"),
        "{doc:#}"
    );
    let log = srv.log();
    assert!(
        log_lines(&log, GH).is_empty(),
        "the server was asked anyway:\n{log}"
    );
}

#[test]
fn unreachable_and_silent_servers_are_warnings_within_the_deadline() {
    if !require("python3") || !require("ssh") || !require("ssh-keygen") {
        return;
    }
    let (env, repo, srv) = setup();
    let closed = crate::ssh::free_port();
    env.git_ok(
        &repo,
        &[
            "remote",
            "add",
            "closed",
            &format!("http://127.0.0.1:{closed}/app.git"),
        ],
    );
    env.git_ok(
        &repo,
        &["remote", "add", "hangs", &srv.url(HANG, "app.git")],
    );
    // An SSH URL where nothing listens, with its host key known (else CC305 withholds it).
    let host_key = env.path("hostkey");
    crate::ssh::keygen(&host_key, "ed25519", "");
    let public = std::fs::read_to_string(host_key.with_extension("pub")).expect("pub");
    let mut words = public.split_whitespace();
    let kh = env.write(
        "known_hosts",
        &format!(
            "[127.0.0.1]:{closed} {} {}\n",
            words.next().unwrap_or_default(),
            words.next().unwrap_or_default()
        ),
    );
    let key = env.path("id");
    crate::ssh::keygen(&key, "ed25519", "");
    let cfg = env.write(
        "ssh_config",
        &format!(
            "Host *\n  IdentityFile {}\n  IdentitiesOnly yes\n  UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n",
            key.display(),
            kh.display()
        ),
    );
    env.git_ok(
        &repo,
        &[
            "config",
            "core.sshCommand",
            &format!("ssh -F {}", cfg.display()),
        ],
    );
    env.git_ok(
        &repo,
        &[
            "remote",
            "add",
            "sshclosed",
            &format!("ssh://git@127.0.0.1:{closed}/app.git"),
        ],
    );
    let closed_host = format!("127.0.0.1:{closed}");
    store(
        &env,
        &repo,
        &[
            (&hostport(&srv, HANG), "alice", GHP),
            (&closed_host, "alice", GHP),
        ],
    );
    let (run, doc, took) = online(&env, &repo, &["--online-timeout", "2"]);
    assert_eq!(
        run.code,
        0,
        "a network failure is never an error: {}",
        run.all()
    );
    for remote in ["closed", "hangs", "sshclosed"] {
        let f = the_finding(&doc, remote, "CC405");
        assert_eq!(f["severity"], "warning");
        assert_eq!(f["confirmed"], "unknown");
        assert!(
            f["message"]
                .as_str()
                .unwrap_or_default()
                .contains("could not confirm push access"),
            "{f:#}"
        );
    }
    let why = |r: &str| {
        the_finding(&doc, r, "CC405")["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        why("hangs").contains("no answer within 2.00 s"),
        "{}",
        why("hangs")
    );
    assert!(
        why("closed").contains("nothing accepts connections"),
        "{}",
        why("closed")
    );
    assert!(
        why("sshclosed").contains("nothing accepts connections"),
        "{}",
        why("sshclosed")
    );
    // One deadline for all three (they run at once), plus the offline part.
    assert!(took < Duration::from_secs(6), "took {took:?}");
    // The probe of the hanging server was killed with everything it started.
    std::thread::sleep(Duration::from_millis(200));
    let left = leftovers(&env);
    assert!(left.is_empty(), "still running: {left:?}");
    assert!(
        log_lines(&srv.log(), HANG).len() == 1,
        "the hanging server saw the request: {}",
        srv.log()
    );
}

#[test]
fn several_remotes_take_about_one_round_trip() {
    if !require("python3") {
        return;
    }
    let (env, repo, srv) = setup();
    store(&env, &repo, &[(&hostport(&srv, SLOW), "alice", GHP)]);
    env.git_ok(&repo, &["remote", "add", "r0", &srv.url(SLOW, "app.git")]);
    let (run, doc, one) = online(&env, &repo, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    the_finding(&doc, "r0", "CC401");
    for i in 1..4 {
        env.git_ok(
            &repo,
            &["remote", "add", &format!("r{i}"), &srv.url(SLOW, "app.git")],
        );
    }
    let (run, doc, four) = online(&env, &repo, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    for i in 0..4 {
        the_finding(&doc, &format!("r{i}"), "CC401");
    }
    // Each probe takes two answers (401, then 200), each DELAY late: 4 × 2 × DELAY in turn.
    let sequential = Duration::from_secs_f64(4.0 * 2.0 * DELAY);
    eprintln!("online timing: 1 remote {one:?}, 4 remotes {four:?} (in turn: ≥ {sequential:?})");
    assert!(four < one * 2, "1 remote {one:?}, 4 remotes {four:?}");
    assert!(four < sequential, "4 remotes {four:?}");
}

#[test]
fn online_true_in_the_config_and_offline_flag() {
    if !require("python3") {
        return;
    }
    let (env, repo, srv) = setup();
    env.git_ok(&repo, &["remote", "add", "origin", &srv.url(GH, "app.git")]);
    store(&env, &repo, &[(&hostport(&srv, GH), "alice", GHP)]);
    std::fs::write(repo.join(".credcheck.yaml"), "online: true\n").expect("config");
    let run = env.credcheck(&repo, &["--format", "json"]);
    the_finding(&json(&run), "origin", "CC401");
    let run = env.credcheck(&repo, &["--offline", "--format", "json"]);
    assert!(online_findings(&json(&run), "origin").is_empty());
    for bad in [
        &["--online-timeout", "0"][..],
        &["--online-timeout", "nan"],
        &["--offline", "--online"],
    ] {
        let run = env.credcheck(&repo, bad);
        assert_eq!(run.code, 2, "{bad:?}: {}", run.all());
    }
    // The hook stays offline whatever the config says.
    let asked = srv.log().len();
    let hook = env.credcheck_stdin(
        &repo,
        &["hook", "pre-push", "origin", &srv.url(GH, "app.git")],
        b"",
    );
    assert_eq!(hook.code, 0, "{}", hook.all());
    assert_eq!(srv.log().len(), asked, "the hook asked the server");
    let sarif = env.credcheck(&repo, &["--format", "sarif"]);
    let doc: Value = serde_json::from_str(&sarif.stdout).expect("sarif");
    let result = doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "CC401")
        .cloned()
        .unwrap_or_default();
    assert_eq!(result["properties"]["confirmed"], true, "{doc:#}");
}

/// The SSH side against the real sshd: a key that may push, a read-only key (its forced
/// command is `git-upload-pack`), and a key the server does not know.
#[test]
fn ssh_keys_confirmed_read_only_and_refused() {
    let tools = ["/usr/sbin/sshd", "ssh", "ssh-keygen"];
    if !tools.into_iter().all(require) || !require_root("sshd needs to accept logins as root") {
        return;
    }
    let mut env = Env::new();
    mark(&mut env);
    let repo = env.repo("work");
    let bare = env.bare("remote.git");
    let keys = env.path("keys");
    std::fs::create_dir_all(&keys).expect("keys");
    let (good, ro, stranger) = (keys.join("good"), keys.join("ro"), keys.join("stranger"));
    for k in [&good, &ro, &stranger] {
        crate::ssh::keygen(k, "ed25519", "");
    }
    let sshd = crate::ssh::Sshd::start(&env, &[&good]);
    let ak = sshd.dir.join("authorized_keys");
    let mut lines = std::fs::read_to_string(&ak).expect("authorized_keys");
    lines.push_str(&format!(
        "restrict,command=\"git-upload-pack '{}'\" {}",
        bare.display(),
        std::fs::read_to_string(ro.with_extension("pub")).expect("ro.pub")
    ));
    std::fs::write(&ak, lines).expect("authorized_keys");
    let kh = env.write("known_hosts", &sshd.known_hosts_line());
    let mut cfg = String::new();
    for (alias, key) in [("good", &good), ("ro", &ro), ("stranger", &stranger)] {
        cfg.push_str(&format!(
            "Host {alias}\n  HostName 127.0.0.1\n  Port {}\n  User root\n  IdentityFile {}\n",
            sshd.port,
            key.display()
        ));
    }
    cfg.push_str(&format!(
        "Host *\n  IdentitiesOnly yes\n  StrictHostKeyChecking yes\n  UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n",
        kh.display()
    ));
    let cfg = env.write("ssh_config", &cfg);
    env.set("GIT_SSH_COMMAND", &format!("ssh -F {}", cfg.display()));
    for alias in ["good", "ro", "stranger"] {
        env.git_ok(
            &repo,
            &[
                "remote",
                "add",
                alias,
                &format!("{alias}:{}", bare.display()),
            ],
        );
    }
    let (run, doc, _) = online(&env, &repo, &[]);
    assert_eq!(run.code, 1, "{}", run.all());
    let f = the_finding(&doc, "good", "CC401");
    assert!(
        f["message"]
            .as_str()
            .unwrap_or_default()
            .contains("over SSH as `root`"),
        "{f:#}"
    );
    let f = the_finding(&doc, "ro", "CC403");
    assert!(
        f["message"]
            .as_str()
            .unwrap_or_default()
            .contains("fetch-only service"),
        "{f:#}"
    );
    let f = the_finding(&doc, "stranger", "CC402");
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(msg.contains("Permission denied (publickey"), "{msg}");
    assert!(
        f["cause"].as_str().unwrap_or_default().contains("stranger"),
        "{f:#}"
    );
    // Nothing was pushed: the bare repository still has no refs.
    assert!(env.git_ok(&bare, &["for-each-ref"]).trim().is_empty());
    // Real pushes agree.
    assert_eq!(
        env.git(&repo, &["push", "--no-verify", "good", "HEAD:main"])
            .code,
        0
    );
    assert_ne!(
        env.git(&repo, &["push", "--no-verify", "ro", "HEAD:ro"])
            .code,
        0
    );
    assert_ne!(
        env.git(&repo, &["push", "--no-verify", "stranger", "HEAD:x"])
            .code,
        0
    );
    let left = leftovers(&env);
    assert!(left.is_empty(), "still running: {left:?}");
}

#[test]
fn the_refused_credential_of_a_real_push_is_the_one_we_name() {
    // A real `git push` with the same refused credential: git erases the store line
    // (that is what the probe must not do), and fails the way CC402 predicted.
    if !require("python3") {
        return;
    }
    let (env, repo, srv) = setup();
    env.git_ok(&repo, &["remote", "add", "origin", &srv.url(GH, "app.git")]);
    let creds = store(&env, &repo, &[(&hostport(&srv, GH), "alice", GHP_OTHER)]);
    let (run, doc, _) = online(&env, &repo, &[]);
    assert_eq!(run.code, 1, "{}", run.all());
    let f = the_finding(&doc, "origin", "CC402");
    assert!(
        f["message"]
            .as_str()
            .unwrap_or_default()
            .contains("GitHub personal access token (classic)"),
        "{f:#}"
    );
    assert!(std::fs::read_to_string(&creds)
        .expect("store")
        .contains("alice"));
    let push = env.git(&repo, &["push", "--no-verify", "origin", "HEAD:main"]);
    assert_ne!(push.code, 0);
    assert!(
        push.stderr.contains("Authentication failed"),
        "{}",
        push.stderr
    );
    assert!(
        !std::fs::read_to_string(&creds)
            .expect("store")
            .contains("alice"),
        "git itself erases the refused line"
    );
}

#[test]
fn a_credential_helper_that_never_answers_costs_one_deadline() {
    if !require("python3") {
        return;
    }
    let (env, repo, srv) = setup();
    env.git_ok(&repo, &["remote", "add", "origin", &srv.url(GH, "app.git")]);
    // A helper stuck on something (a keyring's unlock dialog), and it forks.
    let stuck = env.script("stuck-helper", "sleep 60 & sleep 60");
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            "credential.helper",
            &stuck.display().to_string(),
        ],
    );
    let (run, doc, took) = online(&env, &repo, &["--online-timeout", "2"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let f = the_finding(&doc, "origin", "CC405");
    assert!(
        f["message"]
            .as_str()
            .unwrap_or_default()
            .contains("credential helpers gave git no answer"),
        "{f:#}"
    );
    assert!(took < Duration::from_secs(6), "took {took:?}");
    std::thread::sleep(Duration::from_millis(200));
    let left = leftovers(&env);
    assert!(left.is_empty(), "still running: {left:?}");
}
