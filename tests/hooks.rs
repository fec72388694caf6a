//! A real `git push` through each install route: the pushes are allowed when clean, and
//! blocked with the targeted message when a second push URL has a missing helper.

use crate::util::{manifest_dir, Env, Run};
use std::path::{Path, PathBuf};

/// A repository whose `origin` pushes to a local bare repository.
fn setup(env: &Env) -> (PathBuf, PathBuf) {
    let repo = env.repo("work");
    let bare = env.bare("remote.git");
    env.git_ok(
        &repo,
        &["remote", "add", "origin", bare.to_str().expect("utf8")],
    );
    (repo, bare)
}

fn remote_head(env: &Env, bare: &Path) -> Option<String> {
    let r = env.git(bare, &["rev-parse", "--verify", "-q", "refs/heads/main"]);
    (r.code == 0).then(|| r.stdout.trim().to_owned())
}

/// Clean push allowed; then a second push URL with a missing helper blocks the push
/// before anything reaches the first.
fn exercise(env: &Env, repo: &Path, bare: &Path, push: &dyn Fn() -> Run) -> Run {
    let first = push();
    assert_eq!(first.code, 0, "clean push refused:\n{}", first.all());
    let pushed = remote_head(env, bare).expect("clean push arrived");
    std::fs::write(repo.join("README"), "y\n").expect("write");
    env.git_ok(repo, &["commit", "-qam", "second"]);
    env.git_ok(
        repo,
        &[
            "remote",
            "set-url",
            "--add",
            "--push",
            "origin",
            bare.to_str().expect("utf8"),
        ],
    );
    env.git_ok(
        repo,
        &[
            "remote",
            "set-url",
            "--add",
            "--push",
            "origin",
            "https://git.example.test/acme/app.git",
        ],
    );
    env.git_ok(repo, &["config", "credential.helper", "nonexistent-helper"]);
    let second = push();
    assert_ne!(
        second.code,
        0,
        "push with a doomed second URL went through:\n{}",
        second.all()
    );
    let all = second.all();
    assert!(
        all.contains("CC201")
            && all.contains("nonexistent-helper")
            && all.contains("git.example.test"),
        "untargeted message:\n{all}"
    );
    assert_eq!(
        remote_head(env, bare).as_deref(),
        Some(pushed.as_str()),
        "the first URL received the push"
    );
    second
}

#[test]
fn installed_shim_allows_then_blocks() {
    let env = Env::new();
    let (repo, bare) = setup(&env);
    let r = env.credcheck(&repo, &["install"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(repo.join(".git/hooks/pre-push").exists());
    let blocked = exercise(&env, &repo, &bare, &|| {
        env.git(&repo, &["push", "origin", "main"])
    });
    assert!(
        blocked.stderr.contains("git push --no-verify"),
        "{}",
        blocked.stderr
    );
    let r = env.credcheck(&repo, &["uninstall"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(!repo.join(".git/hooks/pre-push").exists());
}

#[test]
fn install_respects_core_hooks_path_and_chains_foreign_hooks() {
    let env = Env::new();
    let (repo, bare) = setup(&env);
    env.git_ok(&repo, &["config", "core.hooksPath", ".githooks"]);
    let marker = env.path("chained-ran");
    let foreign = env.script(
        "work/.githooks/pre-push",
        &format!("cat > '{}'", marker.display()),
    );
    let r = env.credcheck(&repo, &["install"]);
    assert_eq!(
        r.code,
        2,
        "a foreign hook must not be replaced silently: {}",
        r.all()
    );
    assert!(r.stderr.contains("--chain"), "{}", r.stderr);
    assert!(std::fs::read_to_string(&foreign)
        .expect("kept")
        .contains("chained-ran"));
    let r = env.credcheck(&repo, &["install", "--chain"]);
    assert_eq!(r.code, 0, "{}", r.all());
    exercise(&env, &repo, &bare, &|| {
        env.git(&repo, &["push", "origin", "main"])
    });
    // The chained hook ran on the clean push and got git's ref lines.
    assert!(std::fs::read_to_string(&marker)
        .expect("chained hook ran")
        .contains("refs/heads/main"));
    let r = env.credcheck(&repo, &["uninstall"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(std::fs::read_to_string(repo.join(".githooks/pre-push"))
        .expect("restored")
        .contains("chained-ran"));
}

#[test]
fn shim_without_binary_lets_the_push_through() {
    let env = Env::new();
    let (repo, bare) = setup(&env);
    let hook = repo.join(".git/hooks/pre-push");
    std::fs::copy(manifest_dir().join("hooks/pre-push"), &hook).expect("copy shim");
    let r = env
        .cmd("git", &repo)
        .args(["push", "origin", "main"])
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .output()
        .expect("push");
    let r: Run = r.into();
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr
            .contains("git-credcheck: not found on PATH; push not checked"),
        "{}",
        r.stderr
    );
    assert!(remote_head(&env, &bare).is_some());
}

/// Environment for a hook manager that builds this crate: reuse the real cargo caches
/// and a shared target directory, and skip LTO so the build stays short.
fn builder_env(env: &mut Env) {
    let real_home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let cargo_home = std::env::var("CARGO_HOME").unwrap_or_else(|_| format!("{real_home}/.cargo"));
    let rustup_home =
        std::env::var("RUSTUP_HOME").unwrap_or_else(|_| format!("{real_home}/.rustup"));
    let path = format!(
        "{cargo_home}/bin:{}",
        std::env::var("PATH").unwrap_or_default()
    );
    env.set("CARGO_HOME", &cargo_home);
    env.set("RUSTUP_HOME", &rustup_home);
    env.set("PATH", &path);
    env.set(
        "CARGO_TARGET_DIR",
        manifest_dir()
            .join("target/hook-managers")
            .to_str()
            .expect("utf8"),
    );
    env.set("CARGO_PROFILE_RELEASE_LTO", "false");
    env.set("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16");
    env.set("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1");
}

/// This working tree, uncommitted changes included, as a commit a hook manager can
/// clone. pre-commit and prek build `rev:` of `repo:`, so naming this checkout and its
/// HEAD would test the last commit instead of the code under test. Every file git does
/// not ignore (tracked or not, as it is on disk now) is committed into a separate bare
/// repository, with a fixed author and date: the same tree gives the same commit, so the
/// managers' caches (keyed by repository and rev) and their builds are reused until the
/// tree changes. The checkout's own repository is not written to.
fn working_tree_commit() -> &'static (PathBuf, String) {
    static SNAPSHOT: std::sync::OnceLock<(PathBuf, String)> = std::sync::OnceLock::new();
    SNAPSHOT.get_or_init(|| {
        let snap = manifest_dir().join("target/hook-managers-src.git");
        let scratch = tempfile::tempdir().expect("tempdir");
        let index = scratch.path().join("index");
        // Runs git on the snapshot repository, with this checkout as its work tree.
        let git = |args: &[&str]| -> std::process::Output {
            std::process::Command::new("git")
                .args(args)
                .current_dir(manifest_dir())
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("HOME", scratch.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_DIR", &snap)
                .env("GIT_WORK_TREE", manifest_dir())
                .env("GIT_INDEX_FILE", &index)
                .env("GIT_AUTHOR_NAME", "git-credcheck tests")
                .env("GIT_AUTHOR_EMAIL", "tests@git-credcheck.invalid")
                .env("GIT_AUTHOR_DATE", "2000-01-01T00:00:00Z")
                .env("GIT_COMMITTER_NAME", "git-credcheck tests")
                .env("GIT_COMMITTER_EMAIL", "tests@git-credcheck.invalid")
                .env("GIT_COMMITTER_DATE", "2000-01-01T00:00:00Z")
                .stdin(std::process::Stdio::null())
                .output()
                .expect("git runs")
        };
        let git_ok = |args: &[&str]| -> String {
            let out = git(args);
            assert!(
                out.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        };
        if !snap.join("HEAD").exists() {
            // `git init` refuses GIT_WORK_TREE with --bare; another test process may
            // create the same repository at the same time, which is harmless.
            let st = std::process::Command::new("git")
                .args(["init", "-q", "--bare"])
                .arg(&snap)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .stdout(std::process::Stdio::null())
                .status()
                .expect("git init");
            assert!(
                st.success() || snap.join("HEAD").exists(),
                "git init {}",
                snap.display()
            );
        }
        git_ok(&["add", "-A", "."]);
        let tree = git_ok(&["write-tree"]);
        let commit = git_ok(&["commit-tree", &tree, "-m", "working tree under test"]);
        // A ref makes the commit advertised, so any way a manager fetches `rev` finds it.
        // Another test process may set the same tag to the same commit at the same time.
        let tag = format!("refs/tags/tree-{commit}");
        let _ = git(&["update-ref", &tag, &commit]);
        assert_eq!(git_ok(&["rev-parse", "--verify", &tag]), commit, "{tag}");
        (snap, commit)
    })
}

fn manager_config(repo: &Path) {
    let (snap, rev) = working_tree_commit();
    std::fs::write(
        repo.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: credcheck\n",
            snap.display()
        ),
    )
    .expect("config");
}

/// A repository with a hook manager (`pre-commit` or `prek`) installed for pre-push,
/// building this working tree's hook; `None` (the test skips) when the manager is not
/// installed here.
fn with_manager(program: &str, home_var: &str) -> Option<(Env, PathBuf, PathBuf)> {
    if !crate::util::require(program) {
        return None;
    }
    let mut env = Env::new();
    builder_env(&mut env);
    let home = manifest_dir().join(format!("target/{program}-home"));
    env.set(home_var, home.to_str().expect("utf8"));
    let (repo, bare) = setup(&env);
    manager_config(&repo);
    let r: Run = env
        .cmd(program, &repo)
        .args(["install", "--hook-type", "pre-push"])
        .output()
        .expect(program)
        .into();
    assert_eq!(r.code, 0, "{}", r.all());
    Some((env, repo, bare))
}

#[test]
fn pre_commit_framework_allows_then_blocks() {
    let Some((env, repo, bare)) = with_manager("pre-commit", "PRE_COMMIT_HOME") else {
        return;
    };
    let blocked = exercise(&env, &repo, &bare, &|| {
        env.git(&repo, &["push", "origin", "main"])
    });
    assert!(
        blocked.all().contains("SKIP=credcheck"),
        "{}",
        blocked.all()
    );
    // The CI lint stage runs the same hook by hand.
    let r: Run = env
        .cmd("pre-commit", &repo)
        .args(["run", "--hook-stage", "manual", "credcheck"])
        .output()
        .expect("pre-commit")
        .into();
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(r.all().contains("CC201"), "{}", r.all());
}

#[test]
fn prek_allows_then_blocks() {
    let Some((env, repo, bare)) = with_manager("prek", "PREK_HOME") else {
        return;
    };
    exercise(&env, &repo, &bare, &|| {
        env.git(&repo, &["push", "origin", "main"])
    });
}

#[test]
fn hook_reads_git_protocol_and_never_prints_the_url_password() {
    let env = Env::new();
    let repo = env.repo("work");
    let secret = "s3cr3t-Zq81Pw0Lk";
    let url = format!("https://alice:{secret}@git.example.test/a.git");
    let z = "0".repeat(40);
    let head = env.git_ok(&repo, &["rev-parse", "HEAD"]);
    let input = format!(
        "refs/heads/main {} refs/heads/main {z}\n(delete) {z} refs/heads/old {}\nbad line\n",
        head.trim(),
        head.trim()
    );
    let r = env.credcheck_stdin(&repo, &["hook", "pre-push", &url, &url], input.as_bytes());
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("CC101"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("malformed pre-push input line(s) (first: line 3)"),
        "{}",
        r.stderr
    );
    crate::util::assert_no_leak(&r.all(), &[secret.to_owned()], "pre-push");
    // pre-commit's variables, no stdin refs.
    let r = env
        .cmd(crate::util::BIN, &repo)
        .args(["hook", "pre-commit"])
        .env("PRE_COMMIT_REMOTE_NAME", &url)
        .env("PRE_COMMIT_REMOTE_URL", &url)
        .output()
        .expect("run");
    let r: Run = r.into();
    assert_eq!(r.code, 0, "{}", r.all());
    crate::util::assert_no_leak(&r.all(), &[secret.to_owned()], "pre-commit");
}

#[test]
fn workflow_changes_with_a_token_warn_in_the_pre_push_stage() {
    let env = Env::new();
    let repo = env.repo("work");
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "https://github.com/acme/app.git"],
    );
    env.git_ok(&repo, &["config", "--global", "credential.helper", "store"]);
    env.home_file(
        ".git-credentials",
        "https://alice:ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com\n",
    );
    let base = env.git_ok(&repo, &["rev-parse", "HEAD"]).trim().to_owned();
    env.git_ok(&repo, &["update-ref", "refs/remotes/origin/main", &base]);
    env.write("work/.github/workflows/ci.yml", "on: push\n");
    env.git_ok(&repo, &["add", "."]);
    env.git_ok(&repo, &["commit", "-qm", "ci"]);
    let head = env.git_ok(&repo, &["rev-parse", "HEAD"]).trim().to_owned();
    let url = "https://github.com/acme/app.git";
    let hook = |line: String| {
        env.credcheck_stdin(
            &repo,
            &["hook", "pre-push", "origin", url, "--format", "json"],
            line.as_bytes(),
        )
    };
    let r = hook(format!("refs/heads/main {head} refs/heads/main {base}\n"));
    assert_eq!(r.code, 0, "{}", r.all());
    let warnings = crate::util::codes(&r, "warning");
    assert!(warnings.contains(&"CC211".to_owned()), "{}", r.stdout);
    assert!(
        r.stdout.contains(".github/workflows/ci.yml") && r.stdout.contains("workflow"),
        "{}",
        r.stdout
    );
    // A new branch whose workflows equal the remote's main: nothing changes there.
    env.git_ok(&repo, &["update-ref", "refs/remotes/origin/main", &head]);
    let r = hook(format!(
        "refs/heads/topic {head} refs/heads/topic {}\n",
        "0".repeat(40)
    ));
    assert!(
        !crate::util::codes(&r, "warning").contains(&"CC211".to_owned()),
        "{}",
        r.stdout
    );
    // Deleting a branch pushes no workflow change.
    let r = hook(format!(
        "(delete) {} refs/heads/old {head}\n",
        "0".repeat(40)
    ));
    assert!(
        !crate::util::codes(&r, "warning").contains(&"CC211".to_owned()),
        "{}",
        r.stdout
    );
}

/// A copy of the binary under `dir` (created), for install routes whose path matters.
pub fn binary_copy(env: &Env, dir: &str) -> PathBuf {
    let bin = env.path(dir).join("git-credcheck");
    std::fs::create_dir_all(bin.parent().expect("parent")).expect("mkdir");
    std::fs::copy(crate::util::BIN, &bin).expect("copy the binary");
    // Another test thread may fork while the copy's write descriptor is open; until that
    // child execs, running the copy fails with "Text file busy" (ETXTBSY). Wait it out.
    for _ in 0..200 {
        match std::process::Command::new(&bin).arg("--version").output() {
            Err(e) if e.raw_os_error() == Some(26) => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            Err(e) => panic!("{}: {e}", bin.display()),
            Ok(_) => break,
        }
    }
    bin
}

/// PATH without any git-credcheck on it.
const SYSTEM_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

#[test]
fn hook_fallback_keeps_every_character_of_the_path() {
    let env = Env::new();
    let (repo, bare) = setup(&env);
    let bin = binary_copy(&env, "it's \"here\" $HOME \\x");
    let r: Run = env
        .cmd(bin.to_str().expect("utf8"), &repo)
        .arg("install")
        .output()
        .expect("install")
        .into();
    assert_eq!(r.code, 0, "{}", r.all());
    let hook = std::fs::read_to_string(repo.join(".git/hooks/pre-push")).expect("hook");
    assert!(
        hook.contains(r#"fallback='"#)
            && hook.contains(r#"it'\''s "here" $HOME \x/git-credcheck'"#),
        "{hook}"
    );
    // Nothing on PATH: the shim runs the fallback, which checks and blocks the push.
    let push = || -> Run {
        env.cmd("git", &repo)
            .args(["push", "origin", "main"])
            .env("PATH", SYSTEM_PATH)
            .output()
            .expect("push")
            .into()
    };
    let blocked = exercise(&env, &repo, &bare, &push);
    assert!(
        !blocked.stderr.contains("not found on PATH"),
        "{}",
        blocked.stderr
    );
}

#[test]
fn usage_errors_in_hook_and_guard_mode_let_git_continue() {
    let env = Env::new();
    let (repo, bare) = setup(&env);
    // Each tool failure: exit 0 and one line that says the push was not checked.
    for (args, what) in [
        (&["hook", "pre-push"][..], "push not checked"),
        (&["hook", "pre-push", "origin"][..], "push not checked"),
        (
            &["hook", "pre-push", "origin", "url", "--no-such-flag"][..],
            "push not checked",
        ),
        (&["hook", "no-such-hook"][..], "push not checked"),
        (&["hook"][..], "push not checked"),
        (&["guard"][..], "ignored"),
        (&["guard", "get", "extra"][..], "ignored"),
    ] {
        let r = env.credcheck_stdin(&repo, args, b"");
        assert_eq!(r.code, 0, "{args:?}: {}", r.all());
        assert_eq!(r.stdout, "", "{args:?}");
        let lines: Vec<_> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: one line, got {}", r.stderr);
        assert!(
            lines[0].starts_with("git-credcheck ") && lines[0].ends_with(what),
            "{args:?}: {}",
            r.stderr
        );
    }
    // Outside hook mode a usage error is an error (exit 2) with clap's usage.
    let r = env.credcheck(&repo, &["explain"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("Usage:"), "{}", r.stderr);
    // A real push through a hook whose command line is wrong goes through.
    env.script(
        "work/.git/hooks/pre-push",
        &format!("exec '{}' hook pre-push --bogus", crate::util::BIN),
    );
    let r = env.git(&repo, &["push", "origin", "main"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("push not checked"), "{}", r.stderr);
    assert!(remote_head(&env, &bare).is_some());
}

#[test]
fn chain_refuses_to_rename_a_tracked_hook() {
    let env = Env::new();
    let (repo, _bare) = setup(&env);
    env.git_ok(&repo, &["config", "core.hooksPath", ".githooks"]);
    env.script("work/.githooks/pre-push", "exit 0");
    env.git_ok(&repo, &["add", ".githooks/pre-push"]);
    env.git_ok(&repo, &["commit", "-qm", "team hook"]);
    let r = env.credcheck(&repo, &["install", "--chain"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("tracked by git"), "{}", r.stderr);
    assert!(repo.join(".githooks/pre-push").exists());
    assert_eq!(env.git_ok(&repo, &["status", "--porcelain"]), "");
}

/// husky 9 (from npm; .ci/run installs it): `core.hooksPath=.husky/_`, where every hook is
/// `. "$(dirname "$0")/h"` and `h` runs `.husky/$(basename "$0")`. `install --chain` over
/// it keeps the user's `.husky/pre-push` running, with git's argv and stdin.
#[test]
fn chain_over_husky_keeps_the_users_husky_hook() {
    if !crate::util::require("husky") {
        return;
    }
    let env = Env::new();
    let (repo, bare) = setup(&env);
    let r: Run = env.cmd("husky", &repo).output().expect("husky runs").into();
    assert_eq!(r.code, 0, "husky: {}", r.all());
    assert_eq!(
        env.git_ok(&repo, &["config", "core.hooksPath"]).trim(),
        ".husky/_"
    );
    let marker = env.path("husky-hook-ran");
    std::fs::write(
        repo.join(".husky/pre-push"),
        format!(
            "echo \"args: $1 $2\" > '{m}'\ncat >> '{m}'\n",
            m = marker.display()
        ),
    )
    .expect("user's husky hook");
    let r = env.credcheck(&repo, &["install"]);
    assert_eq!(r.code, 2, "a husky hook is foreign: {}", r.all());
    let r = env.credcheck(&repo, &["install", "--chain"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("husky rewrites"), "{}", r.stderr);
    exercise(&env, &repo, &bare, &|| {
        env.git(&repo, &["push", "origin", "main"])
    });
    let ran = std::fs::read_to_string(&marker).expect("the user's .husky/pre-push ran");
    assert!(
        ran.starts_with("args: origin ") && ran.contains("refs/heads/main"),
        "{ran}"
    );
    // Uninstall gives husky its own hook back, and the user's hook still runs.
    let r = env.credcheck(&repo, &["uninstall"]);
    assert_eq!(r.code, 0, "{}", r.all());
    std::fs::remove_file(&marker).expect("rm");
    env.git_ok(&repo, &["config", "--unset-all", "remote.origin.pushurl"]);
    env.git_ok(&repo, &["push", "origin", "main"]);
    assert!(marker.exists(), "the user's husky hook stopped running");
}
