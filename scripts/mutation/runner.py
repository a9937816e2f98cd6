"""Running mutants: a scratch copy of the crate, one mutant built at a time
(host unit tests first when its file has them) and installed as
target/deploy/job_escrow.so, the vitest suites run with --bail=1 in the order
likeliest to kill it, and the clean program rebuilt at the end. Every command
runs in its own process group, so a timeout or Ctrl-C stops it and only it."""
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time

from .mutants import apply
from .paths import CRATE, DIRTY, MUT_DIR, ROOT, SO, SO_V0, WORK
from .rust import squash

# Instructions whose tests live in a file not named after them, and the
# state/ and shared/ files with a test file of their own (effects.test.ts for
# the daily window, the promo and the config bounds): each runs that file first.
OWN_TEST = {
    'nominate_admin': 'admin', 'accept_admin': 'admin', 'add_job_slots': 'job_slots',
    'lock_batch': 'batch_forms', 'settle_batch': 'batch_forms', 'refund_batch': 'batch_forms',
    'state/credit_account.rs': 'effects', 'state/config.rs': 'effects',
    'state/token.rs': 'token_2022', 'state/job_slot.rs': 'job_slots', 'instructions/shared/jobs.rs': 'job_slots',
    'instructions/shared/batch.rs': 'batch_forms', 'instructions/shared/cpi.rs': 'purchase',
}

# Test files that do not execute the program, or are slow and test packaging,
# bundling, a browser, the demo script, the IDL text or a real validator.

EXCLUDED_TESTS = [
    'tests/sdk/sdk_package.test.ts', 'tests/web/browser_bundle.test.ts', 'tests/web/pay_page.test.ts',
    'tests/sdk/demo.test.ts', 'tests/program/idl.test.ts', 'tests/validator/',
    'tests/sdk/client_retry.test.ts',  # a mocked connection: never runs the program
    'tests/program/reproducible_build.test.ts',  # compares two clean builds of the sources, not the mutant
]


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
        file (tests/program/<instruction>.test.ts, or OWN_TEST's), files that killed mutants of the same source file in this run,
        the attack suites, files that killed anything, then the rest fastest
        first."""
        stem = os.path.splitext(os.path.basename(m.file))[0]
        own = OWN_TEST.get(m.file) or (OWN_TEST.get(stem, stem) if m.file.startswith('instructions/') else None)
        own = own and f'tests/program/{own}.test.ts'
        same = self.kills_by_file.get(m.file, {})
        dur = self.durations

        def key(f):
            return (0 if f == own else 1,
                    -same.get(f, 0),
                    0 if f.startswith('tests/program/attacks/') else 1,
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

    def baseline_from(self, path):
        """The baseline taken from a vitest JSON report (`--reporter=json`) of
        a run of the same sources that has just passed (scripts/test.sh's
        main run): the tests of this run's files that passed there, and
        their files' durations. Saves the baseline's own run (90 s or more)."""
        with open(path) as fh:
            report = json.load(fh)
        mine = [fr for fr in report.get('testResults', []) if os.path.relpath(fr['name'], ROOT) in self.files]
        statuses = [a.get('status') for fr in mine for a in fr.get('assertionResults', [])]
        passed = statuses.count('passed')
        missing = set(self.files) - {os.path.relpath(fr['name'], ROOT) for fr in mine}
        if missing or 'failed' in statuses or any(fr.get('status') == 'failed' for fr in mine) or not passed:
            raise SystemExit(f'[mutate] {os.path.relpath(path, ROOT)} is not a passing run of the test files '
                             f'({len(missing)} missing, {statuses.count("failed")} failed): run without --baseline-from')
        for fr in mine:
            self.durations[os.path.relpath(fr['name'], ROOT)] = (fr.get('endTime', 0) - fr.get('startTime', 0)) / 1000
        secs = (max(fr.get('endTime', 0) for fr in mine) - min(fr.get('startTime', 0) for fr in mine)) / 1000
        self.baseline = {'tests': passed, 'files': len(self.files), 'seconds': round(secs, 1), 'from': os.path.relpath(path, ROOT)}
        self.log(f'[mutate] baseline from {os.path.relpath(path, ROOT)}: {passed} tests in {len(self.files)} files passed')
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


def safe(s):
    return re.sub(r'[^\w.-]+', '_', s)
