#!/usr/bin/env bash
# The full mutation run: every mutant of `python3 scripts/mutate.py --list`
# (checks, effects and bounds; about 700, roughly 20 s each on 2 cores: hours),
# with a markdown report by class and kind (total, killed, survived, invalid,
# equivalent with reasons; the survivors; the time) in target/mutation-full.md
# beside the JSON report (target/mutation-report.json). Arguments go to
# mutate.py, so a run can be split into parts:
#   bash scripts/mutation-full.sh                       everything
#   bash scripts/mutation-full.sh --kind effects        one class (checks, effects, bounds)
#   bash scripts/mutation-full.sh --kind off-by-one     one kind
#   bash scripts/mutation-full.sh --only state/config.rs:   one file (an id prefix)
# MUTATION_MD=FILE writes the markdown elsewhere (one file per part). Each run
# rewrites target/mutation-report.json: copy it aside per part, then
#   bash scripts/mutation-full.sh --skip-done part1.json part2.json   resumes (what they killed is left out)
#   python3 scripts/mutate.py --merge part1.json part2.json ... --markdown all.md
# sums the parts up (counts by class, survivors, what has not run, the time).
# A report names the program sources it ran on; parts of other sources are refused.
# Exit status: mutate.py's (1 when a mutant not listed as equivalent survived).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node-modules.sh
bash scripts/build-program.sh
md=${MUTATION_MD:-target/mutation-full.md}
mkdir -p "$(dirname "$md")"
start=$(date +%s)
status=0
python3 scripts/mutate.py --markdown "$md" "$@" || status=$?
echo "[mutation-full] $(( ($(date +%s) - start) / 60 )) minutes; report: $md, target/mutation-report.json; exit $status"
exit "$status"
