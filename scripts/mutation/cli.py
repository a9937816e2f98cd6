"""The command line: argument parsing and main() (--list, or a run of the
selected mutants). The usage text is the package docstring."""
import argparse
import json
import os
import signal
import sys
import time

from . import __doc__ as USAGE
from .paths import DIRTY, MUT_DIR, REPORT, ROOT, SO, WORK
from .report import markdown, merged_markdown, merged_rows, pct, print_list, print_table, read_runs, write_report
from .runner import Interrupted, Runner, file_sha, on_signal, run_group, tree_digest
from .samples import load_equivalent, select
from .sites import enumerate_mutants, program_digest


def parser():
    ap = argparse.ArgumentParser(description=USAGE.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=USAGE.split('\n', 1)[1])
    ap.add_argument('--list', action='store_true', help='print every mutant and exit')
    ap.add_argument('--json', action='store_true', help='with --list: machine-readable')
    ap.add_argument('--sample', choices=['ci'], help='run the CI subset')
    ap.add_argument('--only', nargs='+', metavar='ID', help='run these mutants (ids, or id prefixes ending in ":")')
    ap.add_argument('--kind', nargs='+', metavar='KIND', help='only mutants of these kinds or classes (checks, effects, bounds)')
    ap.add_argument('--include-equivalent', action='store_true', help='also run the mutants listed as equivalent')
    ap.add_argument('--markdown', metavar='FILE', help='write a markdown summary')
    ap.add_argument('--report-only', action='store_true', help='exit 0 even when a mutant survives')
    ap.add_argument('--no-baseline', action='store_true', help='skip the unmutated test run')
    ap.add_argument('--baseline-from', metavar='JSON', help="take the baseline from a vitest JSON report of a passing run "
                    "of the same sources (scripts/test.sh's main run) instead of running it")
    ap.add_argument('--isolate', action='store_true', help="run vitest with per-file isolation (about 3x slower)")
    ap.add_argument('--skip-done', nargs='+', metavar='JSON', help='leave out the mutants killed (or invalid) in these '
                    'earlier reports of the same sources (copies of target/mutation-report.json): resumes a run in parts')
    ap.add_argument('--merge', nargs='+', metavar='JSON', help='run nothing: the markdown summary (--markdown FILE, '
                    'else stdout) of these reports taken together, with what has not run yet')
    ap.add_argument('--timeout', type=float, help='seconds per test run (default: 6x the baseline, at least 120)')
    return ap


def main(argv=None):
    args = parser().parse_args(argv)

    mutants, not_mutated, sources = enumerate_mutants()
    by_id = {m.id: m for m in mutants}
    eq = load_equivalent(mutants)

    if args.list:
        if args.json:
            json.dump({'mutants': [m.row() for m in mutants], 'not_mutated': not_mutated}, sys.stdout, indent=1)
            print()
        else:
            print_list(mutants, not_mutated, eq)
        return 0

    code = program_digest()
    if args.merge:
        text = merged_markdown(read_runs(args.merge, code), by_id, eq)
        if args.markdown:
            with open(args.markdown, 'w') as fh:
                fh.write(text)
            print(f'[mutate] markdown: {args.markdown}')
        else:
            print(text, end='')
        return 0

    chosen, selection = select(mutants, args.only, args.sample, args.kind)
    run_eq = {} if args.include_equivalent else {m.id: eq[m.id] for m in chosen if m.id in eq}
    to_run = [m for m in chosen if m.id not in run_eq]
    if args.skip_done:
        done = {r['id'] for r in merged_rows(read_runs(args.skip_done, code), by_id, {}) if r['status'] != 'survived'}
        to_run = [m for m in to_run if m.id not in done]
        selection += f', less {len(chosen) - len(run_eq) - len(to_run)} done before'

    os.makedirs(MUT_DIR, exist_ok=True)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    runner = Runner(args)
    runner.digest = code
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
        if args.baseline_from:
            runner.baseline_from(args.baseline_from)
        elif args.no_baseline:
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
