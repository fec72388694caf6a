//! Issue 13: a hint that a token may lack a path-guarded scope (GitHub's `workflow`) is
//! said once per credential: after that credential has pushed such a change, the pushes
//! that follow through the installed hook print nothing. Real git, the installed pre-push
//! hook, the real smart-HTTP server, the opt-in ledger (`guard: record: true`).

use crate::http::{GHP, GHP_OTHER};
use crate::util::{require, Env, HttpServer};
use std::path::{Path, PathBuf};

const GH: &str = "127.0.0.2";

struct World {
    env: Env,
    _srv: HttpServer,
    repo: PathBuf,
    hostport: String,
}

impl World {
    fn new(record: bool) -> World {
        let env = Env::new();
        let accept = vec![
            (String::new(), GHP.to_owned()),
            (String::new(), GHP_OTHER.to_owned()),
        ];
        let srv = HttpServer::start(&env, &[(GH, "github", accept, true)]);
        env.home_file(
            ".config/git-credcheck/config.yaml",
            &format!("hosts:\n  \"{GH}\": github\nguard:\n  record: {record}\n"),
        );
        let repo = env.repo("work");
        let path = srv.repo(&env, "r");
        env.git_ok(&repo, &["remote", "add", "origin", &srv.url(GH, &path)]);
        env.git_ok(&repo, &["config", "--global", "credential.helper", "store"]);
        let r = env.credcheck(&repo, &["install"]);
        assert_eq!(r.code, 0, "{}", r.all());
        let hostport = format!("{GH}:{}", srv.ports[GH]);
        World {
            env,
            _srv: srv,
            repo,
            hostport,
        }
    }

    fn store(&self, secret: &str) {
        self.env.home_file(
            ".git-credentials",
            &format!("http://alice:{secret}@{}\n", self.hostport),
        );
    }

    /// Commits `text` to `rel` and pushes through the hook: git's stdout and stderr.
    fn push_change(&self, rel: &str, text: &str) -> String {
        let file = self.repo.join(rel);
        std::fs::create_dir_all(file.parent().unwrap_or(Path::new("."))).expect("mkdir");
        std::fs::write(&file, text).expect("write");
        self.env.git_ok(&self.repo, &["add", "."]);
        self.env.git_ok(&self.repo, &["commit", "-qm", rel]);
        let r = self.env.git(&self.repo, &["push", "-q", "origin", "main"]);
        assert_eq!(r.code, 0, "the push works: {}", r.all());
        r.all()
    }
}

#[test]
fn a_workflow_hint_is_said_once_per_credential() {
    if !require("python3") {
        return;
    }
    let w = World::new(true);
    w.store(GHP);
    // Near miss: a healthy push that changes no workflow prints nothing.
    let out = w.push_change("README", "again\n");
    assert!(out.trim().is_empty(), "a healthy push printed: {out}");
    // The first workflow change with this token: the hint, and the push goes through.
    let out = w.push_change(".github/workflows/ci.yml", "on: push\n");
    assert!(
        out.contains("CC211") && out.contains(".github/workflows/ci.yml"),
        "first workflow push: {out}"
    );
    // That push reached the remote: the same credential is not told again.
    let out = w.push_change(".github/workflows/ci.yml", "on: [push, pull_request]\n");
    assert!(out.trim().is_empty(), "second workflow push: {out}");
    let out = w.push_change(".github/workflows/lint.yml", "on: push\n");
    assert!(out.trim().is_empty(), "third workflow push: {out}");
    // Another credential has proved nothing: it gets the hint.
    w.store(GHP_OTHER);
    let out = w.push_change(".github/workflows/ci.yml", "on: pull_request\n");
    assert!(out.contains("CC211"), "another credential: {out}");
    // The ledger holds keyed hashes and commits, never the secret, the URL or the path.
    let hints = std::fs::read_to_string(w.env.home.join(".local/state/git-credcheck/hints.jsonl"))
        .expect("hints.jsonl");
    crate::util::assert_no_leak(&hints, &[GHP.to_owned(), GHP_OTHER.to_owned()], "ledger");
    assert!(
        !hints.contains(GH) && !hints.contains("workflows"),
        "{hints}"
    );
    assert_eq!(hints.matches("\"accepted\"").count(), 1, "{hints}");
}

#[test]
fn without_the_ledger_the_hint_repeats() {
    if !require("python3") {
        return;
    }
    let w = World::new(false);
    w.store(GHP);
    for text in ["on: push\n", "on: pull_request\n"] {
        let out = w.push_change(".github/workflows/ci.yml", text);
        assert!(out.contains("CC211"), "{out}");
    }
    assert!(!w.env.home.join(".local/state/git-credcheck").exists());
}
