//! Trygg, incident reporting for a municipality's safety and crime-prevention work: the
//! service's start-up, shared by the `trygg` binary and the tests. The crates under `crates/`
//! hold the rest (see `ARCHITECTURE.md`).

pub mod startup;

pub use startup::{Application, Settings, StartError};
