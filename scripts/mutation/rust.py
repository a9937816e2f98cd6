"""Reading Rust source text: comments and literals masked out, brackets
matched, expressions delimited, and a file's functions (with the
#[cfg(test)] and host-only items left out). Offsets in the masked `code`
are offsets in the original `text`."""
import re
from dataclasses import dataclass


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


COMPARISON = re.compile(r'(?<=\s)(<=|>=|<|>)(?=\s)')
KEYWORDS_BEFORE_EXPR = ('if', 'while', 'return', 'match', 'in', 'let', 'else', 'break')


def comparisons(code, a, b):
    """(lhs_start, op_pos, op, rhs_end) of every comparison `x < y`, `x <= y`,
    `x > y`, `x >= y` in code[a:b]. rustfmt puts a space on each side of a
    binary operator and none inside generics (`Option<u8>`, `::<T>`), which
    tells the two apart; `=>`, `->`, `<<` and `>>` are never matched."""
    out = []
    for m in COMPARISON.finditer(code, a, b):
        pos, op = m.start(), m.group(1)
        out.append((operand_start(code, pos), pos, op, operand_end(code, pos + len(op), b)))
    return out


def operand_end(code, i, limit=None):
    """End of the operand of a binary operator that starts at or after
    code[i]: the next `&&`, `||`, `;`, `,`, `=>`, `{` or closing bracket
    at depth 0, trailing whitespace dropped."""
    limit = len(code) if limit is None else limit
    while i < limit and code[i].isspace():
        i += 1
    while i < limit:
        c = code[i]
        if c in '([':
            i = match_close(code, i) + 1
            continue
        if c in '{)]}' or c in ';,' or code.startswith(('&&', '||', '=>'), i):
            break
        i += 1
    while code[i - 1].isspace():
        i -= 1
    return i


def operand_start(code, j):
    """Start of the operand of a binary operator at code[j]: back to the
    previous `&&`, `||`, `;`, `,`, `=` (an assignment), `=>`, `|` (a
    closure's parameters), opening bracket or keyword (`if`, `return`,
    `let`, ...) at depth 0, leading whitespace dropped."""
    i = j - 1
    while i >= 0:
        c = code[i]
        if c in ')]}':
            i = match_open(code, i) - 1
            continue
        if c in '([{' or c in ';,|':
            break
        if c == '&' and code[i - 1] == '&':
            break
        if c == '>' and code[i - 1] == '=':
            break
        if c == '=' and code[i - 1] not in '=!<>' and code[i + 1] != '=':
            break
        if c.isalnum() or c == '_':
            k = i
            while k >= 0 and (code[k].isalnum() or code[k] == '_'):
                k -= 1
            if code[k + 1:i + 1] in KEYWORDS_BEFORE_EXPR and (k < 0 or code[k] not in '.:'):
                break  # the keyword ends the operand
            i = k
            continue
        i -= 1
    s = i + 1
    while s < j and code[s].isspace():
        s += 1
    return s


def statement_end(code, close):
    """End of a statement `..(args);` or `..(args)?;` whose call closes at
    code[close]: past the `;` and its newline, or None when the call is not
    a whole statement."""
    k = close + 1
    if code.startswith('?', k):
        k += 1
    if not code.startswith(';', k):
        return None
    k += 1
    return k + 1 if code[k:k + 1] == '\n' else k


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


class SourceFile:
    def __init__(self, rel, text):
        self.rel = rel
        self.text = text
        self.code = mask(text)
        self.excluded = []  # (start, end, reason)
        self._exclude_cfg()
        self.owners = self._owners()  # (start, end, type) of the impl and trait blocks
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
        owners = self.owners
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
