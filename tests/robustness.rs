//! Hardening: no leak, no write, no hang, no leftover process, no panic on bad input.

use crate::util::{assert_no_leak, require, require_root, Env, Run};
use std::path::{Path, PathBuf};
use std::time::Duration;

const URL_PW: &str = "UrlPw-Hq4Zx8Lk2Mn6";
const STORE_PW: &str = "ATBBSt0rePw1Xy2Zq3Wv4Ut5Sr6Qp7On8Ml";
const FILE_PW: &str = "ghp_F1leSt0reQ9w8E7r6T5y4U3i2O1pAsDfGh";
const HEADER_PW: &str = "ghs_HeaDer7Tok3nZx9Cv8Bn7Mq6Wr5Ty4Ui3O";
const GH_TOKEN: &str = "gho_EnvGhT0kenPl9Ok8Ij7Uh6Yg5Tf4Rd3Es2";
const GITHUB_TOKEN: &str = "ghs_EnvGithubT0kenMn8Bv7Cx6Za5Sd4Fg3H";
const GITLAB_TOKEN: &str = "glpat-EnvGitlabTok9Xq2";
const GUARD_PW: &str = "ATATT3xFfGF0GuardInputSecret77Kq2=AB12CD34";
const PASSPHRASE: &str = "Kx9Vb2Nm7Qw4Er8Ty";
const FORCED: &str = "Fz8Kq2Wm7Xp4Rt9Lv";

fn planted() -> Vec<String> {
    [
        URL_PW,
        STORE_PW,
        FILE_PW,
        HEADER_PW,
        GH_TOKEN,
        GITHUB_TOKEN,
        GITLAB_TOKEN,
        GUARD_PW,
        PASSPHRASE,
        FORCED,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// A repository with a secret in every place one can live; `None` (the test skips)
/// without ssh-keygen to make the passphrase-protected key.
fn planted_world() -> Option<(Env, PathBuf)> {
    use base64::Engine;
    if !require("ssh-keygen") {
        return None;
    }
    let mut env = Env::new();
    env.set("GH_TOKEN", GH_TOKEN);
    env.set("GITHUB_TOKEN", GITHUB_TOKEN);
    env.set("GITLAB_TOKEN", GITLAB_TOKEN);
    let repo = env.repo("work");
    env.git_ok(
        &repo,
        &[
            "remote",
            "add",
            "origin",
            &format!("https://alice:{URL_PW}@github.com/acme/app.git"),
        ],
    );
    env.git_ok(
        &repo,
        &["remote", "add", "bb", "https://bitbucket.org/acme/app.git"],
    );
    env.git_ok(
        &repo,
        &["remote", "add", "gh", "https://github.com/acme/other.git"],
    );
    env.git_ok(
        &repo,
        &["remote", "add", "sshr", "git@github.com:acme/app.git"],
    );
    env.git_ok(&repo, &["config", "--global", "credential.helper", "store"]);
    env.home_file(
        ".git-credentials",
        &format!("https://alice:{STORE_PW}@bitbucket.org\n"),
    );
    let f = env.write("creds", &format!("https://bob:{FILE_PW}@github.com\n"));
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            "--add",
            "credential.https://github.com.helper",
            &format!("store --file {}", f.display()),
        ],
    );
    let header = format!(
        "AUTHORIZATION: basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("x-access-token:{HEADER_PW}"))
    );
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            "http.https://github.com/acme/other.git.extraheader",
            &header,
        ],
    );
    let key = env.path("sshkey");
    let st = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", PASSPHRASE, "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen");
    assert!(st.success(), "ssh-keygen: {st}");
    env.git_ok(
        &repo,
        &[
            "config",
            "core.sshCommand",
            &format!("ssh -F /dev/null -i {} -o BatchMode=yes", key.display()),
        ],
    );
    Some((env, repo))
}

#[test]
fn no_output_of_any_command_holds_a_planted_secret() {
    let Some((env, repo)) = planted_world() else {
        return;
    };
    let secrets = planted();
    let mut outputs: Vec<(String, Run)> = Vec::new();
    for args in [
        vec![],
        vec!["--format", "json"],
        vec!["--format", "sarif"],
        vec!["--verbose"],
        vec!["--facts"],
        vec!["doctor", "--remote", "origin"],
        vec!["rules"],
        vec!["explain", "CC101"],
    ] {
        outputs.push((format!("{args:?}"), env.credcheck(&repo, &args)));
    }
    let url = format!("https://alice:{URL_PW}@github.com/acme/app.git");
    let head = env.git_ok(&repo, &["rev-parse", "HEAD"]);
    let refs = format!(
        "refs/heads/main {} refs/heads/main {}\n",
        head.trim(),
        "0".repeat(40)
    );
    for fmt in ["human", "json", "sarif"] {
        outputs.push((
            format!("pre-push {fmt}"),
            env.credcheck_stdin(
                &repo,
                &["hook", "pre-push", "origin", &url, "--format", fmt],
                refs.as_bytes(),
            ),
        ));
        outputs.push((
            format!("pre-push url {fmt}"),
            env.credcheck_stdin(
                &repo,
                &["hook", "pre-push", &url, &url, "--format", fmt],
                refs.as_bytes(),
            ),
        ));
    }
    let pc: Run = env
        .cmd(crate::util::BIN, &repo)
        .args(["hook", "pre-commit", "--verbose"])
        .env("PRE_COMMIT_REMOTE_NAME", "origin")
        .env("PRE_COMMIT_REMOTE_URL", &url)
        .output()
        .expect("run")
        .into();
    outputs.push(("pre-commit".into(), pc));
    let guard_in =
        format!("protocol=https\nhost=bitbucket.org\nusername=alice\npassword={GUARD_PW}\n\n");
    for op in ["get", "store", "erase"] {
        outputs.push((
            format!("guard {op}"),
            env.credcheck_stdin(&repo, &["guard", op], guard_in.as_bytes()),
        ));
    }
    env.home_file(
        ".config/git-credcheck/config.yaml",
        "guard:\n  record: true\n",
    );
    outputs.push((
        "guard store (recording)".into(),
        env.credcheck_stdin(&repo, &["guard", "store"], guard_in.as_bytes()),
    ));
    let state = std::fs::read_to_string(
        env.home
            .join(".local/state/git-credcheck/credentials.jsonl"),
    )
    .expect("recorded");
    assert_no_leak(&state, &secrets, "guard record file");
    // Error paths: a broken config file, and a forced internal failure in each mode.
    std::fs::write(repo.join(".credcheck.yaml"), "rules:\n  CC999: off\n").expect("write");
    outputs.push(("bad config".into(), env.credcheck(&repo, &[])));
    std::fs::remove_file(repo.join(".credcheck.yaml")).expect("rm");
    for args in [vec![], vec!["hook", "pre-commit"], vec!["guard", "get"]] {
        let r: Run = env
            .cmd(crate::util::BIN, &repo)
            .args(&args)
            .env("GIT_CREDCHECK_FORCE_INTERNAL_ERROR", "1")
            .output()
            .expect("run")
            .into();
        assert!(r.stderr.contains("internal error"), "{args:?}: {}", r.all());
        outputs.push((format!("forced failure {args:?}"), r));
    }
    for (what, r) in &outputs {
        assert_no_leak(&r.all(), &secrets, what);
    }
    // The runs found something worth saying (the leak check is not vacuous).
    assert!(
        outputs[0].1.stdout.contains("CC101") && outputs[0].1.stdout.contains("CC202"),
        "{}",
        outputs[0].1.stdout
    );
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn writes_nothing_it_was_not_asked_to() {
    let Some((env, repo)) = planted_world() else {
        return;
    };
    let before = (snapshot(&env.home), snapshot(&repo));
    let url = format!("https://alice:{URL_PW}@github.com/acme/app.git");
    // Each run does its full work (a report, a hook verdict, a guard answer), so an
    // early failure cannot pass for "wrote nothing".
    for args in [vec![], vec!["--format", "sarif"], vec!["--facts"]] {
        let r = env.credcheck(&repo, &args);
        assert!(
            r.code < 2 && r.stdout.contains("github.com/acme/app.git"),
            "{args:?}: {}",
            r.all()
        );
    }
    let r = env.credcheck_stdin(&repo, &["hook", "pre-push", "origin", &url], b"");
    assert!(r.stderr.contains("CC101"), "{}", r.all());
    let guard_in =
        format!("protocol=https\nhost=bitbucket.org\nusername=alice\npassword={GUARD_PW}\n\n");
    for op in ["get", "store", "erase"] {
        let r = env.credcheck_stdin(&repo, &["guard", op], guard_in.as_bytes());
        assert_eq!(r.code, 0, "guard {op}: {}", r.all());
    }
    let after = (snapshot(&env.home), snapshot(&repo));
    assert!(
        before == after,
        "git-credcheck changed files in HOME or the repository"
    );
}

/// The variable a hostile program exports, so that every process it starts carries it.
const HOSTILE_VAR: &str = "CREDCHECK_HOSTILE";

/// A hostile program: it records its arguments and, should any part of it end on its
/// own, that it did (`$FINISHED`): a tool that waited for it instead of killing it leaves
/// that mark, however long the wait. It exports `CREDCHECK_HOSTILE=<marker>` to everything
/// it starts.
fn hostile_program(env: &Env, marker: &str, body: &str) -> (PathBuf, PathBuf) {
    let log = env.path(&format!("{marker}.log"));
    let prog = env.script(
        &format!("bin/{marker}"),
        &format!(
            "echo \"$*\" >> '{log}'\nFINISHED=\"echo finished >> '{log}'\"\nexport {HOSTILE_VAR}={marker}\n{body}",
            log = log.display()
        ),
    );
    (prog, log)
}

/// Live processes started by the hostile program `marker` (pid and command line), found
/// through the variable it exports: a `sleep` it forked has its own command line but
/// inherits the environment. Zombies have no environment left and do not count.
fn alive(marker: &str) -> Vec<String> {
    let needle = format!("{HOSTILE_VAR}={marker}\0");
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc")
        .expect("/proc is readable")
        .flatten()
    {
        let pid = e.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(environ) = std::fs::read(e.path().join("environ")) else {
            continue;
        };
        if environ
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
        {
            let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            found.push(format!(
                "{pid}: {}",
                String::from_utf8_lossy(&cmd).replace('\0', " ")
            ));
        }
    }
    found
}

/// Asserts that nothing the hostile program started is still running once the tool has
/// returned. SIGKILL lands asynchronously, so the check retries for a while; a process
/// the tool did not kill lives on (`sleep 300`) and fails it.
fn assert_none_left(marker: &str, what: &str) {
    let mut left = alive(marker);
    for _ in 0..100 {
        if left.is_empty() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
        left = alive(marker);
    }
    panic!(
        "{what}: processes outlived git-credcheck:\n{}",
        left.join("\n")
    );
}

#[test]
fn hostile_programs_cannot_hang_it_or_outlive_it() {
    // (name, body, what the SSH probe must report: its deadline fired, or it failed)
    let hostile = [
        ("sleeps", "sleep 60; $FINISHED", "did not finish within"),
        (
            "reads-tty",
            "cat /dev/tty; sleep 60; $FINISHED",
            "did not finish within",
        ),
        ("floods", "yes flood; $FINISHED", "did not finish within"),
        (
            "forks",
            "(sleep 60; $FINISHED) & sleep 60; $FINISHED",
            "did not finish within",
        ),
        ("signal", "kill -SEGV $$", "-G` failed"),
        // A grandchild in a session of its own holds the pipes after the program exits:
        // the tool stops at the exit, and ends the escapee (issue 18).
        (
            "escapes",
            "setsid sh -c 'sleep 60; $FINISHED' & exit 3",
            "-G` failed",
        ),
    ];
    if !require("setsid") {
        return;
    }
    for (name, body, probe) in hostile {
        let mut env = Env::new();
        let marker = format!("credcheck-hostile-{name}-{}", std::process::id());
        let (prog, log) = hostile_program(&env, &marker, body);
        env.set("GIT_SSH_COMMAND", prog.to_str().expect("utf8"));
        let repo = env.repo("work");
        env.git_ok(
            &repo,
            &["remote", "add", "origin", "git@github.com:acme/app.git"],
        );
        // A credential helper that would hang is configured too: it must never be run.
        env.git_ok(
            &repo,
            &[
                "config",
                "--global",
                "credential.helper",
                &prog.display().to_string(),
            ],
        );
        env.git_ok(
            &repo,
            &["remote", "add", "https", "https://github.com/acme/app.git"],
        );
        let r = env.credcheck(&repo, &["--format", "json"]);
        assert!(r.code == 0 || r.code == 1, "{name}: {}", r.all());
        // The run ended because the probe gave up, and said so.
        let ssh_config = crate::util::json(&r)["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["code"] == "CC310")
            .map(|f| f.to_string())
            .unwrap_or_else(|| panic!("{name}: no CC310 for the broken ssh:\n{}", r.stdout));
        assert!(ssh_config.contains(probe), "{name}: {ssh_config}");
        assert_none_left(&marker, name);
        // Only ssh's `-G` probe ran it, never as a credential helper (`get`), and it was
        // killed, not waited for.
        let runs = std::fs::read_to_string(&log).expect("the ssh probe ran the program");
        assert!(
            !runs.contains("finished"),
            "{name}: waited for it: {runs:?}"
        );
        assert!(
            runs.lines().all(|l| l.starts_with("-G ")),
            "{name}: ran as {runs:?}"
        );
    }
    // A hostile `git` (the tool's first subprocess): the hook still lets the push through.
    let mut env = Env::new();
    let marker = format!("credcheck-hostile-git-{}", std::process::id());
    let (prog, log) = hostile_program(&env, &marker, "(sleep 60; $FINISHED) & sleep 60; $FINISHED");
    env.set("GIT_CREDCHECK_GIT", prog.to_str().expect("utf8"));
    env.set("GIT_CREDCHECK_CONFIG_READER", "git");
    let repo = env.repo("work");
    let r = env.credcheck_stdin(
        &repo,
        &["hook", "pre-push", "origin", "https://x.example/r.git"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.stderr.lines().count(), 1, "one clear line: {}", r.stderr);
    assert!(
        r.stderr.contains("push not checked") && r.stderr.contains("did not finish within"),
        "{}",
        r.stderr
    );
    assert_none_left(&marker, "hostile git");
    let runs = std::fs::read_to_string(&log).expect("the hook ran the hostile git");
    assert!(!runs.contains("finished"), "waited for git: {runs:?}");
}

#[test]
fn malformed_pre_push_input_never_breaks_the_hook() {
    let env = Env::new();
    let repo = env.repo("work");
    let a = "a".repeat(40);
    let z = "0".repeat(40);
    let inputs: Vec<Vec<u8>> = vec![
        b"short\n".to_vec(),
        format!("r {a} r {a} extra fields\n").into_bytes(),
        format!("r {} r {z}\n", "g".repeat(40)).into_bytes(),
        format!("r {} r {z}\n", "a".repeat(39)).into_bytes(),
        format!("r {a} r {}\r\n", "0".repeat(64)).into_bytes(),
        b"\n\n\n".to_vec(),
        vec![0xff, 0xfe, b' ', 0x80, b'\n'],
        format!("refs/heads/main {a} refs/heads/main {z}\r\n").into_bytes(),
        "x".repeat(1 << 20).into_bytes(),
    ];
    for input in inputs {
        let r = env.credcheck_stdin(
            &repo,
            &["hook", "pre-push", "origin", "https://x.example/r.git"],
            &input,
        );
        assert_eq!(r.code, 0, "{}", r.all());
        assert!(!r.all().contains("panic"), "{}", r.all());
    }
}

#[test]
fn odd_urls_and_repositories_get_a_clear_answer() {
    let urls = [
        "HTTPS://github.com/a/b.git",
        "https://[::1]:8443/r.git",
        "ssh://git@[fe80::1%25eth0]/r.git",
        "git@[fe80::1%eth0]:r.git",
        "https://host.example/with%20space/r.git",
        "https://host.example/with space/r.git",
        "ext::sh -c true",
        "fd::3",
        "file:///tmp/r.git",
        "../relative/r.git",
        "https://u:p@[bad",
        "",
    ];
    for url in urls {
        let env = Env::new();
        let repo = env.repo("work");
        env.git_ok(&repo, &["config", "remote.origin.url", url]);
        let r = env.credcheck(&repo, &[]);
        assert!(r.code == 0 || r.code == 1, "{url:?}: {}", r.all());
        assert!(!r.all().contains("panic"), "{url:?}: {}", r.all());
        let r = env.credcheck_stdin(&repo, &["hook", "pre-push", "origin", url], b"");
        assert!(r.code == 0 || r.code == 1, "{url:?}: {}", r.all());
    }
}

#[test]
fn odd_repositories() {
    let env = Env::new();
    // Bare, SHA-256, detached HEAD, worktree, submodule, no remote, non-UTF-8 path.
    let bare = env.bare("bare.git");
    env.git_ok(
        &bare,
        &["remote", "add", "origin", "https://github.com/a/b.git"],
    );
    assert!(env.credcheck(&bare, &[]).code < 2, "bare");
    let sha = env.path("sha256");
    std::fs::create_dir_all(&sha).expect("mkdir");
    env.git_ok(&sha, &["init", "-q", "--object-format=sha256"]);
    std::fs::write(sha.join("f"), "x").expect("w");
    env.git_ok(&sha, &["add", "f"]);
    env.git_ok(&sha, &["commit", "-qm", "x"]);
    env.git_ok(
        &sha,
        &["remote", "add", "origin", "https://github.com/a/b.git"],
    );
    let head = env.git_ok(&sha, &["rev-parse", "HEAD"]);
    let line = format!(
        "refs/heads/main {} refs/heads/main {}\n",
        head.trim(),
        "0".repeat(64)
    );
    let r = env.credcheck_stdin(
        &sha,
        &["hook", "pre-push", "origin", "https://github.com/a/b.git"],
        line.as_bytes(),
    );
    assert_eq!(r.code, 0, "sha256: {}", r.all());
    let repo = env.repo("work");
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "https://github.com/a/b.git"],
    );
    env.git_ok(&repo, &["checkout", "-q", "--detach"]);
    assert!(env.credcheck(&repo, &[]).code < 2, "detached");
    let r: Run = env
        .cmd(crate::util::BIN, &repo)
        .args(["hook", "pre-commit"])
        .output()
        .expect("run")
        .into();
    assert!(r.code < 2, "detached pre-commit: {}", r.all());
    let wt = env.path("wt");
    env.git_ok(
        &repo,
        &["worktree", "add", "-q", wt.to_str().expect("utf8")],
    );
    assert!(env.credcheck(&wt, &[]).code < 2, "worktree");
    let sub = env.path("work/sub");
    let source = env.repo("subsrc");
    env.git_ok(
        &repo,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            source.to_str().expect("utf8"),
            "sub",
        ],
    );
    assert!(env.credcheck(&sub, &[]).code < 2, "submodule");
    let lonely = env.repo("lonely");
    let r = env.credcheck(&lonely, &[]);
    assert_eq!(r.code, 0, "no remote: {}", r.all());
    use std::os::unix::ffi::OsStrExt;
    let weird = env.dir.path().join(std::ffi::OsStr::from_bytes(b"caf\xe9"));
    std::fs::create_dir_all(&weird).expect("mkdir");
    env.git_ok(&weird, &["init", "-q"]);
    env.git_ok(
        &weird,
        &["remote", "add", "origin", "https://github.com/a/b.git"],
    );
    assert!(env.credcheck(&weird, &[]).code < 2, "non-UTF-8 path");
}

#[test]
fn broken_and_huge_configuration() {
    let env = Env::new();
    let repo = env.repo("work");
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "https://github.com/a/b.git"],
    );
    let big: String = (0..20_000)
        .map(|i| format!("[alias]\n\ta{i} = status\n"))
        .collect();
    std::fs::write(env.home.join(".gitconfig-big"), big).expect("w");
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            "include.path",
            env.home.join(".gitconfig-big").to_str().expect("utf8"),
        ],
    );
    assert!(env.credcheck(&repo, &[]).code < 2, "huge config");
    // Garbage and overlong lines in a credential store.
    let mut garbage = vec![0u8, 0xff, b'\n'];
    garbage.extend(std::iter::repeat_n(b'a', 100_000));
    garbage.extend_from_slice(
        b"\nhttps://alice:ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com\n",
    );
    std::fs::write(env.home.join(".git-credentials"), garbage).expect("w");
    env.git_ok(&repo, &["config", "--global", "credential.helper", "store"]);
    assert!(env.credcheck(&repo, &[]).code < 2, "garbage store");
    // A broken config file: git refuses it; the doctor exits 2, the hook lets the push through.
    std::fs::write(
        repo.join(".git/config"),
        "[http]\n\textraheader = Authorization: basic Qm9yaW5nU2VjcmV0WHl6\n[core\nbroken",
    )
    .expect("w");
    let r = env.credcheck(&repo, &[]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains(".git/config"), "{}", r.stderr);
    assert_no_leak(
        &r.all(),
        &["Qm9yaW5nU2VjcmV0WHl6".to_owned()],
        "parse error",
    );
    let r = env.credcheck_stdin(
        &repo,
        &["hook", "pre-push", "origin", "https://github.com/a/b.git"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("push not checked"), "{}", r.stderr);
    // Configured to block on internal errors (in the user file, which still parses).
    env.home_file(
        ".config/git-credcheck/config.yaml",
        "on-internal-error: block\n",
    );
    let r: Run = env
        .cmd(crate::util::BIN, &repo)
        .args(["hook", "pre-commit"])
        .env("GIT_CREDCHECK_FORCE_INTERNAL_ERROR", "1")
        .output()
        .expect("run")
        .into();
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stderr.contains("push blocked (on-internal-error: block)"),
        "{}",
        r.stderr
    );
}

#[test]
fn repository_owned_by_another_user() {
    if !require_root("chowning the repository to another user needs") {
        return;
    }
    let env = Env::new();
    let repo = env.repo("work");
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "https://github.com/a/b.git"],
    );
    let st = std::process::Command::new("chown")
        .args(["-R", "nobody"])
        .arg(&repo)
        .status()
        .expect("chown");
    assert!(st.success());
    let r = env.credcheck(&repo, &[]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("dubious ownership") && r.stderr.contains("safe.directory"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------------
// Hostile and odd inputs (issue 18): one table over hook, guard and doctor. Each run is
// bounded by a watchdog (a hang fails the test instead of hanging it), by `ulimit -v`
// (memory), and its output must hold no 6-character piece of any planted secret.

/// Far above any run here: crossing it means the run waited on something forever.
const HANG: Duration = Duration::from_secs(120);
/// Virtual memory for one run (KiB): the binary, gix's maps, a 64 KiB input buffer.
const MEMORY_KIB: u64 = 512 * 1024;

const QUERY_TOK: &str = "Qy0k3nZx81Lm5VbT";
const PATH_TOK: &str = "glpat-Pt9Xq2Wz7LmKs4Dh";
const BASE_PW: &str = "BasePw4Kd8Ns2Vq7";
const BASE_TOK: &str = "ghp_Zq0Vw9Xe8Cr7Vt6Bn5Ym4Ku3Pj2Hg1Fd0Sa";
const CRED_USER: &str = "ghu_Cx7Tk9Pq8Lm7Nb6Vc5Xz4As3Df2Gh1Jk0Lz";
const CRED_SUB_PW: &str = "CredSubPw3Jh6Gf9Qa";
const ASKPASS_TOK: &str = "Ak5Rt8YuQw3Ez7Xc";
const PARAM_PW: &str = "ParamPw2Wq5Er8TyZx";
const KEYN_PW: &str = "KeyNPw6Ui9Op3AsQw";
const GUARD_PATH_TOK: &str = "Gp4Hj7KlZx2Cv9Bn";
const LEAKY_PW: &str = "LeakyPw8Mn2Bv5Cx";

fn planted_everywhere() -> Vec<String> {
    [
        QUERY_TOK,
        PATH_TOK,
        BASE_PW,
        BASE_TOK,
        CRED_USER,
        CRED_SUB_PW,
        ASKPASS_TOK,
        PARAM_PW,
        KEYN_PW,
        GUARD_PATH_TOK,
        LEAKY_PW,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// What a run reads on its standard input.
enum Input {
    Bytes(Vec<u8>),
    File(PathBuf),
    /// These bytes, then the pipe stays open until the run ends.
    KeptOpen(Vec<u8>),
}

/// One run of git-credcheck and what it must answer.
struct Check {
    what: String,
    args: Vec<String>,
    input: Input,
    env: Vec<(String, String)>,
    close_stderr: bool,
    /// The exit code; `None`: 0 or 1 (a verdict, not a failure of the tool).
    code: Option<i32>,
    /// Texts the output (stdout, then stderr) must contain.
    says: Vec<String>,
    /// The run must end within this (a bound on waiting, not a benchmark).
    within: Duration,
}

impl Check {
    fn new(what: impl Into<String>, args: &[&str], input: Input) -> Check {
        Check {
            what: what.into(),
            args: args.iter().map(|a| a.to_string()).collect(),
            input,
            env: Vec::new(),
            close_stderr: false,
            code: Some(0),
            says: Vec::new(),
            within: HANG,
        }
    }

    fn code(mut self, code: Option<i32>) -> Check {
        self.code = code;
        self
    }

    fn says(mut self, text: impl Into<String>) -> Check {
        self.says.push(text.into());
        self
    }

    fn env(mut self, k: &str, v: &str) -> Check {
        self.env.push((k.into(), v.into()));
        self
    }
}

/// A repository whose `origin` is on GitHub (so the hook inspects the pushed range), an
/// SSH remote whose ssh reads `~/ssh_config`, and a stored token: every mode has a clean
/// answer before a case makes things hostile.
struct World {
    env: Env,
    repo: PathBuf,
    head: String,
}

const ORIGIN: &str = "https://github.com/acme/app.git";

impl World {
    fn new() -> World {
        let env = Env::new();
        let repo = env.repo("work");
        env.git_ok(&repo, &["remote", "add", "origin", ORIGIN]);
        env.git_ok(
            &repo,
            &["remote", "add", "sshr", "git@github.com:acme/app.git"],
        );
        let ssh_config = env.home_file("ssh_config", "");
        env.git_ok(
            &repo,
            &[
                "config",
                "core.sshCommand",
                &format!("ssh -F {} -o BatchMode=yes", ssh_config.display()),
            ],
        );
        env.git_ok(&repo, &["config", "--global", "credential.helper", "store"]);
        env.home_file(
            ".git-credentials",
            "https://alice:ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com\n",
        );
        let head = env.git_ok(&repo, &["rev-parse", "HEAD"]).trim().to_owned();
        World { env, repo, head }
    }

    fn ref_line(&self) -> String {
        format!(
            "refs/heads/main {} refs/heads/main {}\n",
            self.head,
            "0".repeat(40)
        )
    }

    fn hook(&self, remote: &str, url: &str) -> Check {
        Check::new(
            format!("hook {remote}"),
            &["hook", "pre-push", remote, url],
            Input::Bytes(self.ref_line().into_bytes()),
        )
    }

    fn guard(&self, op: &str, host: &str, path: &str) -> Check {
        Check::new(
            format!("guard {op} {host}"),
            &["guard", op],
            Input::Bytes(format!("protocol=https\nhost={host}\npath={path}\n\n").into_bytes()),
        )
    }

    fn doctor(&self, args: &[&str]) -> Check {
        let mut all = vec!["doctor"];
        all.extend_from_slice(args);
        // The SSH remote has no key in a test's HOME: the doctor's verdict may be an error.
        Check::new(format!("doctor {args:?}"), &all, Input::Bytes(Vec::new())).code(None)
    }

    fn fifo(&self, path: &Path) {
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        let _ = std::fs::remove_file(path);
        let st = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("mkfifo");
        assert!(st.success());
    }

    fn symlink(&self, target: &str, path: &Path) {
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        let _ = std::fs::remove_file(path);
        std::os::unix::fs::symlink(target, path).expect("symlink");
    }

    /// Runs a check under `ulimit -v` with a watchdog; returns what it printed.
    fn run(&self, c: &Check) -> (Run, Duration) {
        use std::io::Write;
        let script = format!("ulimit -v {MEMORY_KIB} && exec \"$0\" \"$@\"");
        let mut cmd = self.env.cmd("sh", &self.repo);
        cmd.arg("-c")
            .arg(script)
            .arg(crate::util::BIN)
            .args(&c.args);
        for (k, v) in &c.env {
            cmd.env(k, v);
        }
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        match &c.input {
            Input::File(f) => {
                cmd.stdin(std::fs::File::open(f).expect("input file"));
            }
            _ => {
                cmd.stdin(std::process::Stdio::piped());
            }
        }
        let start = std::time::Instant::now();
        let mut child = cmd.spawn().expect("spawn");
        if c.close_stderr {
            // `git push 2>&1 | true`: whoever read stderr has gone.
            drop(child.stderr.take());
        }
        let mut stdin = child.stdin.take();
        let writer = match &c.input {
            Input::Bytes(b) | Input::KeptOpen(b) => {
                let mut pipe = stdin.take().expect("stdin");
                let b = b.clone();
                let keep = matches!(c.input, Input::KeptOpen(_));
                Some(std::thread::spawn(move || {
                    let _ = pipe.write_all(&b);
                    // Kept open: the pipe lives until the run's end is seen by the caller.
                    keep.then_some(pipe)
                }))
            }
            Input::File(_) => None,
        };
        let reader = |pipe: Option<Box<dyn std::io::Read + Send>>| {
            std::thread::spawn(move || {
                let mut out = Vec::new();
                if let Some(mut p) = pipe {
                    let _ = p.read_to_end(&mut out);
                }
                String::from_utf8_lossy(&out).into_owned()
            })
        };
        let out = reader(child.stdout.take().map(|p| Box::new(p) as Box<_>));
        let err = reader(child.stderr.take().map(|p| Box::new(p) as Box<_>));
        let status = loop {
            if let Some(st) = child.try_wait().expect("wait") {
                break st;
            }
            if start.elapsed() > HANG {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{}: did not end within {HANG:?} (it hangs)", c.what);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let elapsed = start.elapsed();
        let kept = writer.and_then(|w| w.join().ok().flatten());
        drop(kept);
        let run = Run {
            code: status.code().unwrap_or(-1),
            stdout: out.join().unwrap_or_default(),
            stderr: err.join().unwrap_or_default(),
        };
        (run, elapsed)
    }

    fn check(&self, case: &str, c: &Check) -> Run {
        let (r, elapsed) = self.run(c);
        let what = format!("{case}: {}", c.what);
        match c.code {
            Some(code) => assert_eq!(r.code, code, "{what}: exit code\n{}", r.all()),
            None => assert!(r.code == 0 || r.code == 1, "{what}: exit code\n{}", r.all()),
        }
        assert!(
            elapsed < c.within,
            "{what}: took {elapsed:?}, more than {:?}\n{}",
            c.within,
            r.all()
        );
        for s in &c.says {
            assert!(
                r.all().contains(s.as_str()),
                "{what}: no {s:?} in\n{}",
                r.all()
            );
        }
        assert!(!r.all().contains("panic"), "{what}: {}", r.all());
        assert_no_leak(&r.all(), &planted_everywhere(), &what);
        r
    }
}

type Case = fn(&mut World) -> Vec<Check>;

#[test]
fn hostile_and_odd_inputs_are_bounded_fail_open_and_secret_free() {
    if !require("mkfifo") || !require("ssh") {
        return;
    }
    let cases: &[(&str, Case)] = &[
        ("closed stderr", closed_stderr),
        ("FIFOs where files belong", fifos),
        ("/dev/zero symlinks", dev_zero),
        ("64 MiB+ stdin", huge_stdin),
        ("a request kept open", request_kept_open),
        ("100,000 ref lines to a GitHub remote", many_refs),
        ("5,000 remotes", many_remotes),
        ("slow Match exec on three URLs", slow_match_exec),
        ("secrets planted everywhere", planted_secrets),
    ];
    for (name, case) in cases {
        let mut w = World::new();
        let checks = case(&mut w);
        assert!(!checks.is_empty(), "{name}: no checks");
        for c in &checks {
            w.check(name, c);
        }
    }
}

/// Writing to a closed stderr never changes the verdict: an error still blocks, the
/// guard still says `quit=1`.
fn closed_stderr(w: &mut World) -> Vec<Check> {
    // git pushes `two` to GitHub (authenticated when the hook runs) and to Bitbucket,
    // where the stored app password is refused: an error the hook must still block on.
    let leaky = format!("https://alice:{LEAKY_PW}@github.com/acme/app.git");
    w.env.git_ok(&w.repo, &["remote", "add", "two", ORIGIN]);
    for u in [leaky.as_str(), "https://bitbucket.org/acme/app.git"] {
        w.env
            .git_ok(&w.repo, &["config", "--add", "remote.two.pushurl", u]);
    }
    let mut store = std::fs::read_to_string(w.env.home.join(".git-credentials")).expect("store");
    store.push_str("https://alice:ATBB0123456789abcdefABCDEF0123456789@bitbucket.org\n");
    w.env.home_file(".git-credentials", &store);
    let mut checks = vec![
        w.hook("two", &leaky).code(Some(1)),
        w.hook("origin", ORIGIN),
        w.guard("get", "bitbucket.org", "acme/app.git")
            .says("quit=1"),
        w.guard("get", "github.com", "acme/app.git"),
        w.doctor(&[]).code(Some(1)),
    ];
    for c in &mut checks {
        c.close_stderr = true;
    }
    checks
}

/// A FIFO at every file the tool reads: skipped and said, never waited on.
fn fifos(w: &mut World) -> Vec<Check> {
    let home = w.env.home.clone();
    let state = home.join(".local/state/git-credcheck");
    std::fs::create_dir_all(&state).expect("state");
    std::fs::write(state.join("key"), [7u8; 32]).expect("key");
    // A second store, so that a credential is found and the ledger is read.
    let gh = w.env.home_file(
        "gh-credentials",
        "https://alice:ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com\n",
    );
    w.env.git_ok(
        &w.repo,
        &[
            "config",
            "--global",
            "credential.https://github.com.helper",
            &format!("store --file {}", gh.display()),
        ],
    );
    w.env.home_file(
        ".config/git-credcheck/config.yaml",
        "guard:\n  record: true\n",
    );
    let include = home.join("include.gitconfig");
    w.env.git_ok(
        &w.repo,
        &[
            "config",
            "--global",
            "include.path",
            include.to_str().expect("utf8"),
        ],
    );
    let (key, known_hosts) = (home.join("id_fifo"), home.join("known_hosts_fifo"));
    w.env.home_file(
        "ssh_config",
        &format!(
            "IdentityFile {}\nUserKnownHostsFile {}\n",
            key.display(),
            known_hosts.display()
        ),
    );
    let files = [
        home.join(".netrc"),
        home.join(".git-credentials"),
        w.repo.join(".credcheck.yaml"),
        home.join(".config/git-credcheck/config.yaml"),
        state.join("credentials.jsonl"),
        include,
        key,
        known_hosts,
    ];
    for f in &files {
        w.fifo(f);
    }
    let skipped = |f: &Path| format!("skipped {}: not a regular file", f.display());
    let mut doctor = w.doctor(&[]);
    for f in &files {
        doctor = doctor.says(skipped(f));
    }
    vec![
        doctor,
        w.hook("origin", ORIGIN)
            .says(skipped(&files[1]))
            .says(skipped(&files[4])),
        // git has just connected to $2: the hook does not probe it, so the key files are
        // not read there (the doctor above reads and skips them); it must still end.
        w.hook("sshr", "git@github.com:acme/app.git").code(None),
        w.guard("get", "github.com", "acme/app.git"),
        w.guard("store", "github.com", "acme/app.git"),
        w.doctor(&["--facts"]).says("not a regular file"),
    ]
}

/// A `.credcheck.yaml` committed as a symlink to `/dev/zero` (and the user's stores):
/// skipped, not read forever.
fn dev_zero(w: &mut World) -> Vec<Check> {
    let files = [
        w.repo.join(".credcheck.yaml"),
        w.env.home.join(".git-credentials"),
        w.env.home.join(".netrc"),
        w.env.home.join("zero.gitconfig"),
    ];
    for f in &files {
        w.symlink("/dev/zero", f);
    }
    w.env.git_ok(&w.repo, &["add", ".credcheck.yaml"]);
    w.env.git_ok(&w.repo, &["commit", "-qm", "zero"]);
    w.head = w
        .env
        .git_ok(&w.repo, &["rev-parse", "HEAD"])
        .trim()
        .to_owned();
    w.env.git_ok(
        &w.repo,
        &[
            "config",
            "--global",
            "include.path",
            files[3].to_str().expect("utf8"),
        ],
    );
    let mut doctor = w.doctor(&[]);
    for f in &files {
        doctor = doctor.says(format!("skipped {}: not a regular file", f.display()));
    }
    vec![
        doctor,
        w.hook("origin", ORIGIN),
        w.guard("get", "github.com", "acme/app.git"),
    ]
}

/// More than 64 MiB on stdin: the hook reads every ref line (none is cut into a
/// "malformed" one), the guard reads only up to its request, the doctor ignores it.
fn huge_stdin(w: &mut World) -> Vec<Check> {
    use std::io::Write;
    let line = w.ref_line();
    let n = (65 << 20) / line.len() + 1;
    let refs = w.env.path("refs-65MiB");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&refs).expect("create"));
    for _ in 0..n {
        f.write_all(line.as_bytes()).expect("write");
    }
    f.flush().expect("flush");
    drop(f);
    let junk = w.env.path("junk-65MiB");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&junk).expect("create"));
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..65 {
        f.write_all(&chunk).expect("write");
    }
    f.flush().expect("flush");
    drop(f);
    vec![
        Check::new(
            "hook, 65 MiB of ref lines",
            &["hook", "pre-push", "origin", ORIGIN, "--facts"],
            Input::File(refs.clone()),
        )
        .says(format!("\"refs\": {n}")),
        Check::new(
            "hook, 65 MiB on one line",
            &["hook", "pre-push", "origin", ORIGIN],
            Input::File(junk.clone()),
        )
        .says("ignoring 1 malformed pre-push input line(s)"),
        Check::new("guard, 65 MiB", &["guard", "get"], Input::File(junk)),
        Check::new("doctor, 65 MiB", &["doctor"], Input::File(refs)).code(None),
    ]
}

/// git ends its request with a blank line; a caller may keep the pipe open after it.
fn request_kept_open(w: &mut World) -> Vec<Check> {
    let mut store = std::fs::read_to_string(w.env.home.join(".git-credentials")).expect("store");
    store.push_str("https://alice:ATBB0123456789abcdefABCDEF0123456789@bitbucket.org\n");
    w.env.home_file(".git-credentials", &store);
    let request = |host: &str| {
        Input::KeptOpen(format!("protocol=https\nhost={host}\npath=acme/app.git\n\n").into_bytes())
    };
    vec![
        Check::new(
            "guard get, open",
            &["guard", "get"],
            request("bitbucket.org"),
        )
        .says("quit=1"),
        Check::new(
            "guard get, open, silent",
            &["guard", "get"],
            request("github.com"),
        ),
        Check::new(
            "guard erase, open",
            &["guard", "erase"],
            request("github.com"),
        ),
    ]
}

/// A mirror push: 100,000 ref lines to a GitHub remote (whose pushed range is inspected).
fn many_refs(w: &mut World) -> Vec<Check> {
    let line = w.ref_line();
    let refs = w.env.write("refs-100k", &line.repeat(100_000));
    let mut distinct = String::new();
    for i in 0..100_000 {
        distinct.push_str(&format!(
            "refs/heads/b{i} {} refs/heads/b{i} {}\n",
            w.head,
            "0".repeat(40)
        ));
    }
    let named = w.env.write("refs-100k-named", &distinct);
    vec![
        Check::new(
            "hook, 100,000 identical lines",
            &["hook", "pre-push", "origin", ORIGIN, "--facts"],
            Input::File(refs),
        )
        .says("\"refs\": 100000"),
        Check::new(
            "hook, 100,000 branches",
            &["hook", "pre-push", "origin", ORIGIN],
            Input::File(named),
        ),
    ]
}

/// 5,000 remotes: the doctor checks them all, the hook and the guard one.
fn many_remotes(w: &mut World) -> Vec<Check> {
    let mut config = std::fs::read_to_string(w.repo.join(".git/config")).expect("config");
    for i in 0..5000 {
        config.push_str(&format!(
            "[remote \"r{i}\"]\n\turl = https://github.com/acme/app{i}.git\n\tfetch = +refs/heads/*:refs/remotes/r{i}/*\n"
        ));
    }
    std::fs::write(w.repo.join(".git/config"), config).expect("write");
    vec![
        w.doctor(&["--remote", "r4999"]).says("no problems found"),
        w.doctor(&["--format", "json"]).says("\"findings\""),
        w.hook("r2500", "https://github.com/acme/app2500.git"),
        w.guard("get", "github.com", "acme/app42.git"),
    ]
}

/// Three SSH URLs whose `ssh -G` runs a slow `Match exec`: they share the run's one
/// deadline instead of taking it three times, and the run says what it did not check.
fn slow_match_exec(w: &mut World) -> Vec<Check> {
    w.env
        .home_file("ssh_config", "Match exec \"sleep 60\"\n  User slow\n");
    let urls = [
        "git@a.example:x/a.git",
        "git@b.example:x/b.git",
        "git@c.example:x/c.git",
    ];
    w.env.git_ok(&w.repo, &["remote", "add", "slow", urls[0]]);
    for u in urls {
        w.env
            .git_ok(&w.repo, &["config", "--add", "remote.slow.pushurl", u]);
    }
    // Additive deadlines would cost at least 3 × 2 s here (4 × 2 s for the doctor, which
    // also has `sshr`); one deadline costs 2 s and a little.
    let deadline = Duration::from_secs(2);
    let bound = deadline * 3 - Duration::from_millis(500);
    let one = |c: Check| {
        let mut c = c.env("GIT_CREDCHECK_DEADLINE", "2");
        c.within = bound;
        c
    };
    vec![
        one(w.hook("slow", urls[0]))
            .says("did not finish within 2s")
            .says("skipped `ssh -G")
            .says("deadline was spent"),
        one(w.doctor(&[]))
            .says("did not finish within 2s")
            .says("deadline was spent"),
        one(w.guard("get", "github.com", "acme/app.git")),
    ]
}

/// A secret in every place one can hide: a URL's query string and path, `url.<base>`
/// (`insteadOf` with `user:password`, `pushInsteadOf` with a token as the user),
/// `credential.<url>.username`, a `credential.<url>` subsection, `core.askPass`,
/// `GIT_CONFIG_PARAMETERS`, `GIT_CONFIG_KEY_<n>`, and the guard's `path=`.
fn planted_secrets(w: &mut World) -> Vec<Check> {
    let git = |args: &[&str]| {
        w.env.git_ok(&w.repo, args);
    };
    let query_url = format!("{ORIGIN}?access_token={QUERY_TOK}");
    git(&["remote", "set-url", "origin", &query_url]);
    let path_url = format!("https://gitlab.com/acme/{PATH_TOK}/app.git");
    git(&["remote", "add", "pathy", &path_url]);
    git(&[
        "config",
        "--global",
        &format!("url.https://bob:{BASE_PW}@github.com/.insteadOf"),
        "gh:",
    ]);
    git(&["remote", "add", "ins", "gh:acme/x.git"]);
    git(&[
        "config",
        "--global",
        &format!("url.https://{BASE_TOK}@github.com/.pushInsteadOf"),
        "https://github.com/acme/pushed/",
    ]);
    git(&[
        "remote",
        "add",
        "pushy",
        "https://github.com/acme/pushed/app.git",
    ]);
    git(&[
        "config",
        "--global",
        "credential.https://github.com.username",
        CRED_USER,
    ]);
    git(&[
        "config",
        "--global",
        &format!("credential.https://carol:{CRED_SUB_PW}@example.com.helper"),
        "store",
    ]);
    git(&[
        "config",
        "--global",
        "core.askPass",
        &format!("/bin/echo {ASKPASS_TOK}"),
    ]);
    git(&["remote", "add", "par", "gh3:acme/p.git"]);
    git(&[
        "remote",
        "add",
        "keyn",
        "https://github.com/acme/keyn/app.git",
    ]);
    let with_env = |c: Check| {
        c.env(
            "GIT_CONFIG_PARAMETERS",
            &format!("'url.https://dave:{PARAM_PW}@github.com/.insteadof'='gh3:'"),
        )
        .env("GIT_CONFIG_COUNT", "1")
        .env(
            "GIT_CONFIG_KEY_0",
            &format!("url.https://erin:{KEYN_PW}@github.com/.pushinsteadof"),
        )
        .env("GIT_CONFIG_VALUE_0", "https://github.com/acme/keyn/")
        .code(None)
    };
    let mut checks = Vec::new();
    for args in [
        vec![],
        vec!["--format", "json"],
        vec!["--format", "sarif"],
        vec!["--facts"],
        vec!["--verbose"],
    ] {
        checks.push(with_env(w.doctor(&args)).says("pushy"));
    }
    let pushes = [
        ("origin", query_url.clone()),
        ("pathy", path_url),
        (
            "ins",
            format!("https://bob:{BASE_PW}@github.com/acme/x.git"),
        ),
        (
            "pushy",
            format!("https://{BASE_TOK}@github.com/acme/pushed/app.git"),
        ),
        (
            "par",
            format!("https://dave:{PARAM_PW}@github.com/acme/p.git"),
        ),
        (
            "keyn",
            format!("https://erin:{KEYN_PW}@github.com/acme/keyn/app.git"),
        ),
    ];
    for (remote, url) in &pushes {
        for fmt in [
            &["--verbose"][..],
            &["--format", "json"],
            &["--format", "sarif"],
        ] {
            let mut c = w.hook(remote, url);
            c.args.extend(fmt.iter().map(|s| s.to_string()));
            c.what = format!("hook {remote} {fmt:?}");
            checks.push(with_env(c));
        }
    }
    let path = format!("acme/app.git?private_token={GUARD_PATH_TOK}");
    for op in ["get", "erase", "store"] {
        checks.push(with_env(w.guard(op, "github.com", &path)));
    }
    checks
}

/// `includeIf` of every kind git knows, each adding a `pushInsteadOf`: the push URL we
/// check is the one `git remote get-url --push --all` prints, matching or not.
#[test]
fn conditional_includes_resolve_like_git() {
    let env = Env::new();
    let repo = env.repo("work");
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "https://github.com/acme/app.git"],
    );
    let inc = env.write(
        "push.gitconfig",
        "[url \"ssh://git@github.com/\"]\n\tpushInsteadOf = https://github.com/\n",
    );
    let inc = inc.to_str().expect("utf8");
    let repo_s = repo.to_str().expect("utf8").to_owned();
    let global = std::fs::read_to_string(env.home.join(".gitconfig")).expect("global");
    // (condition, written where: the global file or an include file beside `work`, matches)
    let cases: Vec<(String, bool, bool)> = vec![
        (format!("gitdir:{repo_s}/.git"), false, true),
        (format!("gitdir:{repo_s}/"), false, true),
        ("gitdir:work/".to_owned(), false, true),
        ("gitdir:./work/".to_owned(), true, true),
        ("gitdir:~/elsewhere/".to_owned(), false, false),
        (format!("gitdir/i:{}/", repo_s.to_uppercase()), false, true),
        (format!("gitdir:{}/", repo_s.to_uppercase()), false, false),
        ("onbranch:main".to_owned(), false, true),
        ("onbranch:ma*".to_owned(), false, true),
        ("onbranch:feat/".to_owned(), false, false),
        (
            "hasconfig:remote.*.url:https://github.com/**".to_owned(),
            false,
            true,
        ),
        (
            "hasconfig:remote.*.url:https://github.com/*".to_owned(),
            false,
            false,
        ),
        (
            "hasconfig:remote.*.url:https://gitlab.com/**".to_owned(),
            false,
            false,
        ),
    ];
    for (cond, nested, matches) in cases {
        let section = format!("[includeIf \"{cond}\"]\n\tpath = {inc}\n");
        if nested {
            // `./` is relative to the file that holds the condition.
            let holder = env.write("holder.gitconfig", &section);
            std::fs::write(
                env.home.join(".gitconfig"),
                format!("{global}[include]\n\tpath = {}\n", holder.display()),
            )
            .expect("write");
        } else {
            std::fs::write(env.home.join(".gitconfig"), format!("{global}{section}"))
                .expect("write");
        }
        let git = env.git_ok(&repo, &["remote", "get-url", "--push", "--all", "origin"]);
        let git: Vec<&str> = git.lines().collect();
        assert_eq!(
            git[0].starts_with("ssh://"),
            matches,
            "{cond}: the test expects git to {}match: {git:?}",
            if matches { "" } else { "not " }
        );
        let r = env.credcheck(&repo, &["--facts"]);
        let facts = crate::util::json(&r);
        let ours: Vec<String> = facts["remotes"][0]["urls"]
            .as_array()
            .expect("urls")
            .iter()
            .map(|u| u["url"]["display"].as_str().expect("display").to_owned())
            .collect();
        assert_eq!(ours, git, "{cond}");
    }
}

/// A configuration file git may not read: git skips a global one without a word and
/// stops at a local one. We do the same, and say so.
#[test]
fn unreadable_configuration_is_treated_as_git_treats_it() {
    if !require_root("reading a mode 000 file as another user needs")
        || !require("setpriv")
        || !require("chown")
    {
        return;
    }
    let env = Env::new();
    let repo = env.repo("work");
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "https://github.com/acme/app.git"],
    );
    let st = std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(env.dir.path())
        .status()
        .expect("chown");
    assert!(st.success());
    let as_nobody = |program: &str, args: &[&str], stdin: &[u8]| -> Run {
        use std::io::Write;
        let mut c = env.cmd("setpriv", &repo);
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", program])
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = c.spawn().expect("spawn");
        let _ = child.stdin.take().expect("stdin").write_all(stdin);
        child.wait_with_output().expect("wait").into()
    };
    let hook = [
        "hook",
        "pre-push",
        "origin",
        "https://github.com/acme/app.git",
    ];
    let global = env.home.join(".gitconfig");
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod")
    };
    mode(&global, 0o000);
    let git = as_nobody("git", &["remote", "get-url", "--push", "origin"], b"");
    assert_eq!(
        git.code,
        0,
        "git skips an unreadable global file: {}",
        git.all()
    );
    let r = as_nobody(crate::util::BIN, &[], b"");
    assert!(r.code < 2, "{}", r.all());
    assert!(
        r.stdout.contains(&format!(
            "skipped {}: permission denied (git skips it too)",
            global.display()
        )),
        "{}",
        r.all()
    );
    let r = as_nobody(crate::util::BIN, &hook, b"");
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(!r.stderr.contains("push not checked"), "{}", r.all());
    mode(&global, 0o644);
    let local = repo.join(".git/config");
    mode(&local, 0o000);
    let git = as_nobody("git", &["remote", "get-url", "--push", "origin"], b"");
    assert_ne!(git.code, 0, "git stops at an unreadable local file");
    let r = as_nobody(crate::util::BIN, &[], b"");
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("unable to access") && r.stderr.contains(".git/config"),
        "{}",
        r.all()
    );
    let r = as_nobody(crate::util::BIN, &hook, b"");
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("push not checked"), "{}", r.all());
    mode(&local, 0o644);
}

/// `GIT_DIR` naming no repository: git fails, and so does the doctor (exit 2, one
/// clear line); the hook and the guard let git go on, as they do for any failure.
#[test]
fn a_git_dir_that_is_not_a_repository() {
    let env = Env::new();
    let repo = env.repo("work");
    let run = |args: &[&str]| -> Run {
        env.cmd(crate::util::BIN, &repo)
            .args(args)
            .env("GIT_DIR", "/nonexistent")
            .output()
            .expect("run")
            .into()
    };
    let git: Run = env
        .cmd("git", &repo)
        .args(["status"])
        .env("GIT_DIR", "/nonexistent")
        .output()
        .expect("git")
        .into();
    assert_ne!(git.code, 0);
    let r = run(&[]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("not a git repository: '/nonexistent'"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    let r = run(&["hook", "pre-push", "origin", "https://github.com/a/b.git"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("push not checked"), "{}", r.stderr);
    let r = run(&["guard", "get"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}
