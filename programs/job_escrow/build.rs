//! The program id, chosen at build time: `JOB_ESCROW_PROGRAM_ID=<base58>`
//! builds the program for an operator's own deployment (the role of
//! `anchor keys sync`); unset, the project's id. Writes
//! `$OUT_DIR/program_id.rs` (a `declare_id!`), which lib.rs includes; the
//! `address!` macro rejects a malformed id at compile time.
use std::{env, fs, path::Path};

const DEFAULT_ID: &str = "JobhhA5HoGYXSMtC8aKaYFY2n3QPp4WDEwCipynkXbp";
const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn main() {
    println!("cargo:rerun-if-env-changed=JOB_ESCROW_PROGRAM_ID");
    let id = env::var("JOB_ESCROW_PROGRAM_ID").unwrap_or_else(|_| DEFAULT_ID.to_string());
    assert!(
        (32..=44).contains(&id.len()) && id.chars().all(|c| BASE58.contains(c)),
        "JOB_ESCROW_PROGRAM_ID is not a base58 address: {id:?}"
    );
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("program_id.rs");
    fs::write(out, format!("pinocchio::address::declare_id!(\"{id}\");\n")).expect("write program_id.rs");
}
