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
    ];
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
