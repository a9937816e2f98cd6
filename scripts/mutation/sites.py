"""Finding the mutation sites of the program: its sources parsed, every
operator run over every function, each mutant tagged and given its stable
id (file:line:kind, numbered when a line has several), and the checks found
but not mutated, with the reason."""
import hashlib
import os
import re

from .mutants import Mutant, Operators
from .paths import SRC
from .rust import SourceFile, line_of, match_close, postfix_start, squash

# Code not mutated, with the reason (printed by --list).
EXCLUDED_FILES = {
    'instructions/shared/sysvar.rs':
        'sysvar reads: the syscall status check is unreachable (a failing sysvar syscall aborts the '
        'program instead of returning non-zero) and the Rent decoding (whole_f64) and its arithmetic '
        'only ever see the runtime\'s Rent sysvar, not transaction input; whole_f64 has host unit tests',
}

# Methods that reject without an `Err(` of their own (they return a
# loader's Result): call sites are mutated as for any helper.
LOADER_METHODS = {'vault', 'account'}

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


class Finder(Operators):
    """All the mutants of a set of parsed files (`run()`), and `not_mutated`:
    what was found but left alone, (file, line, what, why)."""

    def __init__(self, files):
        self.files = files
        self.mutants = []
        self.not_mutated = []  # (file, line, what, why)
        self.helpers = self._helpers()
        self.layout = self._layout()
        self.layout_sizes = self._layout_sizes()

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
        # Token's loaders (instructions/shared/mod.rs) reject through
        # TokenAccount::load and load_vault, which they return as they are.
        names |= LOADER_METHODS
        counts = {}
        for f in self.files:
            if f.rel in EXCLUDED_FILES:
                continue
            for name in names:
                for m in re.finditer(r'(?<!fn )\b' + name + r'\s*(?:::<[^>]*>)?\(', f.code):
                    if f.fn_at(m.start()):
                        counts[name] = counts.get(name, 0) + 1
        return {n: counts.get(n, 0) for n in names}

    # -- the account layouts: what `stores` and `updates` mutate
    def _layout(self):
        """{'fields': the fields of the account layouts (the #[repr(C)]
        structs of state/ with `le_fields!` accessors: Config, Tier,
        CreditAccount, JobSlot), 'setters': {setter: value type},
        'mut_methods': the program's other `&mut self` methods}."""
        setters, fields, mut_methods = {}, set(), set()
        for f in self.files:
            if f.rel in EXCLUDED_FILES:
                continue
            code = f.code
            for m in re.finditer(r'\ble_fields!\s*\{([^}]*)\}', code):
                for fm in re.finditer(r'(\w+)\s*,\s*(set_\w+)\s*:\s*(\w+)\s*;', m.group(1)):
                    setters[fm.group(2)] = fm.group(3)
                owner = re.findall(r'\bimpl\s+(\w+)\s*\{', code[:m.start()])
                if f.rel.startswith('state/') and owner:
                    sm = re.search(r'#\[repr\(C\)\][^{;]*?\bstruct\s+' + owner[-1] + r'\s*\{', code)
                    if sm:
                        body = code[sm.end():match_close(code, sm.end() - 1)]
                        fields |= set(re.findall(r'(?m)^\s*(?:pub\s+)?(\w+)\s*:', body))
            for m in re.finditer(r'\bfn\s+(\w+)\s*\(\s*&\s*mut\s+self\b([^)]*)\)', code):
                if m.group(1).startswith('set_'):
                    arg = re.search(r':\s*(\w+)', m.group(2))
                    setters[m.group(1)] = arg.group(1) if arg else ''
                else:
                    mut_methods.add(m.group(1))
        fields.discard('discriminator')
        return {'fields': fields, 'setters': setters, 'mut_methods': mut_methods}

    def _layout_sizes(self):
        """Constants that size a layout: array lengths (`[T; NAME]`) and the
        names in compile-time asserts (`const _: () = assert!(..)`)."""
        code = ''.join(f.code for f in self.files)
        names = set(re.findall(r';\s*([A-Z][A-Z0-9_]*)\s*\]', code))
        for m in re.finditer(r'\bconst\s+_\s*:\s*\(\)\s*=\s*assert!\(', code):
            names |= set(re.findall(r'\b((?:\w+::)?[A-Z][A-Z0-9_]+)\b', code[m.end():match_close(code, m.end() - 1)]))
        return names

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

    def test_modules(self):
        """Files declared `#[cfg(test)] mod name;`: test-only, like an inline
        #[cfg(test)] module."""
        out = set()
        for f in self.files:
            for s, e, _ in f.excluded:
                for m in re.finditer(r'\bmod\s+(\w+)\s*;', f.text[s:e]):
                    d = os.path.dirname(f.rel)
                    if os.path.basename(f.rel) not in ('mod.rs', 'lib.rs'):
                        d = os.path.join(d, os.path.splitext(os.path.basename(f.rel))[0])
                    out.add(os.path.join(d, m.group(1) + '.rs'))
        return out

    def run(self):
        test_modules = self.test_modules()
        for f in self.files:
            if f.rel in EXCLUDED_FILES:
                self.not_mutated.append((f.rel, 0, 'whole file', EXCLUDED_FILES[f.rel]))
                continue
            if f.rel in test_modules:
                self.not_mutated.append((f.rel, 0, 'whole file', 'test-only module (declared under #[cfg(test)])'))
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
            self.bounds(f)
            self.constants(f)
            self.stores(f)
            self.updates(f)
            self.operands(f)
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


def load_sources(src=SRC):
    files = []
    for dirpath, _, names in os.walk(src):
        for n in sorted(names):
            if n.endswith('.rs'):
                p = os.path.join(dirpath, n)
                rel = os.path.relpath(p, src)
                with open(p, encoding='utf-8') as fh:
                    files.append(SourceFile(rel, fh.read()))
    files.sort(key=lambda s: s.rel)
    return files


def program_digest(src=SRC):
    """SHA-256 of the code mutants are made of: every file's text with
    comments, string contents and #[cfg(test)] items blanked but its lines
    kept (SourceFile.code), spaces collapsed and the blank end dropped, so the same digest means the same ids name the
    same code; a changed host unit test or comment leaves it as it is."""
    finder = Finder(load_sources(src))
    tests = finder.test_modules()
    h = hashlib.sha256()
    for f in finder.files:
        if f.rel not in tests:
            lines = (' '.join(line.split()) for line in f.code.split('\n'))
            h.update(f.rel.encode() + b'\0' + '\n'.join(lines).rstrip().encode() + b'\0')
    return h.hexdigest()


def enumerate_mutants():
    files = load_sources()
    finder = Finder(files)
    return finder.run(), finder.not_mutated, {f.rel: f.text for f in files}
