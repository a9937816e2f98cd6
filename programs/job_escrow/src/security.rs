//! The program's security.txt: who to tell about a vulnerability, read from
//! the deployed program itself by `query-security-txt <program id or .so>`
//! and by Solana explorers ("Security" tab). The format is
//! `solana-security-txt`'s: one string from
//! `=======BEGIN SECURITY.TXT V1=======\0` to `=======END SECURITY.TXT V1=======\0`
//! of NUL-terminated field names and values, and a `.security.txt` section
//! pointing at it.
//!
//! Every value is here and nowhere else: SECURITY.md and docs/verify.md
//! describe them, and tests/program/security_txt.test.ts reads this file
//! (string literals, `concat!`, `repository!()` and
//! `env!("CARGO_PKG_VERSION")` only) and checks that both built `.so` files
//! carry exactly these values.
//!
//! lib.rs includes this module only in the on-chain build
//! (`target_os = "solana"` for `cargo build-sbf`, `target_arch = "bpf"` for
//! scripts/build-program.sh): the macro defines an exported
//! (`#[no_mangle]`) static, which the linker keeps although nothing reads it.

/// The repository's public URL. A placeholder until the repository is
/// published: change it here, the one place it is written, before building a
/// program to deploy (project_url, contacts, policy and source_code follow).
macro_rules! repository {
    () => {
        "https://github.com/job-escrow/job_escrow"
    };
}

solana_security_txt::security_txt! {
    // Required fields.
    name: "job_escrow",
    project_url: repository!(),
    // The repository's private vulnerability reporting (GitHub security advisories).
    contacts: concat!("link:", repository!(), "/security/advisories/new"),
    policy: concat!(repository!(), "/blob/main/SECURITY.md"),
    // Optional fields.
    preferred_languages: "en",
    source_code: repository!(),
    // The release tag this build is cut from: `v` + the crate version. No
    // `source_revision` (commit hash): the bytes would then depend on the
    // build environment, and a `solana-verify build` of the same commit would
    // not reproduce them.
    source_release: concat!("v", env!("CARGO_PKG_VERSION")),
    auditors: "None"
}
