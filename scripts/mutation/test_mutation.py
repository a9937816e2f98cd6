"""Unit tests of scripts/mutation (standard library only; nothing is built or
run but `mutate.py --help`). From the repository root:

    python3 -B -m unittest discover -s scripts/mutation -p 'test_*.py'
"""
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import types
import unittest

sys.dont_write_bytecode = True
SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if SCRIPTS not in sys.path:
    sys.path.insert(0, SCRIPTS)

from mutation import paths  # noqa: E402
from mutation.mutants import CLASS_OF, CLASSES, Mutant, apply  # noqa: E402
from mutation.report import counts_of, markdown, merged_markdown, merged_rows, pct, read_runs, write_report  # noqa: E402
from mutation.runner import Runner  # noqa: E402
from mutation.rust import SourceFile, mask  # noqa: E402
from mutation.samples import ci_sample, load_equivalent, select  # noqa: E402
from mutation.sites import Finder, enumerate_mutants, program_digest  # noqa: E402


def rust(text):
    """An inline snippet: dedented, line 1 is its first line."""
    return textwrap.dedent(text).lstrip('\n')


# The kinds the first site tests are about (the checks, and boundary, which
# was one of them before it applied to every comparison).
CHECK_KINDS = CLASSES['checks'] + ('boundary',)


def find(kinds=CHECK_KINDS, **files):
    """Runs the finder over inline files (keyword = path with '/' as '__' and
    '.rs' implied). Returns ({id: mutant} of the given kinds, not_mutated,
    {path: text})."""
    sources = [SourceFile(name.replace('__', '/') + '.rs', rust(text)) for name, text in files.items()]
    finder = Finder(sources)
    mutants = finder.run()
    return {m.id: m for m in mutants if m.kind in kinds}, finder.not_mutated, {s.rel: s.text for s in sources}


def mutated_line(texts, m, line=None):
    """Line `line` (default: the mutant's) of the file with the mutant applied."""
    return apply(texts[m.file], m).split('\n')[(line or m.line) - 1]


class MaskTest(unittest.TestCase):
    def test_comments_and_literals_are_blanked_offsets_kept(self):
        text = 'let a = "if x { Err(..) }"; // if y\n/* outer /* inner */ if */ let c = \'{\';\nfn f<\'a>() {}\nlet r = r#"say "hi" {"#;\n'
        code = mask(text)
        self.assertEqual(len(code), len(text))
        self.assertEqual(code.count('\n'), text.count('\n'))
        self.assertNotIn('if', code)
        self.assertNotIn('Err', code)
        self.assertNotIn('hi', code)
        self.assertIn("fn f<'a>() {}", code)  # a lifetime is not a char literal
        self.assertEqual(code.count('{'), 1)  # only fn f's body: the literals' braces are gone
        self.assertTrue(code.startswith('let a = "'))


class SiteTest(unittest.TestCase):
    """One inline snippet per kind: the ids found, and the mutated text."""

    def test_never_reject(self):
        by_id, _, texts = find(instructions__lock='''
            pub fn process_lock(a: &AccountView) -> ProgramResult {
                if !a.is_signer() {
                    return Err(JobEscrowError::MissingSignature.into());
                }
                Ok(())
            }
        ''')
        self.assertEqual(list(by_id), ['instructions/lock.rs:2:never-reject'])
        m = by_id['instructions/lock.rs:2:never-reject']
        self.assertEqual((m.kind, m.fn, m.error, m.tags), ('never-reject', 'process_lock', 'MissingSignature', ['signer']))
        self.assertEqual(m.old, '!a.is_signer()')
        self.assertEqual(m.description, 'lock: never rejects `!a.is_signer()` (MissingSignature)')
        self.assertEqual(mutated_line(texts, m), '    if (!a.is_signer()) && false {')

    def test_drop_or_numbered_per_line_and_boundary(self):
        by_id, _, texts = find(instructions__lock='''
            pub fn process_lock(n: u64) -> ProgramResult {
                if n == 0 || now()? > n {
                    return Err(JobEscrowError::InvalidInstructionData.into());
                }
                Ok(())
            }
        ''')
        self.assertEqual(sorted(by_id), ['instructions/lock.rs:2:boundary', 'instructions/lock.rs:2:drop-or-1',
                                         'instructions/lock.rs:2:drop-or-2'])
        self.assertEqual(mutated_line(texts, by_id['instructions/lock.rs:2:drop-or-1']), '    if false || now()? > n {')
        # an operand with `?` keeps its call (and its error)
        self.assertEqual(mutated_line(texts, by_id['instructions/lock.rs:2:drop-or-2']),
                         '    if n == 0 || ((now()? > n) && false) {')
        self.assertEqual(mutated_line(texts, by_id['instructions/lock.rs:2:boundary']), '    if n == 0 || now()? >= n {')
        self.assertEqual(by_id['instructions/lock.rs:2:drop-or-1'].tags, ['data'])

    def test_force_and(self):
        by_id, _, texts = find(instructions__grant='''
            pub fn process_grant(n: u64) -> ProgramResult {
                if n != 0 && n <= now()? {
                    return Err(JobEscrowError::InvalidPromoExpiry.into());
                }
                Ok(())
            }
        ''')
        self.assertEqual(sorted(by_id), ['instructions/grant.rs:2:boundary', 'instructions/grant.rs:2:force-and-1',
                                         'instructions/grant.rs:2:force-and-2', 'instructions/grant.rs:2:never-reject'])
        self.assertEqual(mutated_line(texts, by_id['instructions/grant.rs:2:force-and-1']), '    if true && n <= now()? {')
        self.assertEqual(mutated_line(texts, by_id['instructions/grant.rs:2:force-and-2']),
                         '    if n != 0 && { let _ = n <= now()?; true } {')
        self.assertEqual(mutated_line(texts, by_id['instructions/grant.rs:2:boundary']), '    if n != 0 && n < now()? {')
        self.assertIn('rejects more', by_id['instructions/grant.rs:2:force-and-1'].description)

    def test_boundary_in_a_let_the_condition_reads_and_not_against_zero(self):
        by_id, _, texts = find(instructions__settle='''
            pub fn process_settle(n: u64, limit: u64) -> ProgramResult {
                let over = n > limit;
                if over {
                    return Err(JobEscrowError::InvalidConfigValue.into());
                }
                if n > 0 {
                    return Err(JobEscrowError::ZeroAmount.into());
                }
                Ok(())
            }
        ''')
        self.assertEqual(sorted(by_id), ['instructions/settle.rs:2:boundary', 'instructions/settle.rs:3:never-reject',
                                         'instructions/settle.rs:6:never-reject'])
        m = by_id['instructions/settle.rs:2:boundary']
        self.assertEqual(mutated_line(texts, m), '    let over = n >= limit;')
        self.assertEqual(m.description, 'settle: `>` -> `>=` in `let over = n > limit` read by `over` (InvalidConfigValue)')
        self.assertEqual(m.tags, ['config'])

    def test_always_accept_and_skip_call(self):
        helper = '''
            pub fn require_key(view: &AccountView, expected: &Address, error: JobEscrowError) -> Result<(), ProgramError> {
                if view.address() == expected {
                    Ok(())
                } else {
                    Err(error.into())
                }
            }
        '''
        two_calls = '''
            pub fn process_lock(a: &AccountView, b: &AccountView, c: &Config) -> ProgramResult {
                require_key(a, &c.admin, JobEscrowError::Unauthorized)?;
                require_key(b, &TOKEN_PROGRAM_ID, JobEscrowError::InvalidTokenProgram)?;
                Ok(())
            }
        '''
        by_id, _, texts = find(instructions__shared__mod=helper, instructions__lock=two_calls)
        self.assertEqual(sorted(by_id), ['instructions/lock.rs:2:skip-call', 'instructions/lock.rs:3:skip-call',
                                         'instructions/shared/mod.rs:2:always-accept'])
        m = by_id['instructions/shared/mod.rs:2:always-accept']
        self.assertEqual((m.new, m.fn, m.error, m.tags), ('true', 'require_key', 'error', ['authority']))
        self.assertEqual(m.description, 'require_key: always Ok (`view.address() == expected` is never tested; error never returned)')
        self.assertEqual(mutated_line(texts, m), '    if true {')
        skip = by_id['instructions/lock.rs:2:skip-call']
        self.assertEqual((skip.old, skip.new, skip.error, skip.tags),
                         ('    require_key(a, &c.admin, JobEscrowError::Unauthorized)?;\n', '', 'Unauthorized', ['authority']))
        self.assertEqual(skip.description, 'lock: `require_key(a, &c.admin, JobEscrowError::Unauthorized)?;` removed')
        self.assertEqual(apply(texts['instructions/lock.rs'], skip).split('\n')[1:3],
                         ['    require_key(b, &TOKEN_PROGRAM_ID, JobEscrowError::InvalidTokenProgram)?;', '    Ok(())'])
        self.assertEqual(by_id['instructions/lock.rs:3:skip-call'].tags, ['token'])

        # a helper with one call site: its own checks are mutated, the call is kept
        one_call = two_calls.replace('                require_key(b, &TOKEN_PROGRAM_ID, JobEscrowError::InvalidTokenProgram)?;\n', '')
        by_id, _, _ = find(instructions__shared__mod=helper, instructions__lock=one_call)
        self.assertEqual(sorted(by_id), ['instructions/shared/mod.rs:2:always-accept'])

    def test_drop_and(self):
        by_id, _, texts = find(state__token='''
            pub fn check_mint(view: &AccountView) -> Result<(), ProgramError> {
                let ok = view.owned_by(&TOKEN_PROGRAM_ID)
                    && view.data_len() == LEN;
                if ok {
                    Ok(())
                } else {
                    Err(JobEscrowError::InvalidMint.into())
                }
            }
        ''')
        self.assertEqual(sorted(by_id), ['state/token.rs:2:drop-and', 'state/token.rs:3:drop-and'])
        self.assertEqual(mutated_line(texts, by_id['state/token.rs:2:drop-and']), '    let ok = true')
        self.assertEqual(mutated_line(texts, by_id['state/token.rs:3:drop-and']), '        && true;')
        self.assertEqual(by_id['state/token.rs:2:drop-and'].tags, ['owner', 'token'])
        self.assertEqual(by_id['state/token.rs:3:drop-and'].description,
                         'check_mint: drops `view.data_len() == LEN` from `ok` (InvalidMint)')

    def test_skip_load(self):
        by_id, _, texts = find(instructions__lock='''
            pub fn process_lock(config_view: &AccountView, credit_view: &AccountView, vault: &AccountView) -> ProgramResult {
                let config = load::<Config>(config_view)?;
                let credit = load_mut::<CreditAccount>(credit_view)?;
                let token = load_vault(vault, &credit.vault)?;
                Ok(())
            }
        ''')
        self.assertEqual(sorted(by_id), ['instructions/lock.rs:2:skip-load', 'instructions/lock.rs:3:skip-load',
                                         'instructions/lock.rs:4:skip-load'])
        self.assertEqual(mutated_line(texts, by_id['instructions/lock.rs:2:skip-load']),
                         '    let config = (unsafe { &*(config_view.borrow_unchecked().as_ptr() as *const Config) });')
        self.assertEqual(mutated_line(texts, by_id['instructions/lock.rs:3:skip-load']),
                         '    let credit = (unsafe { &mut *(credit_view.data_ptr() as *mut CreditAccount) });')
        self.assertEqual(mutated_line(texts, by_id['instructions/lock.rs:4:skip-load']),
                         '    let token = (unsafe { &*(vault.borrow_unchecked().as_ptr() as *const crate::state::TokenAccount) });')
        self.assertEqual(by_id['instructions/lock.rs:4:skip-load'].tags, ['load'])
        self.assertIn('read without its address, token-program owner', by_id['instructions/lock.rs:4:skip-load'].description)

    def test_skip_token_checks(self):
        # The Config's mint and token program checked at a call site, and
        # Token's loaders, in expression and statement form.
        by_id, _, texts = find(instructions__collect='''
            pub fn process_collect(config: &Config, mint: &AccountView, token_program: &AccountView, vault: &AccountView) -> ProgramResult {
                let token = TokenAccounts { mint, token_program }.check(config)?;
                let amount = token.vault(vault, &credit.vault, credit_view.address())?.amount();
                token.vault(vault, &credit.vault, credit_view.address())?;
                Ok(())
            }
            pub fn other(token: &Token, vault: &AccountView) -> ProgramResult {
                token.vault(vault, &a, &b)?;
                Ok(())
            }
        ''')
        self.assertEqual(mutated_line(texts, by_id['instructions/collect.rs:2:skip-load']),
                         '    let token = crate::instructions::shared::Token { mint, program: token_program.address(), decimals: config.decimals };')
        self.assertEqual(by_id['instructions/collect.rs:2:skip-load'].tags, ['load', 'token'])
        self.assertEqual(mutated_line(texts, by_id['instructions/collect.rs:3:skip-load']),
                         '    let amount = (unsafe { &*(vault.borrow_unchecked().as_ptr() as *const crate::state::TokenAccount) }).amount();')
        self.assertIn('instructions/collect.rs:4:skip-call', by_id)
        self.assertEqual(by_id['instructions/collect.rs:4:skip-call'].tags, ['token'])

    def test_wrapping(self):
        by_id, not_mutated, texts = find(math='''
            pub fn sum(a: u64, b: u64) -> Result<u64, ProgramError> {
                let s = a.checked_add(b).ok_or(JobEscrowError::ArithmeticOverflow)?;
                let d = a.checked_sub(b);
                a.checked_mul(b).ok_or(JobEscrowError::ArithmeticOverflow.into())
            }
        ''')
        self.assertEqual(sorted(by_id), ['math.rs:2:wrapping', 'math.rs:3:wrapping', 'math.rs:4:wrapping'])
        self.assertEqual(mutated_line(texts, by_id['math.rs:2:wrapping']), '    let s = a.wrapping_add(b);')
        self.assertEqual(mutated_line(texts, by_id['math.rs:3:wrapping']), '    let d = Some(a.wrapping_sub(b));')
        self.assertEqual(mutated_line(texts, by_id['math.rs:4:wrapping']), '    Ok(a.wrapping_mul(b))')
        self.assertEqual({m.tags[0] for m in by_id.values()}, {'arithmetic'})
        self.assertEqual(not_mutated, [])  # the ok_or's belong to the wrapping mutants

    def test_math_site(self):
        call = '''
            pub fn process_lock(a: u64, b: u64) -> ProgramResult {
                let t = math::add(a, b)?;
                let u = crate::math::mul(a + 1, b)?;
                Ok(())
            }
        '''
        by_id, _, texts = find(instructions__lock=call)
        self.assertEqual(sorted(by_id), ['instructions/lock.rs:2:math-site', 'instructions/lock.rs:3:math-site'])
        self.assertEqual(mutated_line(texts, by_id['instructions/lock.rs:2:math-site']), '    let t = a.wrapping_add(b);')
        self.assertEqual(mutated_line(texts, by_id['instructions/lock.rs:3:math-site']), '    let u = (a + 1).wrapping_mul(b);')
        self.assertEqual(by_id['instructions/lock.rs:2:math-site'].error, 'ArithmeticOverflow')
        # math.rs's own calls are not math sites
        by_id, _, _ = find(math=call)
        self.assertEqual(by_id, {})

    def test_lookup_fallback(self):
        by_id, _, texts = find(instructions__lock='''
            pub fn process_lock(prices: &[u64], i: usize) -> ProgramResult {
                let p = prices.get(i).ok_or(JobEscrowError::InvalidInstructionData)?;
                Ok(())
            }
        ''')
        m = by_id['instructions/lock.rs:2:lookup-fallback']
        self.assertEqual(list(by_id), [m.id])
        self.assertEqual((m.old, m.new, m.error), ('.get(i)', '.get(i).or(prices.first())', 'InvalidInstructionData'))
        self.assertEqual(mutated_line(texts, m),
                         '    let p = prices.get(i).or(prices.first()).ok_or(JobEscrowError::InvalidInstructionData)?;')

    def test_catch_all(self):
        by_id, not_mutated, texts = find(entrypoint='''
            pub fn process_instruction(d: u8) -> ProgramResult {
                match d {
                    0 => process_lock(),
                    _ => Err(JobEscrowError::InvalidInstructionData.into()),
                }
            }

            fn unpack(v: Option<u8>) -> Result<u8, ProgramError> {
                match v {
                    Some(x) => Ok(x),
                    _ => Err(ProgramError::InvalidArgument),
                }
            }
        ''')
        self.assertEqual(list(by_id), ['entrypoint.rs:4:catch-all'])
        m = by_id['entrypoint.rs:4:catch-all']
        self.assertEqual(mutated_line(texts, m), '        _ => process_lock(),')
        self.assertEqual(m.description, 'process_instruction: `_ => Err(JobEscrowError::InvalidInstructionData.into())` '
                                        'becomes `_ => process_lock()`')
        # the previous arm binds `x`: there is no accepting body to copy
        self.assertEqual([(f, ln, why.split(':')[0]) for f, ln, _, why in not_mutated], [('entrypoint.rs', 11, 'catch-all arm')])

    def test_test_and_host_only_code_comments_and_strings_are_skipped(self):
        by_id, not_mutated, _ = find(instructions__lock='''
            // if n == 0 { return Err(JobEscrowError::ZeroAmount.into()); }
            pub fn process_lock(n: u64) -> ProgramResult {
                let s = "if n > 1 { return Err(JobEscrowError::ZeroAmount.into()); }";
                Ok(())
            }

            #[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
            pub fn stand_in(n: u64) -> Result<(), ProgramError> {
                if n == 0 {
                    return Err(ProgramError::InvalidArgument);
                }
                Ok(())
            }

            #[cfg(test)]
            mod tests {
                fn t(n: u64) -> Result<(), ProgramError> {
                    if n == 0 {
                        return Err(ProgramError::InvalidArgument);
                    }
                    Ok(())
                }
            }
        ''')
        self.assertEqual(by_id, {})
        self.assertEqual([(f, ln, why) for f, ln, _, why in not_mutated],
                         [('instructions/lock.rs', 7, 'host-only stand-in (cfg not solana/bpf)'),
                          ('instructions/lock.rs', 15, 'test-only (#[cfg(test)])')])

    def test_found_but_not_mutated(self):
        _, not_mutated, _ = find(instructions__lock='''
            pub fn process_lock(accounts: &[AccountView], a: u64, b: u64) -> ProgramResult {
                let [payer, ..] = accounts else {
                    return Err(ProgramError::NotEnoughAccountKeys);
                };
                let r = a.saturating_sub(b);
                let first = accounts.first().ok_or(ProgramError::NotEnoughAccountKeys)?;
                Ok(())
            }
        ''')
        self.assertEqual([(ln, what) for _, ln, what, _ in not_mutated],
                         [(2, 'let [payer, ..] = accounts else { return Err }'),
                          (6, 'accounts.first().ok_or(ProgramError::NotEnoughAccountKeys)'),
                          (5, 'a.saturating_sub(b)')])

    def test_mutants_sorted_by_file_then_position_and_row_fields(self):
        by_id, _, _ = find(b='''
            fn f(n: u64) -> Result<(), ProgramError> {
                if n == 0 { return Err(ProgramError::InvalidArgument); }
                Ok(())
            }
        ''', a='''
            fn g(n: u64) -> Result<u64, ProgramError> {
                n.checked_add(1).ok_or(ProgramError::InvalidArgument)
            }
        ''')
        self.assertEqual(list(by_id), ['a.rs:2:wrapping', 'b.rs:2:never-reject'])
        row = by_id['a.rs:2:wrapping'].row()
        self.assertEqual(list(row), ['id', 'kind', 'file', 'line', 'fn', 'description', 'error', 'tags', 'old', 'new', 'start', 'end'])


class EffectAndBoundTest(unittest.TestCase):
    """The effect and bound kinds, one snippet each."""

    LAYOUT = """
        #[repr(C)]
        pub struct Account {
            pub owner: Address,
            spent: [u8; 8],
            paused: u8,
        }

        impl Account {
            le_fields! {
                spent, set_spent: u64;
            }

            pub fn set_paused(&mut self, paused: bool) {
                self.paused = u8::from(paused);
            }

            pub fn spend(&mut self, credits: u64, limit: u64) -> Result<(), JobEscrowError> {
                let spent = math::add(self.spent(), credits)?;
                if spent > limit {
                    return Err(JobEscrowError::DailyLimitExceeded);
                }
                self.set_spent(spent);
                Ok(())
            }
        }
    """

    def test_every_comparison_gets_boundary_and_off_by_one(self):
        by_id, _, texts = find(kinds=('boundary', 'off-by-one'), state__credit='''
            pub fn spend_promo(&mut self, promo: u64, charged: u64) {
                if promo <= charged {
                    self.clear();
                }
                let late = now >= self.end();
                let ok = tiers.iter().all(|c| c.cost() < MAX);
                if promo > 0 && charged >= 0 {
                    self.clear();
                }
            }
        ''')
        self.assertEqual(sorted(by_id), ['state/credit.rs:2:boundary', 'state/credit.rs:2:off-by-one',
                                         'state/credit.rs:5:boundary', 'state/credit.rs:5:off-by-one',
                                         'state/credit.rs:6:boundary', 'state/credit.rs:6:off-by-one',
                                         'state/credit.rs:7:boundary', 'state/credit.rs:7:off-by-one'])
        line = lambda i: mutated_line(texts, by_id[i]).strip()  # noqa: E731
        self.assertEqual(line('state/credit.rs:2:boundary'), 'if promo < charged {')
        self.assertEqual(line('state/credit.rs:2:off-by-one'), 'if promo <= charged + 1 {')
        self.assertEqual(line('state/credit.rs:5:off-by-one'), 'let late = now >= self.end() - 1;')
        self.assertEqual(line('state/credit.rs:6:off-by-one'), 'let ok = tiers.iter().all(|c| c.cost() < MAX - 1);')
        # `x > 0` -> `x >= 0` is always true (not made); `x > 0 + 1` is; `x >= 0 - 1` does not build (not made)
        self.assertEqual(line('state/credit.rs:7:off-by-one'), 'if promo > 0 + 1 && charged >= 0 {')
        self.assertEqual(line('state/credit.rs:7:boundary'), 'if promo > 0 && charged > 0 {')
        self.assertEqual(by_id['state/credit.rs:2:off-by-one'].description,
                         'spend_promo: `promo <= charged` -> `promo <= charged + 1`')

    def test_a_rejecting_comparison_keeps_its_error_and_shift_wraps_a_compound_side(self):
        by_id, _, texts = find(kinds=('boundary', 'off-by-one'), state__credit=self.LAYOUT)
        self.assertEqual(sorted(by_id), ['state/credit.rs:19:boundary', 'state/credit.rs:19:off-by-one'])
        self.assertEqual(mutated_line(texts, by_id['state/credit.rs:19:off-by-one']).strip(), 'if spent > limit + 1 {')
        self.assertEqual(by_id['state/credit.rs:19:boundary'].error, 'DailyLimitExceeded')
        by_id, _, texts = find(kinds=('off-by-one',), a='''
            fn f(a: u64, b: u64) -> bool {
                a < b * 2 as u64
            }
        ''')
        self.assertEqual(mutated_line(texts, by_id['a.rs:2:off-by-one']).strip(), 'a < (b * 2 as u64) - 1')

    def test_constants_up_and_down_but_layout_sizes_and_below_zero(self):
        by_id, not_mutated, texts = find(kinds=('const-up', 'const-down'), state__config='''
            pub const MAX_JOB_CREDITS: u64 = 1_000_000;
            pub const REASON_FAILED: u8 = 0;
            pub const TIER_COUNT: usize = 4;
            pub const SEED: &[u8] = b"config";
            pub struct Config { pub tiers: [Tier; TIER_COUNT] }
            impl Tier {
                pub const LEN: usize = 20;
            }
            impl Other {
                pub const LEN: usize = 7;
            }
            const _: () = assert!(core::mem::size_of::<Tier>() == Tier::LEN);
        ''')
        self.assertEqual(sorted(by_id), ['state/config.rs:10:const-down', 'state/config.rs:10:const-up',
                                         'state/config.rs:1:const-down', 'state/config.rs:1:const-up',
                                         'state/config.rs:2:const-up'])
        self.assertEqual(mutated_line(texts, by_id['state/config.rs:1:const-up']), 'pub const MAX_JOB_CREDITS: u64 = 1_000_000 + 1;')
        self.assertEqual(mutated_line(texts, by_id['state/config.rs:1:const-down']), 'pub const MAX_JOB_CREDITS: u64 = 1_000_000 - 1;')
        self.assertEqual(by_id['state/config.rs:2:const-up'].description, '`REASON_FAILED` = 0 + 1')
        self.assertEqual([(ln, why.split(':')[0]) for _, ln, _, why in not_mutated],
                         [(3, 'a layout size'), (7, 'a layout size')])

    def test_stores_a_constant_or_nothing(self):
        by_id, _, texts = find(kinds=('store-const', 'skip-store'), state__credit=self.LAYOUT, instructions__lock='''
            pub fn process_lock(credit: &mut Account, config: &mut Config, owner: &AccountView) -> ProgramResult {
                credit.set_spent(math::add(credit.spent(), 1)?);
                credit.set_spent(0);
                credit.owner = *owner.address();
                config.set_paused(true);
                let x = credit.set_spent(5);
                Ok(())
            }
        ''')
        self.assertEqual(sorted(by_id), ['instructions/lock.rs:2:skip-store', 'instructions/lock.rs:2:store-const',
                                         'instructions/lock.rs:3:skip-store', 'instructions/lock.rs:3:store-const',
                                         'instructions/lock.rs:4:skip-store', 'instructions/lock.rs:4:store-const',
                                         'instructions/lock.rs:5:skip-store', 'instructions/lock.rs:5:store-const',
                                         'instructions/lock.rs:6:store-const',
                                         'state/credit.rs:22:skip-store', 'state/credit.rs:22:store-const'])
        line = lambda i: mutated_line(texts, by_id[i]).strip()  # noqa: E731
        # the `?` of the value is kept: its error still returns
        self.assertEqual(line('instructions/lock.rs:2:store-const'), 'credit.set_spent({ let _ = math::add(credit.spent(), 1)?; 0 });')
        self.assertEqual(line('instructions/lock.rs:3:store-const'), 'credit.set_spent(1);')
        self.assertEqual(line('instructions/lock.rs:4:store-const'), 'credit.owner = Default::default();')
        self.assertEqual(line('instructions/lock.rs:5:store-const'), 'config.set_paused(false);')
        m = by_id['instructions/lock.rs:4:skip-store']
        self.assertEqual((m.old, m.new, m.tags), ('    credit.owner = *owner.address();\n', '', ['store']))
        self.assertEqual(m.description, 'lock: `credit.owner = *owner.address()` not stored')
        self.assertEqual(by_id['instructions/lock.rs:2:skip-store'].description,
                         'lock: `credit.set_spent(math::add(credit.spent(), 1)?)` not stored')
        # `self.paused = ..` inside set_paused is the setter itself: its callers are mutated

    def test_updates_deleted(self):
        by_id, _, texts = find(kinds=('skip-update',), state__credit=self.LAYOUT, instructions__lock='''
            pub fn process_lock(credit: &mut Account, x: Option<u8>) -> ProgramResult {
                credit.spend(5, 10)?;
                let mut unseen = 3;
                unseen = unseen.saturating_sub(1);
                total += 2;
                let current = None;
                current = Some(1);
                let y = match x {
                    None => None,
                    Some(v) => Some(v),
                };
                Ok(())
            }
        ''')
        self.assertEqual(sorted(by_id), ['instructions/lock.rs:2:skip-update', 'instructions/lock.rs:4:skip-update',
                                         'instructions/lock.rs:5:skip-update'])
        self.assertEqual(by_id['instructions/lock.rs:2:skip-update'].old, '    credit.spend(5, 10)?;\n')
        self.assertEqual(by_id['instructions/lock.rs:4:skip-update'].description,
                         'lock: `unseen = unseen.saturating_sub(1)` not done')
        self.assertEqual(apply(texts['instructions/lock.rs'], by_id['instructions/lock.rs:5:skip-update']).split('\n')[4],
                         '    let current = None;')

    def test_operands_zeroed_and_swapped(self):
        by_id, _, texts = find(kinds=('operand-zero', 'operand-swap'), instructions__settle='''
            pub fn process_settle(amount: u64, worker: u64, n: u32) -> ProgramResult {
                let fee = math::sub(amount, worker)?;
                let total = crate::math::add(fee, 0)?;
                let left = n.checked_sub(1).ok_or(JobEscrowError::ArithmeticOverflow)?;
                let rest = amount.saturating_sub(worker);
                Ok(())
            }
        ''', math='''
            pub fn sub(a: u64, b: u64) -> Result<u64, JobEscrowError> {
                a.checked_sub(b).ok_or(JobEscrowError::ArithmeticOverflow)
            }
            pub fn mul_div_floor(a: u64, b: u64, d: u64) -> Result<u64, JobEscrowError> {
                let (q, r) = div_rem(a, d)?;
                add(mul(q, b)?, 0)
            }
        ''')
        line = lambda i: mutated_line(texts, by_id[i]).strip()  # noqa: E731
        self.assertEqual(line('instructions/settle.rs:2:operand-zero-1'), 'let fee = math::sub(0, worker)?;')
        self.assertEqual(line('instructions/settle.rs:2:operand-zero-2'), 'let fee = math::sub(amount, 0)?;')
        self.assertEqual(line('instructions/settle.rs:2:operand-swap'), 'let fee = math::sub(worker, amount)?;')
        # an operand already 0 is not zeroed; add is not swapped (same sum)
        self.assertEqual(line('instructions/settle.rs:3:operand-zero'), 'let total = crate::math::add(0, 0)?;')
        self.assertNotIn('instructions/settle.rs:3:operand-swap', by_id)
        # a literal argument is not swapped into the receiver (`1.checked_sub(n)` has no integer type)
        self.assertEqual(line('instructions/settle.rs:4:operand-zero'),
                         'let left = n.checked_sub(0).ok_or(JobEscrowError::ArithmeticOverflow)?;')
        self.assertNotIn('instructions/settle.rs:4:operand-swap', by_id)
        self.assertEqual(line('instructions/settle.rs:5:operand-swap'), 'let rest = worker.saturating_sub(amount);')
        # inside math.rs its own functions are called bare; a definition is not a call
        self.assertEqual(line('math.rs:5:operand-swap'), 'let (q, r) = div_rem(d, a)?;')
        self.assertEqual(line('math.rs:6:operand-zero-1'), 'add({ let _ = mul(q, b)?; 0 }, 0)')
        self.assertEqual(sorted(i for i in by_id if i.startswith('math.rs')),
                         ['math.rs:2:operand-swap', 'math.rs:2:operand-zero', 'math.rs:5:operand-swap', 'math.rs:5:operand-zero-1',
                          'math.rs:5:operand-zero-2', 'math.rs:6:operand-zero-1', 'math.rs:6:operand-zero-2', 'math.rs:6:operand-zero-3'])

    def test_branches_forced_each_way_and_match_guards(self):
        by_id, _, texts = find(kinds=CHECK_KINDS + ('branch-true', 'branch-false'), instructions__open='''
            pub fn process_open(data: u8, view: &AccountView) -> ProgramResult {
                let n = match data {
                    0 => 16,
                    n if n <= MAX => n,
                    _ => return Err(JobEscrowError::TooManyJobSlots.into()),
                };
                let kind = if view.is_writable() { 1 } else { 2 };
                if view.owned_by(&crate::ID) {
                    return Err(JobEscrowError::AlreadyInitialized.into());
                }
                if reader.bool()? {
                    return Ok(());
                }
                match data {
                    k if k > n => return Err(JobEscrowError::InvalidBatch.into()),
                    _ => {}
                }
                Ok(())
            }
        ''')
        self.assertEqual(sorted(by_id), sorted([
            'instructions/open.rs:4:boundary', 'instructions/open.rs:4:branch-true', 'instructions/open.rs:4:branch-false',
            'instructions/open.rs:7:branch-true', 'instructions/open.rs:7:branch-false', 'instructions/open.rs:8:never-reject',
            'instructions/open.rs:11:branch-true', 'instructions/open.rs:11:branch-false',
            'instructions/open.rs:15:never-reject', 'instructions/open.rs:15:boundary']))
        line = lambda i: mutated_line(texts, by_id[i]).strip()  # noqa: E731
        # a guard's condition ends at `=>` (not at the next `{`, which is another statement's)
        self.assertEqual(line('instructions/open.rs:4:branch-true'), 'n if true => n,')
        self.assertEqual(line('instructions/open.rs:4:branch-false'), 'n if false => n,')
        self.assertEqual(line('instructions/open.rs:7:branch-true'), 'let kind = if true { 1 } else { 2 };')
        self.assertEqual(line('instructions/open.rs:8:never-reject'), 'if (view.owned_by(&crate::ID)) && false {')
        self.assertEqual(line('instructions/open.rs:11:branch-false'), 'if { let _ = reader.bool()?; false } {')
        # a guard whose arm rejects is a check
        self.assertEqual(line('instructions/open.rs:15:never-reject'), 'k if (k > n) && false => return Err(JobEscrowError::InvalidBatch.into()),')
        self.assertEqual(by_id['instructions/open.rs:15:never-reject'].error, 'InvalidBatch')
        self.assertEqual(by_id['instructions/open.rs:4:branch-true'].description, 'open: `n <= MAX` forced true')

    def test_every_kind_has_a_class_and_a_docstring_line(self):
        import mutation
        mutants, _, _ = enumerate_mutants()
        kinds = {m.kind for m in mutants}
        self.assertEqual(set(CLASS_OF), kinds)  # every kind has a class, and each is made on today's program
        for kind in CLASS_OF:
            self.assertRegex(mutation.__doc__, r'\n  ' + re.escape(kind) + r' ')
        # no mutant in test-only code (state/layout_docs.rs is `#[cfg(test)] mod layout_docs;`)
        self.assertFalse([m.id for m in mutants if m.file == 'state/layout_docs.rs'])

    def test_the_four_survivors_of_the_issue_are_mutants(self):
        """Issue 32's hand-made survivors, each a mutant of the tool."""
        mutants, _, sources = enumerate_mutants()
        made = {(m.file, m.kind, apply(sources[m.file], m).split('\n')[m.line - 1].strip()) for m in mutants}
        for want in [('state/credit_account.rs', 'off-by-one', 'if spent > limit + 1 {'),
                     ('state/config.rs', 'const-up', 'pub const MAX_JOB_CREDITS: u64 = 1_000_000 + 1;'),
                     ('state/config.rs', 'off-by-one',
                      'ok = ok && tier.cost(ceiling).is_ok_and(|credits| credits <= MAX_JOB_CREDITS + 1);'),
                     ('state/credit_account.rs', 'boundary', 'if promo < charged {')]:
            self.assertIn(want, made)
        skip = [m for m in mutants if m.kind == 'skip-store' and 'set_locked_at(now)' in m.old]
        self.assertEqual(len(skip), 1)


def mutant(id, kind='never-reject', tags=(), error='', fn='f', old='x', description='d'):
    return Mutant(id=id, kind=kind, file=id.split(':')[0], line=int(id.split(':')[1]), fn=fn, description=description,
                  old=old, new='y', error=error, tags=list(tags))


class SampleTest(unittest.TestCase):
    MUTANTS = [
        mutant('a.rs:1:never-reject', tags=['signer']),
        mutant('a.rs:2:drop-or-1', kind='drop-or', tags=['owner', 'token'], old='!v.owned_by(&ID)'),
        mutant('a.rs:3:skip-call', kind='skip-call', tags=['authority'], error='Unauthorized'),
        mutant('a.rs:4:skip-call', kind='skip-call', tags=['token'], error='InvalidMint'),
        mutant('b.rs:1:always-accept', kind='always-accept', fn='require_key'),
        mutant('b.rs:2:always-accept', kind='always-accept', fn='Config::require_key'),
        mutant('c.rs:5:wrapping', kind='wrapping', tags=['arithmetic'], old='a.checked_sub(b)'),
        mutant('c.rs:6:wrapping', kind='wrapping', tags=['arithmetic'], old='a.checked_add(b)'),
        mutant('c.rs:7:never-reject', description='settle: never rejects `now > expires_at`'),
    ]

    def test_ci_sample_picks_in_listing_order(self):
        picks = [('c.rs', 'never-reject', 'expires_at'), ('c.rs', 'wrapping', 'checked_sub'), ('a.rs', 'drop-or', 'owned_by')]
        chosen = [m.id for m in ci_sample(self.MUTANTS, picks)]
        self.assertEqual(chosen, ['a.rs:2:drop-or-1', 'c.rs:5:wrapping', 'c.rs:7:never-reject'])

    def test_ci_sample_entry_matching_no_mutant_or_several_is_an_error(self):
        with self.assertRaises(SystemExit) as cm:
            ci_sample(self.MUTANTS, [('c.rs', 'wrapping', 'checked_mul')])
        self.assertEqual(str(cm.exception), 'mutate.py: CI sample entry (c.rs, wrapping, checked_mul) matches no mutant: '
                                            'update CI_SAMPLE')
        with self.assertRaises(SystemExit) as cm:
            ci_sample(self.MUTANTS, [('c.rs', 'wrapping', 'checked_')])
        self.assertEqual(str(cm.exception), 'mutate.py: CI sample entry (c.rs, wrapping, checked_) matches 2 mutants: '
                                            'update CI_SAMPLE')

    def test_select(self):
        chosen, selection = select(self.MUTANTS, only=['c.rs:6:wrapping', 'a.rs:', 'a.rs:1:never-reject'])
        self.assertEqual([m.id for m in chosen], ['c.rs:6:wrapping', 'a.rs:1:never-reject', 'a.rs:2:drop-or-1',
                                                  'a.rs:3:skip-call', 'a.rs:4:skip-call'])
        self.assertEqual(selection, 'only c.rs:6:wrapping a.rs: a.rs:1:never-reject')
        with self.assertRaises(SystemExit) as cm:
            select(self.MUTANTS, only=['a.rs'])  # a prefix must end in ':'
        self.assertEqual(str(cm.exception), 'mutate.py: no mutant a.rs (see --list)')
        self.assertEqual(select(self.MUTANTS)[1], 'all')
        chosen, selection = select(self.MUTANTS, only=['a.rs:'], kinds=['skip-call', 'bounds'])
        self.assertEqual(([m.id for m in chosen], selection), (['a.rs:3:skip-call', 'a.rs:4:skip-call'], 'only a.rs:, kind skip-call bounds'))
        self.assertEqual([m.id for m in select(self.MUTANTS, kinds=['checks'])[0]], [m.id for m in self.MUTANTS])
        with self.assertRaises(SystemExit) as cm:
            select(self.MUTANTS, kinds=['effect'])
        self.assertEqual(str(cm.exception), 'mutate.py: no kind or class effect (see --help)')
        self.assertEqual(len(select(self.MUTANTS)[0]), len(self.MUTANTS))

    def test_ci_sample_of_the_real_program(self):
        """Parsing only (about 1 s): every CI_SAMPLE entry matches one mutant; every
        kind is sampled once, the four survivors of issue 32 among them."""
        mutants, _, sources = enumerate_mutants()
        chosen = ci_sample(mutants)
        self.assertEqual(select(mutants, sample='ci'), (chosen, 'sample ci'))
        self.assertEqual({m.kind for m in chosen}, set(CLASS_OF))
        self.assertEqual(len(chosen), len(CLASS_OF))  # one of each kind: about 29 s each
        lines = {apply(sources[m.file], m).split('\n')[m.line - 1].strip() for m in chosen}
        self.assertTrue({'if spent > limit + 1 {', 'if promo < charged {', 'pub const MAX_JOB_CREDITS: u64 = 1_000_000 + 1;'} <= lines)
        self.assertTrue(any(m.kind == 'skip-store' and 'set_locked_at(now)' in m.old for m in chosen))
        # no equivalent mutant (it would not run)
        self.assertFalse({m.id for m in chosen} & set(load_equivalent(mutants)))


class EquivalentTest(unittest.TestCase):
    def load(self, data, mutants):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'eq.json')
            with open(path, 'w') as fh:
                json.dump(data, fh)
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                eq = load_equivalent(mutants, path)
            return eq, err.getvalue(), os.path.relpath(path, paths.ROOT)

    def test_loads_ids_and_reasons_and_warns_about_stale_ids(self):
        mutants = [mutant('a.rs:1:never-reject'), mutant('a.rs:2:boundary', kind='boundary')]
        eq, err, rel = self.load({'criterion': '..', 'equivalent': [
            {'id': 'a.rs:2:boundary', 'reason': 'same either way'},
            {'id': 'a.rs:9:wrapping', 'reason': 'gone'},
        ]}, mutants)
        self.assertEqual(eq, {'a.rs:2:boundary': 'same either way', 'a.rs:9:wrapping': 'gone'})
        self.assertEqual(err, f'warning: {rel} names a.rs:9:wrapping, which is no longer a mutant\n')

    def test_no_warning_when_all_ids_are_mutants_and_empty_without_a_file(self):
        eq, err, _ = self.load({'equivalent': [{'id': 'a.rs:1:never-reject', 'reason': 'r'}]}, [mutant('a.rs:1:never-reject')])
        self.assertEqual((eq, err), ({'a.rs:1:never-reject': 'r'}, ''))
        self.assertEqual(load_equivalent([], os.path.join(tempfile.gettempdir(), 'no-such-dir', 'eq.json')), {})

    def test_the_repository_file_is_well_formed(self):
        with open(paths.EQUIVALENT_FILE) as fh:
            entries = json.load(fh)['equivalent']
        ids = [e['id'] for e in entries]
        self.assertEqual(len(ids), len(set(ids)))
        for e in entries:
            self.assertRegex(e['id'], r'^[\w/]+\.rs:\d+:[a-z-]+(-\d+)?$')
            self.assertTrue(e['reason'].strip())


class ReportTest(unittest.TestCase):
    ROWS = [
        {'id': 'a.rs:1:never-reject', 'kind': 'never-reject', 'status': 'killed', 'killed_by': 'tests/program/lock.test.ts > x', 'seconds': 10.0},
        {'id': 'a.rs:2:boundary', 'kind': 'boundary', 'status': 'killed', 'killed_by': 'cargo test (host unit tests): t', 'seconds': 2.0},
        {'id': 'a.rs:3:drop-or', 'kind': 'drop-or', 'status': 'killed', 'killed_by': 'timeout after 120 s', 'seconds': 120.0},
        {'id': 'a.rs:4:wrapping', 'kind': 'wrapping', 'status': 'survived', 'killed_by': '', 'seconds': 30.0},
        {'id': 'a.rs:5:skip-call', 'kind': 'skip-call', 'status': 'invalid', 'killed_by': 'error[E0308]', 'seconds': 8.0},
    ]

    def test_counts_and_score(self):
        c = counts_of(self.ROWS, 2)
        self.assertEqual(c, {'total': 7, 'killed': 3, 'survived': 1, 'invalid': 1, 'equivalent': 2, 'score': 0.75})
        self.assertEqual(pct(c['score']), '75.0 %')
        self.assertEqual(counts_of([], 0), {'total': 0, 'killed': 0, 'survived': 0, 'invalid': 0, 'equivalent': 0, 'score': None})
        self.assertEqual(pct(None), '-')
        self.assertEqual(counts_of(self.ROWS[:3], 0)['score'], 1.0)

    def by_id(self):
        by_id = {r['id']: mutant(r['id'], kind=r['kind'], description=f"check | {r['id']}") for r in self.ROWS}
        by_id['b.rs:1:boundary'] = mutant('b.rs:1:boundary', kind='boundary')
        return by_id

    def test_markdown(self):
        eq = {'b.rs:1:boundary': 'same | either way'}
        md = markdown(self.ROWS, self.by_id(), eq, counts_of(self.ROWS, 1),
                      {'selection': 'all', 'seconds_per_mutant': 34.0, 'test_files': 40})
        lines = md.split('\n')
        self.assertEqual(lines[2], '| 6 | 3 | 1 | 1 | 1 | 75.0 % |')
        self.assertIn('| checks | wrapping | 1 | 0 | 1 | 0 | 0 |', lines)
        self.assertIn('| **checks** | all | 4 | 2 | 1 | 1 | 0 |', lines)
        self.assertIn('| bounds | boundary | 2 | 1 | 0 | 0 | 1 |', lines)
        self.assertIn('| `a.rs:4:wrapping` | check \\| a.rs:4:wrapping |', lines)
        self.assertIn('| `b.rs:1:boundary` | same \\| either way |', lines)
        self.assertEqual(lines[-2], 'Selection: all; 34.0 s per mutant (build + 40 test files, --bail=1).')
        md = markdown(self.ROWS, self.by_id(), eq, counts_of(self.ROWS, 1),
                      {'selection': 'all', 'seconds': 3600.0, 'seconds_per_mutant': 34.0, 'test_files': 40})
        self.assertIn('Selection: all; 60 minutes in all, 34.0 s per mutant', md)

    def test_write_report(self):
        runner = types.SimpleNamespace(rows=self.ROWS, baseline={'tests': 500, 'files': 2, 'seconds': 60.0},
                                       files=['tests/a.test.ts', 'tests/b.test.ts'])
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'sub', 'report.json')
            report = write_report(runner, self.by_id(), {'b.rs:1:boundary': 'r'}, 'sample ci', 0.0, partial=True, path=path)
            with open(path) as fh:
                self.assertEqual(json.load(fh), report)
        self.assertEqual(report['counts'], {'total': 6, 'killed': 3, 'survived': 1, 'invalid': 1, 'equivalent': 1, 'score': 0.75})
        self.assertEqual((report['selection'], report['partial'], report['seconds_per_mutant']), ('sample ci', True, 34.0))
        self.assertEqual((report['test_files'], report['test_file_list']), (2, runner.files))
        self.assertEqual([r['status'] for r in report['mutants']], ['killed', 'killed', 'killed', 'survived', 'invalid', 'equivalent'])
        self.assertEqual(report['mutants'][-1]['reason'], 'r')
        self.assertEqual(report['mutants'][0]['edit'], {'old': 'x', 'new': 'y'})
        self.assertEqual(list(report), ['selection', 'partial', 'commit', 'counts', 'seconds', 'seconds_per_mutant',
                                        'sources', 'baseline', 'test_files', 'test_file_list', 'mutants'])

    def write_runs(self, d, *runs):
        paths = []
        for n, (sources, rows) in enumerate(runs):
            paths.append(os.path.join(d, f'part{n}.json'))
            with open(paths[-1], 'w') as fh:
                json.dump({'sources': sources, 'seconds': 100.0, 'test_files': 40, 'mutants': rows}, fh)
        return paths

    def test_program_digest(self):
        # the code's digest ignores comments and #[cfg(test)] items, not a changed line of code
        base = 'pub fn f(x: u64) -> u64 {\n    x + 1 // one more\n}\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n'
        variants = [base, base.replace('one more', 'the next'), base.replace('fn t() {}', 'fn t() {\n        assert!(true);\n    }'),
                    base.replace('x + 1', 'x + 2'), '\n' + base]
        digests = []
        for text in variants:
            with tempfile.TemporaryDirectory() as d:
                with open(os.path.join(d, 'lib.rs'), 'w') as fh:
                    fh.write(text)
                digests.append(program_digest(d))
        self.assertEqual(digests[0], digests[1])
        self.assertEqual(digests[0], digests[2])
        self.assertNotEqual(digests[0], digests[3])
        self.assertNotEqual(digests[0], digests[4])  # a line moved: the ids would name other lines

    def test_merged_runs(self):
        by_id = self.by_id()
        by_id['c.rs:9:const-up'] = mutant('c.rs:9:const-up', kind='const-up')  # never run
        eq = {'b.rs:1:boundary': 'same'}
        survived_then_killed = {**self.ROWS[3], 'status': 'killed', 'killed_by': 'tests/new.test.ts > x'}
        gone = {'id': 'z.rs:1:boundary', 'kind': 'boundary', 'status': 'killed', 'killed_by': 't', 'seconds': 1.0}
        with tempfile.TemporaryDirectory() as d:
            paths = self.write_runs(d, ('abc', self.ROWS), (None, [survived_then_killed, gone]))
            runs = read_runs(paths, 'abc')
            # a later report's verdict replaces an earlier one; a mutant that is gone is left out
            rows = merged_rows(runs, by_id, eq)
            self.assertEqual([(r['id'], r['status']) for r in rows],
                             [(r['id'], 'killed' if r['id'] == 'a.rs:4:wrapping' else r['status']) for r in self.ROWS])
            md = merged_markdown(runs, by_id, eq).split('\n')
            self.assertEqual(md[2], '| 6 | 4 | 0 | 1 | 1 | 100.0 % |')
            self.assertIn('Not run yet: 1 mutants (bounds 1).', md)
            self.assertTrue(md[-2].startswith('Selection: 2 runs merged (part0.json, part1.json); 3 minutes in all'), md[-2])
            # a report of other program sources is refused
            with self.assertRaisesRegex(SystemExit, 'other program sources'):
                read_runs(paths, 'def')


class RunnerChoiceTest(unittest.TestCase):
    """Which test files run first for a mutant, and what killed it (no process is started)."""

    def runner(self):
        r = Runner.__new__(Runner)
        r.files = ['tests/program/attacks/b.test.ts', 'tests/program/attacks/z.test.ts', 'tests/fast.test.ts', 'tests/program/lock.test.ts',
                   'tests/other.test.ts', 'tests/slow.test.ts']
        r.kills = {'tests/other.test.ts': 5, 'tests/program/attacks/z.test.ts': 1}
        r.kills_by_file = {'instructions/lock.rs': {'tests/slow.test.ts': 2}}
        r.durations = {'tests/fast.test.ts': 1.0, 'tests/slow.test.ts': 9.0, 'tests/other.test.ts': 3.0}
        return r

    def test_order_for(self):
        r = self.runner()
        self.assertEqual(r.order_for(mutant('instructions/lock.rs:3:never-reject')),
                         ['tests/program/lock.test.ts', 'tests/slow.test.ts', 'tests/program/attacks/z.test.ts', 'tests/program/attacks/b.test.ts',
                          'tests/other.test.ts', 'tests/fast.test.ts'])
        # an instruction tested in a file of another name (OWN_TEST) still runs that file first
        r.files.append('tests/program/admin.test.ts')
        self.assertEqual(r.order_for(mutant('instructions/accept_admin.rs:3:never-reject'))[0], 'tests/program/admin.test.ts')
        r.files.pop()
        # a state/ file named in OWN_TEST runs its file first
        r.files.append('tests/program/effects.test.ts')
        self.assertEqual(r.order_for(mutant('state/credit_account.rs:3:off-by-one'))[0], 'tests/program/effects.test.ts')
        r.files.pop()
        # another state/ file has no own test file; the rest run fastest first (no baseline time counts as 0)
        self.assertEqual(r.order_for(mutant('state/lock.rs:3:never-reject')),
                         ['tests/program/attacks/z.test.ts', 'tests/program/attacks/b.test.ts', 'tests/other.test.ts', 'tests/program/lock.test.ts',
                          'tests/fast.test.ts', 'tests/slow.test.ts'])

    def test_baseline_from_a_vitest_report(self):
        root = paths.ROOT
        r = self.runner()
        r.files = ['tests/a.test.ts', 'tests/b.test.ts']
        r.timeout = None
        r.log = lambda *a: None
        report = {'testResults': [
            {'name': f'{root}/tests/a.test.ts', 'status': 'passed', 'startTime': 1_000, 'endTime': 4_000,
             'assertionResults': [{'status': 'passed'}, {'status': 'passed'}, {'status': 'skipped'}]},
            {'name': f'{root}/tests/b.test.ts', 'status': 'passed', 'startTime': 2_000, 'endTime': 31_000,
             'assertionResults': [{'status': 'passed'}]},
            {'name': f'{root}/tests/excluded.test.ts', 'status': 'failed', 'startTime': 0, 'endTime': 1,
             'assertionResults': [{'status': 'failed'}]},
        ]}
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'vitest.json')
            with open(path, 'w') as fh:
                json.dump(report, fh)
            r.durations = {}
            r.baseline_from(path)
            self.assertEqual((r.baseline['tests'], r.baseline['seconds'], r.timeout), (3, 30.0, 180.0))
            self.assertEqual(r.durations, {'tests/a.test.ts': 3.0, 'tests/b.test.ts': 29.0})
            report['testResults'][1]['assertionResults'][0]['status'] = 'failed'
            with open(path, 'w') as fh:
                json.dump(report, fh)
            with self.assertRaises(SystemExit):
                r.baseline_from(path)
            r.files.append('tests/c.test.ts')  # a file the report did not run
            report['testResults'][1]['assertionResults'][0]['status'] = 'passed'
            with open(path, 'w') as fh:
                json.dump(report, fh)
            with self.assertRaises(SystemExit):
                r.baseline_from(path)

    def test_first_failure(self):
        root = paths.ROOT
        report = {'testResults': [
            {'name': f'{root}/tests/b.test.ts', 'endTime': 20, 'status': 'failed',
             'assertionResults': [{'status': 'passed', 'fullName': 'ok'}, {'status': 'failed', 'fullName': 'b refuses'}]},
            {'name': f'{root}/tests/a.test.ts', 'endTime': 10, 'status': 'failed', 'assertionResults': [],
             'message': 'Error:  setup\n  failed'},
        ]}
        self.assertEqual(Runner.first_failure(report, 1), 'tests/a.test.ts: Error: setup failed')
        report['testResults'][1]['endTime'] = 30
        self.assertEqual(Runner.first_failure(report, 1), 'tests/b.test.ts > b refuses')
        self.assertEqual(Runner.first_failure(None, None), 'timeout')
        self.assertEqual(Runner.first_failure(None, 3), 'vitest exited 3 without a report')
        self.assertEqual(Runner.first_failure({'testResults': []}, 1), 'vitest exited 1')


class EntryPointTest(unittest.TestCase):
    def test_help_from_another_cwd(self):
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.run([sys.executable, os.path.join(SCRIPTS, 'mutate.py'), '--help'], cwd=d,
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(os.listdir(d), [])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith('usage: mutate.py [-h] [--list] [--json]'))
        self.assertIn('Mutation testing of job_escrow\'s checks, effects and bounds.', p.stdout)
        self.assertIn('  skip-store      such a write deleted (the field keeps its old value)', p.stdout)
        self.assertIn('  catch-all       `_ => Err(..)` in a match takes the previous arm\'s body', p.stdout)


if __name__ == '__main__':
    unittest.main()
