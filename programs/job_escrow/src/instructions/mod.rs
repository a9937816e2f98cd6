//! One file per instruction; each exports `process_<name>(accounts, data)`.
pub mod initialize_config;
pub mod open_credit_account;
pub mod shared;

pub use {initialize_config::*, open_credit_account::*};
