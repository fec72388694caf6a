//! Fix text shared by rules: the exact steps for the helper actually in use and the
//! provider actually served. Never holds a secret; a stored credential is named by its
//! file and line only.

use crate::facts::credential::{Helper, HelperKind, Https};
use crate::facts::{Env, PushUrl};
use crate::rules::Location;

/// Steps that make git forget the credential it would send for this URL.
pub(crate) fn erase(u: &PushUrl, https: &Https, helper: Option<&Helper>) -> Vec<String> {
    let host = &https.request.host;
    let user = https
        .request
        .username
        .as_deref()
        .map(|u| format!("username={u}\\n"))
        .unwrap_or_default();
    let reject = format!(
        "printf 'protocol={}\\nhost={host}\\n{user}\\n' | git credential reject",
        https.request.protocol
    );
    match helper {
        Some(h) if h.kind == HelperKind::Store => match &h.stored {
            Some(s) => vec![
                format!("# remove line {} of {} (it holds the stale credential; do not paste it anywhere)", s.line, s.file.display()),
                format!("sed -i '{}d' '{}'", s.line, s.file.display()),
            ],
            None => vec![reject],
        },
        Some(h) if h.kind == HelperKind::Cache => vec!["git credential-cache exit".into()],
        _ => {
            let _ = u;
            vec![reject]
        }
    }
}

/// The command that removes the `Authorization` value of the `http.extraHeader` key at
/// `at` (its exact key, in the file that sets it: the global file or an include is not
/// the repository's), leaving the key's other headers; in words when git did not read it
/// from a file (`git -c`, the environment) or the key is redacted.
pub(crate) fn unset_auth_header(at: &Location) -> String {
    match &at.file {
        Some(file) if !at.what.contains("***") => format!(
            "git config --file {} --unset-all {} '^[Aa]uthorization:'",
            sh_quote(&file.display().to_string()),
            sh_quote(&at.what)
        ),
        _ => format!("# remove the Authorization header set at {}", at.describe()),
    }
}

/// Steps to create the right token for this provider, and the user name to pair it with.
/// A user name that must be the account's own is named in words: a placeholder pasted
/// into `sh` is a redirection, and a guessed name would be wrong.
pub(crate) fn new_token(u: &PushUrl, host: &str) -> Vec<String> {
    match u.provider {
        Some(p) => {
            let info = p.info();
            let mut v = vec![format!(
                "# create a token at {} with: {}",
                info.token_page, info.push_scopes
            )];
            v.push(format!(
                "# user name to pair it with: {}",
                info.https_username
            ));
            if let Some(placeholder) = info.username_placeholder {
                v.push(format!(
                    "# to keep git from asking for it: git config --global credential.{}://{host}.username {}",
                    u.url.scheme_text.to_ascii_lowercase(),
                    sh_quote(placeholder)
                ));
            }
            v.push(if u.url.user.is_some() {
                "git push   # enter the token when asked for the password; your helper keeps it"
                    .into()
            } else {
                "git push   # enter the user name and the token when asked; your helper keeps them"
                    .into()
            });
            v
        }
        None => vec![
            "git push   # enter your user name and a valid token when asked; your helper keeps them"
                .into(),
        ],
    }
}

/// The push URL with its user-info removed, for `git remote set-url`.
pub(crate) fn clean_url(u: &PushUrl) -> String {
    let p = &u.url;
    let host = p.host.as_deref().unwrap_or("");
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    let port = p.port.map(|x| format!(":{x}")).unwrap_or_default();
    let user = p
        .user
        .as_deref()
        .map(|x| format!("{x}@"))
        .unwrap_or_default();
    format!("{}://{user}{host}{port}/{}", p.scheme_text, p.path)
}

/// `git remote set-url [--push] <remote> <url>`, right for how the URL is configured.
pub(crate) fn set_url(u: &PushUrl, new_url: &str) -> String {
    let push = u
        .configured
        .as_ref()
        .is_some_and(|s| s.key.ends_with(".pushurl"));
    let flag = if push { " --push" } else { "" };
    format!("git remote set-url{flag} {} '{new_url}'", u.remote)
}

/// Steps that give a helper minting a fresh credential per request (the AWS CodeCommit
/// helper) a cascade of its own for `host`: the empty value resets the helpers read so far
/// (`store`, a keychain), so none answers first or keeps a copy that expires; the helper
/// signs per repository, so it needs the path.
pub(crate) fn signing_cascade(host: &str, helper: &str) -> Vec<String> {
    vec![
        format!("git config --global --replace-all credential.https://{host}.helper ''"),
        format!(
            "git config --global --add credential.https://{host}.helper {}",
            sh_quote(helper)
        ),
        format!("git config --global credential.https://{host}.UseHttpPath true"),
    ]
}

/// `word` quoted for `sh`: one pair of single quotes, each `'` written as `'\''`.
pub(crate) fn sh_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
}

/// What git prints when it must ask for `what` (`Username`, `Password`) for this request
/// and nobody can answer (prompt.c `git_prompt`: `could not read <prompt>: <why>`, the
/// prompt as credential.c describes the request: `https://user@host/path`).
/// `GIT_TERMINAL_PROMPT=0` gives "terminal prompts disabled"; no terminal gives the
/// error of opening `/dev/tty`.
pub(crate) fn prompt_death(env: &Env, https: &Https, what: &str) -> String {
    let r = &https.request;
    let user = r
        .username
        .as_deref()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    let path = r
        .path
        .as_deref()
        .map(|p| format!("/{p}"))
        .unwrap_or_default();
    let why = if env.terminal_prompt_disabled {
        "terminal prompts disabled"
    } else {
        "No such device or address"
    };
    format!(
        "fatal: could not read {what} for '{}://{user}{}{path}': {why}",
        r.protocol, r.host
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn an_auth_header_is_unset_in_its_file_or_named_in_words() {
        let mut at = Location {
            file: Some(PathBuf::from("/home/u/.gitconfig")),
            line: Some(3),
            what: "http.https://example.com/.extraheader".into(),
        };
        assert_eq!(
            unset_auth_header(&at),
            "git config --file '/home/u/.gitconfig' --unset-all 'http.https://example.com/.extraheader' '^[Aa]uthorization:'"
        );
        at.file = None;
        assert!(unset_auth_header(&at).starts_with("# remove"));
    }
}
