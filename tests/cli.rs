//! The integration test binary: the real git-credcheck, real git, real servers.
//! Unix only: the fixtures use file modes, process groups and sshd; the Windows build is checked by
//! `cargo clippy --target x86_64-pc-windows-gnu --all-targets` and the unit tests.
#![cfg(unix)]

mod util;

mod cascade;
mod fixes;
mod guard;
pub mod hooks;
pub mod http;
mod install;
mod online;
mod output;
mod predict;
mod realconfigs;
mod robustness;
mod scopes;
mod ssh;
mod ssh_guard;
