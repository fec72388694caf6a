//! The integration test binary: the real git-credcheck, real git, real servers.

mod util;

mod cascade;
mod guard;
pub mod hooks;
pub mod http;
mod install;
mod online;
mod output;
mod predict;
mod realconfigs;
mod robustness;
mod ssh;
mod ssh_guard;
