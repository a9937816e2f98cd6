//! Anchor discriminators: the first 8 bytes of sha256 of `global:<instruction>`,
//! `account:<Account>` and `event:<Event>`. A host test recomputes every one
//! and checks it against `idl/job_escrow.json`.

/// Instruction discriminators, read as a little-endian u64 so the entrypoint
/// dispatches with one integer `match`.
pub mod instruction {
    macro_rules! ix {
        ($($name:ident = $bytes:expr;)*) => {
            $(pub const $name: u64 = u64::from_le_bytes($bytes);)*
            /// `(idl name, discriminator)` of every instruction, for tests.
            pub const ALL: &[(&str, u64)] = &[$((stringify!($name), $name)),*];
        };
    }
    ix! {
        INITIALIZE_CONFIG = [208, 127, 21, 1, 194, 190, 196, 70];
        UPDATE_CONFIG = [29, 158, 252, 191, 10, 83, 219, 99];
        NOMINATE_ADMIN = [134, 11, 31, 244, 20, 77, 138, 121];
        ACCEPT_ADMIN = [112, 42, 45, 90, 116, 181, 13, 170];
        OPEN_CREDIT_ACCOUNT = [64, 228, 64, 94, 52, 139, 105, 166];
        PURCHASE = [21, 93, 113, 154, 193, 160, 242, 168];
        LOCK = [21, 19, 208, 43, 237, 62, 255, 87];
        SETTLE = [175, 42, 185, 87, 144, 131, 102, 212];
        REFUND = [2, 96, 183, 251, 63, 208, 46, 46];
        WITHDRAW = [183, 18, 70, 156, 148, 109, 161, 34];
        SET_SPENDING_LIMIT = [39, 48, 237, 161, 49, 171, 155, 208];
        COLLECT_FEES = [164, 152, 207, 99, 30, 186, 19, 182];
        CLOSE_CREDIT_ACCOUNT = [114, 49, 149, 95, 1, 65, 159, 181];
        GRANT_CREDITS = [179, 42, 133, 139, 107, 197, 60, 164];
        EXPIRE_PROMO = [3, 199, 16, 118, 204, 29, 97, 150];
        ADD_JOB_SLOTS = [64, 254, 21, 99, 126, 220, 119, 39];
        LOCK_BATCH = [214, 236, 122, 48, 86, 245, 36, 36];
        SETTLE_BATCH = [22, 2, 21, 223, 225, 122, 163, 214];
        REFUND_BATCH = [227, 54, 194, 2, 78, 8, 104, 29];
    }
}

/// Account discriminators (`account:<Name>`).
pub mod account {
    pub const CONFIG: [u8; 8] = [155, 12, 170, 224, 30, 250, 204, 130];
    pub const CREDIT_ACCOUNT: [u8; 8] = [196, 171, 234, 132, 239, 255, 21, 96];
    pub const ALL: &[(&str, [u8; 8])] = &[
        ("Config", CONFIG),
        ("CreditAccount", CREDIT_ACCOUNT),
    ];
}

/// Event discriminators (`event:<Name>`).
pub mod event {
    pub const CONFIG_UPDATED: [u8; 8] = [40, 241, 230, 122, 11, 19, 198, 194];
    pub const CREDIT_ACCOUNT_OPENED: [u8; 8] = [49, 4, 136, 30, 100, 84, 241, 163];
    pub const CREDITS_PURCHASED: [u8; 8] = [176, 67, 39, 167, 11, 116, 222, 22];
    pub const JOB_LOCKED: [u8; 8] = [152, 195, 1, 14, 160, 137, 251, 39];
    pub const JOB_SETTLED: [u8; 8] = [130, 105, 205, 34, 87, 86, 152, 27];
    pub const JOB_REFUNDED: [u8; 8] = [156, 171, 111, 37, 17, 174, 8, 167];
    pub const CREDITS_WITHDRAWN: [u8; 8] = [183, 95, 31, 250, 78, 31, 234, 144];
    pub const FEES_COLLECTED: [u8; 8] = [233, 23, 117, 225, 107, 178, 254, 8];
    pub const SPENDING_LIMIT_SET: [u8; 8] = [84, 16, 56, 204, 246, 47, 205, 56];
    pub const CREDIT_ACCOUNT_CLOSED: [u8; 8] = [246, 95, 206, 205, 198, 232, 140, 172];
    pub const CREDITS_GRANTED: [u8; 8] = [128, 66, 160, 5, 222, 142, 108, 212];
    pub const PROMO_EXPIRED: [u8; 8] = [131, 185, 4, 110, 77, 151, 117, 121];
    pub const JOB_SLOTS_ADDED: [u8; 8] = [202, 184, 254, 39, 62, 181, 99, 134];
    pub const ALL: &[(&str, [u8; 8])] = &[
        ("ConfigUpdated", CONFIG_UPDATED),
        ("CreditAccountOpened", CREDIT_ACCOUNT_OPENED),
        ("CreditsPurchased", CREDITS_PURCHASED),
        ("JobLocked", JOB_LOCKED),
        ("JobSettled", JOB_SETTLED),
        ("JobRefunded", JOB_REFUNDED),
        ("CreditsWithdrawn", CREDITS_WITHDRAWN),
        ("FeesCollected", FEES_COLLECTED),
        ("SpendingLimitSet", SPENDING_LIMIT_SET),
        ("CreditAccountClosed", CREDIT_ACCOUNT_CLOSED),
        ("CreditsGranted", CREDITS_GRANTED),
        ("PromoExpired", PROMO_EXPIRED),
        ("JobSlotsAdded", JOB_SLOTS_ADDED),
    ];
}
