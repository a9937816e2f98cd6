"""Which mutants a run takes: the named samples (`--sample ci`), the ids of
`--only`, and the mutants listed as equivalent in
scripts/mutants-equivalent.json (reported separately and not run)."""
import json
import os
import sys

from .mutants import CLASS_OF, CLASSES
from .paths import EQUIVALENT_FILE, ROOT

# The CI sample (`--sample ci`, the last program step of `npm test`): one
# mutant of every kind, so each class (checks, effects, bounds) is sampled,
# the four survivors of issue 32 among them: about 11 minutes on 2 cores
# (about 29 s a mutant measured, 2026-12-06; `npm test` gives it the main
# run's report as its baseline). Each entry is (file, kind, text in the
# mutated code or the description) and must match exactly one mutant. The
# per-call-site signer and owner checks the sample held before (about 30),
# credit laundering, settle after expiry and the rent payer are represented
# here by require_signer and the owner checks they share; all of them run
# in the full run (scripts/mutation-full.sh).
CI_SAMPLE = [
    # Checks.
    ('state/mod.rs', 'never-reject', '!view.owned_by(&crate::ID)'),                # every program account's owner
    ('instructions/shared/mod.rs', 'always-accept', 'view.is_signer()'),           # require_signer: every signer check
    ('instructions/shared/mod.rs', 'skip-call', 'require_key(self.owner, &credit.owner'),  # a credit account's owner
    ('state/token.rs', 'drop-or', 'has_delegate'),                                 # vault with a delegate
    ('instructions/shared/jobs.rs', 'force-and', '`cap != 0` forced'),             # the per-job cap's "no cap"
    ('state/config.rs', 'drop-and', 'JOB_TIMEOUT_MIN_SECS'),                       # the job timeout's range
    ('instructions/shared/mod.rs', 'skip-load', 'load::<Config>(config)'),         # a forged Config (operator)
    ('math.rs', 'wrapping', 'a.checked_sub(b)'),                                   # the shared subtraction
    ('instructions/shared/jobs.rs', 'math-site', 'math::mul(charged'),             # a charge's USDC amount
    ('instructions/shared/jobs.rs', 'lookup-fallback', 'config.tiers'),            # an unknown tier
    ('entrypoint.rs', 'catch-all', '_ =>'),                                        # an unknown instruction
    # Effects.
    ('instructions/shared/jobs.rs', 'skip-store', 'slot.set_locked_at(now)'),      # issue 32: locked_at not recorded
    ('instructions/shared/jobs.rs', 'store-const', 'set_fees_accrued('),           # a settle's fee lost
    ('instructions/shared/jobs.rs', 'skip-update', 'credit.release(credits)'),     # a refund's lock kept
    ('instructions/shared/jobs.rs', 'operand-zero', 'operand 2 of `math::sub(amount, worker_amount)`'),  # fee = the whole charge
    ('state/credit_account.rs', 'operand-swap', 'math::sub(self.locked(), credits)'),  # release's subtraction
    ('state/credit_account.rs', 'branch-true', '`limit == 0` forced'),             # the daily limit never applies
    ('instructions/shared/jobs.rs', 'branch-false', '`credit.promo_expired(now)` forced'),  # expired promo backs a lock
    # Bounds.
    ('state/credit_account.rs', 'off-by-one', 'spent > limit'),                    # issue 32: the daily limit + 1
    ('state/credit_account.rs', 'boundary', 'promo <= charged'),                   # issue 32: promo expiry at exactly 0
    ('state/config.rs', 'const-up', 'MAX_JOB_CREDITS'),                            # issue 32: the largest job + 1
    ('state/credit_account.rs', 'const-down', 'DAY_SECS'),                         # the daily window one second short
]


def ci_sample(mutants, picks=CI_SAMPLE):
    """The mutants of `picks`, in listing order; an entry matching no mutant
    or several is an error (the sample follows the sources)."""
    chosen = set()
    for file, kind, needle in picks:
        hits = [m for m in mutants if m.file == file and m.kind == kind and needle in m.old + m.description]
        if len(hits) != 1:
            raise SystemExit(f'mutate.py: CI sample entry ({file}, {kind}, {needle}) matches {len(hits) or "no"} mutant'
                             f'{"s" if len(hits) > 1 else ""}: update CI_SAMPLE')
        chosen.add(hits[0].id)
    return [m for m in mutants if m.id in chosen]


def select(mutants, only=None, sample=None, kinds=None):
    """The mutants a run takes and the selection's name for the report:
    `only` (ids, or id prefixes ending in ':'), else the named sample, else
    all; then, with `kinds` (kinds or class names), those of these kinds."""
    if kinds:
        unknown = [k for k in kinds if k not in CLASS_OF and k not in CLASSES]
        if unknown:
            raise SystemExit(f'mutate.py: no kind or class {" ".join(unknown)} (see --help)')
        wanted = {k for k in kinds if k in CLASS_OF} | {k for c in kinds if c in CLASSES for k in CLASSES[c]}
        chosen, name = select(mutants, only, sample)
        return [m for m in chosen if m.kind in wanted], f'{name}, kind {" ".join(kinds)}'
    if only:
        chosen = []
        for i in only:
            hits = [m for m in mutants if m.id == i or (i.endswith(':') and m.id.startswith(i))]
            if not hits:
                raise SystemExit(f'mutate.py: no mutant {i} (see --list)')
            chosen += [m for m in hits if m not in chosen]
        shown = ' '.join(only) if len(only) <= 8 else f"{' '.join(only[:3])} ... ({len(only)} ids and prefixes)"
        return chosen, 'only ' + shown
    if sample == 'ci':
        return ci_sample(mutants), 'sample ci'
    return list(mutants), 'all'


def load_equivalent(mutants, path=EQUIVALENT_FILE):
    """{id: reason} of the equivalent mutants; warns (stderr) about an id that
    is no longer a mutant."""
    if not os.path.exists(path):
        return {}
    with open(path) as fh:
        data = json.load(fh)
    eq = {e['id']: e['reason'] for e in data.get('equivalent', [])}
    known = {m.id for m in mutants}
    for i in eq:
        if i not in known:
            print(f'warning: {os.path.relpath(path, ROOT)} names {i}, which is no longer a mutant', file=sys.stderr)
    return eq
