//! The sizes the layout doc comments state, checked against the code: a
//! doc that says "(N bytes)" must be the type's LEN, so a field added to a
//! layout without its doc fails here.
use super::{
    config::Config, config::Tier, credit_account::CreditAccount, job_slot::JobSlot,
    token::TokenAccount, ProgramAccount,
};

/// The number of "N bytes" nearest `marker` on the first doc line containing `marker` in `source`.
fn documented(source: &str, marker: &str) -> usize {
    let line = source
        .lines()
        .find(|l| l.trim_start().starts_with("///") && l.contains(marker))
        .unwrap_or_else(|| panic!("no doc line with {marker:?}"));
    let near = line.find(marker).unwrap_or(0);
    let at = line
        .match_indices(" bytes")
        .map(|(i, _)| i)
        .min_by_key(|i| i.abs_diff(near))
        .unwrap_or_else(|| panic!("no size in {line:?}"));
    // The number right before " bytes", read backwards over its digits and thousands commas.
    let (mut n, mut scale, mut seen) = (0usize, 1usize, false);
    for c in line[..at].chars().rev() {
        match c {
            '0'..='9' => {
                let digit = c.to_digit(10).expect("a digit") as usize;
                n = digit.checked_mul(scale).and_then(|d| n.checked_add(d)).expect("a size that fits");
                scale = scale.checked_mul(10).expect("a size that fits");
                seen = true;
            }
            ',' => {}
            _ => break,
        }
    }
    assert!(seen, "no size in {line:?}");
    n
}

#[test]
fn doc_comment_sizes_are_the_layouts_lengths() {
    let config = include_str!("config.rs");
    assert_eq!(
        documented(config, "The program's singleton configuration"),
        Config::LEN
    );
    assert_eq!(documented(config, "One row of the tier table"), Tier::LEN);
    assert_eq!(core::mem::size_of::<Tier>(), Tier::LEN);
    let credit = include_str!("credit_account.rs");
    assert_eq!(documented(credit, "a fixed part of"), CreditAccount::LEN);
    assert_eq!(
        documented(
            include_str!("job_slot.rs"),
            "One job slot of a CreditAccount"
        ),
        JobSlot::LEN
    );
    assert_eq!(core::mem::size_of::<JobSlot>(), JobSlot::LEN);
    assert_eq!(
        documented(include_str!("token.rs"), "An SPL Token account"),
        TokenAccount::LEN
    );
    // "233 + 57 * 16 = 1,145 bytes by default"
    assert_eq!(
        documented(credit, "by default"),
        CreditAccount::LEN + 16 * JobSlot::LEN
    );
}

#[test]
fn the_checker_reads_what_it_should() {
    assert_eq!(
        documented("/// An account (1,145 bytes).\n", "An account"),
        1_145
    );
    assert_eq!(
        documented("/// a fixed part of 233 bytes, then\n", "fixed part"),
        233
    );
}
