use super::support::host_block;
use super::{connect_host, ssh_urls, verify};
use crate::facts::Facts;
use crate::rules::{advice, declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for an SSH push URL to a hosted provider whose user is not the one the
    /// provider requires (`git` for Bitbucket, GitHub, GitLab, Azure DevOps, Hugging Face).
    ///
    /// ## Why is this bad?
    /// The account is chosen by the key, not the user name: any other user gets
    /// `Permission denied (publickey)`.
    ///
    /// ## Example
    /// ```console
    /// jdoe@bitbucket.org:acme/app.git
    /// ```
    ///
    /// ## Fix
    /// With the user in the URL, change the URL:
    /// ```sh
    /// git remote set-url origin git@bitbucket.org:acme/app.git
    /// ```
    /// Else ssh took it from its configuration or the login name: a `Host` block with
    /// `User git`, written at the top of the file ssh reads (ssh keeps the first value).
    ///
    /// ## When it is silent
    /// - The host is not one of the provider's own hosts, neither as written in the URL
    ///   nor as `HostName` from `ssh -G`: a self-managed server chooses its own SSH user
    ///   (GitLab's can be `git-rts`), and so does an unknown host.
    /// - No user is known: the URL names none and `ssh -G` could not be read.
    /// - In the pre-push hook, for the URL git has just connected to: ssh has already
    ///   logged in there.
    ///
    /// ## References
    /// - [Bitbucket: set up SSH](https://support.atlassian.com/bitbucket-cloud/docs/set-up-personal-ssh-keys-on-linux/)
    SSH_WRONG_USER, "CC301", "ssh-wrong-user", Ssh, Error,
    "ssh user is not the one the provider requires", ssh_wrong_user
}

fn ssh_wrong_user(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        let Some(want) = u.provider.and_then(|p| p.info().ssh_user) else {
            continue;
        };
        // Self-managed servers choose their own SSH user (GitLab's can be `git-rts`).
        let host = connect_host(s);
        let hosted = |h: &str| u.provider.is_some_and(|p| p.info().hosts.contains(&h));
        if !hosted(&host.to_ascii_lowercase()) && !hosted(&s.host) {
            continue;
        }
        let Some(user) = s.effective_user() else {
            continue;
        };
        if user == want {
            continue;
        }
        let fixed = format!("{want}@{}:{}", s.host, u.url.path);
        // A user in the URL is changed there; else the ssh config (or the login name)
        // chose it: a `Host` block at the top of the file ssh reads wins over later lines.
        let (loc, mut cmds) = if s.url_user.is_some() {
            (
                u.configured.as_ref().map(Location::from),
                vec![advice::set_url(u, &fixed)],
            )
        } else {
            (None, host_block(s, &[format!("User {want}")]))
        };
        cmds.push(verify(u, s));
        out.push(
            Finding::at(u, format!("{} logs in to {host} as `{user}`", u.label()))
                .location(loc)
                .cause(format!(
                    "{} accepts only the user `{want}` over SSH; the key picks the account",
                    u.provider.map(|p| p.info().name).unwrap_or("the provider")
                ))
                .fix(format!("use the user {want}"), cmds)
                .rejects_auth(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::rules::testing::{diagnose, fix_commands, severities};
    use crate::rules::Severity::*;

    #[test]
    fn fires_on_another_user_for_a_hosted_provider() {
        let f = ssh_facts(
            "jdoe@bitbucket.org:ws/r.git",
            vec![key("/k")],
            Probed::Absent,
        );
        let d = diagnose(&SSH_WRONG_USER, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Error);
        assert_eq!(
            d[0].finding.message,
            "remote `origin` (jdoe@bitbucket.org:ws/r.git) logs in to bitbucket.org as `jdoe`"
        );
        assert_eq!(
            fix_commands(&d[0]),
            "git remote set-url origin 'git@bitbucket.org:ws/r.git'\nssh -T git@bitbucket.org"
        );
    }

    #[test]
    fn fires_on_the_user_from_ssh_config() {
        let mut f = ssh_facts("bitbucket.org:ws/r.git", vec![key("/k")], Probed::Absent);
        config_mut(&mut f).user = "jdoe".into();
        let d = diagnose(&SSH_WRONG_USER, &f);
        assert_eq!(d.len(), 1);
        let fix = fix_commands(&d[0]);
        assert!(
            fix.starts_with("{ printf '%s\\n' 'Host bitbucket.org' '  User git' 'Host *'; cat ~/.ssh/config"),
            "{fix}"
        );
    }

    #[test]
    fn silent_on_the_required_user() {
        let f = ssh_facts(
            "git@bitbucket.org:ws/r.git",
            vec![key("/k")],
            Probed::Absent,
        );
        assert!(severities(&SSH_WRONG_USER, &f).is_empty());
    }

    #[test]
    fn silent_on_a_self_managed_server() {
        let f = ssh_facts(
            "jdoe@git.example.test:ws/r.git",
            vec![key("/k")],
            Probed::Absent,
        );
        assert!(severities(&SSH_WRONG_USER, &f).is_empty());
    }

    #[test]
    fn silent_for_the_url_git_just_connected_to() {
        let mut f = ssh_facts(
            "jdoe@bitbucket.org:ws/r.git",
            vec![key("/k")],
            Probed::Absent,
        );
        f.remotes[0].urls[0].authenticated_now = true;
        assert!(severities(&SSH_WRONG_USER, &f).is_empty());
    }
}
