//! The SSH guard end to end: `git-credcheck ssh` installed as `core.sshCommand` in front
//! of a real OpenSSH sshd on loopback (tests/ssh.rs's set-up), with real pushes and
//! fetches. Every client setting reaches ssh through `-F` in the command the guard
//! keeps (`credcheck.sshCommand`), because ssh reads ~/.ssh from the passwd entry.

use crate::ssh::{keygen, Sshd};
use crate::util::{require, require_root, Env, Run, BIN};
use std::path::{Path, PathBuf};
use std::process::Stdio;

const PASSPHRASE: &str = "Qz7vW3kLm9XyRt";

struct Guarded {
    env: Env,
    sshd: Sshd,
    keys: PathBuf,
    repo: PathBuf,
    bare: PathBuf,
    url: String,
}

fn prerequisites() -> bool {
    ["/usr/sbin/sshd", "ssh", "ssh-keygen"]
        .into_iter()
        .all(require)
        && require_root("sshd needs to accept logins as root")
}

impl Guarded {
    /// sshd (every connection logged) accepting `good`, `open` (mode 0644) and `locked`
    /// (passphrase), a work
    /// tree whose `origin` is `ssh://root@127.0.0.1:PORT/…`, and the guard installed
    /// globally over `core.sshCommand = ssh -F <client config with the good key>`.
    fn new() -> Guarded {
        Guarded::with_sshd("ed25519", "")
    }

    /// As [`Guarded::new`], with an sshd whose only host key is of `host_key` type and
    /// these extra sshd_config lines.
    fn with_sshd(host_key: &str, extra: &str) -> Guarded {
        let env = Env::new();
        let keys = env.path("keys");
        std::fs::create_dir_all(&keys).expect("keys");
        for k in ["good", "wrong", "open"] {
            keygen(&keys.join(k), "ed25519", "");
        }
        keygen(&keys.join("locked"), "ed25519", PASSPHRASE);
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(keys.join("open"), std::fs::Permissions::from_mode(0o644))
                .expect("chmod");
        }
        let authorized = ["good", "open", "locked"].map(|k| keys.join(k));
        let authorized: Vec<&Path> = authorized.iter().map(PathBuf::as_path).collect();
        let sshd = Sshd::start_custom(&env, &authorized, "VERBOSE", host_key, extra);
        std::fs::write(env.path("known_hosts"), sshd.known_hosts_line()).expect("known_hosts");
        std::fs::write(env.path("empty_known_hosts"), "").expect("known_hosts");
        let repo = env.repo("work");
        let bare = env.bare("remote.git");
        let url = format!("ssh://root@127.0.0.1:{}{}", sshd.port, bare.display());
        env.git_ok(&repo, &["remote", "add", "origin", &url]);
        let g = Guarded {
            env,
            sshd,
            keys,
            repo,
            bare,
            url,
        };
        let cfg = g.client("good", "good", true);
        g.env.git_ok(
            &g.repo,
            &[
                "config",
                "--global",
                "core.sshCommand",
                &format!("ssh -F {}", cfg.display()),
            ],
        );
        let install = g.credcheck(&["install", "--ssh"]);
        assert_eq!(install.code, 0, "{}", install.all());
        g
    }

    /// An ssh client configuration offering `key`, with the sshd's host key known or not.
    fn client(&self, name: &str, key: &str, known: bool) -> PathBuf {
        let kh = if known {
            "known_hosts"
        } else {
            "empty_known_hosts"
        };
        self.env.write(
            &format!("client-{name}"),
            &format!(
                "Host *\n  BatchMode yes\n  StrictHostKeyChecking yes\n  UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n  IdentityFile {}\n",
                self.env.path(kh).display(),
                self.keys.join(key).display()
            ),
        )
    }

    /// Makes the guard run `ssh -F <cfg>`.
    fn run_ssh_with(&self, cfg: &Path) {
        self.env.git_ok(
            &self.repo,
            &[
                "config",
                "--global",
                "credcheck.sshCommand",
                &format!("ssh -F {}", cfg.display()),
            ],
        );
    }

    fn credcheck(&self, args: &[&str]) -> Run {
        self.env.credcheck(&self.repo, args)
    }

    fn git(&self, args: &[&str]) -> Run {
        self.env.git(&self.repo, args)
    }

    /// `program args` in the work tree with these variables added.
    fn with(&self, vars: &[(&str, &str)], program: &str, args: &[&str]) -> Run {
        self.env
            .cmd(program, &self.repo)
            .envs(vars.iter().copied())
            .args(args)
            .output()
            .expect("runs")
            .into()
    }

    fn connections(&self) -> usize {
        self.sshd.log().matches("Connection from").count()
    }

    /// The guard run as git runs it for a push.
    fn guard_as_git(&self) -> Run {
        self.credcheck(&[
            "ssh",
            "-o",
            "SendEnv=GIT_PROTOCOL",
            "-p",
            &self.sshd.port.to_string(),
            "root@127.0.0.1",
            &format!("git-receive-pack '{}'", self.bare.display()),
        ])
    }

    fn global_config(&self) -> Vec<u8> {
        std::fs::read(self.env.home.join(".gitconfig")).expect("global config")
    }
}

/// Not compressible, so the pack really is several MB.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn a_healthy_push_and_fetch_go_through_unchanged() {
    if !prerequisites() {
        return;
    }
    let g = Guarded::new();
    let config = g.global_config();
    let text = String::from_utf8_lossy(&config);
    assert!(text.contains("git-credcheck' ssh"), "{text}");
    assert!(text.contains("[credcheck]"), "{text}");
    // A large push (several MB) over the guard.
    let big = noise(6 << 20);
    std::fs::write(g.repo.join("big.bin"), &big).expect("write");
    g.env.git_ok(&g.repo, &["add", "big.bin"]);
    g.env.git_ok(&g.repo, &["commit", "-qm", "big"]);
    let push = g.git(&["push", "origin", "main"]);
    assert_eq!(push.code, 0, "{}", push.stderr);
    assert!(
        !push.stderr.contains("git-credcheck") && !push.stderr.contains("error["),
        "the guard said something on a healthy push:\n{}",
        push.stderr
    );
    let local = g.env.git_ok(&g.repo, &["rev-parse", "main"]);
    let remote = g.env.git_ok(&g.bare, &["rev-parse", "main"]);
    assert_eq!(local, remote);
    // A fetch (clone) through it gives the same bytes back.
    let clone = g.env.path("clone");
    let fetched = g.env.git(
        g.env.dir.path(),
        &["clone", "-q", &g.url, clone.to_str().expect("utf8")],
    );
    assert_eq!(fetched.code, 0, "{}", fetched.stderr);
    assert!(
        !fetched.stderr.contains("git-credcheck"),
        "{}",
        fetched.stderr
    );
    assert!(std::fs::read(clone.join("big.bin")).expect("fetched file") == big);
    assert!(g.connections() >= 2, "{}", g.sshd.log());
    // The doctor says the guard is active, and what bypasses it.
    let doctor = g.credcheck(&[]);
    assert!(
        doctor.stdout.contains(&format!(
            "SSH guard for remote `origin` ({}): active",
            g.url
        )),
        "{}",
        doctor.all()
    );
    let bypassed = g.with(&[("GIT_SSH_COMMAND", "ssh")], BIN, &[]);
    assert!(
        bypassed
            .stdout
            .contains("NOT active (GIT_SSH_COMMAND in the environment replaces it)"),
        "{}",
        bypassed.all()
    );
}

#[test]
fn a_doomed_connection_is_stopped_before_it_is_made() {
    if !prerequisites() {
        return;
    }
    let g = Guarded::new();
    let cases = [
        ("key mode 0644", g.client("open", "open", true), "CC303"),
        (
            "unknown host key, nobody to confirm it",
            g.client("unknown", "good", false),
            "CC305",
        ),
        ("no key at all", g.client("none", "missing", true), "CC302"),
        (
            "a passphrase nobody can type",
            g.client("locked", "locked", true),
            "CC304",
        ),
    ];
    for (name, cfg, code) in cases {
        g.run_ssh_with(&cfg);
        let before = g.connections();
        let direct = g.guard_as_git();
        assert_eq!(direct.code, 255, "{name}: {}", direct.all());
        assert!(
            direct
                .stderr
                .contains("git-credcheck ssh: stopped before connecting to 127.0.0.1")
                && direct.stderr.contains(&format!("error[{code}]")),
            "{name}: {}",
            direct.stderr
        );
        assert!(direct.stdout.is_empty(), "{name}: {}", direct.stdout);
        let push = g.git(&["push", "origin", "main"]);
        assert_ne!(push.code, 0, "{name}");
        assert!(
            push.stderr.contains(&format!("error[{code}]")),
            "{name}: {}",
            push.stderr
        );
        assert_eq!(
            g.connections(),
            before,
            "{name}: sshd saw a connection:\n{}",
            g.sshd.log()
        );
    }
}

#[test]
fn a_connection_that_can_work_is_never_stopped() {
    if !prerequisites() {
        return;
    }
    let g = Guarded::new();
    // No terminal, but ssh is told to ask its askpass program for the passphrase (and
    // BatchMode, which forbids any question, is off).
    let cfg = g.client("locked", "locked", true);
    let text = std::fs::read_to_string(&cfg).expect("client config");
    std::fs::write(&cfg, text.replace("BatchMode yes", "BatchMode no")).expect("write");
    g.run_ssh_with(&cfg);
    let askpass = g.env.script("bin/askpass", &format!("echo {PASSPHRASE}"));
    let push = g.with(
        &[
            ("SSH_ASKPASS", askpass.to_str().expect("utf8")),
            ("SSH_ASKPASS_REQUIRE", "force"),
        ],
        "git",
        &["push", "origin", "main"],
    );
    assert_eq!(push.code, 0, "{}", push.stderr);
    assert!(!push.stderr.contains("git-credcheck"), "{}", push.stderr);
    crate::util::assert_no_leak(&push.all(), &[PASSPHRASE.to_owned()], "askpass push");
    // An IdentityFile with a token only ssh expands (%u: the local user, root here).
    std::fs::copy(g.keys.join("good"), g.keys.join("good-root")).expect("copy key");
    let cfg = g.client("token", "good-%u", true);
    g.run_ssh_with(&cfg);
    let push = g.git(&["push", "origin", "main:token"]);
    assert_eq!(push.code, 0, "{}", push.stderr);
    assert!(!push.stderr.contains("git-credcheck"), "{}", push.stderr);
}

#[test]
fn a_refused_key_is_explained_after_the_server_refuses_it() {
    if !prerequisites() {
        return;
    }
    let g = Guarded::new();
    g.run_ssh_with(&g.client("wrong", "wrong", true));
    let push = g.git(&["push", "origin", "main"]);
    assert_ne!(push.code, 0);
    let denied = push
        .stderr
        .find("Permission denied (publickey)")
        .unwrap_or_else(|| panic!("ssh's own message is passed through:\n{}", push.stderr));
    let explained = push
        .stderr
        .find("error[CC312]: 127.0.0.1 refused every key ssh offered as `root`")
        .unwrap_or_else(|| panic!("no explanation:\n{}", push.stderr));
    assert!(denied < explained, "{}", push.stderr);
    let wrong = g.keys.join("wrong");
    let fp = String::from_utf8(
        std::process::Command::new("ssh-keygen")
            .arg("-lf")
            .arg(wrong.with_extension("pub"))
            .output()
            .expect("ssh-keygen -l")
            .stdout,
    )
    .expect("utf8");
    let fp = fp.split_whitespace().nth(1).expect("fingerprint");
    assert!(
        push.stderr
            .contains(&format!("ssh offered {} ({fp})", wrong.display())),
        "{}",
        push.stderr
    );
    assert_eq!(push.stderr.matches("error[").count(), 1, "{}", push.stderr);
    assert!(g.connections() >= 1);
    // Run as git runs it, the guard's status is ssh's.
    assert_eq!(g.guard_as_git().code, 255);
}

#[test]
fn git_s_probe_is_answered_as_the_program_would() {
    if !prerequisites() {
        return;
    }
    let g = Guarded::new();
    let cfg = g.env.path("client-good");
    let port = g.sshd.port.to_string();
    let probe = [
        "-G",
        "-o",
        "SendEnv=GIT_PROTOCOL",
        "-p",
        &port,
        "root@127.0.0.1",
    ];
    let plain: Run = g
        .env
        .cmd("ssh", &g.repo)
        .arg("-F")
        .arg(&cfg)
        .args(probe)
        .output()
        .expect("ssh -G")
        .into();
    let guarded = g.credcheck(&[&["ssh"][..], &probe[..]].concat());
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert_eq!((guarded.code, &guarded.stdout), (plain.code, &plain.stdout));
    assert!(guarded.stdout.contains(&format!("port {port}\n")));
    // git's own probe (output to /dev/null) is answered without running anything.
    let status = g
        .env
        .cmd(BIN, &g.repo)
        .arg("ssh")
        .args(probe)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("probe");
    assert!(status.success());
    // A program git does not know by name answers for itself, as git would have asked it.
    let odd = g
        .env
        .script("bin/odd-ssh", "case \"$1\" in -G) exit 7;; esac; exit 0");
    g.env.git_ok(
        &g.repo,
        &["config", "--global", "--unset", "credcheck.sshCommand"],
    );
    let answered = g.with(
        &[("GIT_SSH", odd.to_str().expect("utf8"))],
        BIN,
        &[&["ssh"][..], &probe[..]].concat(),
    );
    assert_eq!(answered.code, 7, "{}", answered.all());
}

#[test]
fn exit_status_signals_and_stdio_pass_through() {
    if !prerequisites() {
        return;
    }
    let g = Guarded::new();
    let fake = g.env.script(
        "bin/fake-ssh",
        "case \"$1\" in -G) exit 1;; esac\ncase \"$1\" in\n  exit42) exit 42;;\n  term) kill -TERM $$;;\n  echo) cat; echo to-stderr >&2; exit 0;;\n  unknown) echo 'kex_exchange_identification: read: Connection reset' >&2; exit 255;;\nesac",
    );
    g.env.git_ok(
        &g.repo,
        &[
            "config",
            "--global",
            "credcheck.sshCommand",
            fake.to_str().expect("utf8"),
        ],
    );
    let run = |dest: &str| {
        g.env
            .credcheck_stdin(&g.repo, &["ssh", dest, "git-upload-pack 'x'"], b"ping\n")
    };
    assert_eq!(run("exit42").code, 42);
    assert_eq!(run("term").code, 128 + 15);
    let echo = run("echo");
    assert_eq!((echo.code, echo.stdout.as_str()), (0, "ping\n"));
    assert_eq!(echo.stderr, "to-stderr\n");
    let unknown = run("unknown");
    assert_eq!(unknown.code, 255);
    assert_eq!(
        unknown.stderr, "kex_exchange_identification: read: Connection reset\n",
        "nothing added to a failure the guard cannot explain"
    );
}

#[test]
fn install_and_uninstall_round_trip_with_a_space_in_the_path() {
    if !prerequisites() {
        return;
    }
    let g = Guarded::new();
    // Start over from the previous command, with the guard installed from a path with a space.
    assert_eq!(g.credcheck(&["uninstall", "--ssh"]).code, 0);
    let before = g.global_config();
    assert!(!String::from_utf8_lossy(&before).contains("credcheck"));
    let spaced = g.env.path("my tools/git-credcheck");
    std::fs::create_dir_all(spaced.parent().expect("parent")).expect("mkdir");
    std::fs::copy(BIN, &spaced).expect("copy the binary");
    let spaced_bin = spaced.to_str().expect("utf8");
    let run = |args: &[&str]| -> Run {
        g.env
            .cmd(spaced_bin, &g.repo)
            .args(args)
            .output()
            .expect("runs")
            .into()
    };
    let install = run(&["install", "--ssh"]);
    assert_eq!(install.code, 0, "{}", install.all());
    assert_eq!(
        g.env
            .git_ok(&g.repo, &["config", "--global", "core.sshCommand"])
            .trim_end(),
        format!("'{spaced_bin}' ssh")
    );
    let kept = g
        .env
        .git_ok(&g.repo, &["config", "--global", "credcheck.sshCommand"]);
    assert!(kept.starts_with("ssh -F "), "{kept}");
    let installed = g.global_config();
    assert_eq!(run(&["install", "--ssh"]).code, 0);
    assert_eq!(g.global_config(), installed, "install is idempotent");
    let push = g.git(&["push", "origin", "main"]);
    assert_eq!(push.code, 0, "{}", push.stderr);
    assert!(g.connections() >= 1);
    let uninstall = run(&["uninstall", "--ssh"]);
    assert_eq!(uninstall.code, 0, "{}", uninstall.all());
    assert_eq!(
        String::from_utf8_lossy(&g.global_config()),
        String::from_utf8_lossy(&before),
        "uninstall restores the file byte for byte"
    );
    // Without a previous command, and with a repository-local command that would hide a
    // global guard: both are wrapped, and both come back exactly.
    g.env.git_ok(
        &g.repo,
        &["config", "--global", "--unset", "core.sshCommand"],
    );
    g.env.git_ok(
        &g.repo,
        &["config", "--local", "core.sshCommand", "ssh -4 -o 'A=b c'"],
    );
    let global = g.global_config();
    let local_file = g.repo.join(".git/config");
    let local = std::fs::read(&local_file).expect("local config");
    assert_eq!(run(&["install", "--ssh"]).code, 0);
    assert!(g
        .env
        .git_ok(&g.repo, &["config", "--local", "core.sshCommand"])
        .contains("git-credcheck' ssh"));
    let doctor = g.credcheck(&[]);
    assert!(
        doctor.stdout.contains("SSH guard for remote `origin`"),
        "{}",
        doctor.all()
    );
    assert_eq!(run(&["uninstall", "--ssh"]).code, 0);
    assert_eq!(g.global_config(), global);
    assert_eq!(std::fs::read(&local_file).expect("local config"), local);
}

#[test]
fn git_ssh_is_still_the_program_that_connects() {
    if !prerequisites() {
        return;
    }
    let g = Guarded::new();
    // Only GIT_SSH is left: the guard is the whole core.sshCommand.
    assert_eq!(g.credcheck(&["uninstall", "--ssh"]).code, 0);
    g.env.git_ok(
        &g.repo,
        &["config", "--global", "--unset", "core.sshCommand"],
    );
    assert_eq!(g.credcheck(&["install", "--ssh"]).code, 0);
    let log = g.env.path("logging-ssh.log");
    let logging = g.env.script(
        "bin/logging-ssh",
        &format!(
            "echo \"$*\" >> '{}'\nexec ssh -F '{}' \"$@\"",
            log.display(),
            g.env.path("client-good").display()
        ),
    );
    let push = g.with(
        &[("GIT_SSH", logging.to_str().expect("utf8"))],
        "git",
        &["push", "origin", "main"],
    );
    assert_eq!(push.code, 0, "{}", push.stderr);
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    // git probes a program it does not know by name; the guard asks that program.
    assert!(calls.lines().any(|l| l.starts_with("-G ")), "{calls}");
    assert!(calls.contains("git-receive-pack"), "{calls}");
}

#[test]
fn plink_gets_what_git_would_give_it() {
    if !prerequisites() {
        return;
    }
    let g = Guarded::new();
    assert_eq!(g.credcheck(&["uninstall", "--ssh"]).code, 0);
    g.env.git_ok(
        &g.repo,
        &["config", "--global", "--unset", "core.sshCommand"],
    );
    for name in ["plink", "tortoiseplink"] {
        let log = g.env.path(&format!("{name}.log"));
        let fake = g.env.script(
            &format!("bin-{name}/{name}"),
            &format!(
                "for a in \"$@\"; do echo \"[$a]\"; done >> '{l}'\necho \"GIT_PROTOCOL=$GIT_PROTOCOL\" >> '{l}'\nexit 1",
                l = log.display()
            ),
        );
        let vars = [("GIT_SSH", fake.to_str().expect("utf8"))];
        let url = "ssh://git@127.0.0.1:2222/a/b.git";
        let args = ["-c", "protocol.version=2", "fetch", "-4", url];
        let _ = g.with(&vars, "git", &args);
        let without = std::fs::read_to_string(&log).expect("plink ran");
        std::fs::remove_file(&log).expect("rm");
        assert_eq!(g.credcheck(&["install", "--ssh"]).code, 0);
        let _ = g.with(&vars, "git", &args);
        let with = std::fs::read_to_string(&log).expect("plink ran under the guard");
        assert_eq!(with, without, "{name}");
        assert!(with.contains("[-P]\n[2222]\n"), "{with}");
        assert_eq!(g.credcheck(&["uninstall", "--ssh"]).code, 0);
    }
}

#[test]
fn the_guard_fails_open() {
    if !prerequisites() {
        return;
    }
    let g = Guarded::new();
    let push = g.with(
        &[("GIT_CREDCHECK_FORCE_INTERNAL_ERROR", "1")],
        "git",
        &["push", "origin", "main"],
    );
    assert_eq!(push.code, 0, "{}", push.stderr);
    let ours: Vec<&str> = push
        .stderr
        .lines()
        .filter(|l| l.contains("git-credcheck"))
        .collect();
    assert_eq!(ours.len(), 1, "{}", push.stderr);
    assert!(
        ours[0].starts_with("git-credcheck ssh: internal error (panic): forced internal error")
            && ours[0].ends_with("; connecting without checks"),
        "{}",
        ours[0]
    );
}

#[test]
fn a_program_that_runs_the_guard_again_does_not_loop() {
    let env = Env::new();
    let repo = env.repo("work");
    let again = env.script("bin/again", &format!("exec '{BIN}' ssh \"$@\""));
    let fallback = env.script(
        "bin/fallback",
        "case \"$1\" in -G) exit 0;; esac\necho \"fallback: $*\"",
    );
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            "core.sshCommand",
            &format!("'{BIN}' ssh"),
        ],
    );
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            "credcheck.sshCommand",
            again.to_str().expect("utf8"),
        ],
    );
    let run: Run = env
        .cmd(BIN, &repo)
        .env("GIT_SSH", &fallback)
        .args(["ssh", "git@example.invalid", "git-upload-pack 'x'"])
        .output()
        .expect("runs")
        .into();
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        run.stdout,
        "fallback: git@example.invalid git-upload-pack 'x'\n"
    );
    assert_eq!(run.stderr, "");
}

/// A server that signs with `ssh-rsa` only: OpenSSH 8.8 and later refuse it. The guard
/// cannot know beforehand (no provider table describes 127.0.0.1); after the failure it
/// names the cause and the `Host` block, and that block, pasted into sh, makes the push
/// work, even under a `Host *` at the top of the `-F` file that sets HostKeyAlgorithms
/// (ssh keeps the first value it reads, so the block goes above it).
#[test]
fn a_host_offering_only_ssh_rsa_is_explained_and_the_printed_fix_works() {
    if !prerequisites() {
        return;
    }
    let g = Guarded::with_sshd("rsa", "HostKeyAlgorithms ssh-rsa\n");
    let cfg = g.env.path("client-good");
    let body = std::fs::read_to_string(&cfg).expect("cfg");
    std::fs::write(
        &cfg,
        format!("Host *\n  HostKeyAlgorithms ssh-ed25519\n{body}"),
    )
    .expect("cfg");
    let push = g.git(&["push", "origin", "main"]);
    assert_ne!(push.code, 0, "{}", push.stderr);
    assert!(
        push.stderr
            .contains("no matching host key type found. Their offer: ssh-rsa"),
        "ssh's own message is passed through:\n{}",
        push.stderr
    );
    assert!(
        push.stderr.contains(
            "error[CC312]: 127.0.0.1 offers only host key types this ssh refuses (ssh-rsa) for remote `origin`"
        ),
        "{}",
        push.stderr
    );
    let fix = push
        .stderr
        .lines()
        .map(str::trim)
        .find_map(|l| l.find("{ printf '%s\\n' 'Host 127.0.0.1'").map(|i| &l[i..]))
        .unwrap_or_else(|| panic!("no Host block in the fix:\n{}", push.stderr));
    assert!(
        fix.ends_with(&format!("> '{0}' && rm '{0}'.new", cfg.display())),
        "the fix names the -F file: {fix}"
    );
    let out = g.with(&[], "sh", &["-c", fix]);
    assert_eq!(out.code, 0, "{}", out.all());
    let check = push
        .stderr
        .lines()
        .map(str::trim)
        .find_map(|l| {
            l.find("ssh -F ")
                .map(|i| &l[i..])
                .filter(|c| c.contains(" -G "))
        })
        .unwrap_or_else(|| panic!("no ssh -G check in the fix:\n{}", push.stderr));
    let shown = g.with(&[], "sh", &["-c", check]);
    assert!(shown.stdout.contains("ssh-rsa"), "{check}: {}", shown.all());
    let push = g.git(&["push", "origin", "main"]);
    assert_eq!(push.code, 0, "{}", push.stderr);
    assert!(!push.stderr.contains("git-credcheck"), "{}", push.stderr);
    assert!(!push.stderr.contains("error["), "{}", push.stderr);
}

/// A key file others can read, beside a key the server refuses: ssh skips the first and
/// offers the second, so nothing is certain before connecting. After `Permission denied`
/// the guard names the skipped key and the chmod, and the chmod makes the push work.
#[test]
fn an_open_key_beside_a_refused_one_is_explained_with_its_chmod() {
    if !prerequisites() {
        return;
    }
    let g = Guarded::new();
    let cfg = g.env.write(
        "client-open-and-wrong",
        &format!(
            "Host *\n  BatchMode yes\n  StrictHostKeyChecking yes\n  UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n  IdentitiesOnly yes\n  IdentityFile {}\n  IdentityFile {}\n",
            g.env.path("known_hosts").display(),
            g.keys.join("open").display(),
            g.keys.join("wrong").display()
        ),
    );
    g.run_ssh_with(&cfg);
    let push = g.git(&["push", "origin", "main"]);
    assert_ne!(push.code, 0, "{}", push.stderr);
    assert!(
        push.stderr.contains("UNPROTECTED PRIVATE KEY FILE"),
        "{}",
        push.stderr
    );
    let open = g.keys.join("open");
    assert!(
        push.stderr.contains(&format!(
            "error[CC312]: ssh ignored the key {} (mode 0644) for remote `origin`",
            open.display()
        )),
        "{}",
        push.stderr
    );
    let chmod = format!("chmod 600 '{}'", open.display());
    assert!(push.stderr.contains(&chmod), "{}", push.stderr);
    assert_eq!(push.stderr.matches("error[").count(), 1, "{}", push.stderr);
    let out = g.with(&[], "sh", &["-c", &chmod]);
    assert_eq!(out.code, 0, "{}", out.all());
    let push = g.git(&["push", "origin", "main"]);
    assert_eq!(push.code, 0, "{}", push.stderr);
    assert!(!push.stderr.contains("git-credcheck"), "{}", push.stderr);
}

/// The server accepts the key, then refuses the push with a provider's own text (an
/// authorized_keys forced command prints GitHub's read-only answer on stderr and exits 1,
/// as GitHub does): not an ssh failure, still explained; a success prints nothing.
#[test]
fn a_provider_s_refusal_after_authentication_is_explained() {
    if !prerequisites() {
        return;
    }
    let g = Guarded::new();
    let good = std::fs::read_to_string(g.keys.join("good.pub")).expect("pub");
    std::fs::write(
        g.sshd.dir.join("authorized_keys"),
        format!("command=\"echo 'ERROR: The key you are authenticating with has been marked as read only.' >&2; exit 1\" {good}"),
    )
    .expect("authorized_keys");
    let push = g.git(&["push", "origin", "main"]);
    assert_ne!(push.code, 0, "{}", push.stderr);
    assert!(
        push.stderr
            .contains("error[CC312]: 127.0.0.1 refused the push for remote `origin`")
            && push
                .stderr
                .contains("the key is a deploy key without write access"),
        "{}",
        push.stderr
    );
    assert!(
        push.stderr.contains("Allow write access"),
        "{}",
        push.stderr
    );
    assert_eq!(push.stderr.matches("error[").count(), 1, "{}", push.stderr);
    // The remote's own exit status is passed on.
    assert_eq!(g.guard_as_git().code, 1);
}
