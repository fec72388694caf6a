//! The credential guard end to end: real git, the real smart-HTTP server with Basic auth.

use crate::http::{self, Ctx, ATATT, ATBB, BB};
use crate::util::{assert_no_leak, require, Env, Run};
use std::path::PathBuf;

struct World {
    env: Env,
    srv: crate::util::HttpServer,
    repo: PathBuf,
    path: String,
}

impl World {
    fn new() -> World {
        let env = Env::new();
        let srv = http::server(&env);
        let repo = env.repo("work");
        let path = srv.repo(&env, "r");
        World {
            env,
            srv,
            repo,
            path,
        }
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            env: &self.env,
            repo: &self.repo,
            srv: &self.srv,
            host: BB,
            path: self.path.clone(),
        }
    }

    /// A world whose `origin` is the served repository, with the guard installed globally.
    fn guarded() -> World {
        let w = World::new();
        let url = w.ctx().url();
        w.env.git_ok(&w.repo, &["remote", "add", "origin", &url]);
        w.install_guard();
        w
    }

    fn install_guard(&self) {
        let r = self
            .env
            .credcheck(&self.repo, &["install", "--guard", "--global"]);
        assert_eq!(r.code, 0, "{}", r.all());
        let again = self
            .env
            .credcheck(&self.repo, &["install", "--guard", "--global"]);
        assert!(
            again.stderr.contains("already installed"),
            "{}",
            again.all()
        );
    }

    fn push(&self) -> Run {
        self.env
            .git(&self.repo, &["push", "--no-verify", "origin", "main"])
    }

    /// Authorization values the server received that carry `secret`.
    fn server_saw(&self, user: &str, secret: &str) -> bool {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}"));
        self.srv.log().contains(&b64)
    }
}

#[test]
fn dead_credential_is_never_sent() {
    if !require("python3") {
        return;
    }
    let w = World::guarded();
    let c = w.ctx();
    c.store("alice", ATBB);
    let r = w.push();
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(
        !w.server_saw("alice", ATBB),
        "the server received the dead credential:\n{}",
        w.srv.log()
    );
    assert!(
        w.srv.log().contains("auth=-"),
        "git never even asked: {}",
        w.srv.log()
    );
    for needle in [
        "git-credcheck guard: stopped git",
        "CC202",
        "2026-07-28",
        "write:repository:bitbucket",
        "sed -i '1d'",
    ] {
        assert!(
            r.stderr.contains(needle),
            "missing `{needle}`:\n{}",
            r.stderr
        );
    }
    assert_no_leak(&r.all(), &http::secrets(), "guard get");
}

#[test]
fn rejected_credential_is_explained_by_erase() {
    if !require("python3") {
        return;
    }
    let w = World::guarded();
    let c = w.ctx();
    let wrong = "ATATT3xFfGF0WrongWrongWrong0123456789ab=DEADBEEF";
    c.store("alice", wrong);
    let r = w.push();
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(
        w.server_saw("alice", wrong),
        "the credential was not even tried"
    );
    assert!(
        r.stderr
            .contains("rejected the Atlassian API token (ATATT…"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("read:repository:bitbucket")
            && r.stderr
                .contains("already told your credential helpers to forget")
            && !r.stderr.contains("sed -i"),
        "{}",
        r.stderr
    );
    assert_no_leak(&r.all(), &[wrong.to_owned()], "guard erase");
}

#[test]
fn healthy_setups_push_and_the_guard_is_silent() {
    if !require("python3") {
        return;
    }
    type Setup = fn(&Ctx<'_>);
    let setups: Vec<(&str, Setup)> = vec![
        ("store with a valid token", |c| c.store("alice", ATATT)),
        ("custom helper after the guard", |c| {
            let h = c.env.script("bin/helper", &format!("[ \"$1\" = get ] && printf 'username=alice\\npassword={ATATT}\\n'\ncat >/dev/null"));
            c.git(&[
                "config",
                "--global",
                "--add",
                "credential.helper",
                &h.display().to_string(),
            ]);
        }),
        ("extraHeader", |c| {
            c.git(&[
                "config",
                "--global",
                "http.extraHeader",
                &Ctx::basic("alice", ATATT),
            ])
        }),
    ];
    for (name, setup) in setups {
        let w = World::guarded();
        let c = w.ctx();
        setup(&c);
        let r = w.push();
        assert_eq!(r.code, 0, "{name}: {}", r.all());
        assert!(
            !r.stderr.contains("git-credcheck"),
            "{name}: the guard spoke:\n{}",
            r.stderr
        );
    }
}

#[test]
fn guard_with_hook_and_in_clone_and_reset_reported() {
    if !require("python3") {
        return;
    }
    let w = World::guarded();
    let c = w.ctx();
    assert_eq!(w.env.credcheck(&w.repo, &["install"]).code, 0);
    c.store("alice", ATATT);
    let r = w.env.git(&w.repo, &["push", "origin", "main"]);
    assert_eq!(r.code, 0, "guard + hook on a healthy push: {}", r.all());
    // git clone asks the guard too: a dead credential stops the clone before it is sent.
    c.store("alice", ATBB);
    let r = w.env.git(&w.env.path(""), &["clone", &c.url(), "cloned"]);
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("CC202"), "{}", r.stderr);
    assert!(!w.server_saw("alice", ATBB));
    // A later reset (as `gh auth setup-git` writes) removes the guard for that host.
    w.env.git_ok(
        &w.repo,
        &[
            "config",
            "--global",
            "--add",
            &format!("credential.http://{}.helper", c.hostport()),
            "",
        ],
    );
    let r = w.env.credcheck(&w.repo, &["--format", "json"]);
    assert!(
        crate::util::codes(&r, "warning")
            .iter()
            .any(|x| x == "CC212"),
        "{}",
        r.stdout
    );
    let r = w.env.credcheck(&w.repo, &[]);
    assert!(r.stdout.contains("NOT active"), "{}", r.stdout);
    // Uninstall removes exactly what install added.
    let before = std::fs::read_to_string(w.env.home.join(".gitconfig")).expect("gitconfig");
    assert_eq!(
        w.env
            .credcheck(&w.repo, &["uninstall", "--guard", "--global"])
            .code,
        0
    );
    let after = std::fs::read_to_string(w.env.home.join(".gitconfig")).expect("gitconfig");
    assert!(!after.contains("git-credcheck") && before.contains("git-credcheck"));
    assert!(
        after.contains(&format!("credential \"http://{}\"", c.hostport())),
        "{after}"
    );
}

#[test]
fn guard_protocol_edge_cases() {
    let env = Env::new();
    let dir = env.path("");
    // Not http(s), garbage, empty: nothing on stdout, exit 0.
    for input in [
        &b"protocol=smtp\nhost=mail.example\n\n"[..],
        b"\xff\xfe\x00garbage",
        b"",
    ] {
        let r = env.credcheck_stdin(&dir, &["guard", "get"], input);
        assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.all());
    }
    // Unknown keys are skipped and the request still read: with no helper and no
    // terminal nothing can answer for example.test, which is certain for any host.
    let r = env.credcheck_stdin(
        &dir,
        &["guard", "get"],
        b"capability[]=authtype\nwwwauth[]=Basic realm=x\nprotocol=https\nhost=example.test\n\n",
    );
    assert_eq!((r.code, r.stdout.as_str()), (0, "quit=1\n"), "{}", r.all());
    assert!(
        r.stderr.contains("CC209") && r.stderr.contains("example.test"),
        "{}",
        r.stderr
    );
    let r = env.credcheck_stdin(
        &dir,
        &["guard", "store"],
        b"protocol=https\nhost=example.test\nusername=a\npassword=secret-value-123\n\n",
    );
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
    assert!(
        !env.home.join(".local/state/git-credcheck").exists(),
        "store recorded without opt-in"
    );
}
