//! The provider tables as Markdown: `git-credcheck providers` and docs/providers.md.

use super::PROVIDERS;

/// The provider table as Markdown (`git-credcheck providers`, docs/providers.md).
pub(crate) fn table_markdown() -> String {
    let mut s = String::from("| provider | id | hosts | tokens for git | user name | push needs | passwords refused from | retired secrets | max token age | short-lived tokens | SSH user | source |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for p in PROVIDERS {
        let tokens: Vec<&str> = p.tokens.iter().map(|k| k.name()).collect();
        let retired: Vec<String> = p
            .retired
            .iter()
            .map(|r| {
                format!(
                    "{}: brownouts from {}, removed {}",
                    r.what, r.failing_from, r.refused_from
                )
            })
            .collect();
        let app = if retired.is_empty() {
            "-".to_owned()
        } else {
            retired.join("; ")
        };
        let short: Vec<String> = p
            .short_lived
            .iter()
            .map(|l| format!("{}: {} minutes", l.kind.name(), l.minutes))
            .collect();
        s.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            p.name,
            p.kind.id(),
            if p.hosts.is_empty() {
                "(configured in `hosts:`)".to_owned()
            } else {
                p.hosts.join(", ")
            },
            if tokens.is_empty() {
                "-".to_owned()
            } else {
                tokens.join("; ")
            },
            p.https_username,
            p.push_scopes,
            p.password_cutoff
                .map(|d| d.to_string())
                .unwrap_or_else(|| "-".into()),
            app,
            p.max_token_days
                .map(|d| format!("{d} days"))
                .unwrap_or_else(|| "-".into()),
            if short.is_empty() {
                "-".to_owned()
            } else {
                short.join("; ")
            },
            p.ssh_user.unwrap_or("-"),
            p.source,
        ));
    }
    s.push_str(&scopes_markdown());
    s
}

/// What each kind of token needs to push, and the paths that need more (issue 13).
fn scopes_markdown() -> String {
    let mut s = String::from("\nToken scopes for `git push` (the shape of a token never tells its scope):\n\n| provider | tokens | push needs | read-only choice of the same shape | git login | source |\n|---|---|---|---|---|---|\n");
    for p in PROVIDERS {
        for t in p.token_scopes {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                p.name,
                t.what,
                t.push.unwrap_or("never pushes"),
                t.read_only.unwrap_or("-"),
                if t.git_login { "yes" } else { "no" },
                t.source
            ));
        }
    }
    let guarded: Vec<String> = PROVIDERS
        .iter()
        .filter_map(|p| {
            p.guarded_paths
                .map(|g| format!("{}: `{}`", p.name, g.prefixes.join("`, `")))
        })
        .collect();
    s.push_str(&format!(
        "\nPaths that need an extra scope to change: {}; no other provider documents one.\n",
        guarded.join("; ")
    ));
    s
}

/// Git Credential Manager's stores as Markdown (docs/providers.md).
#[cfg(test)]
fn gcm_markdown() -> String {
    use super::gcm::{Need, STORES};
    let mut s = String::from("| store | what | works on | needs |\n|---|---|---|---|\n");
    for st in STORES {
        let needs: Vec<&str> = st
            .needs
            .iter()
            .map(|n| match n {
                Need::DesktopSession => "a graphical session (DISPLAY or WAYLAND_DISPLAY)",
                Need::DbusSession => "a D-Bus session bus",
                Need::Gpg => "gpg2 or gpg on PATH",
                Need::GpgTty => "a desktop, GPG_TTY or SSH_TTY",
                Need::PassInit => "`pass init` done (.gpg-id)",
            })
            .collect();
        let needs = if st.keeps_nothing {
            "someone to sign in each time".to_owned()
        } else if needs.is_empty() {
            "-".to_owned()
        } else {
            needs.join("; ")
        };
        s.push_str(&format!(
            "| `{}` | {} | {} | {needs} |\n",
            st.name,
            st.what,
            st.platforms.describe()
        ));
    }
    s
}

/// docs/providers.md, generated from the table.
#[cfg(test)]
pub(crate) fn docs_markdown() -> String {
    format!(
        "# Providers\n\n<!-- generated from src/provider/ by `UPDATE_DOCS=1 cargo test docs_are_fresh`; do not edit -->\n\nWhat git-credcheck knows about each provider (also `git-credcheck providers`). Self-hosted servers are mapped with `hosts:` in the configuration file; paths with `/scm/` are Bitbucket Data Center, paths with `/_git/` Azure DevOps Server.\n\n{}\n## Git Credential Manager's credential stores\n\nGCM reads `GCM_CREDENTIAL_STORE`, then `credential.credentialStore`; without either it uses `wincredman` on Windows, `keychain` on macOS, and nothing on Linux. Source: <https://github.com/git-ecosystem/git-credential-manager/blob/main/docs/credstores.md> and `src/shared/Core/CredentialStore.cs`.\n\n{}",
        table_markdown(),
        gcm_markdown()
    )
}
