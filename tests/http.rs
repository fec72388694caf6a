//! End to end against a real smart-HTTP server (git http-backend behind Basic auth) whose
//! credential policy follows the provider table for the host it serves: every setup that
//! git-credcheck calls an error really fails to push, and no healthy setup gets an error.

use crate::util::{assert_no_leak, codes, Env, HttpServer};
use std::path::Path;

pub const BB: &str = "127.0.0.1";
pub const GH: &str = "127.0.0.2";
pub const GL: &str = "127.0.0.3";
pub const HF: &str = "127.0.0.4";
pub const AZ: &str = "127.0.0.5";

pub const ATATT: &str = "ATATT3xFfGF0Kq7vWm2pLx9RtY4uZbNcHd6eJs1oPg8iAf5=1A2B3C4D";
pub const ATCTT: &str = "ATCTT3xFfGN0Qw3eRt5yUi7oPa9sDf2gHj4kLz6xCv8bNm1=9F8E7D6C";
pub const GHP: &str = "ghp_Vx7Kp2Lm9Qr4St6Uw8Yz1Ab3Cd5Ef7Gh9Ij0K";
pub const GLPAT: &str = "glpat-Rt6Yu8Io0Pa2Sd4Fg6Hj8K";
pub const HFTOK: &str = "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";
pub const ATBB: &str = "ATBBMn4Bv6Cx8Za1Sq3Wd5Ef7Rg9Th2Yj4Uk";
pub const LEGACY: &str = "bLHDMmvlk7L9wGerIfMg";
pub const PASSWORD: &str = "Tr0ub4dor&3-horse";
pub const GLDT: &str = "gldt-Zx9Cv7Bn5Mq3Wr1Ty8Ui";
pub const GHP_OTHER: &str = "ghp_Pl0Ok9Ij8Uh7Yg6Tf5Rd4Es3Wa2Qz1Xc9Vb8N";
pub const GLPAT_OTHER: &str = "glpat-Mn8Bv6Cx4Za2Sd0Fg8Hj6";

pub fn azure_pat() -> String {
    format!(
        "{}AZDO{}",
        &"q7Wm2pLx9RtY4uZbNcHd6eJs1oPg8iAf5K".repeat(3)[..76],
        "Rt4Y"
    )
}

pub fn secrets() -> Vec<String> {
    [
        ATATT,
        ATCTT,
        GHP,
        GLPAT,
        HFTOK,
        ATBB,
        LEGACY,
        PASSWORD,
        GLDT,
        GHP_OTHER,
        GLPAT_OTHER,
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([azure_pat()])
    .collect()
}

/// Starts a server with one listener per provider, and maps the hosts for git-credcheck.
pub fn server(env: &Env) -> HttpServer {
    let s = |u: &str, p: &str| (u.to_owned(), p.to_owned());
    let srv = HttpServer::start(
        env,
        &[
            (
                BB,
                "bitbucket-cloud",
                vec![
                    s("alice", ATATT),
                    s("x-bitbucket-api-token-auth", ATATT),
                    s("x-token-auth", ATCTT),
                ],
                false,
            ),
            (GH, "github", vec![s("", GHP)], true),
            (GL, "gitlab", vec![s("", GLPAT)], true),
            (HF, "hugging-face", vec![s("alice", HFTOK)], false),
            (AZ, "azure-devops", vec![s("", &azure_pat())], true),
        ],
    );
    env.map_hosts(&[
        (BB, "bitbucket-cloud"),
        (GH, "github"),
        (GL, "gitlab"),
        (HF, "hugging-face"),
        (AZ, "azure-devops"),
    ]);
    srv
}

pub struct Ctx<'a> {
    pub env: &'a Env,
    pub repo: &'a Path,
    pub srv: &'a HttpServer,
    pub host: &'a str,
    pub path: String,
}

impl Ctx<'_> {
    pub fn url(&self) -> String {
        self.srv.url(self.host, &self.path)
    }

    pub fn with_user(&self, userinfo: &str) -> String {
        self.url()
            .replacen("http://", &format!("http://{userinfo}@"), 1)
    }

    pub fn hostport(&self) -> String {
        format!("{}:{}", self.host, self.srv.ports[self.host])
    }

    pub fn git(&self, args: &[&str]) {
        self.env.git_ok(self.repo, args);
    }

    /// A `store` helper and one credentials line.
    pub fn store(&self, user: &str, secret: &str) {
        self.git(&["config", "--global", "credential.helper", "store"]);
        self.env.home_file(
            ".git-credentials",
            &format!("http://{user}:{secret}@{}\n", self.hostport()),
        );
    }

    pub fn basic(user: &str, secret: &str) -> String {
        use base64::Engine;
        format!(
            "Authorization: Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}"))
        )
    }
}

type Setup = fn(&Ctx<'_>);

/// (name, host, setup, expected code at error level or "" for healthy).
pub fn setups() -> Vec<(&'static str, &'static str, Setup, &'static str)> {
    vec![
        (
            "store app password",
            BB,
            |c| c.store("alice", ATBB),
            "CC202",
        ),
        (
            "store legacy app password",
            BB,
            |c| c.store("alice", LEGACY),
            "CC202",
        ),
        (
            "store account password",
            BB,
            |c| c.store("alice", PASSWORD),
            "CC202",
        ),
        (
            "url app password",
            BB,
            |c| {
                c.git(&[
                    "remote",
                    "set-url",
                    "origin",
                    &c.with_user(&format!("alice:{ATBB}")),
                ])
            },
            "CC202",
        ),
        (
            "email in url",
            BB,
            |c| {
                c.git(&[
                    "remote",
                    "set-url",
                    "origin",
                    &c.with_user("alice%40example.com"),
                ]);
                c.store("alice%40example.com", ATATT);
            },
            "CC203",
        ),
        (
            "email in store",
            BB,
            |c| c.store("alice%40example.com", ATATT),
            "CC203",
        ),
        (
            "email in credential.username",
            BB,
            |c| {
                c.store("alice%40example.com", ATATT);
                c.git(&[
                    "config",
                    "--global",
                    "credential.username",
                    "alice@example.com",
                ]);
            },
            "CC203",
        ),
        (
            "gitlab token to bitbucket",
            BB,
            |c| c.store("alice", GLPAT_OTHER),
            "CC206",
        ),
        (
            "github token to bitbucket",
            BB,
            |c| c.store("alice", GHP_OTHER),
            "CC206",
        ),
        (
            "missing helper",
            BB,
            |c| {
                c.git(&[
                    "config",
                    "--global",
                    "credential.helper",
                    "nonexistent-helper",
                ])
            },
            "CC201",
        ),
        ("no credential source", BB, |_| {}, "CC209"),
        (
            "manager-core renamed",
            BB,
            |c| c.git(&["config", "--global", "credential.helper", "manager-core"]),
            "CC201",
        ),
        (
            "git-credential- prefix",
            BB,
            |c| {
                c.git(&[
                    "config",
                    "--global",
                    "credential.helper",
                    "git-credential-store",
                ])
            },
            "CC201",
        ),
        (
            "absolute helper gone",
            BB,
            |c| {
                c.git(&[
                    "config",
                    "--global",
                    "credential.helper",
                    "/opt/gone/git-credential-x",
                ])
            },
            "CC201",
        ),
        (
            "osxkeychain on linux",
            BB,
            |c| c.git(&["config", "--global", "credential.helper", "osxkeychain"]),
            "CC201",
        ),
        (
            "github password",
            GH,
            |c| c.store("alice", PASSWORD),
            "CC202",
        ),
        (
            "gitlab token to github",
            GH,
            |c| c.store("alice", GLPAT_OTHER),
            "CC206",
        ),
        (
            "gitlab deploy token",
            GL,
            |c| c.store("gitlab+deploy-token-1", GLDT),
            "CC205",
        ),
        (
            "hugging face password",
            HF,
            |c| c.store("alice", PASSWORD),
            "CC202",
        ),
        (
            "azure alternate password",
            AZ,
            |c| c.store("alice", PASSWORD),
            "CC202",
        ),
        (
            "extraHeader app password",
            BB,
            |c| {
                c.git(&[
                    "config",
                    "--global",
                    "http.extraHeader",
                    &Ctx::basic("alice", ATBB),
                ])
            },
            "CC202",
        ),
        (
            "store --file app password",
            BB,
            |c| {
                let f = c.env.write(
                    "creds/file",
                    &format!("http://alice:{ATBB}@{}\n", c.hostport()),
                );
                c.git(&[
                    "config",
                    "--global",
                    "credential.helper",
                    &format!("store --file={}", f.display()),
                ]);
            },
            "CC202",
        ),
        (
            "xdg store app password",
            BB,
            |c| {
                c.git(&["config", "--global", "credential.helper", "store"]);
                c.env.home_file(
                    ".config/git/credentials",
                    &format!("http://alice:{ATBB}@{}\n", c.hostport()),
                );
            },
            "CC202",
        ),
        (
            "scheme-less section",
            BB,
            |c| {
                c.git(&[
                    "config",
                    "--global",
                    &format!("credential.{}.helper", c.hostport()),
                    "store",
                ]);
                c.env.home_file(
                    ".git-credentials",
                    &format!("http://alice:{ATBB}@{}\n", c.hostport()),
                );
            },
            "CC202",
        ),
        (
            "path-prefix section",
            BB,
            |c| {
                c.git(&[
                    "config",
                    "--global",
                    &format!("credential.http://{}/{}.helper", c.hostport(), c.path),
                    "store",
                ]);
                c.env.home_file(
                    ".git-credentials",
                    &format!("http://alice:{ATBB}@{}\n", c.hostport()),
                );
            },
            "CC202",
        ),
        (
            "upper-case scheme",
            BB,
            |c| {
                c.git(&[
                    "remote",
                    "set-url",
                    "origin",
                    &c.url().replacen("http://", "HTTP://", 1),
                ])
            },
            "CC104",
        ),
        (
            "github password in url",
            GH,
            |c| {
                c.git(&[
                    "remote",
                    "set-url",
                    "origin",
                    &c.with_user(&format!("alice:{PASSWORD}")),
                ])
            },
            "CC202",
        ),
        (
            "askpass missing",
            BB,
            |c| c.git(&["config", "--global", "core.askPass", "/opt/gone/askpass"]),
            "CC218",
        ),
        // Healthy setups.
        ("api token", BB, |c| c.store("alice", ATATT), ""),
        (
            "api token static user",
            BB,
            |c| c.store("x-bitbucket-api-token-auth", ATATT),
            "",
        ),
        (
            "user in url",
            BB,
            |c| {
                c.git(&["remote", "set-url", "origin", &c.with_user("alice")]);
                c.store("alice", ATATT);
            },
            "",
        ),
        (
            "custom helper",
            BB,
            |c| {
                let h = c.env.script("bin/helper", &format!("[ \"$1\" = get ] && printf 'username=alice\\npassword={ATATT}\\n'\ncat >/dev/null"));
                c.git(&[
                    "config",
                    "--global",
                    "credential.helper",
                    &h.display().to_string(),
                ]);
            },
            "",
        ),
        (
            "extraHeader token",
            BB,
            |c| {
                c.git(&[
                    "config",
                    "--global",
                    "http.extraHeader",
                    &Ctx::basic("alice", ATATT),
                ])
            },
            "",
        ),
        ("github token", GH, |c| c.store("alice", GHP), ""),
        ("gitlab token", GL, |c| c.store("alice", GLPAT), ""),
        (
            "askpass",
            BB,
            |c| {
                let a = c.env.script(
                    "bin/askpass",
                    &format!("case \"$1\" in Username*) echo alice;; *) echo '{ATATT}';; esac"),
                );
                c.git(&[
                    "config",
                    "--global",
                    "core.askPass",
                    &a.display().to_string(),
                ]);
            },
            "",
        ),
        (
            "netrc",
            BB,
            |c| {
                drop(c.env.home_file(
                    ".netrc",
                    &format!("machine {} login alice password {ATATT}\n", c.host),
                ))
            },
            "",
        ),
        (
            "url-specific store file",
            BB,
            |c| {
                let f = c.env.write(
                    "creds/bb",
                    &format!("http://alice:{ATATT}@{}\n", c.hostport()),
                );
                c.git(&[
                    "config",
                    "--global",
                    &format!("credential.http://{}.helper", c.hostport()),
                    &format!("store --file {}", f.display()),
                ]);
            },
            "",
        ),
        (
            "xdg store",
            BB,
            |c| {
                c.git(&["config", "--global", "credential.helper", "store"]);
                c.env.home_file(
                    ".config/git/credentials",
                    &format!("http://alice:{ATATT}@{}\n", c.hostport()),
                );
            },
            "",
        ),
        ("hugging face token", HF, |c| c.store("alice", HFTOK), ""),
        ("azure pat", AZ, |c| c.store("alice", &azure_pat()), ""),
        (
            "bitbucket access token",
            BB,
            |c| c.store("x-token-auth", ATCTT),
            "",
        ),
    ]
}

#[test]
fn provider_matrix_predictions_match_real_pushes() {
    if !crate::util::require("python3") {
        return;
    }
    let mut failures = Vec::new();
    let (mut rule_setups, mut healthy) = (0, 0);
    let secrets = secrets();
    for (i, (name, host, setup, want)) in setups().into_iter().enumerate() {
        let env = Env::new();
        let srv = server(&env);
        let repo = env.repo("work");
        let path = srv.repo(&env, &format!("s{i}"));
        let ctx = Ctx {
            env: &env,
            repo: &repo,
            srv: &srv,
            host,
            path,
        };
        env.git_ok(&repo, &["remote", "add", "origin", &ctx.url()]);
        setup(&ctx);
        let report = env.credcheck(&repo, &["--format", "json"]);
        assert_no_leak(&report.all(), &secrets, name);
        let human = env.credcheck(&repo, &[]);
        assert_no_leak(&human.all(), &secrets, name);
        let errors = codes(&report, "error");
        let push = env.git(&repo, &["push", "--no-verify", "origin", "main"]);
        if want.is_empty() {
            healthy += 1;
            if !errors.is_empty() || push.code != 0 {
                failures.push(format!(
                    "{name}: healthy setup got errors {errors:?}, push exit {}: {}",
                    push.code,
                    push.stderr.trim()
                ));
            }
        } else {
            rule_setups += 1;
            if !errors.iter().any(|c| c == want) {
                failures.push(format!(
                    "{name}: expected {want} at error level, got {errors:?}\n{}",
                    human.stdout
                ));
            }
            if push.code == 0 {
                failures.push(format!(
                    "{name}: git-credcheck reported {errors:?} but the push succeeded"
                ));
            }
        }
    }
    assert!(
        rule_setups >= 25 && healthy >= 10,
        "{rule_setups} rule setups, {healthy} healthy"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn stale_app_password_report_names_cause_date_scopes_and_steps() {
    if !crate::util::require("python3") {
        return;
    }
    let env = Env::new();
    let srv = server(&env);
    let repo = env.repo("work");
    let path = srv.repo(&env, "r");
    let ctx = Ctx {
        env: &env,
        repo: &repo,
        srv: &srv,
        host: BB,
        path,
    };
    env.git_ok(&repo, &["remote", "add", "origin", &ctx.url()]);
    ctx.store("alice", ATBB);
    let r = env.credcheck(&repo, &[]);
    assert_eq!(r.code, 1, "{}", r.all());
    for needle in [
        "error[CC202]",
        "app password",
        "2026-07-28",
        "read:repository:bitbucket",
        "write:repository:bitbucket",
        "sed -i '1d'",
        "<your-bitbucket-username>",
        ".git-credentials:1",
    ] {
        assert!(
            r.stdout.contains(needle),
            "missing `{needle}` in:\n{}",
            r.stdout
        );
    }
    assert_no_leak(&r.all(), &secrets(), "doctor");
    // Before the brownouts the same app password is not reported; during them it warns.
    let before: crate::util::Run = env
        .cmd(crate::util::BIN, &repo)
        .args(["--format", "json"])
        .env("GIT_CREDCHECK_TODAY", "2026-06-01")
        .output()
        .expect("run")
        .into();
    let findings = crate::util::json(&before)["findings"].to_string();
    assert!(
        before.code == 0 && !findings.contains("CC202"),
        "{}",
        before.all()
    );
    let during = env
        .cmd(crate::util::BIN, &repo)
        .args(["--format", "json"])
        .env("GIT_CREDCHECK_TODAY", "2026-07-01")
        .output()
        .expect("run");
    let during = String::from_utf8_lossy(&during.stdout).into_owned();
    assert!(
        during.contains("\"CC202\"") && during.contains("\"warning\""),
        "{during}"
    );
}
