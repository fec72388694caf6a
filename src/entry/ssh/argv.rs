//! git's arguments to its ssh command, read with OpenSSH's option grammar: the variant
//! probe (`-G`), the options git adds (`-o SendEnv=GIT_PROTOCOL`, `-4`/`-6`, `-p`), the
//! destination and the remote command; what git gives plink instead; and the URL they
//! come from. Pure: no I/O.

use std::ffi::OsString;

/// What git passed, read with OpenSSH's option grammar.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct SshArgs {
    /// `-G`: git's variant probe (or someone asking for the configuration).
    pub probe: bool,
    /// The other options in order: flag letter and value.
    pub options: Vec<(char, Option<String>)>,
    pub port: Option<u16>,
    /// `[user@]host`.
    pub destination: String,
    /// The remote command (`git-receive-pack '/a/b.git'`).
    pub command: Vec<String>,
}

/// OpenSSH's options that take a value, and those that do not (ssh.c's getopt string).
const WITH_VALUE: &str = "BbcDEeFIiJLlmOoPpQRSWw";
const FLAGS: &str = "1246AaCfGgKkMNnqsTtVvXxYy";

/// Reads `args` as ssh would; `None` when they are not what git passes (non-UTF-8,
/// an unknown option, no destination): the program then gets them untouched, unchecked.
pub(super) fn parse(args: &[OsString]) -> Option<SshArgs> {
    let mut out = SshArgs::default();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let arg = arg.to_str()?;
        if arg == "--" {
            i += 1;
            break;
        }
        let Some(cluster) = arg.strip_prefix('-').filter(|c| !c.is_empty()) else {
            break;
        };
        for (at, flag) in cluster.char_indices() {
            if WITH_VALUE.contains(flag) {
                let rest = &cluster[at + flag.len_utf8()..];
                let value = if rest.is_empty() {
                    i += 1;
                    args.get(i)?.to_str()?.to_owned()
                } else {
                    rest.to_owned()
                };
                if flag == 'p' {
                    out.port = Some(value.parse().ok()?);
                }
                out.options.push((flag, Some(value)));
                break;
            } else if flag == 'G' {
                out.probe = true;
            } else if FLAGS.contains(flag) {
                out.options.push((flag, None));
            } else {
                return None;
            }
        }
        i += 1;
    }
    out.destination = args.get(i)?.to_str()?.to_owned();
    out.command = args[i + 1..]
        .iter()
        .map(|a| a.to_str().map(str::to_owned))
        .collect::<Option<_>>()?;
    Some(out)
}

/// What git gives plink for the same connection (connect.c `push_ssh_options`): `-4`/`-6`,
/// `-batch` for tortoiseplink, `-P port`, and no OpenSSH `-o`. `None` when git's
/// arguments hold anything else (then they are passed untouched).
pub(super) fn plink_args(a: &SshArgs, tortoise: bool) -> Option<Vec<OsString>> {
    let mut out: Vec<OsString> = Vec::new();
    for (flag, value) in &a.options {
        match (flag, value.as_deref()) {
            ('o', Some(v)) if v.starts_with("SendEnv=") => {}
            ('4' | '6', None) => out.push(format!("-{flag}").into()),
            ('p', Some(_)) => {}
            _ => return None,
        }
    }
    if tortoise {
        out.push("-batch".into());
    }
    if let Some(p) = a.port {
        out.push("-P".into());
        out.push(p.to_string().into());
    }
    out.push(a.destination.clone().into());
    out.extend(a.command.iter().map(OsString::from));
    Some(out)
}

/// The URL git is connecting to, rebuilt from its arguments: scp-like for a path
/// relative to the login directory, `ssh://` otherwise.
pub(super) fn url_of(a: &SshArgs) -> Option<String> {
    let (user, host) = match a.destination.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), a.destination.as_str()),
    };
    if host.is_empty() || host.starts_with('-') {
        return None;
    }
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    // git passes `git-receive-pack '<path>'` as one argument.
    let path = a
        .command
        .first()
        .and_then(|c| shell_words::split(c).ok())
        .and_then(|w| w.get(1).cloned())
        .unwrap_or_default();
    Some(match a.port {
        None if !path.starts_with('/') && !path.is_empty() => format!("{user}{host}:{path}"),
        port => format!(
            "ssh://{user}{host}{}/{}",
            port.map(|p| format!(":{p}")).unwrap_or_default(),
            path.trim_start_matches('/')
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    #[test]
    fn git_s_probe() {
        let a = parse(&args(&["-G", "git@host"])).expect("parses");
        assert!(a.probe);
        assert_eq!(a.destination, "git@host");
        assert!(a.command.is_empty());
        let a = parse(&args(&[
            "-G",
            "-o",
            "SendEnv=GIT_PROTOCOL",
            "-p",
            "2222",
            "git@host",
        ]))
        .expect("parses");
        assert!(a.probe);
        assert_eq!(a.port, Some(2222));
    }

    #[test]
    fn git_s_connection_with_a_port() {
        let a = parse(&args(&[
            "-p",
            "2222",
            "git@host",
            "git-receive-pack 'a/b.git'",
        ]))
        .expect("parses");
        assert!(!a.probe);
        assert_eq!(a.port, Some(2222));
        assert_eq!(a.options, vec![('p', Some("2222".into()))]);
        assert_eq!(a.destination, "git@host");
        assert_eq!(a.command, vec!["git-receive-pack 'a/b.git'".to_owned()]);
        assert_eq!(url_of(&a).as_deref(), Some("ssh://git@host:2222/a/b.git"));
    }

    #[test]
    fn send_env_and_address_family() {
        let a = parse(&args(&[
            "-o",
            "SendEnv=GIT_PROTOCOL",
            "-4",
            "git@host",
            "git-upload-pack '/srv/r.git'",
        ]))
        .expect("parses");
        assert_eq!(
            a.options,
            vec![('o', Some("SendEnv=GIT_PROTOCOL".into())), ('4', None)]
        );
        assert_eq!(a.port, None);
        assert_eq!(url_of(&a).as_deref(), Some("ssh://git@host/srv/r.git"));
        let a = parse(&args(&["-6", "host", "git-upload-pack 'x.git'"])).expect("parses");
        assert_eq!(a.options, vec![('6', None)]);
        assert_eq!(url_of(&a).as_deref(), Some("host:x.git"));
        let a = parse(&args(&["-p2222", "git@::1", "git-upload-pack '/x.git'"])).expect("parses");
        assert_eq!(url_of(&a).as_deref(), Some("ssh://git@[::1]:2222/x.git"));
    }

    #[cfg(unix)]
    #[test]
    fn what_git_does_not_pass_is_left_alone() {
        assert_eq!(parse(&args(&["-Z", "host"])), None);
        assert_eq!(parse(&args(&["-p", "http", "host"])), None);
        assert_eq!(parse(&args(&["-G"])), None);
        assert_eq!(parse(&[OsString::from("-4"), non_utf8()]), None);
    }

    #[cfg(unix)]
    fn non_utf8() -> OsString {
        use std::os::unix::ffi::OsStringExt;
        OsString::from_vec(vec![0xff, b'h'])
    }

    #[test]
    fn plink_gets_what_git_gives_it() {
        let a = parse(&args(&[
            "-o",
            "SendEnv=GIT_PROTOCOL",
            "-4",
            "-p",
            "2222",
            "git@host",
            "git-upload-pack '/a/b.git'",
        ]))
        .expect("parses");
        assert_eq!(
            plink_args(&a, false),
            Some(args(&[
                "-4",
                "-P",
                "2222",
                "git@host",
                "git-upload-pack '/a/b.git'"
            ]))
        );
        assert_eq!(
            plink_args(&a, true),
            Some(args(&[
                "-4",
                "-batch",
                "-P",
                "2222",
                "git@host",
                "git-upload-pack '/a/b.git'"
            ]))
        );
        let odd = parse(&args(&["-v", "host", "cmd"])).expect("parses");
        assert_eq!(plink_args(&odd, false), None);
    }
}
