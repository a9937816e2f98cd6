"""What a run reports: the listing of --list, the table and the counts at the
end of a run, target/mutation-report.json (rewritten after every mutant) and
the markdown summary of --markdown."""
import json
import os
import subprocess
import time

from .paths import REPORT, ROOT
from .mutants import CLASS_OF, CLASSES
from .samples import ci_sample


def pct(score):
    return '-' if score is None else f'{100 * score:.1f} %'


def cell(s):
    return s.replace('|', '\\|')


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
    out += by_class_table(rows, by_id, eq)
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
    not_run = meta.get('not_run')
    if not_run:
        out += [f"Not run yet: {sum(not_run.values())} mutants (" + ', '.join(f'{c} {n}' for c, n in not_run.items()) + ').', '']
    total = f"{meta['seconds'] / 60:.0f} minutes in all, " if meta.get('seconds') else ''
    out.append(f"Selection: {meta['selection']}; {total}{meta['seconds_per_mutant']} s per mutant "
               f"(build + {meta['test_files']} test files, --bail=1).")
    return '\n'.join(out) + '\n'


def by_class_table(rows, by_id, eq):
    """Markdown lines: per class and kind, the mutants run and equivalent and
    what became of them (classes and kinds in the docstring's order)."""
    statuses = ('killed', 'survived', 'invalid', 'equivalent')
    counts = {}
    for kind, status in [(r['kind'], r['status']) for r in rows] + [(by_id[i].kind, 'equivalent') for i in eq if i in by_id]:
        counts.setdefault(kind, dict.fromkeys(statuses, 0))[status] += 1
    out = ['| class | kind | total | killed | survived | invalid | equivalent |', '|---|---|---|---|---|---|---|']
    for cls, kinds in CLASSES.items():
        total = dict.fromkeys(statuses, 0)
        for kind in kinds:
            if kind in counts:
                c = counts[kind]
                out.append(f"| {cls} | {kind} | {sum(c.values())} | " + ' | '.join(str(c[x]) for x in statuses) + ' |')
                for x in statuses:
                    total[x] += c[x]
        if any(total.values()):
            out.append(f"| **{cls}** | all | {sum(total.values())} | " + ' | '.join(str(total[x]) for x in statuses) + ' |')
    return out


def print_list(mutants, not_mutated, eq):
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
    print('by class: ' + ', '.join(f"{cls} {sum(kinds.get(k, 0) for k in ks)} ({', '.join(f'{k} {kinds[k]}' for k in ks if k in kinds)})"
                                   for cls, ks in CLASSES.items()))
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


def write_report(runner, by_id, eq, selection, t0, partial, path=REPORT):
    """Writes the JSON report (`path`) of the mutants run so far and of the
    equivalent ones; returns it."""
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
        'sources': getattr(runner, 'digest', None),
        'baseline': runner.baseline, 'test_files': len(runner.files), 'test_file_list': runner.files,
        'mutants': rows,
    }
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as fh:
        json.dump(report, fh, indent=1)
        fh.write('\n')
    return report


def read_runs(paths, digest):
    """The reports of earlier runs (target/mutation-report.json copies) of
    the same program code: [(path, report)]. A report of other code (its
    `sources` digest, sites.program_digest, differs) is refused: its line
    numbers, and so its ids, may name other code."""
    runs = []
    for p in paths:
        with open(p) as fh:
            r = json.load(fh)
        if r.get('sources') not in (None, digest):
            raise SystemExit(f'mutate.py: {p} is a run of other program sources (digest {r["sources"][:12]}); run those mutants again')
        runs.append((p, r))
    return runs


def merged_rows(runs, by_id, eq):
    """One row per mutant run in `runs` (a later report's verdict replaces an
    earlier one's), leaving out mutants that are gone or listed as equivalent
    now."""
    rows = {}
    for _, r in runs:
        for row in r.get('mutants', []):
            if row.get('status') in ('killed', 'survived', 'invalid') and row['id'] in by_id and row['id'] not in eq:
                rows[row['id']] = {k: row.get(k, '') for k in ('id', 'kind', 'status', 'killed_by', 'seconds')}
    return [rows[m] for m in by_id if m in rows]


def merged_markdown(runs, by_id, eq):
    """The markdown summary of several partial runs taken together: counts by
    class and kind, the survivors, the equivalent mutants, what has not run
    yet and the runs' summed time."""
    rows = merged_rows(runs, by_id, eq)
    done = {r['id'] for r in rows} | set(eq)
    not_run = {}
    for i, m in by_id.items():
        if i not in done:
            not_run[CLASS_OF[m.kind]] = not_run.get(CLASS_OF[m.kind], 0) + 1
    per = [r['seconds'] for r in rows if r['seconds']]
    meta = {'selection': f'{len(runs)} runs merged ({", ".join(os.path.basename(p) for p, _ in runs)})',
            'seconds': sum(r.get('seconds') or 0 for _, r in runs),
            'seconds_per_mutant': round(sum(per) / len(per), 1) if per else None,
            'test_files': max((r.get('test_files') or 0 for _, r in runs), default=0), 'not_run': not_run}
    return markdown(rows, by_id, eq, counts_of(rows, len([i for i in eq if i in by_id])), meta)
