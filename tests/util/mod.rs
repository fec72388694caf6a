//! Test environment: a temporary HOME with isolated git configuration, real git, and
//! the real git-credcheck binary, run without a terminal.

#![allow(dead_code)]

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_git-credcheck");
pub const TODAY: &str = "2026-11-29";

pub struct Env {
    pub dir: tempfile::TempDir,
    pub home: PathBuf,
    pub extra: Vec<(String, String)>,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".config")).expect("home");
        std::fs::write(home.join(".gitconfig"), "[user]\n\tname = T\n\temail = t@example.com\n[init]\n\tdefaultBranch = main\n[protocol \"file\"]\n\tallow = always\n").expect("gitconfig");
        Env {
            dir,
            home,
            extra: Vec::new(),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn set(&mut self, k: &str, v: &str) {
        self.extra.push((k.to_owned(), v.to_owned()));
    }

    /// A command with the isolated environment and no controlling terminal.
    pub fn cmd(&self, program: &str, cwd: &Path) -> Command {
        let mut c = Command::new(program);
        c.current_dir(cwd)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("XDG_CACHE_HOME", self.home.join(".cache"))
            .env("XDG_STATE_HOME", self.home.join(".local/state"))
            .env("GIT_CONFIG_GLOBAL", self.home.join(".gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_CREDCHECK_TODAY", TODAY)
            .env("LANG", "C")
            .stdin(Stdio::null());
        for (k, v) in &self.extra {
            c.env(k, v);
        }
        // SAFETY: setsid in the child only; no terminal for anything under test.
        unsafe {
            c.pre_exec(|| {
                libc_setsid();
                Ok(())
            });
        }
        c
    }

    pub fn git(&self, cwd: &Path, args: &[&str]) -> Run {
        self.cmd("git", cwd)
            .args(args)
            .output()
            .expect("git runs")
            .into()
    }

    pub fn git_ok(&self, cwd: &Path, args: &[&str]) -> String {
        let r = self.git(cwd, args);
        assert_eq!(r.code, 0, "git {args:?} failed: {}", r.stderr);
        r.stdout
    }

    pub fn credcheck(&self, cwd: &Path, args: &[&str]) -> Run {
        self.cmd(BIN, cwd)
            .args(args)
            .output()
            .expect("git-credcheck runs")
            .into()
    }

    pub fn credcheck_stdin(&self, cwd: &Path, args: &[&str], stdin: &[u8]) -> Run {
        use std::io::Write;
        let mut child = self
            .cmd(BIN, cwd)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut input = child.stdin.take().expect("stdin");
        let data = stdin.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = input.write_all(&data);
        });
        let out = child.wait_with_output().expect("wait");
        let _ = writer.join();
        out.into()
    }

    /// A work tree with one commit and a bare remote at `origin`.
    pub fn repo(&self, name: &str) -> PathBuf {
        let dir = self.path(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        self.git_ok(&dir, &["init", "-q"]);
        std::fs::write(dir.join("README"), "x\n").expect("write");
        self.git_ok(&dir, &["add", "README"]);
        self.git_ok(&dir, &["commit", "-qm", "init"]);
        dir
    }

    pub fn bare(&self, name: &str) -> PathBuf {
        let dir = self.path(name);
        self.git_ok(
            self.dir.path(),
            &["init", "-q", "--bare", dir.to_str().expect("utf8")],
        );
        dir
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write");
        p
    }

    pub fn home_file(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.home.join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write");
        p
    }

    pub fn script(&self, rel: &str, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let p = self.write(rel, &format!("#!/bin/sh\n{body}\n"));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        p
    }

    /// Maps loopback hosts to provider kinds in the user's git-credcheck config.
    pub fn map_hosts(&self, pairs: &[(&str, &str)]) {
        let mut s = String::from("hosts:\n");
        for (h, k) in pairs {
            s.push_str(&format!("  \"{h}\": {k}\n"));
        }
        self.home_file(".config/git-credcheck/config.yaml", &s);
    }
}

fn libc_setsid() {
    extern "C" {
        fn setsid() -> i32;
    }
    // SAFETY: plain syscall in a freshly forked child.
    unsafe {
        setsid();
    }
}

/// Parses `--format json` output.
pub fn json(r: &Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", r.stdout, r.stderr))
}

/// Runs the doctor, takes the fix commands `code` printed, and runs each through `sh` as a
/// person pasting them would; each must succeed. Returns the commands.
pub fn paste_fix(env: &Env, repo: &Path, code: &str) -> Vec<String> {
    paste_fix_with(env, repo, code, &[])
}

/// [`paste_fix`] with `vars` set for the pasted commands only (a stand-in `GIT_ASKPASS`
/// typing where a pasted `git push` asks).
pub fn paste_fix_with(env: &Env, repo: &Path, code: &str, vars: &[(&str, &str)]) -> Vec<String> {
    let commands = fix_commands(env, repo, code);
    assert!(!commands.is_empty(), "{code} printed no fix");
    for c in &commands {
        sh_ok(env, repo, c, vars);
    }
    commands
}

/// The fix commands the doctor's JSON report prints for `code` (which must be reported).
pub fn fix_commands(env: &Env, repo: &Path, code: &str) -> Vec<String> {
    let r = env.credcheck(repo, &["--format", "json"]);
    let report = json(&r);
    let finding = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code}: {}", r.stdout))
        .clone();
    finding["fix"]["commands"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| c.as_str().expect("str").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Runs `line` through `sh` in `repo` as a person pasting it would, with `vars` set; it
/// must succeed. Returns its output.
pub fn sh_ok(env: &Env, repo: &Path, line: &str, vars: &[(&str, &str)]) -> Run {
    let out: Run = env
        .cmd("sh", repo)
        .envs(vars.iter().copied())
        .args(["-c", line])
        .output()
        .expect("sh")
        .into();
    assert_eq!(out.code, 0, "`{line}` failed: {}", out.all());
    out
}

/// Codes of findings at `severity` in a JSON report.
pub fn codes(r: &Run, severity: &str) -> Vec<String> {
    json(r)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == severity)
        .map(|f| f["code"].as_str().expect("code").to_owned())
        .collect()
}

/// Set to `1` (as .ci/run does) to make a missing prerequisite fail the test that needs it.
pub const REQUIRE_VAR: &str = "CREDCHECK_REQUIRE_TOOLS";

/// Whether a missing prerequisite fails the test (`CREDCHECK_REQUIRE_TOOLS=1`) rather than
/// skipping it. Any other value than `1`, `0` or empty is itself an error.
fn tools_required() -> bool {
    match std::env::var(REQUIRE_VAR) {
        Ok(v) if v == "1" => true,
        Ok(v) if v.is_empty() || v == "0" => false,
        Ok(v) => panic!("{REQUIRE_VAR}={v:?}: set it to 1 (fail) or 0 (skip)"),
        Err(_) => false,
    }
}

/// A prerequisite is missing: under `CREDCHECK_REQUIRE_TOOLS=1` the test fails here;
/// otherwise it says "skipping: …" on the real stderr (not captured by the test harness,
/// so a skip is never silent) and the caller returns.
fn missing(what: &str) -> bool {
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    if tools_required() {
        panic!("{test}: {what}; {REQUIRE_VAR}=1 makes this a failure (.ci/run installs every tool the tests need)");
    }
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr().lock(),
        "skipping: {test}: {what} (set {REQUIRE_VAR}=1 to fail instead)"
    );
    false
}

/// The prerequisite check every test that needs an outside program uses:
/// `if !util::require("python3") { return; }`. `program` is a name looked up on PATH
/// or a path. True when it is there; see [`missing`] for what happens when not.
#[must_use]
pub fn require(program: &str) -> bool {
    find_program(program).is_some() || missing(&format!("`{program}` is not installed"))
}

/// Like [`require`], for tests that must run as root; `why` names what needs it.
#[must_use]
pub fn require_root(why: &str) -> bool {
    is_root() || missing(&format!("not running as root, which {why}"))
}

/// Where `program` (a name on PATH, or a path) is, if it is an executable file.
pub fn find_program(program: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let executable = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.contains('/') {
        let p = PathBuf::from(program);
        return executable(&p).then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| executable(p))
}

pub fn is_root() -> bool {
    extern "C" {
        fn geteuid() -> u32;
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { geteuid() == 0 }
}

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One listener: bind address, provider id, accepted (user, password) pairs, any user name.
pub type Policy<'a> = (&'a str, &'a str, Vec<(String, String)>, bool);

/// The smart-HTTP server of tests/support/git_http_server.py.
pub struct HttpServer {
    child: std::process::Child,
    pub ports: std::collections::HashMap<String, u16>,
    pub root: PathBuf,
    pub log: PathBuf,
}

impl HttpServer {
    /// `policies`: (bind address, provider id, accepted (user, password) pairs, any user).
    pub fn start(env: &Env, policies: &[Policy<'_>]) -> HttpServer {
        let json: Vec<serde_json::Value> = policies
            .iter()
            .map(|(bind, provider, accept, any)| serde_json::json!({ "bind": bind, "provider": provider, "accept": accept, "any_user": any }))
            .collect();
        HttpServer::start_json(env, json)
    }

    /// Listeners given as the server script's JSON policies, optional keys included
    /// (`read_only`, `hidden`, `delay`, `hang`: see tests/support/git_http_server.py).
    pub fn start_json(env: &Env, json: Vec<serde_json::Value>) -> HttpServer {
        use std::io::BufRead;
        let root = env.path("srv");
        std::fs::create_dir_all(&root).expect("root");
        let log = env.path("server.log");
        let mut child = Command::new("python3")
            .arg(manifest_dir().join("tests/support/git_http_server.py"))
            .arg(&root)
            .arg(&log)
            .arg(serde_json::Value::Array(json).to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs the test server");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("server prints its ports");
        let ports =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("server said {line:?}: {e}"));
        HttpServer {
            child,
            ports,
            root,
            log,
        }
    }

    /// A new bare repository that accepts pushes; returns its URL path.
    pub fn repo(&self, env: &Env, name: &str) -> String {
        let dir = self.root.join(format!("{name}.git"));
        env.git_ok(
            &self.root,
            &["init", "-q", "--bare", dir.to_str().expect("utf8")],
        );
        env.git_ok(&dir, &["config", "http.receivepack", "true"]);
        format!("{name}.git")
    }

    pub fn url(&self, bind: &str, path: &str) -> String {
        format!("http://{bind}:{}/{path}", self.ports[bind])
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Fails when `text` holds any 6-character piece of any of `secrets`.
pub fn assert_no_leak(text: &str, secrets: &[String], context: &str) {
    for s in secrets {
        let chars: Vec<char> = s.chars().collect();
        if chars.len() < 6 {
            continue;
        }
        for w in chars.windows(6) {
            let piece: String = w.iter().collect();
            // Fixed, public prefixes are not secret (ATBB…, ghp_…, glpat-…).
            if KNOWN_PREFIX_PIECES
                .iter()
                .any(|p| p.contains(piece.as_str()))
            {
                continue;
            }
            assert!(
                !text.contains(&piece),
                "{context}: output contains `{piece}` from a planted secret:\n{text}"
            );
        }
    }
}

const KNOWN_PREFIX_PIECES: &[&str] = &[
    "glpat-",
    "ATATT3xFfGF0",
    "ATCTT3xFfGN0",
    "github_pat_",
    "x-bitbucket-api-token-auth",
    "gitlab+deploy-token-",
];
