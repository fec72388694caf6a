//! Configurations in the shapes people publish in their dotfiles (issue 17), each read by
//! git-credcheck and by the real program (git, ssh), and the two compared.

use crate::util::{codes, paste_fix, require, Env};

/// `[credential] useHttpPath` with no `=` is true to git, and to us.
#[test]
fn a_bare_key_means_true() {
    let env = Env::new();
    let repo = env.repo("r");
    env.home_file(
        ".gitconfig",
        "[user]\n\tname = T\n\temail = t@example.com\n[credential]\n\tuseHttpPath\n",
    );
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "https://github.com/a/b.git"],
    );
    let git = env.git_ok(&repo, &["config", "--type=bool", "credential.usehttppath"]);
    assert_eq!(git.trim(), "true");
    let facts = env.credcheck(&repo, &["--facts"]);
    let v: serde_json::Value = serde_json::from_str(&facts.stdout).expect("facts JSON");
    assert_eq!(
        v["remotes"][0]["urls"][0]["https"]["use_http_path"],
        serde_json::Value::Bool(true),
        "{}",
        facts.stdout
    );
}

/// A helper path with a backslash-escaped space, as Microsoft documents for WSL: git runs
/// it through `sh -c`, so it works, and it must not be reported as missing.
#[test]
fn a_backslash_escaped_helper_path_is_found() {
    let env = Env::new();
    let repo = env.repo("r");
    let helper = env.script(
        "Program Files/Git/git-credential-fake",
        "echo username=alice; echo password=ATATT3xFfGF0abcdefghij0123456789=0A1B2C3D",
    );
    let escaped = helper.display().to_string().replace(' ', "\\ ");
    env.git_ok(
        &repo,
        &["config", "--global", "credential.helper", &escaped],
    );
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "https://bitbucket.org/a/b.git"],
    );
    let filled = env
        .cmd("git", &repo)
        .args(["credential", "fill"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .expect("stdin")
                .write_all(b"protocol=https\nhost=bitbucket.org\n\n")?;
            c.wait_with_output()
        })
        .expect("git credential fill");
    assert!(
        String::from_utf8_lossy(&filled.stdout).contains("username=alice"),
        "git did not run the helper"
    );
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(
        !codes(&r, "error").contains(&"CC201".to_owned()),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("cannot be run"), "{}", r.stdout);
}

/// `UseKeychain` is a macOS option: Linux's OpenSSH refuses the whole file, so ssh never
/// starts. Both `ssh` and the doctor must say so, naming the file and line.
#[test]
fn an_option_linux_ssh_refuses_is_an_error() {
    if !require("ssh") {
        return;
    }
    let mut env = Env::new();
    let repo = env.repo("r");
    // OpenSSH reads ~/.ssh/config from the passwd entry, not $HOME: name the file.
    let config = env.home_file(
        ".ssh/config",
        "Host *\n  UseKeychain yes\n  AddKeysToAgent yes\n",
    );
    let config = config.to_str().expect("utf8").to_owned();
    env.set("GIT_SSH_COMMAND", &format!("ssh -F {config}"));
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "git@github.com:a/b.git"],
    );
    let ssh = env
        .cmd("ssh", &repo)
        .args(["-F", &config, "-G", "github.com"])
        .output()
        .expect("ssh");
    let ssh_err = String::from_utf8_lossy(&ssh.stderr);
    assert_ne!(
        ssh.status.code(),
        Some(0),
        "this ssh accepts UseKeychain: {ssh_err}"
    );
    assert!(ssh_err.contains("line 2"), "{ssh_err}");
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(
        codes(&r, "error").contains(&"CC310".to_owned()),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("line 2"), "{}", r.stdout);
}

/// A transport whose remote helper is not installed fails in git before any connection.
#[test]
fn a_transport_without_its_helper_is_an_error_as_in_git() {
    let env = Env::new();
    let repo = env.repo("r");
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "codecommit::us-east-1://repo"],
    );
    let git = env.git(&repo, &["push", "origin", "HEAD"]);
    assert_ne!(git.code, 0);
    assert!(git.stderr.contains("remote-codecommit"), "{}", git.stderr);
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(
        codes(&r, "error").contains(&"CC104".to_owned()),
        "{}",
        r.stdout
    );
    // The same URL with a helper on PATH is fine.
    env.script("bin/git-remote-codecommit", "exit 1");
    let mut env2 = env;
    let path = format!(
        "{}:{}",
        env2.path("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    env2.set("PATH", &path);
    let r = env2.credcheck(&repo, &["--format", "json"]);
    assert!(
        !codes(&r, "error").contains(&"CC104".to_owned()),
        "{}",
        r.stdout
    );
}

/// `git@host/group:repo.git` is a local path to git (a `/` before the `:`).
#[test]
fn an_address_with_a_slash_before_the_colon_is_a_path_to_git() {
    let env = Env::new();
    let repo = env.repo("r");
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "git@gitlab.com/group:repo.git"],
    );
    let git = env.git(&repo, &["push", "origin", "HEAD"]);
    assert!(
        git.stderr
            .contains("does not appear to be a git repository"),
        "{}",
        git.stderr
    );
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(
        codes(&r, "error").contains(&"CC105".to_owned()),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("git@gitlab.com:group/repo.git"),
        "{}",
        r.stdout
    );
    // The printed fix, pasted, makes it an SSH address git reads as one.
    paste_fix(&env, &repo, "CC105");
    let url = env.git_ok(&repo, &["remote", "get-url", "--push", "origin"]);
    assert_eq!(url.trim(), "git@gitlab.com:group/repo.git");
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(!r.stdout.contains("CC105"), "{}", r.stdout);
    // A local remote that exists is silent.
    let bare = env.bare("b.git");
    env.git_ok(
        &repo,
        &["remote", "set-url", "origin", bare.to_str().expect("utf8")],
    );
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(
        !codes(&r, "error").contains(&"CC105".to_owned()),
        "{}",
        r.stdout
    );
}

/// `https://<token>@host` carries a credential: libcurl sends it without asking anyone,
/// so a run without a terminal is not "no credential source".
#[test]
fn a_token_as_the_url_user_is_a_credential_source() {
    let env = Env::new();
    let repo = env.repo("r");
    env.git_ok(
        &repo,
        &[
            "remote",
            "add",
            "origin",
            "https://ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com/a/b.git",
        ],
    );
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(
        !codes(&r, "error").contains(&"CC209".to_owned()),
        "{}",
        r.stdout
    );
    assert!(!r.all().contains("0123456789abcdefghij"), "{}", r.all());
    // Without the token, the same run has no source at all.
    env.git_ok(
        &repo,
        &["remote", "set-url", "origin", "https://github.com/a/b.git"],
    );
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(
        codes(&r, "error").contains(&"CC209".to_owned()),
        "{}",
        r.stdout
    );
}

/// `ControlMaster auto` with a `ControlPath` whose directory is missing: ssh cannot bind
/// its socket. The directory is read from `ssh -G`, as ssh expands it.
#[test]
fn a_control_path_in_a_missing_directory_is_an_error() {
    if !require("ssh") {
        return;
    }
    let mut env = Env::new();
    let repo = env.repo("r");
    let sockets = env.path("sockets");
    let config = env.home_file(
        ".ssh/config",
        &format!(
            "Host *\n  ControlMaster auto\n  ControlPath {}/%r@%h-%p\n",
            sockets.display()
        ),
    );
    env.set("GIT_SSH_COMMAND", &format!("ssh -F {}", config.display()));
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "git@github.com:a/b.git"],
    );
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(
        codes(&r, "error").contains(&"CC311".to_owned()),
        "{}",
        r.stdout
    );
    // The printed fix, pasted, creates the directory.
    paste_fix(&env, &repo, "CC311");
    assert!(sockets.is_dir());
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(
        !codes(&r, "error").contains(&"CC311".to_owned()),
        "{}",
        r.stdout
    );
}

/// The printed fix for a missing helper is pasted into `sh` as a person would: it must
/// remove exactly that helper (a URL-scoped `!` helper here), keep the working one, and
/// the finding must be gone.
#[test]
fn a_missing_helper_fix_removes_that_helper_only() {
    let env = Env::new();
    let repo = env.repo("r");
    env.git_ok(&repo, &["config", "--global", "credential.helper", "store"]);
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            "--add",
            "credential.https://git.example.test.helper",
            "!git-credential-gone --verbose",
        ],
    );
    env.git_ok(
        &repo,
        &[
            "remote",
            "add",
            "origin",
            "https://git.example.test/a/b.git",
        ],
    );
    paste_fix(&env, &repo, "CC201");
    let left = env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            "--get-regexp",
            "credential\\..*helper",
        ],
    );
    assert!(!left.contains("git-credential-gone"), "{left}");
    assert!(
        left.contains("store"),
        "the working helper went too: {left}"
    );
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(
        !codes(&r, "error").contains(&"CC201".to_owned()) && !r.stdout.contains("CC201"),
        "{}",
        r.stdout
    );
}

/// `gh auth git-credential` with no login for the host and no token variable answers
/// nothing; without a terminal git then dies asking for a user name. (A stand-in `gh`
/// behaves as gh does there: it prints nothing.)
#[test]
fn gh_without_a_login_answers_nothing() {
    let mut env = Env::new();
    let repo = env.repo("r");
    env.script("bin/gh", "exit 0");
    let path = format!(
        "{}:{}",
        env.path("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    env.set("PATH", &path);
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            "credential.https://github.com.helper",
            "!gh auth git-credential",
        ],
    );
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "https://github.com/a/b.git"],
    );
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(
        codes(&r, "error").contains(&"CC209".to_owned()),
        "{}",
        r.stdout
    );
    // Logged in (gh's hosts.yml lists the host): gh may answer, nothing to say.
    env.home_file(
        ".config/gh/hosts.yml",
        "github.com:\n    user: alice\n    git_protocol: https\n",
    );
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(
        !codes(&r, "error").contains(&"CC209".to_owned()),
        "{}",
        r.stdout
    );
}

/// The pre-push hook does not probe the SSH URL git has just connected to (`$2`): every
/// SSH rule would predict a connection that already worked. The doctor still probes it.
#[test]
fn the_hook_does_not_probe_the_url_git_just_used() {
    let mut env = Env::new();
    let repo = env.repo("r");
    let marker = env.path("probed");
    let probe = env.script(
        "bin/recording-ssh",
        &format!("echo \"$@\" >> '{}'; exit 1", marker.display()),
    );
    env.set("GIT_SSH_COMMAND", probe.to_str().expect("utf8"));
    let url = "git@github.com:a/b.git";
    env.git_ok(&repo, &["remote", "add", "origin", url]);
    let r = env.credcheck_stdin(&repo, &["hook", "pre-push", "origin", url], b"");
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(!marker.exists(), "the hook ran the ssh program for $2");
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(marker.exists(), "the doctor did not probe: {}", r.all());
}

/// `HTTPS://` asks git for `git-remote-HTTPS`; the printed fix, pasted, writes the scheme in
/// lower case and the finding is gone.
#[test]
fn an_upper_case_scheme_fix_works_when_pasted() {
    let env = Env::new();
    let repo = env.repo("r");
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "HTTPS://github.com/a/b.git"],
    );
    let git = env.git(&repo, &["ls-remote", "origin"]);
    assert!(git.stderr.contains("remote-HTTPS"), "{}", git.stderr);
    paste_fix(&env, &repo, "CC104");
    let url = env.git_ok(&repo, &["remote", "get-url", "--push", "origin"]);
    assert_eq!(url.trim(), "https://github.com/a/b.git");
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(!r.stdout.contains("CC104"), "{}", r.stdout);
}

/// `!f() { echo "password=${TOKEN}"; }; f` answers a password and no user name: git asks
/// for one and, without a terminal, dies. The doctor says so with git's own words (both
/// of git's endings: prompts disabled, and no terminal at all), and its printed fix,
/// pasted, makes the push work.
#[test]
fn an_echo_helper_without_a_user_name_dies_asking_for_one() {
    use crate::http::{secrets, GH, GHP};
    use crate::util::assert_no_leak;
    let mut env = Env::new();
    let repo = env.repo("r");
    let srv = crate::http::server(&env);
    let path = srv.repo(&env, "echo");
    let url = srv.url(GH, &path);
    env.set("PUSH_TOKEN", GHP);
    env.git_ok(&repo, &["remote", "add", "origin", &url]);
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            &format!("credential.http://{GH}:{}.helper", srv.ports[GH]),
            r#"!f() { echo "password=${PUSH_TOKEN}"; }; f"#,
        ],
    );
    let said = |env: &Env| {
        let git = env.git(&repo, &["push", "origin", "HEAD:main"]);
        assert_ne!(git.code, 0, "{}", git.stderr);
        let line = git
            .stderr
            .lines()
            .find(|l| l.starts_with("fatal: could not read Username"))
            .unwrap_or_else(|| panic!("{}", git.stderr))
            .to_owned();
        let r = env.credcheck(&repo, &["--format", "json"]);
        assert!(
            codes(&r, "error").contains(&"CC225".to_owned()),
            "{}",
            r.stdout
        );
        assert!(r.stdout.contains(&line), "{line}\n{}", r.stdout);
        assert_no_leak(&r.all(), &secrets(), "CC225");
        line
    };
    assert!(said(&env).ends_with("terminal prompts disabled"));
    env.set("GIT_TERMINAL_PROMPT", "1");
    assert!(said(&env).ends_with("No such device or address"));
    let commands = paste_fix(&env, &repo, "CC225");
    assert!(commands[0].contains("x-access-token"), "{commands:?}");
    env.git_ok(&repo, &["push", "origin", "HEAD:main"]);
    let r = env.credcheck(&repo, &["--format", "json"]);
    assert!(!r.stdout.contains("CC225"), "{}", r.stdout);
}
