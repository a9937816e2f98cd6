//! One file per instruction; each exports `process_<name>(accounts, data)`.
pub mod accept_admin;
pub mod add_job_slots;
pub mod close_credit_account;
pub mod collect_fees;
pub mod expire_promo;
pub mod grant_credits;
pub mod initialize_config;
pub mod lock;
pub mod lock_batch;
pub mod nominate_admin;
pub mod open_credit_account;
pub mod purchase;
pub mod refund;
pub mod refund_batch;
pub mod set_spending_limit;
pub mod settle;
pub mod settle_batch;
pub mod shared;
pub mod update_config;
pub mod withdraw;

pub use {
    accept_admin::*, add_job_slots::*, close_credit_account::*, collect_fees::*, expire_promo::*, grant_credits::*, initialize_config::*, lock::*, lock_batch::*, nominate_admin::*,
    open_credit_account::*, purchase::*, refund::*, refund_batch::*, set_spending_limit::*, settle::*, settle_batch::*, update_config::*, withdraw::*,
};
