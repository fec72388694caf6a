//! Every printed fix, applied (issue 17): for each rule whose fix is shell commands, a
//! scratch setup with real git (and the real smart-HTTP server where the push matters)
//! where the rule fires; the commands are pasted into `sh` as a person would, with a
//! stand-in person (`GIT_ASKPASS`) typing the new token where a pasted `git push` asks;
//! then the finding must be gone and, where a server is involved, the push must work.
//! Fixes that cannot be a safe command must say what to change in words only.

use crate::http::{
    self, Ctx, ATATT, ATBB, ATCTT, BB, GH, GHP, GHP_OTHER, GL, GLDT, GLPAT, GLPAT_OTHER,
};
use crate::util::{codes, fix_commands, json, paste_fix_with, sh_ok, Env, HttpServer, Run};
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
        World::on(env, srv, host)
    }

    /// A repository whose `origin` is `host` on `srv`.
    fn on(env: Env, srv: HttpServer, host: &'static str) -> World {
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
    // Another header on the same key must survive the fix.
    c.git(&[
        "config",
        "--global",
        "--add",
        "http.extraHeader",
        "X-Trace: 1",
    ]);
    // (Not pushed first: the refused header makes git erase the stored line.)
    assert!(w.doctor().stdout.contains("CC210"), "{}", w.doctor().stdout);
    w.paste("CC210", &w.typist("-", "-"));
    w.gone("CC210");
    w.pushes();
    let left = w.env.git_ok(
        &w.repo,
        &["config", "--global", "--get-all", "http.extraHeader"],
    );
    assert_eq!(left.trim(), "X-Trace: 1");
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

/// The erase-then-new fix of `code`, pasted: `setup` plants what `code` reports at
/// `severity`; the person types `user` and `secret` where the pasted push asks.
fn erase_then_new_works(
    w: &World,
    code: &str,
    severity: &str,
    setup: impl Fn(&Ctx<'_>),
    user: &str,
    secret: &str,
) {
    setup(&w.ctx());
    let r = w.doctor();
    assert!(
        codes(&r, severity).contains(&code.to_owned()),
        "{}",
        r.stdout
    );
    let typist = w.typist(user, secret);
    w.paste(code, &typist);
    w.gone(code);
    w.pushes();
}

/// CC205: a GitLab deploy token cannot push; the fix erases it and the person types an
/// access token.
#[test]
fn gitlab_deploy_token_fix_pushes_with_an_access_token() {
    let w = World::new(GL);
    let deploy = |c: &Ctx<'_>| c.store("gitlab+deploy-token-12", GLDT);
    erase_then_new_works(&w, "CC205", "error", deploy, "alice", GLPAT);
}

/// CC220: a GitLab feed token is no git login.
#[test]
fn token_kind_not_for_git_fix_pushes_with_an_access_token() {
    let w = World::new(GL);
    let feed = |c: &Ctx<'_>| c.store("alice", "glft-Zx9Cv7Bn5Mq3Wr1Ty8Ui");
    erase_then_new_works(&w, "CC220", "error", feed, "alice", GLPAT);
}

/// CC206: a GitLab token stored for GitHub.
#[test]
fn token_for_other_provider_fix_pushes_with_this_providers_token() {
    let w = World::new(GH);
    let other = |c: &Ctx<'_>| c.store("alice", GLPAT);
    erase_then_new_works(&w, "CC206", "error", other, "alice", GHP);
}

/// CC219: a kept copy of a GitHub installation token (it lives a day).
#[test]
fn temporary_credential_fix_removes_the_kept_copy() {
    let w = World::new(GH);
    let ghs = |c: &Ctx<'_>| c.store("x-access-token", "ghs_0123456789abcdefghijklmnopqrstuvwxyz");
    erase_then_new_works(&w, "CC219", "warning", ghs, "alice", GHP);
}

/// CC216: placeholder text (a variable nothing expanded) in the URL; the fix writes the
/// URL without it and the person types the real token once.
#[test]
fn placeholder_credential_fix_removes_it_from_the_url() {
    let w = World::new(GH);
    let placeholder = |c: &Ctx<'_>| {
        c.git(&["config", "--global", "credential.helper", "store"]);
        c.git(&[
            "remote",
            "set-url",
            "origin",
            &c.with_user("x-access-token:$GITHUB_TOKEN"),
        ]);
    };
    erase_then_new_works(&w, "CC216", "error", placeholder, "x-access-token", GHP);
    let url = w.env.git_ok(&w.repo, &["remote", "get-url", "origin"]);
    assert!(!url.contains("GITHUB_TOKEN"), "{url}");
}

/// CC213: a GitLab token the guard's ledger first saw more than 365 days ago. The fix
/// erases it; the person types the new one (the server takes both).
#[test]
fn token_max_age_fix_replaces_the_old_token() {
    let env = Env::new();
    let s = |p: &str| (String::new(), p.to_owned());
    let srv = HttpServer::start(
        &env,
        &[(GL, "gitlab", vec![s(GLPAT), s(GLPAT_OTHER)], true)],
    );
    env.map_hosts(&[(GL, "gitlab")]);
    env.home_file(
        ".config/git-credcheck/config.yaml",
        &format!("hosts:\n  \"{GL}\": gitlab\nguard:\n  record: true\n"),
    );
    let w = World::on(env, srv, GL);
    let c = w.ctx();
    c.store("alice", GLPAT);
    // The guard records the credential git stores after a push, dated today...
    let input = format!(
        "protocol=http\nhost={}\nusername=alice\npassword={GLPAT}\n\n",
        c.hostport()
    );
    let r = w
        .env
        .credcheck_stdin(&w.repo, &["guard", "store"], input.as_bytes());
    assert_eq!(r.code, 0, "{}", r.all());
    // ...and a year and more ago here.
    let ledger = w
        .env
        .home
        .join(".local/state/git-credcheck/credentials.jsonl");
    let lines = std::fs::read_to_string(&ledger).expect("ledger");
    assert!(lines.contains("2026-11-29"), "{lines}");
    std::fs::write(&ledger, lines.replace("2026-11-29", "2025-11-01")).expect("ledger");
    assert!(
        codes(&w.doctor(), "warning").contains(&"CC213".to_owned()),
        "{}",
        w.doctor().stdout
    );
    w.paste("CC213", &w.typist("alice", GLPAT_OTHER));
    w.gone("CC213");
    w.pushes();
}

/// GitHub CLI stand-in (as in predict.rs): GH_TOKEN, then GITHUB_TOKEN, then its login.
const GH_STANDIN: &str = r#"[ "$1 $2" = "auth git-credential" ] || exit 1
cat >/dev/null
[ "$3" = get ] || exit 0
tok="${GH_TOKEN:-$GITHUB_TOKEN}"
[ -n "$tok" ] || tok=$(sed -n 's/^ *oauth_token: *//p' "$HOME/.config/gh/hosts.yml" 2>/dev/null)
[ -n "$tok" ] && printf 'username=x-access-token\npassword=%s\n' "$tok"
exit 0"#;

/// CC217: a stale GITHUB_TOKEN shadows the gh login. The pasted `env -u` push works with
/// gh's login; once the variable is unset where it was set, the finding is gone.
#[test]
fn env_token_fix_pushes_with_the_cli_login() {
    let mut env = Env::new();
    env.script("bin/gh", GH_STANDIN);
    let path = format!(
        "{}:{}",
        env.path("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    env.set("PATH", &path);
    let srv = http::server(&env);
    let mut w = World::on(env, srv, GH);
    w.ctx().git(&[
        "config",
        "--global",
        "credential.helper",
        "!gh auth git-credential",
    ]);
    w.env.home_file(
        ".config/gh/hosts.yml",
        &format!("{GH}:\n    user: alice\n    oauth_token: {GHP}\n"),
    );
    w.env.set("GITHUB_TOKEN", GHP_OTHER);
    assert!(w.doctor().stdout.contains("CC217"), "{}", w.doctor().stdout);
    assert_ne!(w.push().code, 0, "the stale token was accepted");
    let commands = w.paste("CC217", &w.typist("-", "-"));
    assert!(
        commands[0].starts_with("env -u GITHUB_TOKEN git push"),
        "{commands:?}"
    );
    w.env.extra.retain(|(k, _)| k != "GITHUB_TOKEN");
    w.gone("CC217");
    w.pushes();
}

/// CC211 (workflow scope): no tool can see or change a token's scopes, so the fix is
/// words, then the push.
#[test]
fn workflow_scope_fix_is_words() {
    let w = World::new(GH);
    w.ctx().store("alice", GHP);
    let base = w
        .env
        .git_ok(&w.repo, &["rev-parse", "HEAD"])
        .trim()
        .to_owned();
    w.env
        .git_ok(&w.repo, &["update-ref", "refs/remotes/origin/main", &base]);
    w.env.write("work/.github/workflows/ci.yml", "on: push\n");
    w.env.git_ok(&w.repo, &["add", "."]);
    w.env.git_ok(&w.repo, &["commit", "-qm", "ci"]);
    let head = w
        .env
        .git_ok(&w.repo, &["rev-parse", "HEAD"])
        .trim()
        .to_owned();
    let r = w.env.credcheck_stdin(
        &w.repo,
        &[
            "hook",
            "pre-push",
            "origin",
            &w.ctx().url(),
            "--format",
            "json",
        ],
        format!("refs/heads/main {head} refs/heads/main {base}\n").as_bytes(),
    );
    let report = json(&r);
    let finding = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "CC211")
        .unwrap_or_else(|| panic!("no CC211: {}", r.stdout))
        .clone();
    let commands: Vec<&str> = finding["fix"]["commands"]
        .as_array()
        .expect("commands")
        .iter()
        .map(|c| c.as_str().expect("str"))
        .collect();
    assert!(
        commands
            .iter()
            .all(|c| c.starts_with('#') || *c == "git push"),
        "{commands:?}"
    );
    assert!(commands[0].contains("workflow"), "{commands:?}");
}

/// CC103: a rewrite that sends the push to another host. The fix removes that rewrite
/// only: another value of the same key (another prefix rewritten to the same base) stays.
#[test]
fn push_url_rewritten_fix_removes_that_rewrite_only() {
    let w = World::new(BB);
    let c = w.ctx();
    c.store("alice", ATATT);
    let bb = format!("http://{}/", c.hostport());
    let gh = format!("http://{GH}:{}/", w.srv.ports[GH]);
    let key = format!("url.{gh}.insteadOf");
    c.git(&["config", "--global", &key, &bb]);
    c.git(&["config", "--global", "--add", &key, "gh:"]);
    assert_ne!(w.push().code, 0, "the rewritten push went through");
    assert!(w.doctor().stdout.contains("CC103"), "{}", w.doctor().stdout);
    w.paste("CC103", &w.typist("-", "-"));
    w.gone("CC103");
    let left = w
        .env
        .git_ok(&w.repo, &["config", "--global", "--get-all", &key]);
    assert_eq!(left.trim(), "gh:", "the fix removed another rewrite");
    w.pushes();
}

const CODECOMMIT: &str = "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/r";
const AWS_HELPER: &str = "!aws codecommit credential-helper $@";

/// A repository pushing to CodeCommit (never contacted: the finding gone is the test).
fn codecommit() -> (Env, PathBuf) {
    let env = Env::new();
    let repo = env.repo("work");
    env.git_ok(&repo, &["remote", "add", "origin", CODECOMMIT]);
    (env, repo)
}

fn doctor_codes(env: &Env, repo: &Path) -> Vec<String> {
    json(&env.credcheck(repo, &["--format", "json"]))["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().expect("code").to_owned())
        .collect()
}

/// CC208 both ways: `store` answering before the CodeCommit helper, and the helper
/// without UseHttpPath. After the pasted fix, neither is reported.
#[test]
fn codecommit_fix_gives_the_helper_its_cascade() {
    let (env, repo) = codecommit();
    env.git_ok(&repo, &["config", "--global", "credential.helper", "store"]);
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            "--add",
            "credential.helper",
            AWS_HELPER,
        ],
    );
    env.home_file(
        ".git-credentials",
        "https://AKIAIOSFODNN7EXAMPLE:Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA@git-codecommit.eu-west-1.amazonaws.com\n",
    );
    crate::util::paste_fix(&env, &repo, "CC208");
    assert!(!doctor_codes(&env, &repo).contains(&"CC208".to_owned()));

    let (env, repo) = codecommit();
    env.git_ok(
        &repo,
        &["config", "--global", "credential.helper", AWS_HELPER],
    );
    crate::util::paste_fix(&env, &repo, "CC208");
    assert!(!doctor_codes(&env, &repo).contains(&"CC208".to_owned()));
}

/// CC219 for a kept CodeCommit password: the fix removes it and gives the signing helper
/// a cascade of its own, so that no helper keeps a new copy (CC208 stays silent too).
#[test]
fn codecommit_expired_copy_fix_lets_the_helper_sign() {
    let (env, repo) = codecommit();
    env.git_ok(&repo, &["config", "--global", "credential.helper", "store"]);
    env.home_file(
        ".git-credentials",
        "https://AKIAIOSFODNN7EXAMPLE:20261127T101500Z3f2a4c6e8b0d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a@git-codecommit.eu-west-1.amazonaws.com\n",
    );
    // Not the `git push` (CodeCommit is not here): everything before it.
    let commands = fix_commands(&env, &repo, "CC219");
    for c in commands.iter().filter(|c| !c.starts_with("git push")) {
        sh_ok(&env, &repo, c, &[]);
    }
    let left = doctor_codes(&env, &repo);
    assert!(
        !left.contains(&"CC219".to_owned()) && !left.contains(&"CC208".to_owned()),
        "{left:?}\n{commands:?}"
    );
    let helpers = env.git_ok(
        &repo,
        &["config", "--get-urlmatch", "credential.helper", CODECOMMIT],
    );
    assert_eq!(helpers.trim(), AWS_HELPER, "{commands:?}");
}

/// A repository whose `origin` is `alias:<bare>`, the alias pointing at the loopback sshd
/// (HostName 127.0.0.1, its port, user root) in the ssh configuration git's ssh reads
/// (`GIT_SSH_COMMAND=ssh -F <file>`: ssh finds ~/.ssh through the passwd entry).
struct SshWorld {
    env: Env,
    repo: PathBuf,
    sshd: crate::ssh::Sshd,
    cfg: PathBuf,
    known_hosts: PathBuf,
}

impl SshWorld {
    /// `None` when a tool is missing and the test is skipped (see `util::require`).
    /// `authorized`: keys the server takes; `client`: lines for `Host *`.
    fn new(authorized: &[&Path], known: bool, client: &str) -> Option<SshWorld> {
        SshWorld::custom(authorized, known, "", client, "ed25519")
    }

    /// As [`SshWorld::new`], with `head` at the very top of the ssh configuration (before
    /// the alias's block: what ssh reads first) and an sshd whose only host key is of
    /// `host_key` type.
    fn custom(
        authorized: &[&Path],
        known: bool,
        head: &str,
        client: &str,
        host_key: &str,
    ) -> Option<SshWorld> {
        let tools = [
            "/usr/sbin/sshd",
            "ssh",
            "ssh-keygen",
            "ssh-keyscan",
            "ssh-agent",
            "ssh-add",
        ];
        if !tools.into_iter().all(crate::util::require)
            || !crate::util::require_root("sshd needs to accept logins as root")
        {
            return None;
        }
        let mut env = Env::new();
        let sshd = crate::ssh::Sshd::start_custom(&env, authorized, "ERROR", host_key, "");
        let known_hosts = env.path("known_hosts");
        let line = if known {
            sshd.known_hosts_line()
        } else {
            String::new()
        };
        std::fs::write(&known_hosts, line).expect("known_hosts");
        let body: String = client.lines().map(|l| format!("  {l}\n")).collect();
        let cfg = env.write(
            "ssh_config",
            &format!(
                "{head}Host alias\n  HostName 127.0.0.1\n  Port {}\n  User root\nHost *\n  BatchMode yes\n  StrictHostKeyChecking yes\n  UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n{body}",
                sshd.port,
                known_hosts.display()
            ),
        );
        env.set("GIT_SSH_COMMAND", &format!("ssh -F {}", cfg.display()));
        let repo = env.repo("work");
        let bare = env.bare("remote.git");
        env.git_ok(
            &repo,
            &[
                "remote",
                "add",
                "origin",
                &format!("alias:{}", bare.display()),
            ],
        );
        Some(SshWorld {
            env,
            repo,
            sshd,
            cfg,
            known_hosts,
        })
    }

    fn keys(env: &Env) -> PathBuf {
        let dir = env.path("keys");
        std::fs::create_dir_all(&dir).expect("keys");
        dir
    }

    fn errors(&self) -> Vec<String> {
        codes(
            &self.env.credcheck(&self.repo, &["--format", "json"]),
            "error",
        )
    }

    fn gone(&self, code: &str) {
        let r = self.env.credcheck(&self.repo, &["--format", "json"]);
        assert!(
            !r.stdout.contains(&format!("\"{code}\"")),
            "{code} is still reported:\n{}",
            r.stdout
        );
    }

    fn pushes(&self) {
        let r = self
            .env
            .git(&self.repo, &["push", "--no-verify", "origin", "main"]);
        assert_eq!(r.code, 0, "the push fails after the fix:\n{}", r.all());
    }

    /// The fix of `code`, pasted line by line.
    fn paste(&self, code: &str, vars: &[(&str, &str)]) -> Vec<String> {
        paste_fix_with(&self.env, &self.repo, code, vars)
    }
}

/// An `SSH_ASKPASS` that answers every question with `answer` (a passphrase typed).
fn ssh_typist(env: &Env, answer: &str) -> Vec<(String, String)> {
    let p = env.script("ssh-typist", &format!("echo '{answer}'"));
    vec![
        ("SSH_ASKPASS".into(), p.display().to_string()),
        ("SSH_ASKPASS_REQUIRE".into(), "force".into()),
        ("DISPLAY".into(), ":0".into()),
    ]
}

fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, t)| (k.as_str(), t.as_str())).collect()
}

/// CC302: no key at all. `ssh-keygen` writes the key ssh tries for the host; once the
/// server has the public half (as a person adds it to the account), the push works.
#[test]
fn ssh_no_identity_fix_creates_the_key_ssh_offers() {
    let env0 = Env::new();
    let keys = SshWorld::keys(&env0);
    let key = keys.join("id_ed25519");
    let Some(w) = SshWorld::new(&[], true, &format!("IdentityFile {}", key.display())) else {
        return;
    };
    assert!(w.errors().contains(&"CC302".to_owned()), "{:?}", w.errors());
    let commands = fix_commands(&w.env, &w.repo, "CC302");
    let vars = ssh_typist(&w.env, "");
    // Everything but the check, which needs the key on the server first.
    for c in &commands[..commands.len() - 1] {
        sh_ok(&w.env, &w.repo, c, &pairs(&vars));
    }
    assert!(key.exists(), "the key is not where ssh looks: {commands:?}");
    let public = std::fs::read_to_string(key.with_extension("pub")).expect("pub");
    std::fs::write(w.sshd.dir.join("authorized_keys"), public).expect("authorized_keys");
    sh_ok(&w.env, &w.repo, commands.last().expect("check"), &[]);
    w.gone("CC302");
    w.pushes();
}

/// CC303: a key others can read; `chmod 600`.
#[test]
fn ssh_key_refused_fix_makes_the_key_private() {
    let env0 = Env::new();
    let key = SshWorld::keys(&env0).join("open");
    crate::ssh::keygen(&key, "ed25519", "");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let Some(w) = SshWorld::new(&[&key], true, &format!("IdentityFile {}", key.display())) else {
        return;
    };
    assert!(w.errors().contains(&"CC303".to_owned()), "{:?}", w.errors());
    w.paste("CC303", &[]);
    w.gone("CC303");
    w.pushes();
}

/// CC304: a passphrase and no agent. Pasted as one block in one shell (the agent lives
/// there), the person typing the passphrase when `ssh-add` asks; the push in that shell
/// works and the doctor there has nothing to say.
#[test]
fn ssh_passphrase_fix_loads_the_key_into_an_agent() {
    let env0 = Env::new();
    let key = SshWorld::keys(&env0).join("locked");
    crate::ssh::keygen(&key, "ed25519", "Qz7vW3kLm9XyRt");
    let Some(w) = SshWorld::new(&[&key], true, &format!("IdentityFile {}", key.display())) else {
        return;
    };
    assert!(w.errors().contains(&"CC304".to_owned()), "{:?}", w.errors());
    let commands = fix_commands(&w.env, &w.repo, "CC304");
    let block = format!(
        "{}\ngit push --no-verify origin main || exit 7\n{} --format json\nssh-agent -k >/dev/null",
        commands.join("\n"),
        crate::util::BIN
    );
    let vars = ssh_typist(&w.env, "Qz7vW3kLm9XyRt");
    let r = sh_ok(&w.env, &w.repo, &block, &pairs(&vars));
    let after = r.stdout[r.stdout.find('{').expect("json")..].to_owned();
    assert!(!after.contains("\"CC304\""), "{after}");
}

/// CC305 through an alias with its own HostName and Port: the printed `ssh-keyscan` asks
/// the real host and port, and writes the name ssh looks up (`[127.0.0.1]:port`) to the
/// file ssh reads; then the push works.
#[test]
fn ssh_host_unknown_fix_scans_the_real_host_and_port() {
    let env0 = Env::new();
    let key = SshWorld::keys(&env0).join("id");
    crate::ssh::keygen(&key, "ed25519", "");
    let Some(w) = SshWorld::new(&[&key], false, &format!("IdentityFile {}", key.display())) else {
        return;
    };
    assert!(w.errors().contains(&"CC305".to_owned()), "{:?}", w.errors());
    let commands = w.paste("CC305", &[]);
    assert!(
        commands[0].starts_with(&format!("ssh-keyscan -p {} 127.0.0.1 ", w.sshd.port)),
        "{commands:?}"
    );
    let pinned = std::fs::read_to_string(&w.known_hosts).expect("known_hosts");
    assert!(
        pinned.contains(&format!("[127.0.0.1]:{}", w.sshd.port)),
        "{pinned}"
    );
    w.gone("CC305");
    w.pushes();
}

/// CC307: which key is this account's only the person knows, so the fix names the
/// change in words (no placeholder path written into the config); its check works.
#[test]
fn ssh_many_keys_fix_is_words() {
    let env0 = Env::new();
    let dir = SshWorld::keys(&env0);
    let (a, b) = (dir.join("a"), dir.join("b"));
    crate::ssh::keygen(&a, "ed25519", "");
    crate::ssh::keygen(&b, "ed25519", "");
    let client = format!("IdentityFile {}\nIdentityFile {}", a.display(), b.display());
    let Some(w) = SshWorld::new(&[&a], true, &client) else {
        return;
    };
    let before = std::fs::read_to_string(&w.cfg).expect("cfg");
    let commands = w.paste("CC307", &[]);
    assert!(
        commands[..commands.len() - 1]
            .iter()
            .all(|c| c.starts_with('#')),
        "{commands:?}"
    );
    assert_eq!(std::fs::read_to_string(&w.cfg).expect("cfg"), before);
    w.pushes();
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

/// Pastes every line of `commands` but the last (a check that connects to a provider's
/// real host, which this machine cannot reach).
fn paste_but_the_last(w: &SshWorld, commands: &[String]) {
    for c in &commands[..commands.len() - 1] {
        sh_ok(&w.env, &w.repo, c, &[]);
    }
}

/// Makes the ssh configuration a symlink to a file elsewhere (as dotfile managers do);
/// returns the real file.
fn symlinked_config(w: &SshWorld) -> PathBuf {
    let real = w.env.path("dotfiles-ssh-config");
    std::fs::rename(&w.cfg, &real).expect("mv");
    std::os::unix::fs::symlink(&real, &w.cfg).expect("symlink");
    real
}

/// CC313 (the Host block shared with CC312): the user's configuration opens with a
/// `Host *` that sets `HostKeyAlgorithms ssh-ed25519`; ssh keeps the first value it
/// reads, so the printed block goes at the top of the `-F` file (a symlink, written
/// through). Pasted: `ssh -G` shows the new value, the finding is gone, the push works
/// against an sshd whose only host key is RSA.
#[test]
fn host_key_algorithm_fix_goes_before_an_earlier_host_star() {
    let env0 = Env::new();
    let key = SshWorld::keys(&env0).join("id");
    crate::ssh::keygen(&key, "ed25519", "");
    let head = "Host *\n  HostKeyAlgorithms ssh-ed25519\n";
    let client = format!("IdentityFile {}", key.display());
    let Some(w) = SshWorld::custom(&[&key], true, head, &client, "rsa") else {
        return;
    };
    w.env.map_hosts(&[("alias", "azure-devops")]);
    assert!(w.errors().contains(&"CC313".to_owned()), "{:?}", w.errors());
    let r = w
        .env
        .git(&w.repo, &["push", "--no-verify", "origin", "main"]);
    assert_ne!(r.code, 0, "the push worked before the fix: {}", r.all());
    let real = symlinked_config(&w);
    let commands = fix_commands(&w.env, &w.repo, "CC313");
    paste_but_the_last(&w, &commands);
    assert!(
        std::fs::symlink_metadata(&w.cfg)
            .expect("cfg")
            .file_type()
            .is_symlink(),
        "the fix replaced the symlink: {commands:?}"
    );
    let written = std::fs::read_to_string(&real).expect("cfg");
    assert!(written.starts_with("Host alias\n"), "{written}");
    assert!(
        written.ends_with(head) || written.contains(head),
        "{written}"
    );
    let check = commands
        .iter()
        .find(|c| c.contains(" -G "))
        .unwrap_or_else(|| panic!("no ssh -G check: {commands:?}"));
    let shown = sh_ok(&w.env, &w.repo, check, &[]).stdout;
    assert!(shown.contains("rsa-sha2-512"), "{shown}");
    w.gone("CC313");
    w.pushes();
}

/// CC305 with `HostKeyAlias`: ssh looks the host key up under the alias alone (the port
/// too is replaced), so the printed `ssh-keyscan` writes the scanned key under that name;
/// pasted, the finding is gone and the push works.
#[test]
fn ssh_host_unknown_fix_writes_the_host_key_alias() {
    let env0 = Env::new();
    let key = SshWorld::keys(&env0).join("id");
    crate::ssh::keygen(&key, "ed25519", "");
    let client = format!("IdentityFile {}", key.display());
    let head = "Host alias\n  HostKeyAlias loopback-sshd\n";
    let Some(w) = SshWorld::custom(&[&key], false, head, &client, "ed25519") else {
        return;
    };
    assert!(w.errors().contains(&"CC305".to_owned()), "{:?}", w.errors());
    let commands = w.paste("CC305", &[]);
    let pinned = std::fs::read_to_string(&w.known_hosts).expect("known_hosts");
    assert!(
        pinned.starts_with("loopback-sshd ssh-"),
        "{pinned}\n{commands:?}"
    );
    w.gone("CC305");
    w.pushes();
}

/// Erase-then-new (CC202) for a retired token in an `http.extraHeader` Authorization
/// header, set in the global config and then URL-scoped (`http.<url>.extraHeader`): the
/// fix removes that header in the file that sets it, under its exact key, and keeps the
/// key's other headers; the person types the new token where the pasted push asks.
#[test]
fn retired_token_in_an_extra_header_fix_removes_that_header_only() {
    for scoped in [false, true] {
        let w = World::new(BB);
        let c = w.ctx();
        c.git(&["config", "--global", "credential.helper", "store"]);
        let key = if scoped {
            format!("http.{}.extraHeader", c.url())
        } else {
            "http.extraHeader".to_owned()
        };
        c.git(&["config", "--global", &key, "X-Trace: 1"]);
        c.git(&[
            "config",
            "--global",
            "--add",
            &key,
            &Ctx::basic("alice", ATBB),
        ]);
        let r = w.doctor();
        assert!(
            codes(&r, "error").contains(&"CC202".to_owned()),
            "{}",
            r.stdout
        );
        let typist = w.typist("alice", ATATT);
        let fix = w.paste("CC202", &typist);
        w.gone("CC202");
        let left = w
            .env
            .git_ok(&w.repo, &["config", "--global", "--get-all", &key]);
        assert_eq!(left.trim(), "X-Trace: 1", "{fix:?}");
        w.pushes();
    }
}

/// CC308: `core.sshCommand` naming a program that is not there, set in a file the global
/// config includes; the fix unsets it in that file (`--global` would not reach it).
#[test]
fn ssh_program_missing_fix_unsets_it_in_the_included_file() {
    let env = Env::new();
    let repo = env.repo("work");
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "git@git.example.test:a/b.git"],
    );
    let extra = env.home_file(
        "extra.gitconfig",
        "[core]\n\tsshCommand = /nowhere/bin/ssh -i ~/.ssh/work\n",
    );
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            "include.path",
            &extra.display().to_string(),
        ],
    );
    assert!(doctor_codes(&env, &repo).contains(&"CC308".to_owned()));
    let fix = paste_fix_with(&env, &repo, "CC308", &[]);
    assert!(
        !doctor_codes(&env, &repo).contains(&"CC308".to_owned()),
        "{fix:?}"
    );
    let left = std::fs::read_to_string(&extra).expect("extra");
    assert!(!left.contains("nowhere"), "{left}");
}

/// CC310: a macOS `UseKeychain yes` in the configuration on Linux; ssh refuses to start.
/// The pasted fix puts `IgnoreUnknown` at the top of that file (through its symlink) and
/// checks last; the finding is gone and the push works.
#[test]
fn ssh_config_unreadable_fix_ignores_a_macos_option() {
    let env0 = Env::new();
    let key = SshWorld::keys(&env0).join("id");
    crate::ssh::keygen(&key, "ed25519", "");
    let client = format!("IdentityFile {}", key.display());
    let head = "Host *\n  UseKeychain yes\n  AddKeysToAgent yes\n";
    let Some(w) = SshWorld::custom(&[&key], true, head, &client, "ed25519") else {
        return;
    };
    assert!(w.errors().contains(&"CC310".to_owned()), "{:?}", w.errors());
    let real = symlinked_config(&w);
    let commands = w.paste("CC310", &[]);
    assert!(
        commands.last().expect("check").contains(" -G "),
        "{commands:?}"
    );
    assert!(
        std::fs::symlink_metadata(&w.cfg)
            .expect("cfg")
            .file_type()
            .is_symlink(),
        "the fix replaced the symlink: {commands:?}"
    );
    let written = std::fs::read_to_string(&real).expect("cfg");
    assert!(
        written.starts_with("IgnoreUnknown usekeychain\n"),
        "{written}"
    );
    w.gone("CC310");
    w.pushes();
}

/// CC301: a person's name as the SSH user for GitHub; the pasted URL fix (all but the
/// check, which connects to github.com) makes the finding go.
#[test]
fn ssh_wrong_user_fix_sets_the_provider_user() {
    if !crate::util::require("ssh") {
        return;
    }
    let env = Env::new();
    let repo = env.repo("work");
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "alice@github.com:a/b.git"],
    );
    assert!(doctor_codes(&env, &repo).contains(&"CC301".to_owned()));
    let commands = fix_commands(&env, &repo, "CC301");
    for c in &commands[..commands.len() - 1] {
        sh_ok(&env, &repo, c, &[]);
    }
    let url = env.git_ok(&repo, &["remote", "get-url", "--push", "origin"]);
    assert_eq!(url.trim(), "git@github.com:a/b.git", "{commands:?}");
    assert!(
        !doctor_codes(&env, &repo).contains(&"CC301".to_owned()),
        "{commands:?}"
    );
}

/// CC301 when ssh's configuration chose the user (no user in the URL): the pasted `Host`
/// block goes at the top of the file ssh reads (`-F` here), ahead of the block that set
/// the wrong user, and the finding goes.
#[test]
fn ssh_wrong_user_from_the_config_fix_writes_a_host_block_first() {
    if !crate::util::require("ssh") {
        return;
    }
    let env = Env::new();
    let repo = env.repo("work");
    let cfg = env.home.join("ssh-config");
    std::fs::write(&cfg, "Host github.com\n  User alice\n").expect("cfg");
    let command = format!("ssh -F {}", cfg.display());
    env.git_ok(&repo, &["config", "core.sshCommand", &command]);
    env.git_ok(&repo, &["remote", "add", "origin", "github.com:a/b.git"]);
    assert!(doctor_codes(&env, &repo).contains(&"CC301".to_owned()));
    let commands = fix_commands(&env, &repo, "CC301");
    for c in &commands[..commands.len() - 1] {
        sh_ok(&env, &repo, c, &[]);
    }
    let written = std::fs::read_to_string(&cfg).expect("cfg");
    assert!(
        written.starts_with("Host github.com\n  User git\nHost *\n"),
        "{written}"
    );
    assert!(
        !doctor_codes(&env, &repo).contains(&"CC301".to_owned()),
        "{commands:?}"
    );
}
