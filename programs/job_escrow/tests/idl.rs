//! The IDL (idl/job_escrow.json) and the program agree: every discriminator
//! is sha256("<namespace>:<name>")[..8] and equals the constant the program
//! dispatches on or writes, and the error codes and names match.
use {
    job_escrow::{discriminator, error},
    serde_json::Value,
    sha2::{Digest, Sha256},
};

fn idl() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../idl/job_escrow.json"))
        .expect("idl/job_escrow.json is readable");
    serde_json::from_str(&text).expect("the IDL is JSON")
}

fn anchor_discriminator(namespace: &str, name: &str) -> [u8; 8] {
    Sha256::digest(format!("{namespace}:{name}").as_bytes())[..8].try_into().unwrap()
}

fn idl_discriminator(entry: &Value) -> [u8; 8] {
    let bytes: Vec<u8> = entry["discriminator"]
        .as_array()
        .expect("discriminator array")
        .iter()
        .map(|b| b.as_u64().unwrap() as u8)
        .collect();
    bytes.try_into().expect("8 bytes")
}

#[test]
fn instruction_discriminators_match_the_idl() {
    let idl = idl();
    let instructions = idl["instructions"].as_array().unwrap();
    assert!(!instructions.is_empty());
    for ix in instructions {
        let name = ix["name"].as_str().unwrap();
        let (_, constant) = discriminator::instruction::ALL
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .unwrap_or_else(|| panic!("the program has no constant for {name}"));
        assert_eq!(idl_discriminator(ix), constant.to_le_bytes(), "{name}");
    }
    for (name, constant) in discriminator::instruction::ALL {
        assert_eq!(constant.to_le_bytes(), anchor_discriminator("global", &name.to_lowercase()), "{name}");
    }
}

#[test]
fn account_and_event_discriminators_match_the_idl() {
    let idl = idl();
    for (section, namespace, table) in [
        ("accounts", "account", discriminator::account::ALL),
        ("events", "event", discriminator::event::ALL),
    ] {
        let entries = idl[section].as_array().unwrap();
        assert_eq!(entries.len(), table.len(), "{section}");
        for (name, constant) in table {
            let entry = entries.iter().find(|e| e["name"] == *name).unwrap_or_else(|| panic!("{name} missing"));
            assert_eq!(idl_discriminator(entry), *constant, "{name}");
            assert_eq!(*constant, anchor_discriminator(namespace, name), "{name}");
        }
    }
}

#[test]
fn errors_match_the_idl() {
    let idl = idl();
    let errors = idl["errors"].as_array().unwrap();
    assert_eq!(errors.len(), error::ALL.len());
    for (entry, (name, e)) in errors.iter().zip(error::ALL) {
        assert_eq!(entry["name"], *name);
        assert_eq!(entry["code"].as_u64(), Some(u64::from(e.code())));
        assert!(!entry["msg"].as_str().unwrap().is_empty());
    }
}
