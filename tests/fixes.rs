//! Every printed fix, applied (issue 17): for each rule whose fix is shell commands, a
//! scratch setup with real git (and the real smart-HTTP server where the push matters)
//! where the rule fires; the commands are pasted into `sh` as a person would, with a
//! stand-in person (`GIT_ASKPASS`) typing the new token where a pasted `git push` asks;
//! then the finding must be gone and, where a server is involved, the push must work.
//! Fixes that cannot be a safe command must say what to change in words only.

use crate::http::{self, Ctx, ATATT, ATBB, BB};
use crate::util::{codes, json, paste_fix_with, Env, HttpServer, Run};
use std::path::{Path, PathBuf};

struct World {
    env: Env,
    srv: HttpServer,
    repo: PathBuf,
    path: String,
    host: &'static str,
}

impl World {
    fn new(host: &'static str) -> World {
        let env = Env::new();
        let srv = http::server(&env);
        let repo = env.repo("work");
        let path = srv.repo(&env, "r");
        let w = World {
            env,
            srv,
            repo,
            path,
            host,
        };
        let url = w.ctx().url();
        w.env.git_ok(&w.repo, &["remote", "add", "origin", &url]);
        // As in a clone: `main` tracks `origin/main`, so a bare `git push` pushes it.
        w.env
            .git_ok(&w.repo, &["config", "branch.main.remote", "origin"]);
        w.env
            .git_ok(&w.repo, &["config", "branch.main.merge", "refs/heads/main"]);
        w
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            env: &self.env,
            repo: &self.repo,
            srv: &self.srv,
            host: self.host,
            path: self.path.clone(),
        }
    }

    fn push(&self) -> Run {
        self.env
            .git(&self.repo, &["push", "--no-verify", "origin", "main"])
    }

    fn doctor(&self) -> Run {
        self.env.credcheck(&self.repo, &["--format", "json"])
    }

    /// A stand-in for the person at the keyboard: answers git's user name and password
    /// questions (`GIT_ASKPASS`) with `user` and `secret`.
    fn typist(&self, user: &str, secret: &str) -> PathBuf {
        self.env.script(
            "typist",
            &format!("case \"$1\" in Username*) echo '{user}' ;; *) echo '{secret}' ;; esac"),
        )
    }

    /// Pastes `code`'s printed fix with the typist at hand.
    fn paste(&self, code: &str, typist: &Path) -> Vec<String> {
        paste_fix_with(
            &self.env,
            &self.repo,
            code,
            &[("GIT_ASKPASS", typist.to_str().expect("utf8"))],
        )
    }

    fn gone(&self, code: &str) {
        let r = self.doctor();
        assert!(
            !json(&r)["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .any(|f| f["code"] == code),
            "{code} is still reported:\n{}",
            r.stdout
        );
    }

    fn pushes(&self) {
        let r = self.push();
        assert_eq!(r.code, 0, "the push fails after the fix:\n{}", r.all());
    }
}

/// The fix lines of `code` in a human report on stderr (the guard's).
fn human_fix(stderr: &str, code: &str) -> Vec<String> {
    let start = stderr
        .find(&format!("[{code}]"))
        .unwrap_or_else(|| panic!("no {code}:\n{stderr}"));
    stderr[start..]
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("= fix:"))
        .skip(1)
        .take_while(|l| l.starts_with("        "))
        .map(|l| l.trim().to_owned())
        .collect()
}

/// The guard's explanation after a refusal (CC214): git has already told every helper to
/// forget the credential when the guard speaks, so a printed `sed -i 'Nd'` would delete
/// whatever line N has become. Pasted, the fix must keep the store's other lines, and a
/// push with a valid token must work.
#[test]
fn credential_rejected_fix_keeps_other_credentials() {
    let w = World::new(BB);
    let r = w
        .env
        .credcheck(&w.repo, &["install", "--guard", "--global"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let c = w.ctx();
    let wrong = "ATATT3xFfGF0WrongWrongWrong0123456789ab=DEADBEEF";
    c.store("alice", wrong);
    let other = "https://bob:ghp_Pl0Ok9Ij8Uh7Yg6Tf5Rd4Es3Wa2Qz1Xc9Vb8N@github.com\n";
    let store = w.env.home.join(".git-credentials");
    let first = std::fs::read_to_string(&store).expect("store");
    std::fs::write(&store, format!("{first}{other}")).expect("store");
    let r = w.push();
    assert_ne!(r.code, 0, "{}", r.all());
    // git has erased the refused line already: line 1 is now bob's.
    let after = std::fs::read_to_string(&store).expect("store");
    assert!(after.starts_with("https://bob:"), "{after:?}");
    let fix = human_fix(&r.stderr, "CC214");
    assert!(!fix.iter().any(|l| l.starts_with("sed ")), "{fix:?}");
    assert!(!fix.is_empty(), "{}", r.stderr);
    let typist = w.typist("alice", ATATT);
    for line in &fix {
        let out = w
            .env
            .cmd("sh", &w.repo)
            .env("GIT_ASKPASS", &typist)
            .args(["-c", line])
            .output()
            .expect("sh");
        assert!(
            out.status.success(),
            "`{line}`: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let left = std::fs::read_to_string(&store).expect("store");
    assert!(
        left.contains("bob:"),
        "the fix deleted another credential: {left:?}\n{fix:?}"
    );
    w.pushes();
}
