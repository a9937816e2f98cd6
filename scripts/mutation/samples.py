"""Which mutants a run takes: the named samples (`--sample ci`), the ids of
`--only`, and the mutants listed as equivalent in
scripts/mutants-equivalent.json (reported separately and not run)."""
import json
import os
import sys

from .paths import EQUIVALENT_FILE, ROOT

# The CI sample: every signer, owner and authority check, plus these others
# (file, kind, text in the mutated code); each must match at least one mutant.
CI_EXTRA = [
    # The checks that were first mutation-tested by hand, before this tool
    # (the other two of those, credit.owner in OwnerAccounts and the owner
    # in load, are owner checks).
    ('instructions/shared/jobs.rs', 'never-reject', 'is_on_curve'),       # credit laundering
    ('state/token.rs', 'drop-or', 'has_delegate'),                         # vault with a delegate
    ('instructions/shared/jobs.rs', 'never-reject', 'expires_at'),        # settle after expiry
    # and overflow in the shared arithmetic.
    ('math.rs', 'wrapping', 'checked_sub'),
    # Rent returns to whoever paid it (issue 27): close pays the recorded rent payer only.
    ('instructions/close_credit_account.rs', 'skip-call', 'InvalidRentPayer'),
]


def ci_sample(mutants, extra=CI_EXTRA):
    """Every signer check, every owner check (an account's owner program:
    `owned_by`, `check::<T>`; a credit account's, the Config's admin or
    operator: `require_key(.., Unauthorized)`), require_key itself, and CI_EXTRA."""
    def owner_or_signer(m):
        return ('signer' in m.tags or 'owner' in m.tags
                or (m.kind == 'skip-call' and m.error == 'Unauthorized')
                or (m.kind == 'always-accept' and m.fn == 'require_key'))
    chosen = [m for m in mutants if owner_or_signer(m)]
    for file, kind, needle in extra:
        hits = [m for m in mutants if m.file == file and m.kind == kind and needle in m.old + m.description]
        if not hits:
            raise SystemExit(f'mutate.py: CI sample entry ({file}, {kind}, {needle}) matches no mutant: update CI_EXTRA')
        chosen.extend(hits)
    ids = {m.id for m in chosen}
    return [m for m in mutants if m.id in ids]


def select(mutants, only=None, sample=None):
    """The mutants a run takes and the selection's name for the report:
    `only` (ids, or id prefixes ending in ':'), else the named sample, else all."""
    if only:
        chosen = []
        for i in only:
            hits = [m for m in mutants if m.id == i or (i.endswith(':') and m.id.startswith(i))]
            if not hits:
                raise SystemExit(f'mutate.py: no mutant {i} (see --list)')
            chosen += [m for m in hits if m not in chosen]
        return chosen, 'only ' + ' '.join(only)
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
