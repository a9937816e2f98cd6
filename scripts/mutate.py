#!/usr/bin/env python3
"""Mutation testing of job_escrow's checks.

Finds every validation site of the on-chain program by parsing
programs/job_escrow/src/**/*.rs (host-only code and #[cfg(test)] modules are
skipped), makes one mutant per weakened check, builds each mutant with
scripts/build-program.sh in a scratch copy of the crate (target/mutants/work:
the source tree is never written), installs it as target/deploy/job_escrow.so,
runs the vitest suites that execute the program (LiteSVM and solana-bankrun)
with --bail=1, and reports which test killed each mutant. A mutant of a file
that has host unit tests (`#[cfg(test)]`: math.rs, state/config.rs, ...) is
first run against `cargo test --lib`, which kills it without a build. At the end the
program is rebuilt from the clean sources, also after Ctrl-C or an error.

  python3 scripts/mutate.py --list            every mutant: id, kind, description, edit
  python3 scripts/mutate.py --sample ci       the CI subset (signer, owner, authority, a few others)
  python3 scripts/mutate.py --only ID...      some mutants (ids from --list)
  python3 scripts/mutate.py                   all of them (long: see --list for the count)
  python3 scripts/mutate.py --markdown FILE   also write a markdown summary

A mutant's id is file:line:operator (file relative to programs/job_escrow/src).
Mutant kinds (operators):
  never-reject    `if C { return Err(..) }`: C becomes `(C) && false`
  drop-or         one operand of `A || B` in a rejecting condition becomes false
  force-and       one operand of `A && B` in a rejecting condition becomes true
                  (the exception it encodes is lost: rejects more)
  boundary        `>=` <-> `>`, `<=` <-> `<` in a condition leading to an Err
  always-accept   `if C { Ok } else { Err }` (a check helper): C becomes true
  drop-and        one conjunct of the `ok` that such a helper tests becomes true
  skip-call       a statement `check_helper(..)?;` is deleted (helpers with
                  two or more call sites; a one-caller helper's body is mutated)
  skip-load       `load::<T>(v)?`, `load_mut::<T>(v)?`, `TokenAccount::load(v,..)?`,
                  `load_vault(v,..)?` read v unchecked
  wrapping        `x.checked_op(y)..` becomes `x.wrapping_op(y)` (never None)
  math-site       a call `math::add|sub|mul(a, b)?` becomes `a.wrapping_op(b)`
  lookup-fallback `.get(i).ok_or(E)?` falls back to the first element
  catch-all       `_ => Err(..)` in a match takes the previous arm's body

Equivalent mutants are listed, with a reason, in scripts/mutants-equivalent.json;
they are reported separately and not run (--include-equivalent runs them).
Score = killed / (total - invalid - equivalent). Exit status: 0 when no
non-equivalent mutant survived, 1 when one did (unless --report-only),
2 when the unmutated program fails the tests or the tool fails, 130 on Ctrl-C.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATE = os.path.join(ROOT, 'programs', 'job_escrow')
SRC = os.path.join(CRATE, 'src')
SO = os.path.join(ROOT, 'target', 'deploy', 'job_escrow.so')  # SBPF v3: the LiteSVM suites
SO_V0 = os.path.join(ROOT, 'target', 'sbpf-v0', 'job_escrow.so')  # SBPF v0: the bankrun suite
MUT_DIR = os.path.join(ROOT, 'target', 'mutants')
WORK = os.path.join(MUT_DIR, 'work')
DIRTY = os.path.join(MUT_DIR, 'DIRTY')
REPORT = os.path.join(ROOT, 'target', 'mutation-report.json')
EQUIVALENT_FILE = os.path.join(ROOT, 'scripts', 'mutants-equivalent.json')

# Test files that do not execute the program, or are slow and test packaging,
# bundling, a browser, the demo script, the IDL text or a real validator.
EXCLUDED_TESTS = [
    'tests/sdk_package.test.ts', 'tests/browser_bundle.test.ts', 'tests/pay_page.test.ts',
    'tests/demo.test.ts', 'tests/idl.test.ts', 'tests/validator/',
    'tests/client_retry.test.ts',  # a mocked connection: never runs the program
]

# Code not mutated, with the reason (printed by --list).
EXCLUDED_FILES = {
    'instructions/shared/sysvar.rs':
        'sysvar reads: the syscall status check is unreachable (a failing sysvar syscall aborts the '
        'program instead of returning non-zero) and the Rent decoding (whole_f64) and its arithmetic '
        'only ever see the runtime\'s Rent sysvar, not transaction input; whole_f64 has host unit tests',
}

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

TAG_BY_ERROR = {
    'MissingSignature': 'signer',
    'Unauthorized': 'authority', 'NotUpgradeAuthority': 'authority', 'NoPendingAdmin': 'authority',
    'InvalidAccountOwner': 'owner',
    'InvalidPda': 'pda',
    'InvalidMint': 'token', 'InvalidTreasury': 'token', 'InvalidVault': 'token',
    'InvalidTokenProgram': 'token', 'InvalidTokenAccount': 'token',
    'InvalidProgramAccount': 'program-id', 'InvalidProgramData': 'authority',
    'JobExpired': 'time', 'JobNotExpired': 'time',
    'ArithmeticOverflow': 'arithmetic',
    'InvalidInstructionData': 'data', 'InvalidConfigValue': 'config',
}


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------

def mask(text):
    """The text with comments and the contents of string and char literals
    replaced by spaces (newlines kept), so offsets match the original."""
    out = list(text)
    n = len(text)

    def blank(a, b):
        for k in range(a, min(b, n)):
            if out[k] != '\n':
                out[k] = ' '

    i = 0
    while i < n:
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif text.startswith('/*', i):
            depth, j = 0, i
            while j < n:
                if text.startswith('/*', j):
                    depth += 1
                    j += 2
                elif text.startswith('*/', j):
                    depth -= 1
                    j += 2
                    if depth == 0:
                        break
                else:
                    j += 1
            blank(i, j)
            i = j
        elif text[i] == 'r' and re.match(r'r(#*)"', text[i:i + 10]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == '_')):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            start = i + 2 + len(hashes)
            j = text.find('"' + hashes, start)
            j = n if j < 0 else j
            blank(start, j)
            i = j + 1 + len(hashes)
        elif text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            blank(i + 1, j)
            i = j + 1
        elif text[i] == "'":
            if i + 1 < n and text[i + 1] == '\\':
                j = text.find("'", i + 2)
                blank(i + 1, j)
                i = j + 1
            elif i + 2 < n and text[i + 2] == "'":
                blank(i + 1, i + 2)
                i += 3
            else:
                i += 1  # a lifetime
        else:
            i += 1
    return ''.join(out)


OPEN, CLOSE = '([{', ')]}'


def match_close(code, i):
    """Index of the bracket closing the one at code[i]."""
    depth = 0
    for j in range(i, len(code)):
        c = code[j]
        if c in OPEN:
            depth += 1
        elif c in CLOSE:
            depth -= 1
            if depth == 0:
                return j
    raise ValueError(f'unbalanced bracket at {i}')


def match_open(code, j):
    depth = 0
    for i in range(j, -1, -1):
        c = code[i]
        if c in CLOSE:
            depth += 1
        elif c in OPEN:
            depth -= 1
            if depth == 0:
                return i
    raise ValueError(f'unbalanced bracket at {j}')


def scan_to(code, i, stops):
    """First index >= i of a char in `stops` at bracket depth 0."""
    while i < len(code):
        c = code[i]
        if c in stops:
            return i
        if c in '([':
            i = match_close(code, i)
        i += 1
    return len(code)


def split_top(code, a, b, op):
    """Spans (start, end) of the operands of `op` ('||' or '&&' or ',') at
    depth 0 in code[a:b], stripped of whitespace."""
    parts, depth, start, i = [], 0, a, a
    while i < b:
        c = code[i]
        if c in OPEN:
            depth += 1
        elif c in CLOSE:
            depth -= 1
        elif depth == 0 and code.startswith(op, i):
            parts.append((start, i))
            start = i + len(op)
            i += len(op)
            continue
        i += 1
    parts.append((start, b))
    out = []
    for s, e in parts:
        while s < e and code[s].isspace():
            s += 1
        while e > s and code[e - 1].isspace():
            e -= 1
        out.append((s, e))
    return out


def relops(code, a, b):
    """(position, operator) of the comparisons <, <=, >, >= at depth 0."""
    res, depth, i = [], 0, a
    while i < b:
        c = code[i]
        if code.startswith('::<', i):
            j, ad = i + 3, 1
            while j < b and ad:
                ad += {'<': 1, '>': -1}.get(code[j], 0)
                j += 1
            i = j
            continue
        if c in OPEN:
            depth += 1
        elif c in CLOSE:
            depth -= 1
        elif depth == 0 and c in '<>':
            two = code[i:i + 2]
            if two in ('<<', '>>'):
                i += 2
                continue
            if code[i - 1] in '-=':  # -> and =>
                i += 1
                continue
            if two in ('<=', '>='):
                res.append((i, two))
                i += 2
                continue
            res.append((i, c))
        i += 1
    return res


def postfix_start(code, end):
    """Start of the postfix expression (a.b().c[..]) ending at code[end-1]."""
    i = end
    while True:
        j = i - 1
        while j >= 0 and code[j].isspace():
            j -= 1
        if j < 0:
            return i
        c = code[j]
        if c in ')]':
            k = match_open(code, j)
            # a call's callee / an index's base, or a parenthesized expression
            i = k
            continue
        if c.isalnum() or c == '_':
            k = j
            while k >= 0 and (code[k].isalnum() or code[k] == '_'):
                k -= 1
            i = k + 1
            # continue through `.`, `::`, or `?`
            p = k
            while p >= 0 and code[p].isspace():
                p -= 1
            if p >= 0 and code[p] == '.' and not code[p - 1:p] == '.':
                i = p
                continue
            if p >= 1 and code[p - 1:p + 1] == '::':
                i = p - 1
                continue
            return i
        if c == '>' and '::<' in code[max(0, j - 40):j]:
            k = code.rfind('::<', 0, j)
            i = k
            continue
        if c == '.':
            i = j
            continue
        if c == '?':
            i = j
            continue
        return i


def line_of(text, pos):
    return text.count('\n', 0, pos) + 1


def squash(s):
    return re.sub(r'\s+', ' ', s).strip()


@dataclass
class Fn:
    name: str
    owner: str  # impl/trait type, '' for a free function
    start: int  # body `{`
    end: int  # body `}`
    ret: str
    sig_start: int


@dataclass
class Mutant:
    id: str = ''
    kind: str = ''
    file: str = ''
    line: int = 0
    fn: str = ''
    description: str = ''
    start: int = 0
    end: int = 0
    old: str = ''
    new: str = ''
    error: str = ''
    tags: list = field(default_factory=list)

    def row(self):
        return {k: getattr(self, k) for k in ('id', 'kind', 'file', 'line', 'fn', 'description', 'error', 'tags', 'old', 'new', 'start', 'end')}


class SourceFile:
    def __init__(self, rel, text):
        self.rel = rel
        self.text = text
        self.code = mask(text)
        self.excluded = []  # (start, end, reason)
        self._exclude_cfg()
        self.fns = self._functions()

    def _exclude_cfg(self):
        code = list(self.code)
        for m in re.finditer(r'#\s*\[', self.code):
            if any(s <= m.start() < e for s, e, _ in self.excluded):
                continue
            close = match_close(self.code, m.end() - 1)
            attr = squash(self.text[m.start():close + 1])
            host_only = re.match(r'#\[cfg\(not\(any\(target_os = "solana"', attr)
            if not (attr == '#[cfg(test)]' or host_only):
                continue
            j = close + 1
            while True:  # more attributes on the same item
                while j < len(self.code) and self.code[j].isspace():
                    j += 1
                if self.code.startswith('#[', j):
                    j = match_close(self.code, j + 1) + 1
                else:
                    break
            k = scan_to(self.code, j, '{;')
            end = match_close(self.code, k) + 1 if k < len(self.code) and self.code[k] == '{' else k + 1
            reason = 'test-only (#[cfg(test)])' if attr == '#[cfg(test)]' else 'host-only stand-in (cfg not solana/bpf)'
            self.excluded.append((m.start(), end, reason))
            for p in range(m.start(), end):
                if code[p] != '\n':
                    code[p] = ' '
        self.code = ''.join(code)

    def _owners(self):
        blocks = []
        for m in re.finditer(r'\b(impl|trait)\b([^{;]*)\{', self.code):
            head = squash(m.group(2))
            if m.group(1) == 'impl':
                head = re.sub(r'^<[^>]*>\s*', '', head)
                target = head.split(' for ')[-1]
            else:
                target = head.split(':')[0]
            name = re.sub(r'<.*', '', target).split('::')[-1].strip()
            blocks.append((m.end() - 1, match_close(self.code, m.end() - 1), name))
        return blocks

    def _functions(self):
        owners = self._owners()
        fns = []
        for m in re.finditer(r'\bfn\s+(\w+)', self.code):
            k = scan_to(self.code, m.end(), '{;')
            if k >= len(self.code) or self.code[k] != '{':
                continue
            sig = self.code[m.start():k]
            ret = squash(sig.split('->', 1)[1]) if '->' in sig else '()'
            owner = ''
            for s, e, name in owners:
                if s < m.start() < e:
                    owner = name
            fns.append(Fn(m.group(1), owner, k, match_close(self.code, k), ret, m.start()))
        return fns

    def fn_at(self, pos):
        best = None
        for f in self.fns:
            if f.start < pos < f.end and (best is None or f.start > best.start):
                best = f
        return best


def err_name(text):
    m = re.search(r'(?:JobEscrowError|ProgramError)::(\w+)', text)
    if m:
        return m.group(1)
    m = re.match(r'\s*(?:return\s+)?Err\s*\(\s*(\w+)', text)
    return m.group(1) if m else ''


class Finder:
    def __init__(self, files):
        self.files = files
        self.mutants = []
        self.not_mutated = []  # (file, line, what, why)
        self.helpers = self._helpers()

    # -- helpers: functions that can reject (a Result and an Err in the body)
    def _helpers(self):
        names = set()
        for f in self.files:
            if f.rel in EXCLUDED_FILES:
                continue
            for fn in f.fns:
                body = f.code[fn.start:fn.end]
                if ('Result' in fn.ret) and 'Err(' in body and not fn.name.startswith('process_'):
                    names.add(fn.name)
        counts = {}
        for f in self.files:
            if f.rel in EXCLUDED_FILES:
                continue
            for name in names:
                for m in re.finditer(r'(?<!fn )\b' + name + r'\s*(?:::<[^>]*>)?\(', f.code):
                    if f.fn_at(m.start()):
                        counts[name] = counts.get(name, 0) + 1
        return {n: counts.get(n, 0) for n in names}

    def add(self, f, kind, start, end, new, description, error='', tags=(), line_pos=None):
        fn = f.fn_at(start)
        qual = (fn.owner + '::' if fn and fn.owner else '') + (fn.name if fn else '?')
        m = Mutant(kind=kind, file=f.rel, line=line_of(f.text, start if line_pos is None else line_pos),
                   fn=qual, description=description, start=start, end=end, old=f.text[start:end], new=new,
                   error=error)
        t = set(tags)
        if error in TAG_BY_ERROR:
            t.add(TAG_BY_ERROR[error])
        if kind == 'always-accept' and fn and fn.name == 'require_key':
            t.add('authority')
        if 'owned_by(' in m.old:
            t.add('owner')
        if kind == 'skip-load':
            t.add('load')
        if kind in ('wrapping', 'math-site'):
            t.add('arithmetic')
        m.tags = sorted(t)
        for o in self.mutants:
            if o.file == m.file and (o.start, o.end, o.new) == (m.start, m.end, m.new):
                return
        self.mutants.append(m)

    def run(self):
        for f in self.files:
            if f.rel in EXCLUDED_FILES:
                self.not_mutated.append((f.rel, 0, 'whole file', EXCLUDED_FILES[f.rel]))
                continue
            for s, e, reason in f.excluded:
                head = squash(f.text[s:e].split('{')[0])[:70]
                self.not_mutated.append((f.rel, line_of(f.text, s), head, reason))
            self.ifs(f)
            self.skip_calls(f)
            self.skip_loads(f)
            self.checked_ops(f)
            self.math_sites(f)
            self.lookups(f)
            self.catch_alls(f)
            self.unmutated(f)
        # stable ids: file:line:kind, numbered when a line has several
        groups = {}
        for m in self.mutants:
            groups.setdefault((m.file, m.line, m.kind), []).append(m)
        for (file, line, kind), ms in groups.items():
            ms.sort(key=lambda m: m.start)
            for i, m in enumerate(ms):
                m.id = f'{file}:{line}:{kind}' + (f'-{i + 1}' if len(ms) > 1 else '')
        self.mutants.sort(key=lambda m: (m.file, m.start, m.id))
        return self.mutants

    # -- if statements --------------------------------------------------
    def ifs(self, f):
        code = f.code
        for m in re.finditer(r'\bif\b', code):
            if not f.fn_at(m.start()) or re.match(r'if\s+let\b', code[m.start():]):
                continue
            cs = m.end()
            while code[cs].isspace():
                cs += 1
            brace = scan_to(code, cs, '{')
            ce = brace
            while code[ce - 1].isspace():
                ce -= 1
            then_end = match_close(code, brace)
            then_inner = (brace + 1, then_end)
            k = then_end + 1
            while k < len(code) and code[k].isspace():
                k += 1
            else_inner = None
            if code.startswith('else', k):
                k += 4
                while code[k].isspace():
                    k += 1
                if code[k] == '{':
                    else_inner = (k + 1, match_close(code, k))
            t_rej = self._single(f, *then_inner, r'(?:return\s+)?(?:Err\s*\(|None\b)')
            t_ok = self._single(f, *then_inner, r'Ok\s*\(')
            e_err = else_inner and self._single(f, *else_inner, r'Err\s*\(')
            cond = squash(f.text[cs:ce])
            where = self._where(f, cs)
            if t_rej:
                error = err_name(f.text[then_inner[0]:then_inner[1]])
                self.reject_condition(f, cs, ce, cond, error, where)
            elif t_ok and e_err:
                error = err_name(f.text[else_inner[0]:else_inner[1]])
                self.accept_condition(f, cs, ce, cond, error, where)

    def _single(self, f, a, b, head):
        """True when code[a:b] is one expression/statement starting with `head`."""
        inner = f.code[a:b]
        s = len(inner) - len(inner.lstrip())
        mm = re.match(head, inner[s:])
        if not mm:
            return False
        p = a + s + mm.end()
        if f.code[p - 1] == '(':
            p = match_close(f.code, p - 1) + 1
        # Err(..).into() etc. is not used here; what remains must be `;` or nothing
        return f.code[p:b].strip() in ('', ';')

    def _where(self, f, pos):
        fn = f.fn_at(pos)
        base = os.path.splitext(os.path.basename(f.rel))[0]
        name = fn.name if fn else '?'
        if fn and fn.owner:
            name = fn.owner + '::' + name
        if name == 'process_' + base:
            return base
        return name

    def reject_condition(self, f, cs, ce, cond, error, where):
        code, text = f.code, f.text
        err = error or 'error'
        disj = split_top(code, cs, ce, '||')
        if len(disj) == 1:
            self.add(f, 'never-reject', cs, ce, f'({text[cs:ce]}) && false',
                     f'{where}: never rejects `{cond}` ({err})', error)
        else:
            for s, e in disj:
                part = text[s:e]
                new = 'false' if '?' not in part else f'(({part}) && false)'
                self.add(f, 'drop-or', s, e, new,
                         f'{where}: drops `{squash(part)}` from the {err} check', error)
        for s, e in disj:
            conj = split_top(code, s, e, '&&')
            if len(conj) > 1:
                for cs2, ce2 in conj:
                    part = text[cs2:ce2]
                    new = 'true' if '?' not in part else f'{{ let _ = {part}; true }}'
                    self.add(f, 'force-and', cs2, ce2, new,
                             f'{where}: `{squash(part)}` forced true in `{cond}` ({err}; rejects more)', error)
            for cs2, ce2 in conj:
                self.boundaries(f, cs2, ce2, f'`{cond}` ({err})', error, where)
        # comparisons in `let x = ..;` bindings the condition reads
        fn = f.fn_at(cs)
        for ident in set(re.findall(r'(?<![\.\w])([a-z_]\w*)\b(?!\s*[\(:])', code[cs:ce])):
            bound = self._let(f, fn, ident, cs)
            if bound:
                self.boundaries(f, bound[0], bound[1], f'`let {ident} = {squash(text[bound[0]:bound[1]])}` read by `{cond}` ({err})', error, where)

    def _let(self, f, fn, ident, before):
        if not fn:
            return None
        found = None
        for m in re.finditer(r'\blet\s+(?:mut\s+)?' + ident + r'\s*=\s*', f.code[fn.start:before]):
            s = fn.start + m.end()
            found = (s, scan_to(f.code, s, ';'))
        if found:
            e = found[1]
            while f.code[e - 1].isspace():
                e -= 1
            return (found[0], e)
        return None

    def boundaries(self, f, a, b, context, error, where):
        flip = {'>=': '>', '>': '>=', '<=': '<', '<': '<='}
        for pos, op in relops(f.code, a, b):
            rhs = f.code[pos + len(op):b].strip()
            lhs = f.code[a:pos].strip()
            # `x > 0` -> `x >= 0` on an unsigned x is `true`: the same mutant as
            # dropping the comparison, which another operator makes.
            if (op == '>' and re.match(r'0\b', rhs)) or (op == '<' and lhs.endswith('0') and re.search(r'\b0$', lhs)):
                continue
            self.add(f, 'boundary', pos, pos + len(op), flip[op],
                     f'{where}: `{op}` -> `{flip[op]}` in {context}', error)

    def accept_condition(self, f, cs, ce, cond, error, where):
        code, text = f.code, f.text
        err = error or 'error'
        fn = f.fn_at(cs)
        bound = self._let(f, fn, cond, cs) if re.fullmatch(r'[a-z_]\w*', cond) else None
        if bound:
            conj = split_top(code, bound[0], bound[1], '&&')
        else:
            conj = [(cs, ce)]
        if len(conj) == 1:
            self.add(f, 'always-accept', cs, ce, 'true',
                     f'{where}: always Ok (`{cond}` is never tested; {err} never returned)', error)
            self.boundaries(f, conj[0][0], conj[0][1], f'`{squash(text[conj[0][0]:conj[0][1]])}` ({err})', error, where)
        else:
            for s, e in conj:
                self.add(f, 'drop-and', s, e, 'true',
                         f'{where}: drops `{squash(text[s:e])}` from `{cond}` ({err})', error)
                self.boundaries(f, s, e, f'`{squash(text[s:e])}` ({err})', error, where)

    # -- deleted check calls ---------------------------------------------
    def skip_calls(self, f):
        code, text = f.code, f.text
        pat = re.compile(r'(?m)^([ \t]*)((?:\w+(?:::<[^>\n]*>)?\s*(?:::|\.)\s*)*)(\w+)\s*(::<[^>\n]*>)?\(')
        for m in pat.finditer(code):
            name = m.group(3)
            if name not in self.helpers or not f.fn_at(m.start()):
                continue
            close = match_close(code, m.end() - 1)
            if not code.startswith('?;', close + 1):
                continue
            stmt = squash(text[m.start(2):close + 3])
            if self.helpers[name] < 2:
                continue  # one call site: the helper's own checks are mutated
            end = close + 3
            if code[end:end + 1] == '\n':
                end += 1
            args = text[m.end():close]
            error = err_name(args)
            tags = {'require_signer': ['signer'], 'check': ['owner'], 'load_vault': ['token'], 'load': ['token'],
                    'validate': ['config']}.get(name, [])
            self.add(f, 'skip-call', m.start(), end, '',
                     f'{self._where(f, m.start())}: `{stmt}` removed', error, tags, line_pos=m.start(2))

    # -- unchecked loads ----------------------------------------------------
    def skip_loads(self, f):
        code, text = f.code, f.text
        for m in re.finditer(r'\b(load|load_mut)::<(\w+)>\(|(?<![\w:.])(TokenAccount::load|load_vault)\(', code):
            fn = f.fn_at(m.start())
            if not fn:
                continue
            close = match_close(code, m.end() - 1)
            if not code.startswith('?', close + 1):
                continue
            # statement form `x(..)?;` is a skip-call
            line_start = code.rfind('\n', 0, m.start()) + 1
            if code[line_start:m.start()].strip() == '' and code.startswith('?;', close + 1):
                continue
            arg_span = split_top(code, m.end(), close, ',')[0]
            view = text[arg_span[0]:arg_span[1]]
            callee = m.group(3) or f'{m.group(1)}::<{m.group(2)}>'
            if m.group(1) == 'load_mut':
                new = f'(unsafe {{ &mut *({view}.data_ptr() as *mut {m.group(2)}) }})'
            else:
                ty = m.group(2) or 'crate::state::TokenAccount'
                new = f'(unsafe {{ &*({view}.borrow_unchecked().as_ptr() as *const {ty}) }})'
            checks = {'load_vault': 'address, Token owner, mint, state, owner, delegate and close-authority checks',
                      'TokenAccount::load': 'Token-program owner, length, mint and state checks'}.get(
                callee, 'owner, length and discriminator checks')
            self.add(f, 'skip-load', m.start(), close + 2, new,
                     f'{self._where(f, m.start())}: `{callee}({squash(view)}, ..)` read without its {checks}',
                     '')

    # -- checked arithmetic ---------------------------------------------
    def checked_ops(self, f):
        code, text = f.code, f.text
        for m in re.finditer(r'\.\s*checked_(add|sub|mul|div|rem)\(', code):
            if not f.fn_at(m.start()):
                continue
            op = m.group(1)
            dot = m.start()
            recv_s = postfix_start(code, dot)
            recv = text[recv_s:dot].strip()
            close = match_close(code, m.end() - 1)
            args = text[m.end():close]
            wrapped = f'{recv}.wrapping_{op}({args})'
            k = close + 1
            rest = code[k:]
            mm = re.match(r'\s*\.\s*ok_or(?:_else)?\(', rest)
            if mm:
                oc = match_close(code, k + mm.end() - 1)
                error = err_name(text[k:oc])
                if code.startswith('?', oc + 1):
                    end, new = oc + 2, wrapped
                else:
                    end, new = oc + 1, f'Ok({wrapped})'
            elif rest.startswith('?'):
                end, new, error = k + 1, wrapped, ''
            else:
                end, new, error = k, f'Some({wrapped})', ''
            self.add(f, 'wrapping', recv_s, end, new,
                     f'{self._where(f, dot)}: `{squash(recv)}.checked_{op}({squash(args)})` -> `wrapping_{op}` (never fails)',
                     error or 'ArithmeticOverflow', line_pos=dot)

    def math_sites(self, f):
        if f.rel == 'math.rs':
            return  # math.rs's own bodies are mutated by `wrapping` and the ifs
        code, text = f.code, f.text
        for m in re.finditer(r'(?<![\w:])(?:crate::)?math::(add|sub|mul)\(', code):
            if not f.fn_at(m.start()):
                continue
            op = m.group(1)
            close = match_close(code, m.end() - 1)
            parts = split_top(code, m.end(), close, ',')
            if len(parts) != 2:
                continue
            a, b = (text[s:e] for s, e in parts)
            recv = a if re.fullmatch(r'[\w\.\(\)\[\]:]*', a) and postfix_start(code, parts[0][1]) == parts[0][0] else f'({a})'
            wrapped = f'{recv}.wrapping_{op}({b})'
            if code.startswith('?', close + 1):
                end, new = close + 2, wrapped
            else:
                end, new = close + 1, f'Ok({wrapped})'
            self.add(f, 'math-site', m.start(), end, new,
                     f'{self._where(f, m.start())}: `math::{op}({squash(a)}, {squash(b)})` -> `wrapping_{op}` (no ArithmeticOverflow)',
                     'ArithmeticOverflow')

    # -- lookups ----------------------------------------------------------
    def lookups(self, f):
        code, text = f.code, f.text
        for m in re.finditer(r'\.get\(', code):
            if not f.fn_at(m.start()):
                continue
            close = match_close(code, m.end() - 1)
            mm = re.match(r'\s*\.\s*ok_or(?:_else)?\(', code[close + 1:])
            if not mm:
                continue
            recv_s = postfix_start(code, m.start())
            recv = text[recv_s:m.start()].strip()
            oc = match_close(code, close + 1 + mm.end() - 1)
            error = err_name(text[close + 1:oc])
            self.add(f, 'lookup-fallback', m.start(), close + 1, f'{text[m.start():close + 1]}.or({recv}.first())',
                     f'{self._where(f, m.start())}: `{recv}.get({squash(text[m.end():close])})` out of range falls back to the first element instead of {error}',
                     error)

    # -- catch-all match arms -----------------------------------------------
    def catch_alls(self, f):
        code, text = f.code, f.text
        for m in re.finditer(r'(?m)^([ \t]*)_\s*=>\s*(Err\s*\()', code):
            if not f.fn_at(m.start()):
                continue
            close = match_close(code, m.end() - 1)
            # the previous arm, one line `PATTERN => BODY,`
            prev_lines = [ln for ln in code[:m.start()].split('\n') if ln.strip()]
            if not prev_lines:
                continue
            pm = re.match(r'\s*(.+?)\s*=>\s*(.+?),\s*$', prev_lines[-1])
            if not pm or re.search(r'\b[a-z_][a-z0-9_]*\b', pm.group(1)):
                self.not_mutated.append((f.rel, line_of(text, m.start()), squash(text[m.start():close + 1]),
                                         'catch-all arm: the previous arm binds values, no accepting body to copy (the checked ops it guards are mutated)'))
                continue
            body = pm.group(2)
            err = squash(text[m.start(2):close + 1])
            self.add(f, 'catch-all', m.start(2), close + 1, body,
                     f'{self._where(f, m.start())}: `_ => {err}` becomes `_ => {body}`', err_name(err))

    # -- found but not mutated --------------------------------------------
    def unmutated(self, f):
        code, text = f.code, f.text
        for m in re.finditer(r'\belse\s*\{\s*return\s+Err\s*\(', code):
            if not f.fn_at(m.start()):
                continue
            stmt_s = code.rfind('let', 0, m.start())
            self.not_mutated.append((f.rel, line_of(text, m.start()), squash(text[stmt_s:m.start()])[:60] + ' else { return Err }',
                                     'let-else: the accounts/bytes destructured are needed to go on; removing it does not compile'))
        for m in re.finditer(r'\.ok_or(?:_else)?\(', code):
            if not f.fn_at(m.start()):
                continue
            covered = any(mu.file == f.rel and mu.start <= m.start() < mu.end + 40 and mu.kind in ('wrapping', 'lookup-fallback')
                          for mu in self.mutants)
            if not covered:
                s = postfix_start(code, m.start())
                self.not_mutated.append((f.rel, line_of(text, m.start()), squash(text[s:match_close(code, m.end() - 1) + 1]),
                                         'an Option with no value to fall back on (a missing account, bytes past the end)'))
        for m in re.finditer(r'\.saturating_sub\(', code):
            if f.fn_at(m.start()):
                self.not_mutated.append((f.rel, line_of(text, m.start()), squash(text[postfix_start(code, m.start()):match_close(code, m.end() - 1) + 1]),
                                         'saturating by specification (not an overflow guard)'))


def load_sources():
    files = []
    for dirpath, _, names in os.walk(SRC):
        for n in sorted(names):
            if n.endswith('.rs'):
                p = os.path.join(dirpath, n)
                rel = os.path.relpath(p, SRC)
                with open(p, encoding='utf-8') as fh:
                    files.append(SourceFile(rel, fh.read()))
    files.sort(key=lambda s: s.rel)
    return files


def enumerate_mutants():
    files = load_sources()
    finder = Finder(files)
    return finder.run(), finder.not_mutated, {f.rel: f.text for f in files}


def apply(text, m):
    assert text[m.start:m.end] == m.old, m.id
    return text[:m.start] + m.new + text[m.end:]


# --------------------------------------------------------------------------
# Selection
# --------------------------------------------------------------------------

def ci_sample(mutants):
    """Every signer check, every owner check (an account's owner program:
    `owned_by`, `check::<T>`; a credit account's, the Config's admin or
    operator: `require_key(.., Unauthorized)`), require_key itself, and CI_EXTRA."""
    def owner_or_signer(m):
        return ('signer' in m.tags or 'owner' in m.tags
                or (m.kind == 'skip-call' and m.error == 'Unauthorized')
                or (m.kind == 'always-accept' and m.fn == 'require_key'))
    chosen = [m for m in mutants if owner_or_signer(m)]
    for file, kind, needle in CI_EXTRA:
        hits = [m for m in mutants if m.file == file and m.kind == kind and needle in m.old + m.description]
        if not hits:
            raise SystemExit(f'mutate.py: CI sample entry ({file}, {kind}, {needle}) matches no mutant: update CI_EXTRA')
        chosen.extend(hits)
    ids = {m.id for m in chosen}
    return [m for m in mutants if m.id in ids]


def load_equivalent(mutants):
    if not os.path.exists(EQUIVALENT_FILE):
        return {}
    with open(EQUIVALENT_FILE) as fh:
        data = json.load(fh)
    eq = {e['id']: e['reason'] for e in data.get('equivalent', [])}
    known = {m.id for m in mutants}
    for i in eq:
        if i not in known:
            print(f'warning: {os.path.relpath(EQUIVALENT_FILE, ROOT)} names {i}, which is no longer a mutant', file=sys.stderr)
    return eq


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------

class Interrupted(Exception):
    pass


def on_signal(signum, _frame):
    raise Interrupted(signal.Signals(signum).name)


def run_group(cmd, cwd, log, env=None, timeout=None):
    """Runs cmd in its own process group; on timeout, Ctrl-C or an error the
    whole group (and only it) is terminated. Returns (exit code or None on
    timeout, seconds)."""
    start = time.time()
    with open(log, 'w') as out:
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(p)
            return None, time.time() - start
        except BaseException:
            kill_group(p)
            raise
    return rc, time.time() - start


def kill_group(p):
    try:
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    except ProcessLookupError:
        pass


def tree_digest():
    h = hashlib.sha256()
    for dirpath, dirs, names in sorted(os.walk(CRATE)):
        dirs.sort()
        for n in sorted(names):
            p = os.path.join(dirpath, n)
            h.update(os.path.relpath(p, CRATE).encode())
            with open(p, 'rb') as fh:
                h.update(fh.read())
    return h.hexdigest()


def file_sha(p):
    with open(p, 'rb') as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def test_files():
    out = []
    for dirpath, _, names in os.walk(os.path.join(ROOT, 'tests')):
        for n in names:
            if n.endswith('.test.ts'):
                rel = os.path.relpath(os.path.join(dirpath, n), ROOT)
                if not any(rel == x or rel.startswith(x) for x in EXCLUDED_TESTS):
                    out.append(rel)
    return sorted(out)


class Runner:
    def __init__(self, args):
        self.args = args
        self.logs = os.path.join(MUT_DIR, 'logs')
        self.files = test_files()
        self.timeout = args.timeout
        self.rows = []
        self.baseline = None
        self.kills = {}  # test file -> mutants it killed in this run
        self.kills_by_file = {}  # source file -> {test file -> kills}
        self.durations = {}  # test file -> seconds in the baseline

    def log(self, *a):
        print(*a, flush=True)

    # scratch copy of what build-program.sh reads; its own cargo target dir
    def prepare_work(self, sources):
        os.makedirs(os.path.join(WORK, 'scripts'), exist_ok=True)
        for rel in ('Cargo.toml', 'Cargo.lock', 'scripts/build-program.sh', 'scripts/setup-toolchain.sh'):
            shutil.copy2(os.path.join(ROOT, rel), os.path.join(WORK, rel))
        crate = os.path.join(WORK, 'programs', 'job_escrow')
        if os.path.exists(crate):
            shutil.rmtree(crate)
        shutil.copytree(CRATE, crate, ignore=shutil.ignore_patterns('target'))
        self.sources = sources
        os.makedirs(self.logs, exist_ok=True)
        self.write_vitest_config()

    def build_mutant(self, m, text):
        path = os.path.join(WORK, 'programs', 'job_escrow', 'src', m.file)
        with open(path, 'w') as fh:
            fh.write(text)
        env = dict(os.environ, FORCE_BUILD='1', OUT=os.path.join(WORK, 'out', 'job_escrow.so'), OUT_V0=os.path.join(WORK, 'out-v0', 'job_escrow.so'))
        log = os.path.join(self.logs, 'build.log')
        try:
            rc, secs = run_group(['bash', 'scripts/build-program.sh'], WORK, log, env=env, timeout=600)
        finally:
            with open(path, 'w') as fh:
                fh.write(self.sources[m.file])
        return rc, secs, log

    def host_tests(self, m, text):
        """Runs the crate's host unit tests (`cargo test --lib`) on the mutant.
        Returns 'killed', 'passed' or 'uncompiled' and the log path."""
        path = os.path.join(WORK, 'programs', 'job_escrow', 'src', m.file)
        with open(path, 'w') as fh:
            fh.write(text)
        env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(WORK, 'target-host'))
        log = os.path.join(self.logs, 'host-tests.log')
        try:
            rc, _ = run_group(['cargo', 'test', '--locked', '--lib', '-p', 'job_escrow'], WORK, log, env=env, timeout=600)
        finally:
            with open(path, 'w') as fh:
                fh.write(self.sources[m.file])
        if rc == 0:
            return 'passed', log
        with open(log) as fh:
            text = fh.read()
        return ('killed' if 'test result: FAILED' in text or 'panicked' in text else 'uncompiled'), log

    def install(self):
        # From here on target/deploy holds a mutant: DIRTY makes the next run
        # (even after a kill -9) rebuild the real program first.
        with open(DIRTY, 'w') as fh:
            fh.write('target/deploy/job_escrow.so is a mutant\n')
        for built, so in ((os.path.join(WORK, 'out', 'job_escrow.so'), SO), (os.path.join(WORK, 'out-v0', 'job_escrow.so'), SO_V0)):
            tmp = so + '.mutant'
            shutil.copyfile(built, tmp)
            os.replace(tmp, so)

    def write_vitest_config(self):
        """The project's vitest config with a sequencer that runs the test
        files in the order given by MUTATE_TEST_ORDER (likely killers first:
        with --bail=1 a killed mutant then costs one or two files)."""
        self.vitest_config = os.path.join(MUT_DIR, 'vitest.mutate.config.mts')
        with open(self.vitest_config, 'w') as fh:
            fh.write(f'''// Generated by scripts/mutate.py: vitest.config.ts, files run in MUTATE_TEST_ORDER.
import {{ defineConfig, mergeConfig }} from 'vitest/config';
import {{ BaseSequencer }} from 'vitest/node';
import base from {json.dumps(os.path.relpath(os.path.join(ROOT, 'vitest.config.ts'), MUT_DIR))};

class Priority extends BaseSequencer {{
  async sort(files: any[]) {{
    const order: string[] = JSON.parse(process.env.MUTATE_TEST_ORDER ?? '[]');
    const rank = (f: any) => {{
      const i = order.findIndex((o) => f.moduleId.endsWith('/' + o));
      return i < 0 ? order.length : i;
    }};
    return [...files].sort((a, b) => rank(a) - rank(b));
  }}
}}

export default mergeConfig(base, defineConfig({{ root: {json.dumps(ROOT)}, test: {{ sequence: {{ sequencer: Priority }} }} }}));
''')

    def order_for(self, m):
        """Test files, likeliest killer of `m` first: the instruction's own
        file, files that killed mutants of the same source file in this run,
        the attack suites, files that killed anything, then the rest fastest
        first."""
        stem = os.path.splitext(os.path.basename(m.file))[0]
        own = f'tests/{stem}.test.ts' if m.file.startswith('instructions/') else None
        same = self.kills_by_file.get(m.file, {})
        dur = self.durations

        def key(f):
            return (0 if f == own else 1,
                    -same.get(f, 0),
                    0 if f.startswith('tests/attacks/') else 1,
                    -self.kills.get(f, 0),
                    dur.get(f, 0.0), f)
        return sorted(self.files, key=key)

    def vitest(self, tag, bail=True, order=None):
        out = os.path.join(self.logs, f'vitest-{tag}.json')
        if os.path.exists(out):
            os.remove(out)
        cmd = ['npx', 'vitest', 'run', '--config', self.vitest_config, *self.files, '--reporter=json', f'--outputFile={out}']
        if not self.args.isolate:
            cmd.append('--no-isolate')
        if bail:
            cmd.append('--bail=1')
        # MUTATE_RUNNING: build-program.sh (the tests' global setup) keeps the
        # installed mutant despite the DIRTY marker.
        env = dict(os.environ, MUTATE_RUNNING='1', MUTATE_TEST_ORDER=json.dumps(order or self.files))
        rc, secs = run_group(cmd, ROOT, os.path.join(self.logs, f'vitest-{tag}.log'), env=env, timeout=self.timeout)
        report = None
        if os.path.exists(out):
            try:
                with open(out) as fh:
                    report = json.load(fh)
            except ValueError:
                report = None
        return rc, secs, report

    @staticmethod
    def first_failure(report, rc):
        if rc is None:
            return 'timeout'
        if not report:
            return f'vitest exited {rc} without a report'
        fails = []
        for fr in report.get('testResults', []):
            name = os.path.relpath(fr['name'], ROOT)
            for a in fr.get('assertionResults', []):
                if a.get('status') == 'failed':
                    fails.append((fr.get('endTime', 0), f"{name} > {a.get('fullName', a.get('title'))}"))
            if fr.get('status') == 'failed' and not fr.get('assertionResults'):
                fails.append((fr.get('endTime', 0), f"{name}: {squash(fr.get('message', ''))[:120]}"))
        if fails:
            return sorted(fails)[0][1]
        return f'vitest exited {rc}'

    def run_baseline(self):
        self.log('[mutate] baseline: the unmutated program against the test files')
        rc, secs, report = self.vitest('baseline', bail=False)
        passed = report and report.get('numPassedTests', 0)
        if rc != 0 or not report or report.get('numFailedTests') or not passed:
            raise SystemExit(f'[mutate] the unmutated program fails the tests ({self.first_failure(report, rc)}); '
                             f'see {os.path.relpath(self.logs, ROOT)}/vitest-baseline.log')
        self.baseline = {'tests': passed, 'files': len(self.files), 'seconds': round(secs, 1)}
        for fr in report.get('testResults', []):
            self.durations[os.path.relpath(fr['name'], ROOT)] = (fr.get('endTime', 0) - fr.get('startTime', 0)) / 1000
        self.log(f'[mutate] baseline: {passed} tests in {len(self.files)} files passed in {secs:.1f} s')
        if self.timeout is None:
            self.timeout = max(120, 6 * secs)

    def run_one(self, m, i, n):
        t0 = time.time()
        text = apply(self.sources[m.file], m)
        # A file with host unit tests (math.rs, state/config.rs, ...) is tried
        # against them first: they are fast and exact where the suites only
        # reach a function through the program.
        if '#[cfg(test)]' in self.sources[m.file]:
            verdict, hlog = self.host_tests(m, text)
            if verdict == 'killed':
                with open(hlog) as fh:
                    failed = [m.group(1) for m in (re.match(r'^test (\S+) \.\.\. FAILED', ln) for ln in fh) if m]
                row = {'id': m.id, 'kind': m.kind, 'status': 'killed', 'build_seconds': 0,
                       'killed_by': f"cargo test (host unit tests): {failed[0] if failed else m.file}"}
                row['seconds'] = round(time.time() - t0, 1)
                self.rows.append(row)
                self.log(f"[{i}/{n}] KILLED   {row['seconds']:5.1f}s  {m.id}  {m.description}")
                self.log(f"          by {row['killed_by']}")
                return row
        rc, bsecs, blog = self.build_mutant(m, text)
        row = {'id': m.id, 'kind': m.kind, 'status': '', 'killed_by': '', 'build_seconds': round(bsecs, 1)}
        if rc != 0:
            with open(blog) as fh:
                errs = [ln.strip() for ln in fh if ln.startswith('error')]
            row.update(status='invalid', killed_by=(errs[0] if errs else f'build exited {rc}')[:200])
            shutil.copyfile(blog, os.path.join(self.logs, f'invalid-{safe(m.id)}.log'))
        else:
            self.install()
            trc, tsecs, report = self.vitest('mutant', order=self.order_for(m))
            row['test_seconds'] = round(tsecs, 1)
            if trc == 0 and report and not report.get('numFailedTests') and report.get('numPassedTests', 0) >= self.baseline['tests']:
                row['status'] = 'survived'
            elif trc is None:
                row.update(status='killed', killed_by=f'timeout after {self.timeout:.0f} s')
            else:
                row.update(status='killed', killed_by=self.first_failure(report, trc))
                killer = row['killed_by'].split(' > ')[0].split(':')[0]
                if killer in self.files:
                    self.kills[killer] = self.kills.get(killer, 0) + 1
                    per = self.kills_by_file.setdefault(m.file, {})
                    per[killer] = per.get(killer, 0) + 1
        row['seconds'] = round(time.time() - t0, 1)
        self.rows.append(row)
        mark = {'killed': 'KILLED  ', 'survived': 'SURVIVED', 'invalid': 'INVALID '}[row['status']]
        self.log(f"[{i}/{n}] {mark} {row['seconds']:5.1f}s  {m.id}  {m.description}")
        if row['killed_by']:
            self.log(f"          by {row['killed_by']}")
        return row

    def restore(self):
        self.log('[mutate] rebuilding target/deploy/job_escrow.so from the clean sources')
        env = dict(os.environ, FORCE_BUILD='1')
        rc, _ = run_group(['bash', 'scripts/build-program.sh'], ROOT, os.path.join(MUT_DIR, 'restore.log'), env=env, timeout=900)
        if rc != 0:
            raise SystemExit(f'[mutate] rebuilding the clean program failed: see {os.path.relpath(MUT_DIR, ROOT)}/restore.log')
        if os.path.exists(DIRTY):
            os.remove(DIRTY)


def pct(score):
    return '-' if score is None else f'{100 * score:.1f} %'


def cell(s):
    return s.replace('|', '\\|')


def safe(s):
    return re.sub(r'[^\w.-]+', '_', s)


# --------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------

def counts_of(rows, n_equivalent):
    c = {'total': len(rows) + n_equivalent, 'killed': 0, 'survived': 0, 'invalid': 0, 'equivalent': n_equivalent}
    for r in rows:
        c[r['status']] = c.get(r['status'], 0) + 1
    denom = c['total'] - c['invalid'] - c['equivalent']
    c['score'] = round(c['killed'] / denom, 4) if denom else None
    return c


def print_table(rows, by_id, eq):
    print()
    print(f"{'status':9} {'secs':>6}  {'id':48} killed by / description")
    for r in rows:
        m = by_id[r['id']]
        what = r['killed_by'] or m.description
        print(f"{r['status']:9} {r['seconds']:6.1f}  {r['id']:48} {what[:150]}")
    for i, reason in eq.items():
        if i in by_id:
            print(f"{'equiv.':9} {'':6}  {i:48} {reason[:150]}")


def markdown(rows, by_id, eq, counts, meta):
    out = ['| mutants | killed | survived | invalid | equivalent | score |', '|---|---|---|---|---|---|',
           f"| {counts['total']} | {counts['killed']} | {counts['survived']} | {counts['invalid']} | {counts['equivalent']} | "
           f"{pct(counts['score'])} |", '']
    kinds = {}
    for r in rows:
        k = kinds.setdefault(r['kind'], {'killed': 0, 'survived': 0, 'invalid': 0})
        k[r['status']] += 1
    out += ['| kind | killed | survived | invalid |', '|---|---|---|---|']
    out += [f"| {k} | {v['killed']} | {v['survived']} | {v['invalid']} |" for k, v in sorted(kinds.items())]
    out.append('')
    surv = [r for r in rows if r['status'] == 'survived']
    if surv:
        out += ['Survivors:', '', '| mutant | check weakened |', '|---|---|']
        out += [f"| `{r['id']}` | {cell(by_id[r['id']].description)} |" for r in surv]
        out.append('')
    if eq:
        out += ['Equivalent (not counted):', '', '| mutant | why |', '|---|---|']
        out += [f"| `{i}` | {cell(reason)} |" for i, reason in eq.items()]
        out.append('')
    out.append(f"Selection: {meta['selection']}; {meta['seconds_per_mutant']} s per mutant "
               f"(build + {meta['test_files']} test files, --bail=1).")
    return '\n'.join(out) + '\n'


def print_list(mutants, not_mutated, eq, helpers_count):
    for m in mutants:
        e = f'  [equivalent: {eq[m.id]}]' if m.id in eq else ''
        print(f'{m.id}  [{m.kind}; {",".join(m.tags) or "-"}]{e}')
        print(f'    {m.description}')
        print(f'    - {m.old.strip() if m.old.strip() else repr(m.old)}'.replace('\n', '\n      '))
        print(f'    + {m.new if m.new else "(deleted)"}'.replace('\n', '\n      '))
    print()
    kinds, files = {}, {}
    for m in mutants:
        kinds[m.kind] = kinds.get(m.kind, 0) + 1
        files[m.file] = files.get(m.file, 0) + 1
    print(f'{len(mutants)} mutants ({len(eq)} listed as equivalent)')
    print('by kind: ' + ', '.join(f'{k} {v}' for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))
    print('by file:')
    for f, v in sorted(files.items()):
        print(f'  {v:4}  {f}')
    tags = {}
    for m in mutants:
        for t in m.tags:
            tags[t] = tags.get(t, 0) + 1
    print('by tag: ' + ', '.join(f'{k} {v}' for k, v in sorted(tags.items(), key=lambda kv: -kv[1])))
    print(f'CI sample (--sample ci): {len(ci_sample(mutants))} mutants')
    print()
    print('Found but not mutated:')
    for file, line, what, why in not_mutated:
        print(f'  {file}:{line}  {what}\n      {why}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split('\n', 1)[1])
    ap.add_argument('--list', action='store_true', help='print every mutant and exit')
    ap.add_argument('--json', action='store_true', help='with --list: machine-readable')
    ap.add_argument('--sample', choices=['ci'], help='run the CI subset')
    ap.add_argument('--only', nargs='+', metavar='ID', help='run these mutants (ids, or id prefixes ending in ":")')
    ap.add_argument('--include-equivalent', action='store_true', help='also run the mutants listed as equivalent')
    ap.add_argument('--markdown', metavar='FILE', help='write a markdown summary')
    ap.add_argument('--report-only', action='store_true', help='exit 0 even when a mutant survives')
    ap.add_argument('--no-baseline', action='store_true', help='skip the unmutated test run')
    ap.add_argument('--isolate', action='store_true', help="run vitest with per-file isolation (about 3x slower)")
    ap.add_argument('--timeout', type=float, help='seconds per test run (default: 6x the baseline, at least 120)')
    args = ap.parse_args()

    mutants, not_mutated, sources = enumerate_mutants()
    by_id = {m.id: m for m in mutants}
    eq = load_equivalent(mutants)

    if args.list:
        if args.json:
            json.dump({'mutants': [m.row() for m in mutants], 'not_mutated': not_mutated}, sys.stdout, indent=1)
            print()
        else:
            print_list(mutants, not_mutated, eq, None)
        return 0

    if args.only:
        chosen = []
        for i in args.only:
            hits = [m for m in mutants if m.id == i or (i.endswith(':') and m.id.startswith(i))]
            if not hits:
                raise SystemExit(f'mutate.py: no mutant {i} (see --list)')
            chosen += [m for m in hits if m not in chosen]
        selection = 'only ' + ' '.join(args.only)
    elif args.sample == 'ci':
        chosen, selection = ci_sample(mutants), 'sample ci'
    else:
        chosen, selection = list(mutants), 'all'
    run_eq = {} if args.include_equivalent else {m.id: eq[m.id] for m in chosen if m.id in eq}
    to_run = [m for m in chosen if m.id not in run_eq]

    os.makedirs(MUT_DIR, exist_ok=True)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    runner = Runner(args)
    digest = tree_digest()
    t0 = time.time()
    status = 0
    interrupted = False
    clean_sha = None
    try:
        if os.path.exists(DIRTY):
            print('[mutate] a previous run was interrupted with a mutant installed: rebuilding first')
            runner.restore()
        rc, _ = run_group(['bash', 'scripts/build-program.sh'], ROOT, os.path.join(MUT_DIR, 'build.log'))
        if rc != 0:
            raise SystemExit(f'[mutate] the program does not build: see {os.path.relpath(MUT_DIR, ROOT)}/build.log')
        clean_sha = file_sha(SO)
        runner.prepare_work(sources)
        print(f'[mutate] {selection}: {len(to_run)} mutants to run, {len(run_eq)} equivalent; '
              f'{len(runner.files)} test files; scratch crate in {os.path.relpath(WORK, ROOT)}')
        if args.no_baseline:
            runner.baseline = {'tests': 0, 'files': len(runner.files), 'seconds': None}
            runner.timeout = runner.timeout or 600
        else:
            runner.run_baseline()
        for i, m in enumerate(to_run, 1):
            runner.run_one(m, i, len(to_run))
            write_report(runner, by_id, run_eq, selection, t0, partial=True)
    except Interrupted as e:
        interrupted = True
        print(f'\n[mutate] interrupted ({e}); restoring', file=sys.stderr)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if os.path.exists(DIRTY) or clean_sha is None or not os.path.exists(SO) or file_sha(SO) != clean_sha:
            runner.restore()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if tree_digest() != digest:
            print('[mutate] ERROR: programs/job_escrow changed during the run', file=sys.stderr)
            status = 2
    if interrupted:
        write_report(runner, by_id, run_eq, selection, t0, partial=True)
        return 130
    report = write_report(runner, by_id, run_eq, selection, t0, partial=False)
    print_table(runner.rows, by_id, run_eq)
    c = report['counts']
    print(f"\n[mutate] {c['total']} mutants: {c['killed']} killed, {c['survived']} survived, {c['invalid']} invalid, "
          f"{c['equivalent']} equivalent; score {pct(c['score'])}; "
          f"{report['seconds']:.0f} s ({report['seconds_per_mutant']} s per mutant); report: {os.path.relpath(REPORT, ROOT)}")
    if clean_sha and file_sha(SO) == clean_sha:
        print('[mutate] target/deploy/job_escrow.so rebuilt from the clean sources (same bytes as before the run)')
    if args.markdown:
        with open(args.markdown, 'w') as fh:
            fh.write(markdown(runner.rows, by_id, run_eq, c, report))
        print(f'[mutate] markdown: {args.markdown}')
    if status:
        return status
    if c['survived'] and not args.report_only:
        return 1
    return 0


def write_report(runner, by_id, eq, selection, t0, partial):
    rows = []
    for r in runner.rows:
        m = by_id[r['id']]
        rows.append({**r, 'file': m.file, 'line': m.line, 'description': m.description, 'tags': m.tags,
                     'edit': {'old': m.old, 'new': m.new}})
    for i, reason in eq.items():
        m = by_id[i]
        rows.append({'id': i, 'kind': m.kind, 'status': 'equivalent', 'reason': reason, 'file': m.file, 'line': m.line,
                     'description': m.description, 'tags': m.tags, 'edit': {'old': m.old, 'new': m.new}})
    run_rows = [r for r in runner.rows]
    secs = time.time() - t0
    per = [r['seconds'] for r in run_rows]
    report = {
        'selection': selection, 'partial': partial,
        'commit': subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=ROOT, capture_output=True, text=True).stdout.strip(),
        'counts': counts_of(run_rows, len(eq)),
        'seconds': round(secs, 1),
        'seconds_per_mutant': round(sum(per) / len(per), 1) if per else None,
        'baseline': runner.baseline, 'test_files': len(runner.files), 'test_file_list': runner.files,
        'mutants': rows,
    }
    os.makedirs(os.path.dirname(REPORT), exist_ok=True)
    with open(REPORT, 'w') as fh:
        json.dump(report, fh, indent=1)
        fh.write('\n')
    return report


if __name__ == '__main__':
    sys.exit(main())
