//! The integration test binary: the real git-credcheck, real git, real servers.

mod util;

mod cascade;
mod guard;
mod hooks;
pub mod http;
mod output;
mod predict;
mod robustness;
mod ssh;
