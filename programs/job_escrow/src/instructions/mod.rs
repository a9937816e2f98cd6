//! One file per instruction; each exports `process_<name>(accounts, data)`.
pub mod accept_admin;
pub mod close_credit_account;
pub mod collect_fees;
pub mod expire_promo;
pub mod grant_credits;
pub mod initialize_config;
pub mod lock;
pub mod nominate_admin;
pub mod open_credit_account;
pub mod purchase;
pub mod refund;
pub mod set_spending_limit;
pub mod settle;
pub mod shared;
pub mod update_config;
pub mod withdraw;

pub use {
    accept_admin::*, close_credit_account::*, collect_fees::*, expire_promo::*, grant_credits::*, initialize_config::*, lock::*, nominate_admin::*,
    open_credit_account::*, purchase::*, refund::*, set_spending_limit::*, settle::*, update_config::*, withdraw::*,
};
