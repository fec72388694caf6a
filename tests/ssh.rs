//! End to end against a real OpenSSH sshd on a loopback port, with real `git push` over
//! SSH. ssh finds ~/.ssh through the passwd entry, not $HOME, so every client setting is
//! passed with `-F` (git-mechanics.md).

use crate::util::{assert_no_leak, codes, require, require_root, Env, Run};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct Sshd {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn keygen(path: &Path, kind: &str, passphrase: &str) {
    let st = Command::new("ssh-keygen")
        .args(["-q", "-t", kind, "-N", passphrase, "-C", "test", "-f"])
        .arg(path)
        .status()
        .expect("ssh-keygen");
    assert!(st.success());
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

impl Sshd {
    pub fn start(env: &Env, authorized: &[&Path]) -> Sshd {
        Sshd::start_with(env, authorized, "ERROR")
    }

    /// With `VERBOSE`, every connection is logged to [`Sshd::log`].
    pub fn start_with(env: &Env, authorized: &[&Path], log_level: &str) -> Sshd {
        Sshd::start_custom(env, authorized, log_level, "ed25519", "")
    }

    /// With one host key of `host_key` type (`ed25519`, `rsa`) and `extra` lines of
    /// sshd_config.
    pub fn start_custom(
        env: &Env,
        authorized: &[&Path],
        log_level: &str,
        host_key: &str,
        extra: &str,
    ) -> Sshd {
        let dir = env.path("sshd");
        std::fs::create_dir_all(&dir).expect("dir");
        let _ = std::fs::create_dir_all("/run/sshd");
        keygen(&dir.join(format!("host_{host_key}")), host_key, "");
        let mut keys = String::new();
        for k in authorized {
            keys.push_str(&std::fs::read_to_string(k.with_extension("pub")).expect("pub"));
        }
        std::fs::write(dir.join("authorized_keys"), keys).expect("authorized_keys");
        let port = free_port();
        let cfg = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_{host_key}\nPidFile {d}/sshd.pid\nAuthorizedKeysFile {d}/authorized_keys\n\
             StrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n\
             PermitRootLogin prohibit-password\nLogLevel {log_level}\nMaxStartups 50\n{extra}",
            d = dir.display()
        );
        std::fs::write(dir.join("sshd_config"), cfg).expect("cfg");
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-E"])
            .arg(dir.join("sshd.log"))
            .arg("-f")
            .arg(dir.join("sshd_config"))
            .stdin(Stdio::null())
            .spawn()
            .expect("sshd starts");
        let mut sshd = Sshd { child, port, dir };
        // Wait until it listens; an sshd that exits (bad config, port taken) fails here
        // with its own message (from its log) rather than as a column of wrong predictions.
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = sshd.child.try_wait().expect("sshd status") {
                panic!(
                    "sshd exited ({status}) before listening on port {port}: {}",
                    sshd.log()
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        sshd
    }

    /// What sshd logged (connections, at `VERBOSE`).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("sshd.log")).unwrap_or_default()
    }

    pub fn known_hosts_line(&self) -> String {
        let pubkey = ["host_ed25519.pub", "host_rsa.pub"]
            .iter()
            .find_map(|f| std::fs::read_to_string(self.dir.join(f)).ok())
            .expect("host pub");
        let mut parts = pubkey.split_whitespace();
        format!(
            "[127.0.0.1]:{} {} {}\n",
            self.port,
            parts.next().expect("type"),
            parts.next().expect("key")
        )
    }
}

pub struct Agent {
    child: Child,
    pub sock: PathBuf,
}

impl Agent {
    pub fn start(env: &Env, keys: &[&Path]) -> Agent {
        let sock = env.path("agent.sock");
        let mut child = Command::new("ssh-agent")
            .args(["-D", "-a"])
            .arg(&sock)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ssh-agent");
        while !sock.exists() {
            if let Some(status) = child.try_wait().expect("ssh-agent status") {
                panic!(
                    "ssh-agent exited ({status}) before creating {}",
                    sock.display()
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let askpass = env.script("ssh-askpass", "echo Qz7vW3kLm9XyRt");
        for k in keys {
            let st = Command::new("ssh-add")
                .arg(k)
                .env("SSH_AUTH_SOCK", &sock)
                .env("SSH_ASKPASS", &askpass)
                .env("SSH_ASKPASS_REQUIRE", "force")
                .env("DISPLAY", ":0")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("ssh-add");
            assert!(st.success());
        }
        Agent { child, sock }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Case {
    name: &'static str,
    /// Lines for the client's ssh_config `Host *` block (after the common ones).
    client: String,
    known_hosts: bool,
    agent: Vec<PathBuf>,
    url_user: &'static str,
    /// Push to `bitbucket.org`, which ssh_config points at the loopback sshd.
    hosted_name: bool,
    ssh_command: Option<String>,
    /// Expected code at error level, "" for healthy, "?" for "cannot be known locally".
    want: &'static str,
}

#[test]
fn ssh_matrix_predictions_match_real_pushes() {
    let tools = [
        "/usr/sbin/sshd",
        "ssh",
        "ssh-keygen",
        "ssh-agent",
        "ssh-add",
    ];
    if !tools.into_iter().all(require) || !require_root("sshd needs to accept logins as root") {
        return;
    }
    let env = Env::new();
    let keys = env.path("keys");
    std::fs::create_dir_all(&keys).expect("keys");
    let good = keys.join("good");
    let locked = keys.join("locked");
    let wrong = keys.join("wrong");
    let open = keys.join("open");
    keygen(&good, "ed25519", "");
    keygen(&locked, "ed25519", "Qz7vW3kLm9XyRt");
    keygen(&wrong, "ed25519", "");
    keygen(&open, "ed25519", "");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let sshd = Sshd::start(&env, &[&good, &locked, &open]);
    // The core.sshCommand case names this file on its command line.
    std::fs::write(env.path("known_hosts"), sshd.known_hosts_line()).expect("known_hosts");
    let id = |p: &Path| format!("IdentityFile {}\n", p.display());
    let cases = vec![
        Case { name: "no key", client: id(&keys.join("missing")), known_hosts: true, agent: vec![], url_user: "root", hosted_name: false, ssh_command: None, want: "CC302" },
        Case { name: "key mode 0644", client: id(&open), known_hosts: true, agent: vec![], url_user: "root", hosted_name: false, ssh_command: None, want: "CC303" },
        Case { name: "public key as identity", client: id(&good.with_extension("pub")), known_hosts: true, agent: vec![], url_user: "root", hosted_name: false, ssh_command: None, want: "CC303" },
        Case { name: "empty agent", client: id(&keys.join("missing")), known_hosts: true, agent: vec![PathBuf::new()], url_user: "root", hosted_name: false, ssh_command: None, want: "CC302" },
        Case { name: "passphrase without agent", client: id(&locked), known_hosts: true, agent: vec![], url_user: "root", hosted_name: false, ssh_command: None, want: "CC304" },
        Case { name: "unknown host key", client: id(&good), known_hosts: false, agent: vec![], url_user: "root", hosted_name: false, ssh_command: None, want: "CC305" },
        Case { name: "wrong user for provider", client: id(&good), known_hosts: true, agent: vec![], url_user: "jdoe", hosted_name: true, ssh_command: None, want: "CC301" },
        Case { name: "wrong key (server-side, unknowable offline)", client: id(&wrong), known_hosts: true, agent: vec![], url_user: "root", hosted_name: false, ssh_command: None, want: "?" },
        Case { name: "key file", client: id(&good), known_hosts: true, agent: vec![], url_user: "root", hosted_name: false, ssh_command: None, want: "" },
        Case { name: "agent key", client: id(&keys.join("missing")), known_hosts: true, agent: vec![good.clone()], url_user: "root", hosted_name: false, ssh_command: None, want: "" },
        Case { name: "IdentitiesOnly", client: format!("{}IdentitiesOnly yes\n", id(&good)), known_hosts: true, agent: vec![wrong.clone()], url_user: "root", hosted_name: false, ssh_command: None, want: "" },
        Case { name: "passphrase key in agent", client: id(&locked), known_hosts: true, agent: vec![locked.clone()], url_user: "root", hosted_name: false, ssh_command: None, want: "" },
        Case {
            name: "core.sshCommand with -i",
            client: String::new(),
            known_hosts: true,
            agent: vec![],
            url_user: "root",
            hosted_name: false,
            ssh_command: Some(format!("ssh -F /dev/null -i {} -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile={}", good.display(), env.path("known_hosts").display())),
            want: "",
        },
        Case { name: "custom port via alias", client: id(&good), known_hosts: true, agent: vec![], url_user: "", hosted_name: false, ssh_command: None, want: "" },
    ];
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let mut env = Env::new();
        let repo = env.repo("work");
        let bare = env.bare("remote.git");
        let kh = env.path("known_hosts");
        std::fs::write(
            &kh,
            if case.known_hosts {
                sshd.known_hosts_line()
            } else {
                String::new()
            },
        )
        .expect("known_hosts");
        let cfg = env.write(
            "ssh_config",
            &format!(
                "Host alias{i}\n  HostName 127.0.0.1\n  Port {p}\n  User root\nHost bitbucket.org\n  HostName 127.0.0.1\n  Port {p}\nHost *\n  BatchMode yes\n  StrictHostKeyChecking yes\n  UserKnownHostsFile {kh}\n  GlobalKnownHostsFile /dev/null\n{client}",
                p = sshd.port,
                kh = kh.display(),
                client = case.client.lines().map(|l| format!("  {l}\n")).collect::<String>()
            ),
        );
        let _agent;
        if !case.agent.is_empty() {
            let keys: Vec<&Path> = case
                .agent
                .iter()
                .filter(|p| !p.as_os_str().is_empty())
                .map(PathBuf::as_path)
                .collect();
            _agent = Agent::start(&env, &keys);
            env.set("SSH_AUTH_SOCK", _agent.sock.to_str().expect("utf8"));
        }
        let url = if case.url_user.is_empty() {
            format!("alias{i}:{}", bare.display())
        } else if case.hosted_name {
            // A hosted provider's name, pointed at the loopback sshd by ssh_config.
            format!("{}@bitbucket.org:{}", case.url_user, bare.display())
        } else {
            format!(
                "ssh://{}@127.0.0.1:{}{}",
                case.url_user,
                sshd.port,
                bare.display()
            )
        };
        env.git_ok(&repo, &["remote", "add", "origin", &url]);
        match &case.ssh_command {
            Some(c) => drop(env.git_ok(&repo, &["config", "core.sshCommand", c])),
            None => env.set("GIT_SSH_COMMAND", &format!("ssh -F {}", cfg.display())),
        }
        let report = env.credcheck(&repo, &["--format", "json"]);
        assert_no_leak(&report.all(), &["Qz7vW3kLm9XyRt".to_owned()], case.name);
        let human = env.credcheck(&repo, &[]);
        assert!(
            !human.stdout.to_lowercase().contains("token"),
            "{}: HTTPS advice for SSH:\n{}",
            case.name,
            human.stdout
        );
        let errors = codes(&report, "error");
        let push: Run = env.git(&repo, &["push", "--no-verify", "origin", "main"]);
        match case.want {
            "" => {
                if !errors.is_empty() || push.code != 0 {
                    failures.push(format!(
                        "{}: healthy setup got {errors:?}, push exit {}: {}",
                        case.name,
                        push.code,
                        push.stderr.trim()
                    ));
                }
            }
            "?" => {
                if push.code == 0 {
                    failures.push(format!("{}: expected the server to refuse", case.name));
                }
            }
            want => {
                if !errors.iter().any(|c| c == want) {
                    failures.push(format!(
                        "{}: expected {want}, got {errors:?}\n{}",
                        case.name, human.stdout
                    ));
                }
                if push.code == 0 {
                    failures.push(format!(
                        "{}: reported {errors:?} but the push succeeded",
                        case.name
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// GitHub's RSA host key until 2023-03-24: a known_hosts that pins only it cannot reach
/// github.com. No server can serve that key, so this stays on the doctor's side: the
/// facts it reports (file, line, type, retired; the client's host key algorithms), its
/// error, and the same file beside a current key (a warning).
#[test]
fn the_doctor_reports_the_host_key_facts_of_an_ssh_url() {
    if !require("ssh") {
        return;
    }
    const RETIRED: &str = "github.com ssh-rsa AAAAB3NzaC1yc2EAAAABIwAAAQEAq2A7hRGmdnm9tUDbO9IDSwBK6TbQa+PXYPCPy6rbTrTtw7PHkccKrpp0yVhp5HdEIcKr6pLlVDBfOLX9QUsyCOV0wzfjIJNlGEYsdlLJizHhbn2mUjvSAHQqZETYP81eFzLQNnPHt4EVVUh7VfDESU84KezmD5QlWpXLmvU31/yMf+Se8xhHTvKSCZIFImWwoG6mbUoWf9nzpIoaSjB+weqqUUmpaaasXVal72J+UX2B+2RPW3RcT0eOzQgqlJL3RKrTJvdsjE3JEAvGq3lGHSZXy28G3skua2SmVi/w4yCE6gbODqnTWlg7+wC604ydGXA8VJiS5ap43JXiUFFAaQ==";
    const CURRENT: &str = "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    let env = Env::new();
    let repo = env.repo("r");
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "git@github.com:acme/app.git"],
    );
    let kh = env.write("known_hosts", &format!("# pinned in 2019\n{RETIRED}\n"));
    let key = env.path("id_ed25519");
    keygen(&key, "ed25519", "");
    let cfg = env.write(
        "ssh_config",
        &format!(
            "Host *\n  BatchMode yes\n  StrictHostKeyChecking yes\n  UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n  IdentityFile {}\n",
            kh.display(),
            key.display()
        ),
    );
    env.git_ok(
        &repo,
        &[
            "config",
            "core.sshCommand",
            &format!("ssh -F {}", cfg.display()),
        ],
    );
    let facts = env.credcheck(&repo, &["--facts"]);
    let facts: serde_json::Value = serde_json::from_str(&facts.stdout).expect("facts JSON");
    let ssh = &facts["remotes"][0]["urls"][0]["ssh"];
    let entry = &ssh["known_hosts"]["value"]["entries"][0];
    assert_eq!(entry["file"], kh.display().to_string(), "{ssh:#}");
    assert_eq!(entry["line"], 2, "{ssh:#}");
    assert_eq!(entry["key_type"], "ssh-rsa", "{ssh:#}");
    assert_eq!(entry["retired"], true, "{ssh:#}");
    assert_eq!(
        entry["fingerprint"], "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8",
        "{ssh:#}"
    );
    let algorithms = ssh["config"]["value"]["host_key_algorithms"]
        .as_array()
        .unwrap_or_else(|| panic!("host key algorithms: {ssh:#}"));
    assert!(algorithms.iter().any(|a| a == "ssh-ed25519"), "{ssh:#}");
    let doctor = env.credcheck(&repo, &[]);
    assert!(
        codes(&env.credcheck(&repo, &["--format", "json"]), "error").contains(&"CC306".to_owned()),
        "{}",
        doctor.stdout
    );
    assert!(
        doctor.stdout.contains(&format!(
            // How many of GitHub's algorithms ssh accepts depends on its version.
            "SSH host keys for remote `origin` (git@github.com:acme/app.git): github.com pinned in {}:2 (ssh-rsa, retired by the provider); ssh accepts ",
            kh.display()
        )),
        "{}",
        doctor.stdout
    );
    // A current key beside the retired one: ssh connects, so a warning only.
    std::fs::write(&kh, format!("{RETIRED}\n{CURRENT}\n")).expect("write");
    let json = env.credcheck(&repo, &["--format", "json"]);
    assert!(
        !codes(&json, "error").contains(&"CC306".to_owned()),
        "{}",
        json.stdout
    );
    assert!(
        codes(&json, "warning").contains(&"CC306".to_owned()),
        "{}",
        json.stdout
    );
}
