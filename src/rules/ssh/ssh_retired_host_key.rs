use super::{keyscan, ssh_urls};
use crate::facts::ssh::Probed;
use crate::facts::Facts;
use crate::rules::{declare_rule, Finding, Location};

declare_rule! {
    /// ## What it does
    /// Checks for a known_hosts entry that pins a host key the provider has retired
    /// (GitHub's RSA key replaced on 2023-03-24, Bitbucket's RSA key replaced on 2023-06-20).
    ///
    /// ## Why is this bad?
    /// ssh prints `WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!` and refuses the
    /// connection when the server offers the new key.
    ///
    /// ## Example
    /// ```console
    /// github.com ssh-rsa AAAAB3NzaC1yc2EAAAABIwAAAQEAq2A7hRGmdnm9tUDbO9IDSwBK6TbQa+PXYPCPy6rbTrTtw7PHkccKrpp0yVhp5HdEIcKr6pLlVDBfOLX9QUsyCOV0wzfjIJNlGEYsdlLJizHhbn2mUjvSAHQqZETYP81eFzLQNnPHt4EVVUh7VfDESU84KezmD5QlWpXLmvU31/yMf+Se8xhHTvKSCZIFImWwoG6mbUoWf9nzpIoaSjB+weqqUUmpaaasXVal72J+UX2B+2RPW3RcT0eOzQgqlJL3RKrTJvdsjE3JEAvGq3lGHSZXy28G3skua2SmVi/w4yCE6gbODqnTWlg7+wC604ydGXA8VJiS5ap43JXiUFFAaQ==
    /// ```
    ///
    /// ## Fix
    /// ```sh
    /// ssh-keygen -R github.com
    /// ssh-keyscan github.com >> ~/.ssh/known_hosts
    /// ```
    ///
    /// ## When it is silent
    /// - The known_hosts entries for the host pin no key from the provider's list of
    ///   retired keys; a host with no provider has no such list.
    /// - A `KnownHostsCommand` supplies host keys that cannot be seen, `ssh -G` could not
    ///   be read, or the program is not OpenSSH.
    ///
    /// ## References
    /// - [GitHub: we updated our RSA SSH host key](https://github.blog/2023-03-23-we-updated-our-rsa-ssh-host-key/)
    SSH_RETIRED_HOST_KEY, "CC306", "ssh-retired-host-key", Ssh, Warning,
    "known_hosts pins a host key the provider has retired", ssh_retired_host_key
}

fn ssh_retired_host_key(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (u, s) in ssh_urls(facts) {
        let (Probed::Found(c), Probed::Found(k)) = (&s.config, &s.known_hosts) else {
            continue;
        };
        if k.retired.is_empty() {
            continue;
        }
        let mut cmds = vec![format!("ssh-keygen -R {}", k.name)];
        cmds.extend(keyscan(u, c));
        out.push(
            Finding::at(
                u,
                format!(
                    "known_hosts pins a retired host key ({}) for {} (remote `{}`)",
                    k.retired.join(", "),
                    k.name,
                    u.remote
                ),
            )
            .location(k.files.first().map(|f| Location {
                file: Some(f.clone()),
                line: None,
                what: "known_hosts entry".into(),
            }))
            .cause(
                "ssh will print `REMOTE HOST IDENTIFICATION HAS CHANGED` and refuse the connection",
            )
            .fix("replace the retired key with the current one", cmds),
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

    const GITHUB_RSA_2013: &str = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";

    #[test]
    fn fires_on_github_s_retired_rsa_key() {
        let mut f = ssh_facts("git@github.com:a/b.git", vec![key("/k")], Probed::Absent);
        if let Probed::Found(k) = &mut ssh_mut(&mut f).known_hosts {
            k.retired = vec![GITHUB_RSA_2013.into()];
        }
        let d = diagnose(&SSH_RETIRED_HOST_KEY, &f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Warning);
        assert_eq!(
            d[0].finding.message,
            format!(
                "known_hosts pins a retired host key ({GITHUB_RSA_2013}) for github.com (remote `origin`)"
            )
        );
        assert!(fix_commands(&d[0]).starts_with("ssh-keygen -R github.com\nssh-keyscan github.com"));
    }

    #[test]
    fn silent_on_a_current_host_key() {
        let f = ssh_facts("git@github.com:a/b.git", vec![key("/k")], Probed::Absent);
        assert!(severities(&SSH_RETIRED_HOST_KEY, &f).is_empty());
    }

    #[test]
    fn silent_when_known_hosts_come_from_a_command() {
        let mut f = ssh_facts("git@github.com:a/b.git", vec![key("/k")], Probed::Absent);
        ssh_mut(&mut f).known_hosts = Probed::Absent;
        assert!(severities(&SSH_RETIRED_HOST_KEY, &f).is_empty());
    }
}
