//! `git credcheck` / `git-credcheck doctor`: every push URL of every remote, no push running;
//! with `--online`, also the servers' answers ([`super::online`]).

use super::{emit, Setup};
use crate::cli::DoctorArgs;
use crate::facts::Stage;
use anyhow::bail;

pub(crate) fn run(args: &DoctorArgs) -> anyhow::Result<bool> {
    let setup = Setup::new(args.output.today.as_deref())?;
    let Some(repo) = &setup.repo else {
        bail!("not a git repository (or any parent up to the filesystem root)")
    };
    if repo.ownership_refused {
        let dir = repo.work_tree.as_ref().unwrap_or(&repo.git_dir);
        bail!(
            "git refuses this repository (detected dubious ownership: it belongs to another user), so no push can run here; \
             if you trust it: git config --global --add safe.directory '{}'",
            dir.display()
        );
    }
    let remotes = match &args.remote {
        Some(r) => {
            if setup.git_config.remote_names().iter().all(|n| n != r)
                && !crate::facts::url::looks_like_url(r)
            {
                bail!("no remote named `{r}`");
            }
            vec![r.clone()]
        }
        None => setup.git_config.remote_names(),
    };
    let online = super::online::options(args, &setup)?;
    let mut facts = setup.facts(Stage::Doctor, remotes.clone(), None);
    // "guard: active" must mean git can run it: the doctor runs it once (issue 14).
    crate::facts::credential::probe_guards(&setup.ctx, &setup.git_config, &mut facts);
    if let Some(opts) = &online {
        super::online::probe(&setup, &mut facts, &remotes, opts);
    }
    let report = setup.report(&facts);
    emit(&args.output, &facts, &report, false)
}
