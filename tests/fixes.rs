//! Every printed fix, applied (issue 17): for each rule whose fix is shell commands, a
//! scratch setup with real git (and the real smart-HTTP server where the push matters)
//! where the rule fires; the commands are pasted into `sh` as a person would, with a
//! stand-in person (`GIT_ASKPASS`) typing the new token where a pasted `git push` asks;
//! then the finding must be gone and, where a server is involved, the push must work.
//! Fixes that cannot be a safe command must say what to change in words only.

use crate::http::{self, Ctx, ATATT, ATBB, ATCTT, BB};
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

/// Erase-then-new (CC202, and the same steps of CC206, CC213, CC216, CC219): the dead
/// line goes, the person types the new token where the pasted `git push` asks, `store`
/// keeps it.
#[test]
fn retired_secret_kind_fix_replaces_the_stored_token() {
    let w = World::new(BB);
    w.ctx().store("alice", ATBB);
    assert!(codes(&w.doctor(), "error").contains(&"CC202".to_owned()));
    let typist = w.typist("alice", ATATT);
    w.paste("CC202", &typist);
    w.gone("CC202");
    w.pushes();
}

/// CC204: an access token stored with a person's name; the fix stores it with the name
/// the token needs, typed when the pasted push asks.
#[test]
fn token_username_mismatch_fix_stores_the_right_name() {
    let w = World::new(BB);
    w.ctx().store("alice", ATCTT);
    assert!(w.doctor().stdout.contains("CC204"));
    let typist = w.typist("x-token-auth", ATCTT);
    w.paste("CC204", &typist);
    w.gone("CC204");
    w.pushes();
}

/// CC209 outside CI: `store`, then one push where someone types (the fix says so).
#[test]
fn credential_source_missing_fix_keeps_a_credential() {
    let w = World::new(BB);
    assert!(codes(&w.doctor(), "error").contains(&"CC209".to_owned()));
    let typist = w.typist("alice", ATATT);
    let commands = w.paste("CC209", &typist);
    assert!(
        commands.iter().all(|c| !c.contains("cache")),
        "{commands:?}"
    );
    let r = w
        .env
        .cmd("git", &w.repo)
        .env("GIT_ASKPASS", &typist)
        .args(["push", "origin", "main"])
        .output()
        .expect("git");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    w.gone("CC209");
    w.pushes();
}

/// CC210: a stale Authorization header shadows the stored token; the fix removes it.
#[test]
fn extra_header_fix_lets_the_stored_token_through() {
    let w = World::new(BB);
    let c = w.ctx();
    c.store("alice", ATATT);
    c.git(&[
        "config",
        "--global",
        "http.extraHeader",
        &Ctx::basic("alice", "ATATT3xFfGF0StaleStaleStale0123456789ab=0BADF00D"),
    ]);
    // (Not pushed first: the refused header makes git erase the stored line.)
    assert!(w.doctor().stdout.contains("CC210"), "{}", w.doctor().stdout);
    w.paste("CC210", &w.typist("-", "-"));
    w.gone("CC210");
    w.pushes();
}

/// CC218: a stale `core.askPass`; the fix unsets it where it is set.
#[test]
fn askpass_missing_fix_unsets_it() {
    let w = World::new(BB);
    w.ctx().store("alice", ATATT);
    std::fs::remove_file(w.env.home.join(".git-credentials")).expect("rm");
    w.ctx()
        .git(&["config", "--global", "core.askPass", "/nowhere/askpass.sh"]);
    assert!(codes(&w.doctor(), "error").contains(&"CC218".to_owned()));
    paste_fix_with(&w.env, &w.repo, "CC218", &[]);
    w.gone("CC218");
}

/// CC101: the fix removes the token from the URL and keeps the user; the person types
/// the token once.
#[test]
fn url_embeds_secret_fix_removes_it() {
    let w = World::new(BB);
    let c = w.ctx();
    c.git(&["config", "--global", "credential.helper", "store"]);
    c.git(&[
        "remote",
        "set-url",
        "origin",
        &c.with_user(&format!("alice:{ATATT}")),
    ]);
    w.pushes();
    let typist = w.typist("alice", ATATT);
    w.paste("CC101", &typist);
    let url = w.env.git_ok(&w.repo, &["remote", "get-url", "origin"]);
    assert!(!url.contains("ATATT") && url.contains("alice@"), "{url}");
    w.gone("CC101");
    let r = w
        .env
        .cmd("git", &w.repo)
        .env("GIT_ASKPASS", &typist)
        .args(["push", "origin", "main"])
        .output()
        .expect("git");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
}

/// CC102: the fix writes the https URL. (Loopback hosts are exempt, so no test server.)
#[test]
fn plaintext_http_fix_writes_https() {
    let env = Env::new();
    let repo = env.repo("r");
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "http://git.example.test/a/b.git"],
    );
    paste_fix_with(&env, &repo, "CC102", &[]);
    let url = env.git_ok(&repo, &["remote", "get-url", "--push", "origin"]);
    assert_eq!(url.trim(), "https://git.example.test/a/b.git");
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(!r.stdout.contains("CC102"), "{}", r.stdout);
}

/// CC207: two accounts in one `store` file for the host; the fix pins the one git uses.
#[test]
fn conflicting_stored_accounts_fix_pins_one() {
    let w = World::new(BB);
    let c = w.ctx();
    c.store("alice", ATATT);
    let store = w.env.home.join(".git-credentials");
    let first = std::fs::read_to_string(&store).expect("store");
    std::fs::write(&store, format!("{first}{}", first.replace("alice", "bob"))).expect("store");
    assert!(w.doctor().stdout.contains("CC207"), "{}", w.doctor().stdout);
    w.paste("CC207", &w.typist("-", "-"));
    w.gone("CC207");
    w.pushes();
}

/// CC212 after a reset in the repository's config: the fix adds the guard in that same
/// file, after the reset (in `--global` it would be read first and reset again).
#[test]
fn guard_reset_fix_adds_it_after_the_reset() {
    let mut w = World::new(BB);
    let bin = Path::new(crate::util::BIN)
        .parent()
        .expect("dir")
        .to_owned();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    w.env.set("PATH", &path);
    let r = w
        .env
        .credcheck(&w.repo, &["install", "--guard", "--global"]);
    assert_eq!(r.code, 0, "{}", r.all());
    w.ctx().git(&["config", "--local", "credential.helper", ""]);
    assert!(w.doctor().stdout.contains("CC212"), "{}", w.doctor().stdout);
    w.paste("CC212", &w.typist("-", "-"));
    w.gone("CC212");
}

/// CC209 quotes the line git really dies with.
#[test]
fn credential_source_missing_quotes_git() {
    let w = World::new(BB);
    let git = w.push();
    let line = git
        .stderr
        .lines()
        .find(|l| l.starts_with("fatal: could not read Username"))
        .unwrap_or_else(|| panic!("{}", git.stderr))
        .to_owned();
    let r = w.doctor();
    assert!(r.stdout.contains(&line), "{line}\n{}", r.stdout);
}

/// CC207 when the helper asked first sits in a file git reads earlier (issue 13: a helper
/// the user replaced in the repository's config while the global one still answers
/// first with the old credential): the fix empties the list before the new helper in
/// the later file, and the push then uses the new helper's credential.
#[test]
fn replaced_helper_fix_empties_the_list_in_the_later_file() {
    let w = World::new(BB);
    let c = w.ctx();
    let old = w.env.home.join("old-credentials");
    let new = w.env.home.join("new-credentials");
    let line = |secret: &str| format!("http://alice:{secret}@{}\n", c.hostport());
    std::fs::write(
        &old,
        line("ATATT3xFfGF0StaleStaleStale0123456789ab=DEADBEEF"),
    )
    .expect("old");
    std::fs::write(&new, line(ATATT)).expect("new");
    let helper = |f: &Path| format!("store --file {}", f.display());
    w.env.git_ok(
        &w.repo,
        &["config", "--global", "credential.helper", &helper(&old)],
    );
    w.env.git_ok(
        &w.repo,
        &["config", "--local", "credential.helper", &helper(&new)],
    );
    let r = w.doctor();
    let report = json(&r);
    let finding = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "CC207")
        .unwrap_or_else(|| panic!("{}", r.stdout))
        .clone();
    let cause = finding["cause"].as_str().unwrap_or_default();
    assert!(cause.contains("answers before"), "{cause}");
    let fix = w.paste("CC207", &w.typist("-", "-"));
    assert!(fix.iter().any(|l| l.ends_with("''")), "{fix:?}");
    w.gone("CC207");
    w.pushes();
    // The pasted commands kept the repository's helper, and only it answers now.
    let helpers = w
        .env
        .git_ok(&w.repo, &["config", "--get-all", "credential.helper"]);
    assert!(helpers.trim_end().ends_with(&helper(&new)), "{helpers}");
}
