//! Whether a CLI credential helper (`gh`, `glab`) holds a login of its own for a host:
//! the host's entry in its configuration file (`hosts.yml`, `config.yml`), as the provider
//! table names them. Only the presence of the login is kept: token values in the file are
//! looked at for emptiness and dropped.

use crate::facts::Ctx;
use crate::provider::CliHelper;

/// Reading the CLI's configuration stops here: it is a few lines.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// `Some(true)` when `cli` has a login for `host` (without port), `Some(false)` when its
/// configuration has none, `None` when it cannot be read as YAML.
pub(super) fn login(ctx: &Ctx, cli: &CliHelper, host: &str) -> Option<bool> {
    use std::io::Read;
    let dir = match ctx.env.dir(cli.config_dir_variable) {
        Some(d) => ctx.expand_home(&d.to_string_lossy()),
        None => ctx.xdg_config_home().join(cli.config_dir),
    };
    let file = match std::fs::File::open(dir.join(cli.hosts_file)) {
        Ok(f) => f,
        // No configuration file: no login.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(false),
        Err(_) => return None,
    };
    let mut text = String::new();
    file.take(MAX_CONFIG_BYTES).read_to_string(&mut text).ok()?;
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).ok()?;
    let hosts = if cli.hosts_at_top {
        &yaml
    } else {
        yaml.get("hosts")?
    };
    let Some(entry) = hosts.as_mapping().and_then(|m| {
        m.iter()
            .find(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case(host)))
            .map(|(_, v)| v)
    }) else {
        return Some(false);
    };
    if cli.hosts_at_top {
        // gh writes a host's entry only when it logs in (the token may be in a keyring).
        return Some(true);
    }
    // glab's default configuration lists gitlab.com with an empty token: a login has one.
    let set = |k: &str| {
        entry.get(k).is_some_and(|v| {
            v.as_str().is_some_and(|s| !s.trim().is_empty()) || v.as_bool() == Some(true)
        })
    };
    Some(set("token") || set("oauth2_refresh_token") || set("is_oauth2"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(program: &str) -> CliHelper {
        crate::provider::PROVIDERS
            .iter()
            .filter_map(|p| p.cli_helper)
            .find(|c| c.program == program)
            .expect("a CLI helper in the tables")
    }

    #[test]
    fn gh_and_glab_logins_by_presence() {
        let dir = tempfile::tempdir().expect("tmp");
        let ctx = Ctx::for_test(dir.path(), "");
        assert_eq!(login(&ctx, &cli("gh"), "github.com"), Some(false));
        let gh = dir.path().join(".config/gh");
        std::fs::create_dir_all(&gh).expect("mkdir");
        std::fs::write(
            gh.join("hosts.yml"),
            "github.com:\n    user: alice\n    git_protocol: https\n",
        )
        .expect("write");
        assert_eq!(login(&ctx, &cli("gh"), "github.com"), Some(true));
        assert_eq!(login(&ctx, &cli("gh"), "ghe.acme.test"), Some(false));
        let glab = dir.path().join(".config/glab-cli");
        std::fs::create_dir_all(&glab).expect("mkdir");
        std::fs::write(
            glab.join("config.yml"),
            "git_protocol: ssh\nhosts:\n  gitlab.com:\n    api_protocol: https\n    token: \"\"\n",
        )
        .expect("write");
        assert_eq!(login(&ctx, &cli("glab"), "gitlab.com"), Some(false));
        std::fs::write(
            glab.join("config.yml"),
            "hosts:\n  gitlab.com:\n    token: glpat-SECRETSECRETSECRET\n",
        )
        .expect("write");
        assert_eq!(login(&ctx, &cli("glab"), "gitlab.com"), Some(true));
        std::fs::write(glab.join("config.yml"), "hosts: [unterminated\n").expect("write");
        assert_eq!(login(&ctx, &cli("glab"), "gitlab.com"), None);
    }
}
