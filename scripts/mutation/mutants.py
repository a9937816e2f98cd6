"""The mutant kinds (operators): where each applies in a parsed file and the
code it puts there, and `apply`, which makes a mutant's source text.

`Operators` is mixed into `sites.Finder`, which provides what the operators
use: `add` (records a mutant: tags, dedup), `helpers` (the rejecting helper
functions and their call counts) and `not_mutated`. The kinds are listed, one
line each, in the package docstring (`python3 scripts/mutate.py --help`)."""
import os
import re
from dataclasses import dataclass, field

from .rust import comparisons, line_of, match_close, operand_end, postfix_start, relops, scan_to, split_top, squash, statement_end


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


def err_name(text):
    m = re.search(r'(?:JobEscrowError|ProgramError)::(\w+)', text)
    if m:
        return m.group(1)
    m = re.match(r'\s*(?:return\s+)?Err\s*\(\s*(\w+)', text)
    return m.group(1) if m else ''


# The kinds by class, in the order the package docstring lists them: a
# check weakened (the program accepts what it should refuse), an effect
# changed (what it records or pays), a bound moved by one.
CLASSES = {
    'checks': ('never-reject', 'drop-or', 'force-and', 'always-accept', 'drop-and', 'skip-call',
               'skip-load', 'wrapping', 'math-site', 'lookup-fallback', 'catch-all'),
    'effects': ('store-const', 'skip-store', 'skip-update', 'operand-zero', 'operand-swap', 'branch-true',
                'branch-false'),
    'bounds': ('boundary', 'off-by-one', 'const-up', 'const-down'),
}
CLASS_OF = {kind: cls for cls, kinds in CLASSES.items() for kind in kinds}

# The arithmetic whose operands `operands` replaces: math.rs's functions
# (called as math::f(..) elsewhere, as f(..) inside math.rs) and the
# integer methods. Operand order matters for these (a swap is a mutant).
MATH_FNS = ('add', 'sub', 'mul', 'div_rem', 'mul_div_floor', 'mul_div_ceil')
ORDERED_OPS = ('sub', 'div_rem', 'div', 'rem')


def keep_side_effects(part, value):
    """`value` in place of the expression `part`, still evaluating it when it
    has a `?` (so its error is kept)."""
    return value if '?' not in part else f'{{ let _ = {part}; {value} }}'


class Operators:
    """One method per kind (a few shared by several kinds: `ifs` finds the
    never-reject, drop-or, force-and, boundary, always-accept and drop-and
    mutants); each calls `self.add` for every mutant it makes."""

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
            arrow = code.find('=>', cs, brace)
            if arrow >= 0 and all(code.count(o, cs, arrow) == code.count(c, cs, arrow) for o, c in ('()', '[]')):
                self.guard(f, cs, arrow)
                continue
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
            else:
                self.force_branch(f, cs, ce, cond, where)

    def guard(self, f, cs, arrow):
        """A match arm's guard `PAT if C => BODY`: a rejecting BODY (`Err(..)`,
        `return Err(..)`) makes C a check like an `if`'s, any other BODY a
        branch forced each way."""
        code = f.code
        ce = arrow
        while code[ce - 1].isspace():
            ce -= 1
        body_s = arrow + 2
        body_e = match_close(code, scan_to(code, body_s, '{')) + 1 if code[body_s:].lstrip().startswith('{') else scan_to(code, body_s, ',}')
        cond, where = squash(f.text[cs:ce]), self._where(f, cs)
        if self._single(f, body_s, body_e, r'(?:return\s+)?Err\s*\('):
            self.reject_condition(f, cs, ce, cond, err_name(f.text[body_s:body_e]), where)
        else:
            self.force_branch(f, cs, ce, cond, where)

    def force_branch(self, f, cs, ce, cond, where):
        """A condition that rejects nothing (the `if` of an effect, an early
        `return Ok`, a match guard): made `true`, then `false`."""
        part = f.text[cs:ce]
        for value in ('true', 'false'):
            self.add(f, f'branch-{value}', cs, ce, keep_side_effects(part, value),
                     f'{where}: `{cond}` forced {value}')

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
            tags = {'require_signer': ['signer'], 'check': ['owner'], 'load_vault': ['token'], 'load': ['token'], 'vault': ['token'],
                    'validate': ['config']}.get(name, [])
            self.add(f, 'skip-call', m.start(), end, '',
                     f'{self._where(f, m.start())}: `{stmt}` removed', error, tags, line_pos=m.start(2))

    # -- unchecked loads ----------------------------------------------------
    def skip_loads(self, f):
        code, text = f.code, f.text
        # `TokenAccounts { .. }.check(config)?`: the Config's mint and token
        # program, checked at this call site; skipped, the Token is built
        # from the accounts as passed.
        for m in re.finditer(r'TokenAccounts\s*\{\s*mint\s*,\s*token_program\s*\}\s*\.check\((\w+)\)\?', code):
            if not f.fn_at(m.start()):
                continue
            config = m.group(1)
            new = f'crate::instructions::shared::Token {{ mint, program: token_program.address(), decimals: {config}.decimals }}'
            self.add(f, 'skip-load', m.start(), m.end(), new,
                     f'{self._where(f, m.start())}: the mint and token program used without TokenAccounts::check '
                     '(Config\'s mint, Config\'s token program)', '', ['token'])
        for m in re.finditer(r'\b(load|load_mut)::<(\w+)>\(|(?<![\w:.])(TokenAccount::load|load_vault|token\.vault|token\.account)\(', code):
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
            vault_checks = 'address, token-program owner, mint, state, owner, delegate and close-authority checks'
            account_checks = 'token-program owner, length, mint and state checks'
            checks = {'load_vault': vault_checks, 'token.vault': vault_checks,
                      'TokenAccount::load': account_checks, 'token.account': account_checks}.get(
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


    # -- every comparison: boundary and off-by-one --------------------------
    def bounds(self, f):
        """Every comparison in a function body, wherever it is (a rejecting
        condition, an effect's `if`, a `let`, a closure): `boundary` flips it
        (`>` <-> `>=`, `<` <-> `<=`), `off-by-one` moves its right side one
        step the other way (`a > b` -> `a > b + 1`, `a >= b` -> `a >= b - 1`),
        so the two cover both directions. A shift of the left side is the
        opposite shift of the right (`a + 1 > b` is `a > b - 1`): not made
        again. Not `x >= 0 - 1` or `x < 0 - 1` (no unsigned value; does not
        compile)."""
        code, text = f.code, f.text
        for fn in f.fns:
            for ls, pos, op, re_ in comparisons(code, fn.start + 1, fn.end):
                if f.fn_at(pos) is not fn:
                    continue
                cmp = squash(text[ls:re_])
                where = self._where(f, pos)
                self.boundaries(f, ls, re_, f'`{cmp}`', '', where)
                rs = pos + len(op)
                while code[rs].isspace():
                    rs += 1
                rhs = text[rs:re_]
                step = '+' if op in ('>', '<=') else '-'
                if step == '-' and re.fullmatch(r'0\w*', rhs.strip()):
                    continue
                simple = re.fullmatch(r'[\w.:]+(\([^()]*\))?', rhs.strip())
                new = f'{rhs} {step} 1' if simple else f'({rhs}) {step} 1'
                self.add(f, 'off-by-one', rs, re_, new,
                         f'{where}: `{cmp}` -> `{squash(text[ls:rs])} {new}`', line_pos=pos)

    # -- numeric constants ----------------------------------------------------
    def constants(self, f):
        """`const NAME: <integer> = <literal>;` one more and one less, but a
        layout size (a `LEN`, an array length, a name in a compile-time
        assert), which does not build with another value, and not below 0."""
        code, text = f.code, f.text
        pat = re.compile(r'\bconst\s+([A-Z][A-Z0-9_]*)\s*:\s*(?:u8|u16|u32|u64|u128|usize|i8|i16|i32|i64|isize)\s*=\s*'
                         r'((?:0x[0-9a-fA-F_]+|[0-9][0-9_]*)(?:u8|u16|u32|u64|usize|i64)?)\s*;')
        for m in pat.finditer(code):
            name, lit = m.group(1), m.group(2)
            if any(s <= m.start() < e for s, e, _ in f.excluded):
                continue
            owner = [n for s, e, n in f.owners if s < m.start() < e]
            if (owner[-1] + '::' + name if owner else name) in self.layout_sizes:
                self.not_mutated.append((f.rel, line_of(text, m.start()), squash(text[m.start():m.end()]),
                                         'a layout size: the compile-time size asserts refuse any other value'))
                continue
            s, e = m.start(2), m.end(2)
            self.add(f, 'const-up', s, e, f'{lit} + 1', f'`{name}` = {lit} + 1', tags=['const'])
            if not re.fullmatch(r'0+(?:u8|u16|u32|u64|usize|i64)?', lit.replace('_', '')):
                self.add(f, 'const-down', s, e, f'{lit} - 1', f'`{name}` = {lit} - 1', tags=['const'])

    # -- stored fields ----------------------------------------------------------
    def stores(self, f):
        """Every write of an account field (a setter of the layouts in state/,
        `x.field = ..` of one of their fields): `store-const` writes a
        constant instead (0, or 1 when the value written is 0; false/true;
        `Default::default()` for a field assigned whole), `skip-store`
        deletes the write when it is a statement. Not inside a setter itself
        (its callers are mutated)."""
        code, text = f.code, f.text
        setters = '|'.join(sorted(self.layout['setters'], key=len, reverse=True))
        for m in re.finditer(r'\.\s*(' + setters + r')\(', code) if setters else ():
            fn = f.fn_at(m.start())
            if not fn or fn.name.startswith('set_'):
                continue
            close = match_close(code, m.end() - 1)
            arg = text[m.end():close]
            ty = self.layout['setters'][m.group(1)]
            if ty == 'bool':
                const = 'true' if arg.strip() == 'false' else 'false'
            else:
                const = '1' if re.fullmatch(r'0\w*', arg.strip()) else '0'
            recv_s = postfix_start(code, m.start())
            call = squash(text[recv_s:close + 1])
            where = self._where(f, m.start())
            self.add(f, 'store-const', m.end(), close, keep_side_effects(arg, const),
                     f'{where}: `{call}` stores {const}', tags=['store'])
            self._skip_statement(f, recv_s, close, 'skip-store', f'{where}: `{call}` not stored', ['store'])
        fields = '|'.join(sorted(self.layout['fields'], key=len, reverse=True))
        for m in re.finditer(r'(?m)^[ \t]*((?:\*?\w+)(?:\.\w+)*)\.(' + fields + r')\s*=(?![=>])\s*', code) if fields else ():
            fn = f.fn_at(m.start())
            if not fn or fn.name.startswith('set_'):
                continue
            end = scan_to(code, m.end(), ';')
            value = text[m.end():end]
            target = f'{m.group(1)}.{m.group(2)}'
            where = self._where(f, m.start())
            if 'default()' not in value:
                self.add(f, 'store-const', m.end(), end, keep_side_effects(value, 'Default::default()'),
                         f'{where}: `{target}` stores its default (zero) value', tags=['store'])
            stop = end + 2 if code[end + 1:end + 2] == '\n' else end + 1
            line_start = code.rfind('\n', 0, m.start()) + 1
            self.add(f, 'skip-store', line_start, stop, '', f'{where}: `{target} = {squash(value)}` not stored',
                     tags=['store'], line_pos=m.start(1))

    def _skip_statement(self, f, start, close, kind, description, tags):
        """Deletes the statement whose expression starts at `start` and whose
        last call closes at `close`, when it is a whole statement (its own
        line)."""
        code = f.code
        line_start = code.rfind('\n', 0, start) + 1
        end = statement_end(code, close)
        if end is None or code[line_start:start].strip():
            return
        self.add(f, kind, line_start, end, '', description, tags=tags, line_pos=start)

    # -- state updates ------------------------------------------------------------
    def updates(self, f):
        """`skip-update` deletes a state update: a statement calling one of
        the program's `&mut self` methods (credit.lock, release, spend_promo,
        unspend_daily, job.free, ...), or an assignment that reads what it
        writes (`x = f(x)`, `x += ..`: a counter, an accumulator)."""
        code, text = f.code, f.text
        methods = '|'.join(sorted(self.layout['mut_methods'], key=len, reverse=True))
        for m in re.finditer(r'\.\s*(' + methods + r')\(', code) if methods else ():
            if not f.fn_at(m.start()):
                continue
            close = match_close(code, m.end() - 1)
            recv_s = postfix_start(code, m.start())
            self._skip_statement(f, recv_s, close, 'skip-update',
                                 f'{self._where(f, m.start())}: `{squash(text[recv_s:close + 1])}` not done', ['update'])
        for m in re.finditer(r'(?m)^([ \t]*)((?:\*?\w+)(?:\.\w+)*)\s*([-+*|&]?=)(?![=>])\s*', code):
            if not f.fn_at(m.start()) or m.group(2) in ('let', 'return') or m.group(2).split('.')[-1] in self.layout['fields']:
                continue
            end = scan_to(code, m.end(), ';')
            target, value = m.group(2), text[m.end():end]
            if m.group(3) == '=' and not re.search(r'(?<![\w.])' + re.escape(target) + r'\b', code[m.end():end]):
                continue
            stop = end + 2 if code[end + 1:end + 2] == '\n' else end + 1
            self.add(f, 'skip-update', m.start(), stop, '',
                     f'{self._where(f, m.start())}: `{target} {m.group(3)} {squash(value)}` not done', tags=['update'],
                     line_pos=m.start(2))

    # -- arithmetic operands ------------------------------------------------------
    def operands(self, f):
        """`operand-zero`: one operand of an arithmetic call (math::add, sub,
        mul, div_rem, mul_div_floor, mul_div_ceil; x.checked_/saturating_/
        wrapping_op(y)) becomes 0; `operand-swap`: the two operands of one
        whose order matters (sub, div_rem, div, rem) are swapped. A method's
        receiver is not zeroed and not swapped with a bare literal (its
        integer type would be unknown)."""
        code, text = f.code, f.text
        prefix = r'(?<![\w:.])(?:crate::)?math::' if f.rel != 'math.rs' else r'(?<![\w:.])(?<!fn )(?:crate::)?(?:math::)?'
        for m in re.finditer(prefix + r'(' + '|'.join(MATH_FNS) + r')\(', code):
            if not f.fn_at(m.start()):
                continue
            op = m.group(1)
            close = match_close(code, m.end() - 1)
            parts = split_top(code, m.end(), close, ',')
            call = squash(text[m.start():close + 1])
            where = self._where(f, m.start())
            for k, (s, e) in enumerate(parts):
                if text[s:e].strip() != '0':
                    self.add(f, 'operand-zero', s, e, keep_side_effects(text[s:e], '0'),
                             f'{where}: operand {k + 1} of `{call}` is 0', tags=['arithmetic'])
            if op in ORDERED_OPS and len(parts) == 2:
                (a1, b1), (a2, b2) = parts
                self.add(f, 'operand-swap', a1, b2, f'{text[a2:b2]}, {text[a1:b1]}',
                         f'{where}: `{call}` with its operands swapped', tags=['arithmetic'])
        for m in re.finditer(r'\.\s*(checked|saturating|wrapping)_(add|sub|mul|div|rem)\(', code):
            if not f.fn_at(m.start()):
                continue
            op = m.group(2)
            close = match_close(code, m.end() - 1)
            arg = text[m.end():close]
            recv_s = postfix_start(code, m.start())
            recv = text[recv_s:m.start()].strip()
            call = squash(text[recv_s:close + 1])
            where = self._where(f, m.start())
            if arg.strip() != '0':
                self.add(f, 'operand-zero', m.end(), close, keep_side_effects(arg, '0'),
                         f'{where}: `{call}` by 0', tags=['arithmetic'], line_pos=m.start())
            if op in ORDERED_OPS and not re.fullmatch(r'[0-9][\w]*', arg.strip()):
                a = arg if re.fullmatch(r'[\w.:]+(\([^()]*\))?', arg.strip()) else f'({arg})'
                self.add(f, 'operand-swap', recv_s, close + 1, f'{a}.{m.group(1)}_{op}({recv})',
                         f'{where}: `{call}` with its operands swapped', tags=['arithmetic'], line_pos=m.start())

def apply(text, m):
    assert text[m.start:m.end] == m.old, m.id
    return text[:m.start] + m.new + text[m.end:]
