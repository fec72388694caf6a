//! The integration test binary: the real git-credcheck, real git, real servers.

mod util;

mod cascade;
mod guard;
mod hooks;
pub mod http;
mod output;
mod robustness;
mod ssh;
mod ssh_guard;
