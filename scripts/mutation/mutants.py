"""The mutant kinds (operators): where each applies in a parsed file and the
code it puts there, and `apply`, which makes a mutant's source text.

`Operators` is mixed into `sites.Finder`, which provides what the operators
use: `add` (records a mutant: tags, dedup), `helpers` (the rejecting helper
functions and their call counts) and `not_mutated`. The kinds are listed, one
line each, in the package docstring (`python3 scripts/mutate.py --help`)."""
import os
import re
from dataclasses import dataclass, field

from .rust import line_of, match_close, postfix_start, relops, scan_to, split_top, squash


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


def apply(text, m):
    assert text[m.start:m.end] == m.old, m.id
    return text[:m.start] + m.new + text[m.end:]
