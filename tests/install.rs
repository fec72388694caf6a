//! Installs that survive real machines (issue 14): the guard and the hook from paths
//! that `sh` and git's config syntax would break, the path the user invoked rather than
//! the file it resolves to, a doctor that calls the guard active only when git can run
//! it, the manual page where `git help` looks, shell completions and git's colours.

use crate::hooks::binary_copy;
use crate::util::{require, Env, Run};
use std::path::{Path, PathBuf};

const ATBB: &str = "ATBBMn4Bv6Cx8Za1Sq3Wd5Ef7Rg9Th2Yj4Uk";

/// Directory names that broke the old installer: a space, `'`, `"`, `\` and `$`.
const AWKWARD: &[&str] = &[
    "Jane Doe",
    "it's",
    "say \"hi\"",
    "back\\slash",
    "$HOME and $(id)",
    "all of 'em \"$x\" \\ ;#",
];

fn run(env: &Env, program: &Path, cwd: &Path, args: &[&str]) -> Run {
    env.cmd(program.to_str().expect("utf8"), cwd)
        .args(args)
        .output()
        .expect("runs")
        .into()
}

/// A repository whose `origin` is Bitbucket, with a retired app password in the `store`
/// helper configured after wherever the guard goes.
fn doomed_world(env: &Env) -> PathBuf {
    let repo = env.repo("work");
    env.git_ok(
        &repo,
        &[
            "remote",
            "add",
            "origin",
            "https://bitbucket.org/acme/app.git",
        ],
    );
    env.git_ok(&repo, &["config", "--global", "credential.helper", "store"]);
    env.home_file(
        ".git-credentials",
        &format!("https://alice:{ATBB}@bitbucket.org\n"),
    );
    repo
}

/// `git credential fill` for Bitbucket: git runs every helper, the guard first.
fn fill(env: &Env, repo: &Path) -> Run {
    let mut child = env
        .cmd("git", repo)
        .args(["credential", "fill"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("git credential fill");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"protocol=https\nhost=bitbucket.org\n\n")
        .expect("write");
    child.wait_with_output().expect("wait").into()
}

fn guard_note(doctor: &Run) -> String {
    doctor
        .stdout
        .lines()
        .find(|l| l.contains("credential guard for"))
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn guard_from_awkward_paths_is_valid_config_that_git_runs() {
    for name in AWKWARD {
        let env = Env::new();
        let repo = doomed_world(&env);
        let bin = binary_copy(&env, name);
        let r = run(&env, &bin, &repo, &["install", "--guard"]);
        assert_eq!(r.code, 0, "{name}: {}", r.all());
        // git still reads its configuration, and the value is the quoted path.
        let list = env.git(&repo, &["config", "--list"]);
        assert_eq!(list.code, 0, "{name}: git config broke: {}", list.stderr);
        let helper = env.git_ok(
            &repo,
            &["config", "--get-all", "credential.https://.helper"],
        );
        assert!(helper.starts_with("!'"), "{name}: {helper}");
        // git runs it: the guard stops the retired app password before it is sent.
        let r = fill(&env, &repo);
        assert_ne!(r.code, 0, "{name}: {}", r.all());
        assert!(
            r.stderr.contains("git-credcheck guard: stopped git") && r.stderr.contains("CC202"),
            "{name}: git did not run the guard: {}",
            r.stderr
        );
        assert!(!r.stdout.contains(ATBB), "{name}");
        // The doctor: active, and not a missing helper.
        let d = run(&env, &bin, &repo, &[]);
        assert!(guard_note(&d).ends_with(": active"), "{name}: {}", d.stdout);
        assert!(!d.stdout.contains("CC201"), "{name}: {}", d.stdout);
        // Idempotent, then removed exactly.
        let again = run(&env, &bin, &repo, &["install", "--guard"]);
        assert!(
            again.stderr.contains("already installed"),
            "{}",
            again.all()
        );
        let r = run(&env, &bin, &repo, &["uninstall", "--guard"]);
        assert_eq!(r.code, 0, "{name}: {}", r.all());
        let gitconfig = std::fs::read_to_string(env.home.join(".gitconfig")).expect("read");
        assert!(!gitconfig.contains("credcheck"), "{name}: {gitconfig}");
        assert_eq!(env.git(&repo, &["config", "--list"]).code, 0);
    }
}

#[test]
fn guard_installs_locally_from_an_awkward_path() {
    let env = Env::new();
    let repo = doomed_world(&env);
    let bin = binary_copy(&env, AWKWARD[5]);
    let r = run(&env, &bin, &repo, &["install", "--guard", "--local"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("prefer --global"), "{}", r.stderr);
    assert_eq!(env.git(&repo, &["config", "--list"]).code, 0);
    let local = std::fs::read_to_string(repo.join(".git/config")).expect("read");
    assert!(local.starts_with("# >>> git-credcheck guard"), "{local}");
    let r = run(&env, &bin, &repo, &["uninstall", "--guard", "--local"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(!std::fs::read_to_string(repo.join(".git/config"))
        .expect("read")
        .contains("credcheck"));
}

/// What versions before issue 14 wrote for a path with a space: not valid git config, so
/// every git command failed and `uninstall` could not read the configuration to repair it.
#[test]
fn a_broken_guard_from_an_older_version_is_repaired() {
    let env = Env::new();
    let repo = doomed_world(&env);
    let bin = binary_copy(&env, "Jane Doe");
    let old = bin.display().to_string().replace(' ', "\\ ");
    let gitconfig = env.home.join(".gitconfig");
    let rest = std::fs::read_to_string(&gitconfig).expect("read");
    let broken = format!(
        "# >>> git-credcheck guard (added by `git-credcheck install --guard`; remove with `git-credcheck uninstall --guard`)\n\
         [credential \"https://\"]\n\thelper = \"{old} guard\"\n[credential \"http://\"]\n\thelper = \"{old} guard\"\n\
         # <<< git-credcheck guard\n{rest}"
    );
    std::fs::write(&gitconfig, &broken).expect("write");
    assert_ne!(
        env.git(&repo, &["config", "--list"]).code,
        0,
        "the old block is broken"
    );
    // uninstall removes it...
    let r = run(&env, &bin, &repo, &["uninstall", "--guard"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(env.git(&repo, &["config", "--list"]).code, 0);
    assert_eq!(std::fs::read_to_string(&gitconfig).expect("read"), rest);
    // ...and install replaces it in place with a working one.
    std::fs::write(&gitconfig, &broken).expect("write");
    let r = run(&env, &bin, &repo, &["install", "--guard"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr.contains("replaced the credential guard"),
        "{}",
        r.stderr
    );
    assert_eq!(env.git(&repo, &["config", "--list"]).code, 0);
    let r = fill(&env, &repo);
    assert!(
        r.stderr.contains("git-credcheck guard: stopped git"),
        "{}",
        r.stderr
    );
}

/// A package manager's layout: `bin/git-credcheck` is a symlink into a versioned
/// directory that an upgrade replaces.
#[test]
fn the_invoked_path_survives_an_upgrade() {
    let env = Env::new();
    let repo = doomed_world(&env);
    let v1 = binary_copy(&env, "Cellar/git-credcheck/0.1.0/bin");
    let link = env.path("prefix/bin/git-credcheck");
    std::fs::create_dir_all(link.parent().expect("parent")).expect("mkdir");
    std::os::unix::fs::symlink(&v1, &link).expect("symlink");
    let r = run(&env, &link, &repo, &["install", "--guard"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let r = run(&env, &link, &repo, &["install"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let helper = env.git_ok(
        &repo,
        &["config", "--get-all", "credential.https://.helper"],
    );
    assert!(
        helper.contains("prefix/bin/git-credcheck") && !helper.contains("0.1.0"),
        "{helper}"
    );
    let hook = std::fs::read_to_string(repo.join(".git/hooks/pre-push")).expect("hook");
    assert!(
        hook.contains("prefix/bin/git-credcheck'") && !hook.contains("0.1.0"),
        "{hook}"
    );
    // The upgrade: a new versioned directory, the old one removed, the link moved.
    let v2 = binary_copy(&env, "Cellar/git-credcheck/0.2.0/bin");
    std::fs::remove_dir_all(env.path("Cellar/git-credcheck/0.1.0")).expect("rm");
    std::fs::remove_file(&link).expect("rm link");
    std::os::unix::fs::symlink(&v2, &link).expect("symlink");
    let r = fill(&env, &repo);
    assert!(
        r.stderr.contains("git-credcheck guard: stopped git"),
        "{}",
        r.stderr
    );
    let d = run(&env, &link, &repo, &[]);
    assert!(guard_note(&d).ends_with(": active"), "{}", d.stdout);
}

/// Run by its bare name from PATH, the guard is stored by that name.
#[test]
fn a_program_on_path_is_stored_by_name() {
    let mut env = Env::new();
    let repo = doomed_world(&env);
    let bin = binary_copy(&env, "tools dir/bin");
    let path = format!(
        "{}:{}",
        bin.parent().expect("dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    env.set("PATH", &path);
    let r: Run = env
        .cmd("git-credcheck", &repo)
        .args(["install", "--guard"])
        .output()
        .expect("runs")
        .into();
    assert_eq!(r.code, 0, "{}", r.all());
    let helper = env.git_ok(
        &repo,
        &["config", "--get-all", "credential.https://.helper"],
    );
    assert_eq!(helper.lines().next(), Some("!git-credcheck guard"));
    // Through git (`git credcheck install`, argv[0] is the bare name) too.
    let r = env.git(&repo, &["credcheck", "install", "--guard"]);
    assert!(r.stderr.contains("already installed"), "{}", r.all());
    let r = fill(&env, &repo);
    assert!(
        r.stderr.contains("git-credcheck guard: stopped git"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_doctor_says_when_git_cannot_run_the_guard() {
    let env = Env::new();
    let repo = doomed_world(&env);
    // Installed from a copy that is then removed (an uninstalled package).
    let gone = binary_copy(&env, "old version");
    let r = run(&env, &gone, &repo, &["install", "--guard"]);
    assert_eq!(r.code, 0, "{}", r.all());
    std::fs::remove_dir_all(gone.parent().expect("dir")).expect("rm");
    let bin = PathBuf::from(crate::util::BIN);
    let d = run(&env, &bin, &repo, &[]);
    assert!(
        guard_note(&d).contains("installed but git cannot run it"),
        "{}",
        d.stdout
    );
    assert!(
        d.stdout.contains("CC201") && d.stdout.contains("git-credcheck install --guard --global"),
        "{}",
        d.stdout
    );
    run(&env, &bin, &repo, &["uninstall", "--guard"]);
    // A program that is there but does not answer the way a guard does.
    let fake = env.script("fake/git-credcheck", "echo broken >&2; exit 3");
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            "--add",
            "credential.https://bitbucket.org.helper",
            &format!("{} guard", fake.display()),
        ],
    );
    env.git_ok(
        &repo,
        &["config", "--global", "--unset", "credential.helper"],
    );
    env.git_ok(
        &repo,
        &["config", "--global", "--add", "credential.helper", "store"],
    );
    let d = run(&env, &bin, &repo, &["--format", "json"]);
    assert!(
        crate::util::codes(&d, "warning")
            .iter()
            .any(|c| c == "CC212"),
        "{}",
        d.stdout
    );
    assert!(d.stdout.contains("status 3: broken"), "{}", d.stdout);
}

#[test]
fn man_page_is_generated_installed_and_found_by_git_help() {
    let env = Env::new();
    let repo = env.repo("work");
    let r = env.credcheck(&repo, &["man"]);
    assert_eq!(r.code, 0, "{}", r.all());
    for needle in [
        ".TH git-credcheck 1",
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH COMMANDS",
        "\"EXIT STATUS\"",
    ] {
        assert!(r.stdout.contains(needle), "no `{needle}`:\n{}", r.stdout);
    }
    for sub in [
        "doctor",
        "hook pre-push",
        "hook pre-commit",
        "guard",
        "install",
        "uninstall",
        "explain",
        "rules",
        "providers",
        "init",
        "man",
        "completions",
    ] {
        assert!(
            r.stdout.contains(&format!(".SS \"git-credcheck {sub}\"")),
            "no section for `{sub}`"
        );
    }
    let r = env.credcheck(&repo, &["install"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let page = env.home.join(".local/share/man/man1/git-credcheck.1");
    assert_eq!(
        std::fs::read_to_string(&page).expect("installed"),
        env.credcheck(&repo, &["man"]).stdout
    );
    if !require("man") {
        return;
    }
    // man renders it (groff parses the roff)...
    let rendered: Run = env
        .cmd("man", &repo)
        .args(["-l", page.to_str().expect("utf8")])
        .env("MANWIDTH", "100")
        .output()
        .expect("man")
        .into();
    assert_eq!(rendered.code, 0, "{}", rendered.all());
    assert!(
        rendered.stdout.contains("git-credcheck install")
            && rendered.stdout.contains("EXIT STATUS"),
        "{}",
        rendered.stdout
    );
    assert!(!rendered.stderr.contains("warning"), "{}", rendered.stderr);
    // ...and `git help credcheck` and `git credcheck --help` open it from the test HOME.
    let manpath = env.home.join(".local/share/man");
    for args in [&["help", "credcheck"][..], &["credcheck", "--help"][..]] {
        let r: Run = env
            .cmd("git", &repo)
            .args(args)
            .env("MANPATH", &manpath)
            .env("MANWIDTH", "100")
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    Path::new(crate::util::BIN).parent().expect("dir").display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .output()
            .expect("git help")
            .into();
        assert_eq!(r.code, 0, "git {args:?}: {}", r.all());
        assert!(
            r.stdout.contains("NAME")
                && r.stdout.contains("git-credcheck install")
                && r.stdout.contains("COMMANDS"),
            "git {args:?}: {}",
            r.all()
        );
    }
}

#[test]
fn completions_for_each_shell() {
    let env = Env::new();
    let dir = env.path("");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let r = env.credcheck(&dir, &["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.all());
        for word in ["install", "uninstall", "explain", "completions"] {
            assert!(r.stdout.contains(word), "{shell}: no `{word}`");
        }
    }
    if !require("bash") {
        return;
    }
    let script = env.write(
        "completion.bash",
        &env.credcheck(&dir, &["completions", "bash"]).stdout,
    );
    let r: Run = env
        .cmd("bash", &dir)
        .args([
            "-c",
            &format!(
                ". '{}'; COMP_WORDS=(git-credcheck unin); COMP_CWORD=1; COMP_LINE='git-credcheck unin'; COMP_POINT=18; \
                 _git__credcheck git-credcheck unin git-credcheck; echo \"${{COMPREPLY[@]}}\"; complete -p git-credcheck",
                script.display()
            ),
        ])
        .output()
        .expect("bash")
        .into();
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("uninstall"), "{}", r.all());
    assert!(
        r.stdout.contains("-F _git__credcheck git-credcheck"),
        "{}",
        r.all()
    );
}

#[test]
fn colour_follows_git_settings_then_the_environment() {
    let env = Env::new();
    let repo = env.repo("work");
    env.git_ok(
        &repo,
        &[
            "remote",
            "add",
            "origin",
            "https://alice:s3cr3t-Zq81Pw0Lk@github.com/a/b.git",
        ],
    );
    const ESC: &str = "\u{1b}[";
    let doctor = |extra: &[(&str, &str)]| {
        let mut c = env.cmd(crate::util::BIN, &repo);
        for (k, v) in extra {
            c.env(k, v);
        }
        let r: Run = c.output().expect("runs").into();
        assert!(r.stdout.contains("CC101"), "{}", r.all());
        r.stdout.contains(ESC)
    };
    // Into a pipe: no colour unless something forces it.
    assert!(!doctor(&[]));
    assert!(doctor(&[("CLICOLOR_FORCE", "1")]));
    env.git_ok(&repo, &["config", "color.ui", "always"]);
    assert!(doctor(&[]), "color.ui=always");
    assert!(
        doctor(&[("NO_COLOR", "1")]),
        "git's always wins over NO_COLOR"
    );
    env.git_ok(&repo, &["config", "color.credcheck", "never"]);
    assert!(
        !doctor(&[("CLICOLOR_FORCE", "1")]),
        "color.credcheck=never wins"
    );
    env.git_ok(&repo, &["config", "color.credcheck", "auto"]);
    assert!(!doctor(&[]), "auto into a pipe");
    env.git_ok(&repo, &["config", "--unset", "color.credcheck"]);
    env.git_ok(&repo, &["config", "color.ui", "never"]);
    assert!(!doctor(&[("CLICOLOR_FORCE", "1")]), "color.ui=never");
    // `git -c color.ui=always credcheck` reaches us through GIT_CONFIG_PARAMETERS.
    let r: Run = env
        .cmd(crate::util::BIN, &repo)
        .env("GIT_CONFIG_PARAMETERS", "'color.ui'='always'")
        .output()
        .expect("runs")
        .into();
    assert!(r.stdout.contains(ESC), "{}", r.stdout);
}
