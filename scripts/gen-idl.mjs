// Writes idl/job_escrow.json (Anchor's IDL format, spec 0.1.0) from the
// description below. Discriminators are computed here, never typed: the
// first 8 bytes of sha256("global:<ix>" | "account:<Name>" | "event:<Name>").
// The Rust test `tests/idl.rs` checks the program's constants against the
// output, and the TypeScript tests drive the program through Anchor's coder
// built from it. Run: node scripts/gen-idl.mjs
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import bs58 from 'bs58';

const PROGRAM_ID = 'JobhhA5HoGYXSMtC8aKaYFY2n3QPp4WDEwCipynkXbp';
const SYSTEM = '11111111111111111111111111111111';
const ATA = 'ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL';
const BPF_LOADER_UPGRADEABLE = 'BPFLoaderUpgradeab1e11111111111111111111111';

const disc = (s) => [...createHash('sha256').update(s).digest().subarray(0, 8)];
const bytes = (s) => [...Buffer.from(s)];
const defined = (name) => ({ defined: { name } });

// Accounts: "name:ws" — w writable, s signer; extra properties merged in.
const acc = (spec, extra = {}) => {
  const [name, flags = ''] = spec.split(':');
  return {
    name,
    ...(flags.includes('w') ? { writable: true } : {}),
    ...(flags.includes('s') ? { signer: true } : {}),
    ...extra,
  };
};
const configPda = { pda: { seeds: [{ kind: 'const', value: bytes('config') }] } };
const creditPda = {
  pda: { seeds: [{ kind: 'const', value: bytes('credits') }, { kind: 'account', path: 'owner' }] },
};
// The program's ProgramData: the PDA of [program id] under the upgradeable
// loader (as Anchor writes it), so generated clients derive it.
const programDataPda = {
  pda: {
    seeds: [{ kind: 'const', value: [...bs58.decode(PROGRAM_ID)] }],
    program: { kind: 'const', value: [...bs58.decode(BPF_LOADER_UPGRADEABLE)] },
  },
};
const fields = (list) => list.map(([name, type]) => ({ name, type }));

const tierFields = [
  ['request_credits', 'u64'],
  ['per_1k_credits', 'u64'],
  ['included_tokens', 'u32'],
];
const configBody = [
  ['admin', 'pubkey'],
  ['pending_admin', 'pubkey'],
  ['operator', 'pubkey'],
  ['mint', 'pubkey'],
  ['treasury', 'pubkey'],
  ['price_per_credit', 'u64'],
  ['min_purchase_credits', 'u64'],
  ['job_timeout_secs', 'u32'],
  ['provider_share_bps_min', 'u16'],
  ['provider_share_bps_max', 'u16'],
  ['tiers', { array: [defined('Tier'), 4] }],
  ['max_output_tokens_per_job', 'u32'],
  ['paused', 'bool'],
];
// After the bump: the mint's owner (classic Token or Token-2022) and its
// decimals, recorded at initialize_config (appended in 2.0.0).
const configTail = [
  ['token_program', 'pubkey'],
  ['decimals', 'u8'],
];
// The two accounts every instruction that moves tokens ends with: the
// config's mint and its token program (the mint's owner).
const tokenAccounts = () => [acc('mint'), acc('token_program')];

const instructions = [
  {
    name: 'initialize_config',
    docs: ['Creates the Config PDA. The admin must be the program upgrade authority.'],
    accounts: [
      acc('admin:ws'),
      acc('config:w', configPda),
      acc('mint'),
      acc('treasury'),
      acc('program_data', programDataPda),
      acc('system_program', { address: SYSTEM }),
    ],
    args: fields([
      ['operator', 'pubkey'],
      ['price_per_credit', 'u64'],
      ['min_purchase_credits', 'u64'],
      ['job_timeout_secs', 'u32'],
      ['provider_share_bps_min', 'u16'],
      ['provider_share_bps_max', 'u16'],
      ['tiers', { array: [defined('Tier'), 4] }],
      ['max_output_tokens_per_job', 'u32'],
    ]),
  },
  {
    name: 'update_config',
    docs: ['Changes operator, treasury, minimum purchase, timeout, share bounds, tiers, the per-job token ceiling or paused; never the mint or the price.'],
    accounts: [acc('admin:s'), acc('config:w', configPda), acc('treasury', { optional: true })],
    args: fields([
      ['operator', { option: 'pubkey' }],
      ['set_treasury', 'bool'],
      ['min_purchase_credits', { option: 'u64' }],
      ['job_timeout_secs', { option: 'u32' }],
      ['provider_share_bps_min', { option: 'u16' }],
      ['provider_share_bps_max', { option: 'u16' }],
      ['tiers', { option: { array: [defined('Tier'), 4] } }],
      ['max_output_tokens_per_job', { option: 'u32' }],
      ['paused', { option: 'bool' }],
    ]),
  },
  {
    name: 'nominate_admin',
    docs: ['First step of the admin hand-over.'],
    accounts: [acc('admin:s'), acc('config:w', configPda)],
    args: fields([['new_admin', 'pubkey']]),
  },
  {
    name: 'accept_admin',
    docs: ['Second step of the admin hand-over: the nominee signs.'],
    accounts: [acc('new_admin:s'), acc('config:w', configPda)],
    args: [],
  },
  {
    name: 'open_credit_account',
    docs: ['Creates the CreditAccount PDA of `owner` and its vault (the ATA of the PDA and the mint, under the mint\'s token program).'],
    accounts: [
      acc('payer:ws'),
      acc('owner'),
      acc('config', configPda),
      acc('credit_account:w', creditPda),
      acc('vault:w'),
      acc('mint'),
      acc('token_program'),
      acc('associated_token_program', { address: ATA }),
      acc('system_program', { address: SYSTEM }),
    ],
    args: fields([['job_slots', 'u8']]),
  },
  {
    name: 'purchase',
    docs: ['Moves credits * price USDC from the owner\'s token account to the vault.'],
    accounts: [
      acc('owner:s'),
      acc('config', configPda),
      acc('credit_account:w', creditPda),
      acc('vault:w'),
      acc('source:w'),
      ...tokenAccounts(),
    ],
    args: fields([['credits', 'u64']]),
  },
  {
    name: 'lock',
    docs: ['Locks a job\'s price (from the tier table) in a free job slot of the credit account.'],
    accounts: [acc('authority:s'), acc('config', configPda), acc('credit_account:w'), acc('vault')],
    args: fields([
      ['job_id', 'u64'],
      ['tier', 'u8'],
      ['max_output_tokens', 'u32'],
    ]),
  },
  {
    name: 'settle',
    docs: ['Charges a job before it expires, pays the worker, keeps the fee in the vault, frees the job\'s slot.'],
    accounts: [
      acc('operator:s'),
      acc('config', configPda),
      acc('credit_account:w'),
      acc('vault:w'),
      acc('provider_token_account:w'),
      ...tokenAccounts(),
    ],
    args: fields([
      ['job_id', 'u64'],
      ['output_tokens', 'u32'],
      ['provider_share_bps', 'u16'],
    ]),
  },
  {
    name: 'refund',
    docs: ['Returns a job\'s lock to the balance and frees its slot: the operator at any time, anyone after expiry.'],
    accounts: [acc('authority:s'), acc('config', configPda), acc('credit_account:w')],
    args: fields([['job_id', 'u64']]),
  },
  {
    name: 'withdraw',
    docs: ['Pays credits * price USDC from the vault; u64::MAX withdraws everything withdrawable.'],
    accounts: [
      acc('owner:s'),
      acc('config', configPda),
      acc('credit_account:w', creditPda),
      acc('vault:w'),
      acc('destination:w'),
      ...tokenAccounts(),
    ],
    args: fields([['credits', 'u64']]),
  },
  {
    name: 'set_spending_limit',
    docs: ['Caps the credits a single lock may take and the credits jobs may take per 24-hour window (0 = no cap).'],
    accounts: [acc('owner:s'), acc('credit_account:w', creditPda)],
    args: fields([
      ['max_credits_per_job', 'u64'],
      ['daily_limit_credits', 'u64'],
    ]),
  },
  {
    name: 'collect_fees',
    docs: ['Moves accrued fees from a vault to the treasury; anyone may call it.'],
    accounts: [
      acc('config', configPda),
      acc('credit_account:w'),
      acc('vault:w'),
      acc('treasury:w'),
      ...tokenAccounts(),
    ],
    args: [],
  },
  {
    name: 'grant_credits',
    docs: ['The operator gives promotional credits: credits * price USDC from its own token account into the vault; spendable, never withdrawable; expires_at 0 = never.'],
    accounts: [
      acc('operator:s'),
      acc('config', configPda),
      acc('credit_account:w'),
      acc('vault:w'),
      acc('source:w'),
      ...tokenAccounts(),
    ],
    args: fields([
      ['credits', 'u64'],
      ['expires_at', 'i64'],
    ]),
  },
  {
    name: 'expire_promo',
    docs: ['Returns unspent promotional credits to the treasury: the owner at any time (giving them up), anyone once they expired.'],
    accounts: [
      acc('authority:s'),
      acc('config', configPda),
      acc('credit_account:w'),
      acc('vault:w'),
      acc('treasury:w'),
      ...tokenAccounts(),
    ],
    args: [],
  },
  {
    name: 'close_credit_account',
    docs: ['Closes an empty credit account and its vault; the rent goes back to the wallet that paid it (rent_payer), the rest to the owner.'],
    accounts: [
      acc('owner:ws'),
      acc('config', configPda),
      acc('credit_account:w', creditPda),
      acc('vault:w'),
      acc('rent_payer:w'),
      ...tokenAccounts(),
    ],
    args: [],
  },
  {
    name: 'add_job_slots',
    docs: ['Adds `count` job slots to the owner\'s credit account (at most 64 in all); the owner pays the larger account\'s rent and gets it back at close.'],
    accounts: [acc('owner:ws'), acc('credit_account:w', creditPda), acc('system_program', { address: SYSTEM })],
    args: fields([['count', 'u8']]),
  },
  {
    name: 'lock_batch',
    docs: [
      'lock for many jobs across many credit accounts. Remaining accounts: (credit_account (w), vault) per account, each listed once.',
      'Jobs are grouped by `account` (the pair\'s index), in ascending credit-account order (the address as four little-endian u64 words, first word first). One bad job rejects the batch.',
    ],
    accounts: [acc('authority:s'), acc('config', configPda)],
    args: fields([['jobs', { vec: defined('LockBatchJob') }]]),
  },
  {
    name: 'settle_batch',
    docs: [
      'settle for many jobs. Remaining accounts: (credit_account (w), vault (w)) per account, then the workers\' token accounts (w).',
      '`account` is a pair\'s index, `provider` an index into the remaining accounts; jobs grouped by account in ascending address order.',
    ],
    accounts: [acc('operator:s'), acc('config', configPda), ...tokenAccounts()],
    args: fields([['jobs', { vec: defined('SettleBatchJob') }]]),
  },
  {
    name: 'refund_batch',
    docs: [
      'refund for many jobs. Remaining accounts: credit_account (w) per account, each listed once.',
      'Jobs grouped by `account` (the index) in ascending address order; the operator at any time, anyone for expired jobs.',
    ],
    accounts: [acc('authority:s'), acc('config', configPda)],
    args: fields([['jobs', { vec: defined('RefundBatchJob') }]]),
  },
];

const types = [
  { name: 'Tier', type: { kind: 'struct', fields: fields(tierFields) } },
  { name: 'Config', type: { kind: 'struct', fields: fields([...configBody, ['bump', 'u8'], ...configTail]) } },
  {
    name: 'CreditAccount',
    type: {
      kind: 'struct',
      fields: fields([
        ['owner', 'pubkey'],
        ['vault', 'pubkey'],
        ['locked', 'u64'],
        ['open_jobs', 'u32'],
        ['fees_accrued', 'u64'],
        ['max_credits_per_job', 'u64'],
        ['purchased', 'u64'],
        ['charged', 'u64'],
        ['withdrawn', 'u64'],
        ['created_at', 'i64'],
        ['daily_limit_credits', 'u64'],
        ['window_start', 'i64'],
        ['spent_in_window', 'u64'],
        ['promo_credits', 'u64'],
        ['promo_expires_at', 'i64'],
        ['granted', 'u64'],
        ['expired', 'u64'],
        ['rent_payer', 'pubkey'],
        ['rent_paid', 'u64'],
        ['bump', 'u8'],
        ['job_slots', { vec: defined('JobSlot') }],
      ]),
    },
  },
  {
    name: 'JobSlot',
    docs: ['One job slot of a CreditAccount: all zeros when free (expires_at 0), otherwise one job in flight.'],
    type: {
      kind: 'struct',
      fields: fields([
        ['job_id', 'u64'],
        ['tier', 'u8'],
        ['max_output_tokens', 'u32'],
        ['credits_locked', 'u64'],
        ['price', defined('Tier')],
        ['locked_at', 'i64'],
        ['expires_at', 'i64'],
      ]),
    },
  },
  {
    name: 'LockBatchJob',
    type: {
      kind: 'struct',
      fields: fields([
        ['account', 'u8'],
        ['job_id', 'u64'],
        ['tier', 'u8'],
        ['max_output_tokens', 'u32'],
      ]),
    },
  },
  {
    name: 'SettleBatchJob',
    type: {
      kind: 'struct',
      fields: fields([
        ['account', 'u8'],
        ['provider', 'u8'],
        ['job_id', 'u64'],
        ['output_tokens', 'u32'],
        ['provider_share_bps', 'u16'],
      ]),
    },
  },
  {
    name: 'RefundBatchJob',
    type: { kind: 'struct', fields: fields([['account', 'u8'], ['job_id', 'u64']]) },
  },
];

const events = {
  ConfigUpdated: [...configBody, ...configTail],
  CreditAccountOpened: [
    ['owner', 'pubkey'],
    ['credit_account', 'pubkey'],
    ['vault', 'pubkey'],
  ],
  CreditsPurchased: [
    ['credits', 'u64'],
    ['amount', 'u64'],
  ],
  JobLocked: [
    ['credit_account', 'pubkey'],
    ['job_id', 'u64'],
    ['tier', 'u8'],
    ['credits_locked', 'u64'],
    ['expires_at', 'i64'],
  ],
  JobSettled: [
    ['credit_account', 'pubkey'],
    ['job_id', 'u64'],
    ['credits_charged', 'u64'],
    ['worker_amount', 'u64'],
  ],
  JobRefunded: [
    ['credit_account', 'pubkey'],
    ['job_id', 'u64'],
    ['credits_released', 'u64'],
    ['reason', 'u8'],
  ],
  CreditsWithdrawn: [
    ['credits', 'u64'],
    ['amount', 'u64'],
  ],
  FeesCollected: [
    ['credit_account', 'pubkey'],
    ['amount', 'u64'],
  ],
  SpendingLimitSet: [
    ['max_credits_per_job', 'u64'],
    ['daily_limit_credits', 'u64'],
  ],
  CreditAccountClosed: [
    ['owner', 'pubkey'],
    ['credit_account', 'pubkey'],
  ],
  CreditsGranted: [
    ['credits', 'u64'],
    ['expires_at', 'i64'],
  ],
  PromoExpired: [
    ['credits', 'u64'],
    ['reason', 'u8'],
  ],
  JobSlotsAdded: [['job_slots', 'u8']],
};
for (const [name, list] of Object.entries(events)) {
  types.push({ name, type: { kind: 'struct', fields: fields(list) } });
}

// Must match programs/job_escrow/src/error.rs, in order from 6000.
const errors = [
  ['InvalidInstructionData', 'Instruction data is malformed or the instruction is unknown'],
  ['MissingSignature', 'A required signature is missing'],
  ['Unauthorized', 'The signer is not allowed to perform this action'],
  ['NotUpgradeAuthority', "The admin must be the program's upgrade authority"],
  ['AlreadyInitialized', 'The account is already initialized'],
  ['InvalidAccountOwner', 'The account is not owned by the expected program'],
  ['InvalidAccountData', 'The account has the wrong discriminator or size'],
  ['InvalidPda', 'The account is not the expected program-derived address'],
  ['InvalidMint', 'The mint is not the configured mint, or not an initialized mint of SPL Token or Token-2022'],
  ['InvalidTreasury', 'The treasury is not a token account of the configured mint'],
  ['InvalidVault', 'The vault is not the credit account’s ATA, or it has a delegate or close authority'],
  ['InvalidTokenProgram', 'The token program is not the owner of the configured mint'],
  ['InvalidTokenAccount', 'The token account is not an initialized account of the configured mint owned by the expected wallet'],
  ['InvalidConfigValue', 'A configuration value is out of range'],
  ['Paused', 'The program is paused'],
  ['BelowMinimumPurchase', 'The purchase is below the minimum'],
  ['InsufficientCredits', 'Not enough available credits'],
  ['SpendingLimitExceeded', "The job exceeds the owner's per-job spending limit"],
  ['InvalidTier', 'Unknown tier'],
  ['JobExpired', 'The job has expired and can only be refunded'],
  ['JobNotExpired', 'Only the operator can refund a job before it expires'],
  ['OutputExceedsMax', 'Output tokens exceed the job’s max_output_tokens'],
  ['ChargeExceedsLock', 'The charge exceeds the credits locked for the job'],
  ['ShareOutOfBounds', 'The provider share is outside the configured bounds'],
  ['ArithmeticOverflow', 'Arithmetic overflow'],
  ['CreditAccountNotEmpty', 'The credit account still holds credits, fees or open jobs'],
  ['NoPendingAdmin', 'The signer is not the nominated admin'],
  ['JobNotFound', 'No job with this id is in flight in the credit account'],
  ['JobAlreadyLocked', 'A job with this id is already in flight in the credit account'],
  ['InvalidProgramAccount', 'A program account is not the expected program'],
  ['NothingToCollect', 'There are no fees to collect'],
  ['DuplicateAccount', 'The same account was passed for two roles'],
  ['InvalidProgramData', "The account is not this program's ProgramData"],
  ['InvalidRentPayer', 'The rent payer is not the wallet that paid this rent'],
  ['ZeroAmount', 'The amount must be greater than zero'],
  ['MaxOutputTokensTooLarge', 'max_output_tokens exceeds the configured ceiling per job'],
  ['DailyLimitExceeded', "The job exceeds the owner's daily spending limit"],
  ['InvalidPromoExpiry', 'A promotional expiry must be 0 (never) or in the future'],
  ['PromoNotExpired', 'Only the owner can expire promotional credits before they expire'],
  ['NothingToExpire', 'No unspent, unlocked promotional credits to expire'],
  ['NoFreeJobSlot', 'Every job slot of the credit account is in use'],
  ['TooManyJobSlots', 'A credit account holds at most 64 job slots'],
  ['InvalidBatch', 'The batch is empty, names an account it does not list, or lists its credit accounts out of ascending order'],
  ['MintTransferFee', 'The mint has a transfer fee, or an authority that could set one'],
  ['MintPermanentDelegate', 'The mint has a permanent delegate, who could move the escrowed funds'],
  ['MintNonTransferable', 'The mint is non-transferable'],
  ['MintTransferHook', 'The mint has a transfer hook, or an authority that could set one'],
  ['MintDefaultFrozen', 'The mint freezes new token accounts by default'],
  ['MintPausable', 'The mint is pausable'],
  ['MintExtensionUnsupported', 'The mint has a Token-2022 extension this program does not accept'],
].map(([name, msg], i) => ({ code: 6000 + i, name, msg }));

const idl = {
  address: PROGRAM_ID,
  metadata: {
    name: 'job_escrow',
    version: '1.0.0',
    spec: '0.1.0',
    description: 'Escrow for prepaid compute credits',
  },
  instructions: instructions.map(({ name, ...rest }) => ({
    name,
    docs: rest.docs,
    discriminator: disc(`global:${name}`),
    accounts: rest.accounts,
    args: rest.args,
  })),
  accounts: ['Config', 'CreditAccount'].map((name) => ({ name, discriminator: disc(`account:${name}`) })),
  events: Object.keys(events).map((name) => ({ name, discriminator: disc(`event:${name}`) })),
  errors,
  types,
};

// Two outputs from one description: the JSON IDL (Anchor, Codama, anything
// that reads IDLs) and the same object as a TypeScript `as const` module, so
// the SDK's types know every instruction's account names and every error
// code as literals (a typo fails to compile). `--check` only compares.
const json = JSON.stringify(idl, null, 2) + '\n';
const ts =
  '// Generated by scripts/gen-idl.mjs from the same description as idl/job_escrow.json. Do not edit.\n' +
  `export const IDL = ${JSON.stringify(idl, null, 2)} as const;\n\nexport type JobEscrowIdl = typeof IDL;\n`;
const outputs = [
  [new URL('../idl/job_escrow.json', import.meta.url), json],
  [new URL('../sdk/src/generated/idl.ts', import.meta.url), ts],
];
if (process.argv.includes('--check')) {
  const stale = outputs.filter(([url, text]) => !existsSync(url) || readFileSync(url, 'utf8') !== text).map(([url]) => fileURLToPath(url));
  if (stale.length) {
    console.error(`stale: ${stale.join(', ')}: run node scripts/gen-idl.mjs`);
    process.exit(1);
  }
  console.log('idl: up to date');
} else {
  for (const [url, text] of outputs) {
    mkdirSync(new URL('.', url), { recursive: true });
    writeFileSync(url, text);
  }
  console.log(`idl/job_escrow.json, sdk/src/generated/idl.ts: ${idl.instructions.length} instructions, ${errors.length} errors`);
}
