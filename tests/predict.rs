//! Issue 13: failures predicted by their general cause, each played with real git against
//! the real smart-HTTP server. Where the failure happens the push fails and the doctor
//! names the rule; in the near miss next to it the push works and the doctor says nothing
//! of that rule. Last, a healthy push through the installed hook and guard prints nothing.
//!
//! `gh` and Git Credential Manager are not installed here: `bin/gh` and
//! `bin/git-credential-manager` are stand-ins that do what their sources say the real
//! programs do before they answer (gh: GH_TOKEN, then GITHUB_TOKEN, then its own login;
//! GCM: `CredentialStore.EnsureBackingStore` refuses an unusable store and answers nothing).

use crate::http::{ATATT, GHP, GHP_OTHER, GLPAT};
use crate::util::{codes, require, Env, HttpServer, Run};
use std::path::PathBuf;

const BB: &str = "127.0.0.1";
const GH: &str = "127.0.0.2";
const GL: &str = "127.0.0.3";
/// Serves as AWS CodeCommit: accepts only a helper password signed today.
const CC: &str = "127.0.0.6";
/// Serves as Azure DevOps with OAuth: accepts only an unexpired JWT.
const AZ: &str = "127.0.0.7";

const AKIA: &str = "AKIAIOSFODNN7EXAMPLE";
const SIG: &str = "5c1e9a7b3d2f4e6a8b0c1d3e5f7a9b2c4d6e8f0a1b3c5d7e9f2a4b6c8d0e1f3a";

/// A CodeCommit helper password signed on `day` (`YYYYMMDD`).
fn signed(day: &str) -> String {
    format!("{day}T101500Z{SIG}")
}

/// A JWT whose `exp` is `exp` (seconds since the epoch).
fn jwt(exp: u64) -> String {
    use base64::Engine;
    let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b(r#"{"alg":"RS256","typ":"JWT"}"#),
        b(&format!(
            r#"{{"aud":"499b84ac-1321-427f-aa17-267ca6975798","exp":{exp}}}"#
        ))
    )
}

/// 2026-12-31 and 2026-11-01, around the tests' today (2026-11-29).
const FRESH_EXP: u64 = 1_798_675_200;
const STALE_EXP: u64 = 1_793_527_200;

const GH_STANDIN: &str = r#"# gh auth git-credential: GH_TOKEN, then GITHUB_TOKEN, then the login in hosts.yml.
[ "$1 $2" = "auth git-credential" ] || exit 1
cat >/dev/null
[ "$3" = get ] || exit 0
tok="${GH_TOKEN:-$GITHUB_TOKEN}"
[ -n "$tok" ] || tok=$(sed -n 's/^ *oauth_token: *//p' "$HOME/.config/gh/hosts.yml" 2>/dev/null)
[ -n "$tok" ] && printf 'username=x-access-token\npassword=%s\n' "$tok"
exit 0"#;

const GCM_STANDIN: &str = r#"# Git Credential Manager: the store checks of CredentialStore.EnsureBackingStore on Linux.
cat >/dev/null
store="${GCM_CREDENTIAL_STORE-$(git config --get credential.credentialStore)}"
case "$store" in
"") echo "fatal: No credential store has been selected." >&2; exit 1;;
secretservice) [ -n "$DISPLAY$WAYLAND_DISPLAY" ] || { echo "fatal: Cannot use the 'secretservice' credential backing store without a graphical interface present." >&2; exit 1; };;
gpg) [ -n "$GCM_GPG_PATH" ] || command -v gpg >/dev/null || { echo "fatal: gpg not found" >&2; exit 1; }
     [ -n "$DISPLAY$GPG_TTY$SSH_TTY" ] || { echo "fatal: GPG_TTY is not set" >&2; exit 1; }
     [ -f "${PASSWORD_STORE_DIR:-$HOME/.password-store}/.gpg-id" ] || { echo "fatal: Password store has not been initialized" >&2; exit 1; };;
plaintext|cache) ;;
*) echo "fatal: Unknown credential store '$store'." >&2; exit 1;;
esac
[ "$1" = get ] && cat "$HOME/.gcm-standin-credential"
exit 0"#;

struct World {
    env: Env,
    srv: HttpServer,
    repo: PathBuf,
    host: &'static str,
    path: String,
}

impl World {
    /// A repository whose `origin` is served at `host`, with `vars` in the environment and
    /// the stand-ins first on PATH.
    fn new(host: &'static str, vars: &[(&str, &str)]) -> World {
        let mut env = Env::new();
        env.script("bin/gh", GH_STANDIN);
        env.script("bin/git-credential-manager", GCM_STANDIN);
        let path = format!(
            "{}:{}",
            env.path("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        env.set("PATH", &path);
        for (k, v) in vars {
            env.set(k, v);
        }
        let srv = server(&env);
        let repo = env.repo("work");
        let path = srv.repo(&env, "r");
        env.git_ok(&repo, &["remote", "add", "origin", &srv.url(host, &path)]);
        World {
            env,
            srv,
            repo,
            host,
            path,
        }
    }

    fn url(&self) -> String {
        self.srv.url(self.host, &self.path)
    }

    fn hostport(&self) -> String {
        format!("{}:{}", self.host, self.srv.ports[self.host])
    }

    fn git(&self, args: &[&str]) {
        self.env.git_ok(&self.repo, args);
    }

    /// The `store` helper holding one line for this host.
    fn store(&self, user: &str, secret: &str) {
        self.git(&["config", "--global", "credential.helper", "store"]);
        self.env.home_file(
            ".git-credentials",
            &format!("http://{user}:{secret}@{}\n", self.hostport()),
        );
    }

    fn doctor(&self) -> Run {
        self.env.credcheck(&self.repo, &["--format", "json"])
    }

    fn push(&self) -> Run {
        self.env
            .git(&self.repo, &["push", "--no-verify", "origin", "main"])
    }
}

fn server(env: &Env) -> HttpServer {
    let s = |u: &str, p: &str| (u.to_owned(), p.to_owned());
    let srv = HttpServer::start(
        env,
        &[
            (BB, "bitbucket-cloud", vec![s("alice", ATATT)], false),
            (GH, "github", vec![s("", GHP)], true),
            (GL, "gitlab", vec![s("", GLPAT)], true),
            (CC, "codecommit", vec![s(AKIA, &signed("20261129"))], false),
            (AZ, "oauth", vec![s("alice", &jwt(FRESH_EXP))], false),
        ],
    );
    env.map_hosts(&[
        (BB, "bitbucket-cloud"),
        (GH, "github"),
        (GL, "gitlab"),
        (CC, "codecommit"),
        (AZ, "azure-devops"),
    ]);
    srv
}

type Setup = fn(&World);

struct Case {
    name: &'static str,
    host: &'static str,
    vars: &'static [(&'static str, &'static str)],
    setup: Setup,
    /// The rule, and the severity at which the doctor must name it ("" for a near miss,
    /// where the doctor must not name it at all and the push must work).
    code: &'static str,
    severity: &'static str,
}

const fn fails(
    name: &'static str,
    host: &'static str,
    vars: &'static [(&'static str, &'static str)],
    setup: Setup,
    code: &'static str,
    severity: &'static str,
) -> Case {
    Case {
        name,
        host,
        vars,
        setup,
        code,
        severity,
    }
}

const fn works(
    name: &'static str,
    host: &'static str,
    vars: &'static [(&'static str, &'static str)],
    setup: Setup,
    code: &'static str,
) -> Case {
    Case {
        name,
        host,
        vars,
        setup,
        code,
        severity: "",
    }
}

fn gcm(w: &World) {
    w.git(&["config", "--global", "credential.helper", "manager"]);
    w.env.home_file(
        ".gcm-standin-credential",
        &format!("username=alice\npassword={GHP}\n"),
    );
}

fn gh_login(w: &World) {
    w.git(&[
        "config",
        "--global",
        "credential.helper",
        "!gh auth git-credential",
    ]);
    w.env.home_file(
        ".config/gh/hosts.yml",
        &format!("{GH}:\n    user: alice\n    oauth_token: {GHP}\n    git_protocol: https\n"),
    );
}

fn cases() -> Vec<Case> {
    vec![
        // Git Credential Manager's store.
        fails(
            "gcm without a store on linux",
            GH,
            &[],
            gcm,
            "CC215",
            "error",
        ),
        fails(
            "gcm secretservice without a display (from the environment)",
            GH,
            &[("GCM_CREDENTIAL_STORE", "secretservice")],
            gcm,
            "CC215",
            "error",
        ),
        fails(
            "gcm gpg without pass init",
            GH,
            &[("GPG_TTY", "/dev/pts/0"), ("GCM_GPG_PATH", "/bin/sh")],
            |w| {
                gcm(w);
                w.git(&["config", "--global", "credential.credentialStore", "gpg"]);
            },
            "CC215",
            "error",
        ),
        works(
            "gcm plaintext store",
            GH,
            &[],
            |w| {
                gcm(w);
                w.git(&[
                    "config",
                    "--global",
                    "credential.credentialStore",
                    "plaintext",
                ]);
            },
            "CC215",
        ),
        works(
            "gcm gpg store ready",
            GH,
            &[
                ("GCM_CREDENTIAL_STORE", "gpg"),
                ("GPG_TTY", "/dev/pts/0"),
                ("GCM_GPG_PATH", "/bin/sh"),
            ],
            |w| {
                gcm(w);
                w.env
                    .home_file(".password-store/.gpg-id", "ABCDEF0123456789\n");
            },
            "CC215",
        ),
        // Placeholders.
        fails(
            "placeholder token in the store",
            GH,
            &[],
            |w| w.store("alice", "YOUR_TOKEN"),
            "CC216",
            "error",
        ),
        fails(
            "variable written literally in the URL",
            GH,
            &[],
            |w| {
                let url = w
                    .url()
                    .replacen("http://", "http://x-access-token:$GITHUB_TOKEN@", 1);
                w.git(&["remote", "set-url", "origin", &url]);
            },
            "CC216",
            "error",
        ),
        fails(
            "placeholder user name on bitbucket",
            BB,
            &[],
            |w| w.store("USERNAME", ATATT),
            "CC216",
            "error",
        ),
        works(
            "placeholder user name where the provider ignores it",
            GH,
            &[],
            |w| w.store("USERNAME", GHP),
            "CC216",
        ),
        works(
            "real user name on bitbucket",
            BB,
            &[],
            |w| w.store("alice", ATATT),
            "CC216",
        ),
        // Shadowing: a URL-scoped extraHeader, a token variable gh prefers, askpass.
        fails(
            "url-scoped extraHeader shadows the stored token",
            GH,
            &[],
            |w| {
                w.store("alice", GHP);
                w.git(&[
                    "config",
                    "--global",
                    &format!("http.http://{}/.extraHeader", w.hostport()),
                    &crate::http::Ctx::basic("x-access-token", GHP_OTHER),
                ]);
            },
            "CC210",
            "warning",
        ),
        works(
            "extraHeader scoped to another host",
            GH,
            &[],
            |w| {
                w.store("alice", GHP);
                w.git(&[
                    "config",
                    "--global",
                    "http.http://127.0.0.9/.extraHeader",
                    &crate::http::Ctx::basic("x-access-token", GHP_OTHER),
                ]);
            },
            "CC210",
        ),
        fails(
            "GITHUB_TOKEN shadows the gh login",
            GH,
            &[("GITHUB_TOKEN", GHP_OTHER)],
            gh_login,
            "CC217",
            "warning",
        ),
        works("gh login alone", GH, &[], gh_login, "CC217"),
        works(
            "GH_TOKEN without a gh login",
            GH,
            &[("GH_TOKEN", GHP)],
            |w| {
                w.git(&[
                    "config",
                    "--global",
                    "credential.helper",
                    "!gh auth git-credential",
                ])
            },
            "CC217",
        ),
        fails(
            "stale GIT_ASKPASS before a working core.askPass",
            BB,
            &[("GIT_ASKPASS", "/opt/gone/askpass.sh")],
            |w| {
                let good = askpass(w);
                w.git(&["config", "--global", "core.askPass", &good]);
            },
            "CC218",
            "error",
        ),
        works(
            "working GIT_ASKPASS",
            BB,
            &[],
            |w| {
                let good = askpass(w);
                w.git(&["config", "--global", "core.askPass", &good]);
            },
            "CC218",
        ),
        // Temporary credentials kept past their lifetime.
        fails(
            "codecommit password signed two days ago in the store",
            CC,
            &[],
            |w| w.store(AKIA, &signed("20261127")),
            "CC219",
            "error",
        ),
        works(
            "codecommit password signed today",
            CC,
            &[],
            |w| w.store(AKIA, &signed("20261129")),
            "CC219",
        ),
        fails(
            "expired JWT in the store",
            AZ,
            &[],
            |w| w.store("alice", &jwt(STALE_EXP)),
            "CC219",
            "error",
        ),
        works(
            "unexpired JWT in the store",
            AZ,
            &[],
            |w| w.store("alice", &jwt(FRESH_EXP)),
            "CC219",
        ),
    ]
}

/// An askpass script that answers alice / the API token.
fn askpass(w: &World) -> String {
    w.env
        .script(
            "bin/askpass",
            &format!("case \"$1\" in Username*) echo alice;; *) echo '{ATATT}';; esac"),
        )
        .display()
        .to_string()
}

#[test]
fn each_cause_fails_the_push_and_is_named_and_each_near_miss_works_in_silence() {
    if !require("python3") {
        return;
    }
    let mut failures = Vec::new();
    let secrets: Vec<String> = crate::http::secrets()
        .into_iter()
        .chain([signed("20261127"), signed("20261129")])
        .collect();
    for case in cases() {
        let w = World::new(case.host, case.vars);
        (case.setup)(&w);
        // The doctor first: a refused push makes git erase the stored line.
        let report = w.doctor();
        crate::util::assert_no_leak(&report.all(), &secrets, case.name);
        let named: Vec<String> = ["error", "warning", "info"]
            .iter()
            .flat_map(|s| codes(&report, s))
            .collect();
        let push = w.push();
        if case.severity.is_empty() {
            if push.code != 0 {
                failures.push(format!(
                    "{}: near miss did not push: {}",
                    case.name,
                    push.stderr.trim()
                ));
            }
            if named.iter().any(|c| c == case.code) || !codes(&report, "error").is_empty() {
                failures.push(format!(
                    "{}: near miss named {named:?}:\n{}",
                    case.name, report.stdout
                ));
            }
        } else {
            if push.code == 0 {
                failures.push(format!("{}: the push worked", case.name));
            }
            if !codes(&report, case.severity).iter().any(|c| c == case.code) {
                failures.push(format!(
                    "{}: expected {} at {}, got {named:?}:\n{}",
                    case.name, case.code, case.severity, report.stdout
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A healthy push through the installed pre-push hook and credential guard prints nothing
/// at all (`git push -q`: git itself is silent too), for the common healthy set-ups.
#[test]
fn healthy_pushes_through_hook_and_guard_print_nothing() {
    if !require("python3") {
        return;
    }
    let setups: Vec<(&str, &str, Setup)> = vec![
        ("store with a token", GH, |w| w.store("alice", GHP)),
        ("store with an API token", BB, |w| w.store("alice", ATATT)),
        ("gitlab token", GL, |w| w.store("oauth2", GLPAT)),
        ("netrc", BB, |w| {
            w.env.home_file(
                ".netrc",
                &format!("machine {BB} login alice password {ATATT}\n"),
            );
        }),
        ("custom helper", BB, |w| {
            let h = w.env.script(
                "bin/helper",
                &format!("[ \"$1\" = get ] && printf 'username=alice\\npassword={ATATT}\\n'\ncat >/dev/null"),
            );
            w.git(&[
                "config",
                "--global",
                "credential.helper",
                &h.display().to_string(),
            ]);
        }),
        ("extraHeader", BB, |w| {
            w.git(&[
                "config",
                "--global",
                "http.extraHeader",
                &crate::http::Ctx::basic("alice", ATATT),
            ]);
        }),
        ("gh login", GH, gh_login),
        ("gcm with a store", GH, |w| {
            gcm(w);
            w.git(&[
                "config",
                "--global",
                "credential.credentialStore",
                "plaintext",
            ]);
        }),
    ];
    let mut failures = Vec::new();
    for (name, host, setup) in setups {
        let w = World::new(host, &[]);
        setup(&w);
        for args in [vec!["install"], vec!["install", "--guard", "--global"]] {
            let r = w.env.credcheck(&w.repo, &args);
            assert_eq!(r.code, 0, "{name}: {args:?}: {}", r.all());
        }
        // A first push creates the branch, a second one updates it.
        for round in 0..2 {
            if round == 1 {
                std::fs::write(w.repo.join("README"), "again\n").expect("write");
                w.git(&["commit", "-qam", "again"]);
            }
            let r = w.env.git(&w.repo, &["push", "-q", "origin", "main"]);
            if r.code != 0 || !r.stderr.is_empty() || !r.stdout.is_empty() {
                failures.push(format!(
                    "{name} (push {round}): exit {}, printed:\n{}",
                    r.code,
                    r.all()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
