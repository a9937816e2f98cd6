"""Where the tool reads and writes: all under the repository root, whatever the cwd."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CRATE = os.path.join(ROOT, 'programs', 'job_escrow')
SRC = os.path.join(CRATE, 'src')
SO = os.path.join(ROOT, 'target', 'deploy', 'job_escrow.so')  # SBPF v3: the LiteSVM suites
SO_V0 = os.path.join(ROOT, 'target', 'sbpf-v0', 'job_escrow.so')  # SBPF v0: the bankrun suite
MUT_DIR = os.path.join(ROOT, 'target', 'mutants')
WORK = os.path.join(MUT_DIR, 'work')
DIRTY = os.path.join(MUT_DIR, 'DIRTY')
REPORT = os.path.join(ROOT, 'target', 'mutation-report.json')
EQUIVALENT_FILE = os.path.join(ROOT, 'scripts', 'mutants-equivalent.json')
