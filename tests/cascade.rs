//! The facts match git's own answers: the helper cascade against a logging helper under
//! `git credential fill`, push URLs against `git remote get-url --push --all`.

use crate::util::Env;
use std::path::Path;

/// One configuration: where each line goes, and the URL asked for.
struct Case {
    name: &'static str,
    url: &'static str,
    global: &'static [(&'static str, &'static str)],
    local: &'static [(&'static str, &'static str)],
    command: &'static [(&'static str, &'static str)],
}

const H: &str = "@H"; // replaced by the logging helper's path prefix

const CASES: &[Case] = &[
    Case {
        name: "none",
        url: "https://host.example/r.git",
        global: &[],
        local: &[],
        command: &[],
    },
    Case {
        name: "global",
        url: "https://host.example/r.git",
        global: &[("credential.helper", "@H1")],
        local: &[],
        command: &[],
    },
    Case {
        name: "global+local",
        url: "https://host.example/r.git",
        global: &[("credential.helper", "@H1")],
        local: &[("credential.helper", "@H2")],
        command: &[],
    },
    Case {
        name: "local reset",
        url: "https://host.example/r.git",
        global: &[("credential.helper", "@H1")],
        local: &[("credential.helper", ""), ("credential.helper", "@H2")],
        command: &[],
    },
    Case {
        name: "git -c adds",
        url: "https://host.example/r.git",
        global: &[("credential.helper", "@H1")],
        local: &[],
        command: &[("credential.helper", "@H2")],
    },
    Case {
        name: "git -c resets",
        url: "https://host.example/r.git",
        global: &[],
        local: &[("credential.helper", "@H1")],
        command: &[("credential.helper", ""), ("credential.helper", "@H2")],
    },
    Case {
        name: "url section",
        url: "https://host.example/r.git",
        global: &[("credential.https://host.example.helper", "@H1")],
        local: &[],
        command: &[],
    },
    Case {
        name: "other host",
        url: "https://host.example/r.git",
        global: &[("credential.https://other.example.helper", "@H1")],
        local: &[],
        command: &[],
    },
    Case {
        name: "scheme-less",
        url: "https://host.example/r.git",
        global: &[("credential.host.example.helper", "@H1")],
        local: &[],
        command: &[],
    },
    Case {
        name: "path prefix",
        url: "https://host.example/org/r.git",
        global: &[("credential.https://host.example/org.helper", "@H1")],
        local: &[],
        command: &[],
    },
    Case {
        name: "path not on boundary",
        url: "https://host.example/org/r.git",
        global: &[("credential.https://host.example/or.helper", "@H1")],
        local: &[],
        command: &[],
    },
    Case {
        name: "wildcard",
        url: "https://git.host.example/r.git",
        global: &[("credential.https://*.host.example.helper", "@H1")],
        local: &[],
        command: &[],
    },
    Case {
        name: "wildcard one label",
        url: "https://a.git.host.example/r.git",
        global: &[("credential.https://*.host.example.helper", "@H1")],
        local: &[],
        command: &[],
    },
    Case {
        name: "user in pattern",
        url: "https://alice@host.example/r.git",
        global: &[("credential.https://alice@host.example.helper", "@H1")],
        local: &[],
        command: &[],
    },
    Case {
        name: "user pattern, no user",
        url: "https://host.example/r.git",
        global: &[("credential.https://alice@host.example.helper", "@H1")],
        local: &[],
        command: &[],
    },
    Case {
        name: "http pattern for https",
        url: "https://host.example/r.git",
        global: &[("credential.http://host.example.helper", "@H1")],
        local: &[],
        command: &[],
    },
    Case {
        name: "port",
        url: "https://host.example:8443/r.git",
        global: &[("credential.https://host.example:8443.helper", "@H1")],
        local: &[],
        command: &[],
    },
    Case {
        name: "port mismatch",
        url: "https://host.example/r.git",
        global: &[("credential.https://host.example:8443.helper", "@H1")],
        local: &[],
        command: &[],
    },
    Case {
        name: "trailing slash",
        url: "https://host.example/r.git",
        global: &[("credential.https://host.example/.helper", "@H1")],
        local: &[],
        command: &[],
    },
    Case {
        name: "order across scopes",
        url: "https://host.example/r.git",
        global: &[
            ("credential.helper", "@H1"),
            ("credential.https://host.example.helper", "@H2"),
        ],
        local: &[("credential.helper", "@H3")],
        command: &[],
    },
    Case {
        name: "url reset",
        url: "https://host.example/r.git",
        global: &[
            ("credential.helper", "@H1"),
            ("credential.https://host.example.helper", ""),
        ],
        local: &[],
        command: &[],
    },
    Case {
        name: "upper-case pattern host",
        url: "https://host.example/r.git",
        global: &[("credential.https://HOST.example.helper", "@H1")],
        local: &[],
        command: &[],
    },
    Case {
        name: "protocol-only pattern",
        url: "https://host.example/r.git",
        global: &[("credential.https://.helper", "@H1")],
        local: &[],
        command: &[],
    },
    Case {
        name: "http url",
        url: "http://host.example/r.git",
        global: &[
            ("credential.https://host.example.helper", "@H1"),
            ("credential.http://host.example.helper", "@H2"),
        ],
        local: &[],
        command: &[],
    },
];

fn expand(v: &str, dir: &Path) -> String {
    v.replace(H, &format!("{}/h", dir.display()))
}

fn git_cascade(env: &Env, repo: &Path, url: &str, params: &str, log: &Path) -> Vec<String> {
    let _ = std::fs::remove_file(log);
    let u = url.split_once("://").expect("url");
    let (auth, path) = u.1.split_once('/').unwrap_or((u.1, ""));
    let (user, host) = match auth.split_once('@') {
        Some((us, h)) => (Some(us), h),
        None => (None, auth),
    };
    let mut input = format!("protocol={}\nhost={host}\npath={path}\n", u.0);
    if let Some(us) = user {
        input.push_str(&format!("username={us}\n"));
    }
    input.push('\n');
    let mut c = env.cmd("git", repo);
    c.args(["credential", "fill"])
        .env("GIT_CONFIG_PARAMETERS", params)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let _ = child.wait_with_output();
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn our_cascade(env: &Env, repo: &Path, params: &str) -> Vec<String> {
    let out = env
        .cmd(crate::util::BIN, repo)
        .args(["--facts"])
        .env("GIT_CONFIG_PARAMETERS", params)
        .output()
        .expect("run");
    let facts: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let helpers = &facts["remotes"][0]["urls"][0]["https"]["helpers"];
    helpers
        .as_array()
        .map(|a| {
            a.iter()
                .map(|h| {
                    h["display"]
                        .as_str()
                        .expect("display")
                        .rsplit('/')
                        .next()
                        .expect("name")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn helper_cascade_matches_git_credential_fill() {
    assert!(CASES.len() >= 20);
    let mut failures = Vec::new();
    let mut answered = 0;
    for case in CASES {
        let env = Env::new();
        let repo = env.repo("r");
        let hdir = env.path("helpers");
        let log = env.path("log");
        for i in 1..=3 {
            env.script(
                &format!("helpers/h{i}"),
                &format!(
                    "[ \"$1\" = get ] && echo h{i} >> '{}'\ncat >/dev/null",
                    log.display()
                ),
            );
        }
        for (k, v) in case.global {
            env.git_ok(
                &repo,
                &["config", "--global", "--add", k, &expand(v, &hdir)],
            );
        }
        for (k, v) in case.local {
            env.git_ok(&repo, &["config", "--add", k, &expand(v, &hdir)]);
        }
        let params: Vec<String> = case
            .command
            .iter()
            .map(|(k, v)| format!("'{k}'='{}'", expand(v, &hdir)))
            .collect();
        let params = params.join(" ");
        env.git_ok(&repo, &["remote", "add", "origin", case.url]);
        let want = git_cascade(&env, &repo, case.url, &params, &log);
        let got = our_cascade(&env, &repo, &params);
        answered += usize::from(!want.is_empty());
        if want != got {
            failures.push(format!(
                "{}: git {want:?}, git-credcheck {got:?}",
                case.name
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "cascade differs from git:\n{}",
        failures.join("\n")
    );
    // The logging helper really ran: most cases have a non-empty cascade.
    assert!(answered >= 14, "only {answered} cases reached a helper");
}

#[test]
fn push_urls_match_git_remote_get_url() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "url only",
            &[("remote.origin.url", "https://a.example/r.git")],
        ),
        (
            "pushurls",
            &[
                ("remote.origin.url", "https://a.example/r.git"),
                ("remote.origin.pushurl", "https://b.example/r.git"),
                ("remote.origin.pushurl", "ssh://git@c.example/r.git"),
            ],
        ),
        (
            "insteadOf",
            &[
                ("url.https://a.example/.insteadOf", "gh:"),
                ("remote.origin.url", "gh:r.git"),
            ],
        ),
        (
            "pushInsteadOf",
            &[
                (
                    "url.ssh://git@a.example/.pushInsteadOf",
                    "https://a.example/",
                ),
                ("remote.origin.url", "https://a.example/r.git"),
            ],
        ),
        (
            "pushurl ignores pushInsteadOf",
            &[
                (
                    "url.ssh://git@a.example/.pushInsteadOf",
                    "https://a.example/",
                ),
                ("url.https://b.example/.insteadOf", "bb:"),
                ("remote.origin.url", "https://a.example/r.git"),
                ("remote.origin.pushurl", "bb:r.git"),
            ],
        ),
        (
            "two urls",
            &[
                ("remote.origin.url", "https://a.example/r.git"),
                ("remote.origin.url", "https://b.example/r.git"),
            ],
        ),
        (
            "longest insteadOf",
            &[
                ("url.https://a.example/.insteadOf", "x:"),
                ("url.https://b.example/.insteadOf", "x:y/"),
                ("remote.origin.url", "x:y/r.git"),
            ],
        ),
        (
            "scp-like",
            &[("remote.origin.url", "git@a.example:org/r.git")],
        ),
        (
            "one of two urls push-rewritten",
            &[
                (
                    "url.ssh://git@a.example/.pushInsteadOf",
                    "https://a.example/",
                ),
                ("remote.origin.url", "https://a.example/r.git"),
                ("remote.origin.url", "https://b.example/r.git"),
            ],
        ),
    ];
    let mut failures = Vec::new();
    for (name, lines) in cases {
        let env = Env::new();
        let repo = env.repo("r");
        for (k, v) in *lines {
            env.git_ok(&repo, &["config", "--add", k, v]);
        }
        let want: Vec<String> = env
            .git_ok(&repo, &["remote", "get-url", "--push", "--all", "origin"])
            .lines()
            .map(str::to_owned)
            .collect();
        let out = env.credcheck(&repo, &["--facts", "--remote", "origin"]);
        let facts: serde_json::Value =
            serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stderr));
        let got: Vec<String> = facts["remotes"][0]["urls"]
            .as_array()
            .expect("urls")
            .iter()
            .map(|u| u["url"]["display"].as_str().expect("display").to_owned())
            .collect();
        if want != got {
            failures.push(format!("{name}: git {want:?}, git-credcheck {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "push URLs differ from git:\n{}",
        failures.join("\n")
    );
}

/// The built-in reader (gix-config plus git's environment rules) and git's own
/// `git config --list` give the same facts on a configuration that uses every source.
#[test]
fn config_readers_agree() {
    let mut env = Env::new();
    let repo = env.repo("r");
    let hdir = env.path("helpers");
    for i in 1..=6 {
        env.script(&format!("helpers/h{i}"), "cat >/dev/null");
    }
    let h = |i: u32| format!("{}/h{i}", hdir.display());
    let inc = env.write(
        "inc.gitconfig",
        &format!("[credential]\n\thelper = {}\n", h(2)),
    );
    let cond = env.write("cond.gitconfig", &format!("[credential \"https://host.example\"]\n\thelper = {}\n[url \"https://host.example/\"]\n\tinsteadOf = hx:\n", h(3)));
    let branch = env.write(
        "branch.gitconfig",
        &format!("[credential]\n\thelper = {}\n", h(4)),
    );
    env.home_file(
        ".config/git/config",
        &format!("[credential]\n\thelper = {}\n", h(1)),
    );
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            "include.path",
            inc.to_str().expect("utf8"),
        ],
    );
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            &format!("includeIf.gitdir:{}/.path", repo.display()),
            cond.to_str().expect("utf8"),
        ],
    );
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            "includeIf.onbranch:main.path",
            branch.to_str().expect("utf8"),
        ],
    );
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            "includeIf.onbranch:other.path",
            inc.to_str().expect("utf8"),
        ],
    );
    env.git_ok(&repo, &["remote", "add", "origin", "hx:acme/app.git"]);
    env.set("GIT_CONFIG_COUNT", "1");
    env.set("GIT_CONFIG_KEY_0", "credential.helper");
    env.set("GIT_CONFIG_VALUE_0", &h(5));
    env.set(
        "GIT_CONFIG_PARAMETERS",
        &format!(
            "'credential.https://nowhere.example.helper'='' 'credential.helper'='{}'",
            h(6)
        ),
    );
    // XDG and ~/.gitconfig are both read only without GIT_CONFIG_GLOBAL.
    let global = env.home.join(".gitconfig");
    let facts = |reader: &str| -> serde_json::Value {
        let out = env
            .cmd(crate::util::BIN, &repo)
            .args(["--facts"])
            .env_remove("GIT_CONFIG_GLOBAL")
            .env("GIT_CREDCHECK_CONFIG_READER", reader)
            .output()
            .expect("run");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        v["remotes"].clone()
    };
    assert!(global.exists());
    let ours = facts("builtin");
    let gits = facts("git");
    assert_eq!(ours, gits, "the readers disagree");
    let text = ours.to_string();
    let order: Vec<usize> = (1..=6)
        .filter_map(|i| text.find(&format!("helpers/h{i}\"")))
        .collect();
    assert_eq!(order.len(), 6, "a source is missing: {text}");
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "sources out of git's order: {text}"
    );
}

/// Without GIT_CONFIG_NOSYSTEM: the system file of the `git` on PATH (which may not
/// exist) and GIT_CONFIG_SYSTEM are read as git reads them.
#[test]
fn system_configuration_is_read_like_git() {
    let env = Env::new();
    let repo = env.repo("r");
    env.git_ok(
        &repo,
        &["remote", "add", "origin", "https://host.example/r.git"],
    );
    let h1 = env.script("helpers/h1", "cat >/dev/null");
    let h2 = env.script("helpers/h2", "cat >/dev/null");
    env.git_ok(
        &repo,
        &[
            "config",
            "--global",
            "credential.helper",
            h2.to_str().expect("utf8"),
        ],
    );
    let run = |extra: &[(&str, &str)], reader: &str| -> (i32, serde_json::Value) {
        let mut c = env.cmd(crate::util::BIN, &repo);
        c.args(["--facts"])
            .env_remove("GIT_CONFIG_NOSYSTEM")
            .env("GIT_CREDCHECK_CONFIG_READER", reader);
        for (k, v) in extra {
            c.env(k, v);
        }
        let out = c.output().expect("run");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{reader}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
        assert!(v["remotes"][0]["urls"][0].is_object(), "{reader}: {v}");
        (out.status.code().unwrap_or(-1), v)
    };
    // The machine's own system file (present or not).
    let (code, ours) = run(&[], "builtin");
    assert!(code < 2, "the default system file broke the run: {ours}");
    assert_eq!(ours["remotes"], run(&[], "git").1["remotes"]);
    // GIT_CONFIG_SYSTEM names the file; its helper comes first.
    let sys = env.write(
        "system.gitconfig",
        &format!("[credential]\n\thelper = {}\n", h1.display()),
    );
    let extra = [("GIT_CONFIG_SYSTEM", sys.to_str().expect("utf8"))];
    let (code, ours) = run(&extra, "builtin");
    assert!(code < 2);
    assert_eq!(ours["remotes"], run(&extra, "git").1["remotes"]);
    let helpers = ours["remotes"][0]["urls"][0]["https"]["helpers"].to_string();
    assert!(
        helpers.find("helpers/h1") < helpers.find("helpers/h2") && helpers.contains("helpers/h1"),
        "{helpers}"
    );
    assert_eq!(
        ours["remotes"][0]["urls"][0]["https"]["helpers"][0]["source"]["scope"],
        "system"
    );
}
