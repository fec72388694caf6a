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
/// git runs the installed guard, and the guard stops the doomed credential.
fn assert_guard_stops(env: &Env, repo: &Path) {
    let r = fill(env, repo);
    assert!(
        r.stderr.contains("git-credcheck guard: stopped git"),
        "{}",
        r.stderr
    );
}

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
    assert_guard_stops(&env, &repo);
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
    assert_guard_stops(&env, &repo);
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
    assert_guard_stops(&env, &repo);
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

/// The fenced `lang` block of docs/ci.md whose first line is `# <file>`.
fn ci_doc_block(file: &str) -> serde_yaml::Value {
    let doc = std::fs::read_to_string(crate::util::manifest_dir().join("docs/ci.md"))
        .expect("docs/ci.md");
    let block = doc
        .split("```yaml\n")
        .skip(1)
        .filter_map(|b| b.split("\n```").next())
        .find(|b| b.starts_with(&format!("# {file}\n")))
        .unwrap_or_else(|| panic!("docs/ci.md has no yaml block for {file}"));
    serde_yaml::from_str(block).unwrap_or_else(|e| panic!("{file}: {e}"))
}

const GITHUB_TOKEN: &str = "ghs_Vx7Kp2Lm9Qr4St6Uw8Yz1Ab3Cd5Ef7Gh9Ij0K";
const PUSH_TOKEN: &str = "github_pat_11ABCDEFG0123456789abc_0123456789abcdefghijABCDEFGHIJ0123456789abcdefghijABCDEFGHIJ0123";

/// A job's shell line as the CI runs it (`bash -e`), with git-credcheck on PATH.
fn ci_line(env: &Env, repo: &Path, vars: &[(String, String)], line: &str) -> Run {
    let bin_dir = Path::new(crate::util::BIN).parent().expect("dir");
    let mut c = env.cmd("bash", repo);
    c.args(["-e", "-c", line]).env(
        "PATH",
        format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    );
    for (k, v) in vars {
        c.env(k, v);
    }
    c.output().expect("bash").into()
}

/// The results of a SARIF log (not its rule table), as text.
fn sarif_results(sarif: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(sarif).expect("SARIF");
    v["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r.to_string())
        .collect()
}

/// `${{ secrets.NAME }}` as GitHub fills it in.
fn github_expr(v: &str) -> String {
    v.replace("${{ secrets.GITHUB_TOKEN }}", GITHUB_TOKEN)
        .replace("${{ secrets.PUSH_TOKEN }}", PUSH_TOKEN)
}

/// Runs one job of a GitHub Actions workflow as the runner would, in a checkout of
/// `acme/app`; `persist` overrides the checkout's `persist-credentials`, `skip` names
/// steps left out. Returns the exit code of the first failing step (0 if none), the
/// output of every `run:` step, and the SARIF text the upload step found.
fn run_github_job(
    job: &serde_yaml::Value,
    persist: Option<bool>,
    skip: Option<&str>,
) -> (i32, Vec<Run>, String) {
    use base64::Engine;
    let env = Env::new();
    let repo = env.repo("work");
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "https://github.com/acme/app.git"],
    );
    let mut vars: Vec<(String, String)> = vec![
        ("CI".into(), "true".into()),
        ("GITHUB_ACTIONS".into(), "true".into()),
    ];
    if let Some(map) = job["env"].as_mapping() {
        for (k, v) in map {
            let (k, v) = (k.as_str().expect("key"), v.as_str().expect("value"));
            vars.push((k.to_owned(), github_expr(v)));
        }
    }
    let (mut failed, mut runs, mut uploaded) = (0, Vec::new(), String::new());
    for step in job["steps"].as_sequence().expect("steps") {
        if skip.is_some_and(|s| step["name"].as_str() == Some(s)) {
            continue;
        }
        let always = step["if"].as_str().is_some_and(|c| c.contains("always()"));
        if failed != 0 && !always {
            continue;
        }
        let uses = step["uses"].as_str().unwrap_or("");
        if uses.starts_with("actions/checkout@") {
            let keep = persist
                .or_else(|| step["with"]["persist-credentials"].as_bool())
                .unwrap_or(true);
            if keep {
                // What actions/checkout persists (src/git-auth-helper.ts).
                let basic = base64::engine::general_purpose::STANDARD
                    .encode(format!("x-access-token:{GITHUB_TOKEN}"));
                env.git_ok(
                    &repo,
                    &[
                        "config",
                        "--local",
                        "http.https://github.com/.extraheader",
                        &format!("AUTHORIZATION: basic {basic}"),
                    ],
                );
            }
        } else if uses.starts_with("github/codeql-action/upload-sarif@") {
            let file = step["with"]["sarif_file"].as_str().expect("sarif_file");
            uploaded = std::fs::read_to_string(repo.join(file)).expect("the SARIF file exists");
            let sarif: serde_json::Value = serde_json::from_str(&uploaded).expect("SARIF is JSON");
            assert_eq!(sarif["version"], "2.1.0");
            assert!(sarif["runs"][0]["results"].is_array(), "{sarif}");
        } else if let Some(line) = step["run"].as_str() {
            if line.starts_with("cargo install") {
                assert!(line.contains("--locked"), "{line}");
                continue;
            }
            let mut step_vars = vars.clone();
            if let Some(map) = step["env"].as_mapping() {
                for (k, v) in map {
                    step_vars.push((
                        k.as_str().expect("key").to_owned(),
                        github_expr(v.as_str().expect("value")),
                    ));
                }
            }
            let r = ci_line(&env, &repo, &step_vars, line);
            if r.code != 0 && failed == 0 {
                failed = r.code;
            }
            runs.push(r);
        } else {
            panic!("a step the test does not know how to run: {step:?}");
        }
    }
    for r in &runs {
        crate::util::assert_no_leak(
            &r.all(),
            &[GITHUB_TOKEN.to_owned(), PUSH_TOKEN.to_owned()],
            "CI",
        );
    }
    (failed, runs, uploaded)
}

#[test]
fn ci_docs_run_as_written() {
    // GitHub Actions, the lint job: passes on the default checkout, uploads its SARIF.
    let lint = ci_doc_block(".github/workflows/credcheck.yml");
    assert_eq!(lint["permissions"]["security-events"], "write");
    let job = &lint["jobs"]["credcheck"];
    let (code, runs, sarif) = run_github_job(job, None, None);
    assert_eq!(code, 0, "{}", runs.iter().map(Run::all).collect::<String>());
    assert!(sarif_results(&sarif).is_empty(), "{sarif}");
    // With `persist-credentials: false` it fails for the right reason, and the upload
    // still runs (`if: always()`).
    let (code, runs, sarif) = run_github_job(job, Some(false), None);
    assert_eq!(code, 1, "{}", runs.iter().map(Run::all).collect::<String>());
    let results = sarif_results(&sarif);
    assert!(
        results.contains("CC209")
            && results.contains("persist-credentials")
            && results.contains("GITHUB_TOKEN"),
        "{results}"
    );
    // The release job: its own token through a helper passes; without that step the
    // stage fails with the message the doc shows.
    let release = ci_doc_block(".github/workflows/release.yml");
    let job = &release["jobs"]["release"];
    let (code, runs, _) = run_github_job(job, None, None);
    assert_eq!(code, 0, "{}", runs.iter().map(Run::all).collect::<String>());
    let (code, runs, _) = run_github_job(job, None, Some("the credential this job pushes with"));
    assert_eq!(code, 1);
    let out = runs.last().expect("ran").all();
    let doc = std::fs::read_to_string(crate::util::manifest_dir().join("docs/ci.md"))
        .expect("docs/ci.md");
    let shown = doc
        .split("```console\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("console block");
    for line in shown.lines() {
        assert!(
            out.lines().any(|l| l == line),
            "docs/ci.md shows `{line}`, the stage printed:\n{out}"
        );
    }
    // GitLab CI: the runner's checkout (job token in the fetch URL), a masked PUSH_TOKEN.
    let gitlab = ci_doc_block(".gitlab-ci.yml");
    let job = &gitlab["credcheck"];
    let env = Env::new();
    let repo = env.repo("work");
    let job_token = "glcbt-64_Zx9Cv7Bn5Mq3Wr1Ty8Ui";
    env.git_ok(
        &repo,
        &[
            "remote",
            "add",
            "origin",
            &format!("https://gitlab-ci-token:{job_token}@gitlab.com/acme/app.git"),
        ],
    );
    let vars: Vec<(String, String)> = [
        ("CI", "true"),
        ("GITLAB_CI", "true"),
        ("CI_SERVER_HOST", "gitlab.com"),
        ("CI_PROJECT_PATH", "acme/app"),
        ("CI_JOB_TOKEN", job_token),
        ("PUSH_TOKEN", "glpat-Rt6Yu8Io0Pa2Sd4Fg6Hj8K"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for key in ["before_script", "script"] {
        for line in job[key].as_sequence().expect(key) {
            let line = line.as_str().expect("line");
            if line.starts_with("cargo install") {
                continue;
            }
            let r = ci_line(&env, &repo, &vars, line);
            assert_eq!(r.code, 0, "{line}: {}", r.all());
            assert!(!r.all().contains("error["), "{line}: {}", r.all());
            crate::util::assert_no_leak(&r.all(), &[job_token.to_owned()], "GitLab");
        }
    }
}

/// `rev:` in the pre-commit example and `--tag` in the CI examples name this version's
/// release tag (`v` + the crate version), the tag every release gets.
#[test]
fn documented_revisions_are_this_release() {
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    for file in ["README.md", "docs/ci.md"] {
        let text = std::fs::read_to_string(crate::util::manifest_dir().join(file)).expect(file);
        for (marker, end) in [("rev: ", '\n'), ("--tag ", ' ')] {
            for found in text.split(marker).skip(1) {
                let value = found.split([end, '\n']).next().unwrap_or("");
                assert_eq!(value, tag, "{file}: `{marker}{value}`");
            }
        }
    }
}

/// The `sh` blocks of one README section.
fn readme_sh_blocks(section: &str) -> Vec<String> {
    let readme =
        std::fs::read_to_string(crate::util::manifest_dir().join("README.md")).expect("README");
    let body = readme
        .split(&format!("\n## {section}\n"))
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap_or_else(|| panic!("README has no section {section}"));
    body.split("```sh\n")
        .skip(1)
        .filter_map(|b| b.split("\n```").next())
        .map(str::to_owned)
        .collect()
}

/// The README's install, guard, manual page and CI sections, run as written by a user
/// whose HOME has a space in it and whose `cargo install` put the binary under it.
#[test]
fn readme_sections_run_as_written_with_a_home_containing_a_space() {
    let mut env = Env::new();
    let home = env.dir.path().join("Jane Doe");
    std::fs::rename(&env.home, &home).expect("move home");
    env.home = home.clone();
    let bin = home.join(".cargo/bin/git-credcheck");
    std::fs::create_dir_all(bin.parent().expect("dir")).expect("mkdir");
    std::fs::copy(crate::util::BIN, &bin).expect("copy");
    env.set(
        "PATH",
        &format!(
            "{}:{}",
            bin.parent().expect("dir").display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    );
    let repo = env.repo("work");
    let bare = env.bare("remote.git");
    env.git_ok(
        &repo,
        &["remote", "add", "origin", bare.to_str().expect("utf8")],
    );
    let sh = |line: &str| -> Run {
        let pkgdir = env.path("pkg");
        env.cmd("bash", &repo)
            .args(["-e", "-c", line])
            .env("pkgdir", &pkgdir)
            .output()
            .expect("bash")
            .into()
    };
    let blocks = readme_sh_blocks("Install routes");
    let find = |first: &str| {
        blocks
            .iter()
            .find(|b| b.starts_with(first))
            .unwrap_or_else(|| panic!("README Install routes: no block starting `{first}`"))
            .lines()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    // The plain hook: install, a push through it, uninstall.
    let hook = find("git-credcheck install\n");
    let r = sh(&hook[0]);
    assert_eq!(r.code, 0, "{}: {}", hook[0], r.all());
    assert!(repo.join(".git/hooks/pre-push").exists());
    env.git_ok(&repo, &["push", "origin", "main"]);
    let r = sh(&hook[1]);
    assert_eq!(r.code, 0, "{}: {}", hook[1], r.all());
    assert!(!repo.join(".git/hooks/pre-push").exists());
    // The guard: git keeps working and runs it; then it is gone.
    let guard = find("git-credcheck install --guard\n");
    let r = sh(&guard[0]);
    assert_eq!(r.code, 0, "{}: {}", guard[0], r.all());
    assert_eq!(env.git(&repo, &["config", "--list"]).code, 0);
    let d = env.credcheck(&repo, &["--remote", "https://bitbucket.org/acme/app.git"]);
    assert!(guard_note(&d).ends_with(": active"), "{}", d.all());
    let r = sh(&guard[1]);
    assert_eq!(r.code, 0, "{}: {}", guard[1], r.all());
    assert!(!std::fs::read_to_string(home.join(".gitconfig"))
        .expect("gitconfig")
        .contains("credcheck"));
    // The manual page `install` placed under the spacey HOME, found by `git help`.
    assert!(home.join(".local/share/man/man1/git-credcheck.1").exists());
    if require("man") {
        let r: Run = env
            .cmd("git", &repo)
            .args(["help", "credcheck"])
            .env("MANPATH", home.join(".local/share/man"))
            .output()
            .expect("git help")
            .into();
        assert!(r.stdout.contains("COMMANDS"), "{}", r.all());
    }
    // What packagers run.
    for dir in [
        "usr/share/man/man1",
        "usr/share/bash-completion/completions",
        "usr/share/zsh/site-functions",
        "usr/share/fish/vendor_completions.d",
    ] {
        std::fs::create_dir_all(env.path("pkg").join(dir)).expect("mkdir");
    }
    for line in find("git-credcheck man >") {
        let r = sh(&line);
        assert_eq!(r.code, 0, "{line}: {}", r.all());
    }
    assert!(
        std::fs::read_to_string(env.path("pkg/usr/share/man/man1/git-credcheck.1"))
            .expect("man page")
            .contains(".SH COMMANDS")
    );
    // The CI lint stage's plain command.
    let ci = readme_sh_blocks("CI lint stage");
    let r = sh(ci[0].lines().next().expect("line"));
    assert_eq!(r.code, 0, "{}", r.all());
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo.join("credcheck.sarif")).expect("sarif"),
    )
    .expect("SARIF");
    assert_eq!(sarif["version"], "2.1.0");
}
