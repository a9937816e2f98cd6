"""Mutation testing of job_escrow's checks, effects and bounds.

Finds every validation site, state write and bound of the on-chain program by parsing
programs/job_escrow/src/**/*.rs (host-only code and #[cfg(test)] modules are
skipped), makes one mutant per weakened check, changed effect or moved
bound (the kinds below), builds each mutant with
scripts/build-program.sh in a scratch copy of the crate (target/mutants/work:
the source tree is never written), installs it as target/deploy/job_escrow.so,
runs the vitest suites that execute the program (LiteSVM and solana-bankrun)
with --bail=1, and reports which test killed each mutant. A mutant of a file
that has host unit tests (`#[cfg(test)]`: math.rs, state/config.rs, ...) is
first run against `cargo test --lib`, which kills it without a build. At the end the
program is rebuilt from the clean sources, also after Ctrl-C or an error.

  python3 scripts/mutate.py --list            every mutant: id, kind, description, edit
  python3 scripts/mutate.py --sample ci       the CI subset (a few of every kind: samples.py)
  python3 scripts/mutate.py --only ID...      some mutants (ids from --list)
  python3 scripts/mutate.py --kind K...       the mutants of these kinds or classes (checks, effects, bounds)
  python3 scripts/mutate.py                   all of them (hours: bash scripts/mutation-full.sh)
  python3 scripts/mutate.py --markdown FILE   also write a markdown summary
  python3 scripts/mutate.py --skip-done R.json...  leave out what earlier reports killed (resume)
  python3 scripts/mutate.py --merge R.json...  the summary of several partial runs together

A mutant's id is file:line:operator (file relative to programs/job_escrow/src).
Mutant kinds (operators), by class. Checks (the program accepts what it
should refuse):
  never-reject    `if C { return Err(..) }`: C becomes `(C) && false`
  drop-or         one operand of `A || B` in a rejecting condition becomes false
  force-and       one operand of `A && B` in a rejecting condition becomes true
                  (the exception it encodes is lost: rejects more)
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
Effects (what the program records or pays changes):
  store-const     a stored field (a setter of a layout in state/, `x.field = ..`)
                  written with a constant: 0 (1 when it writes 0), false, Default
  skip-store      such a write deleted (the field keeps its old value)
  skip-update     a state update deleted: a call of one of the program's
                  `&mut self` methods (lock, release, spend_promo, free, ..) or an
                  assignment that reads what it writes (`x = f(x)`, `x += ..`)
  operand-zero    one operand of math::add|sub|mul|div_rem|mul_div_* or of
                  x.checked_|saturating_|wrapping_op(y) becomes 0
  operand-swap    the operands of sub, div_rem, div, rem swapped
  branch-true     the condition of an `if` (or match guard) that rejects nothing
                  becomes true
  branch-false    ... becomes false
Bounds (a limit moves by one):
  boundary        `>=` <-> `>`, `<=` <-> `<` in every comparison (a rejecting
                  condition, an effect's `if`, a `let`, a closure)
  off-by-one      `a > b` -> `a > b + 1`, `a <= b` -> `a <= b + 1`, `a >= b` ->
                  `a >= b - 1`, `a < b` -> `a < b - 1`: with boundary, the bound
                  moved one step each way (a shift of the left side is the
                  opposite shift of the right one: not made again)
  const-up        a numeric `const` + 1 (not a layout size: a LEN, an array
  const-down      length, a name in a compile-time assert), and - 1 (not below 0)

Equivalent mutants are listed, with a reason, in scripts/mutants-equivalent.json;
they are reported separately and not run (--include-equivalent runs them).
Score = killed / (total - invalid - equivalent). Exit status: 0 when no
non-equivalent mutant survived, 1 when one did (unless --report-only),
2 when the unmutated program fails the tests or the tool fails, 130 on Ctrl-C.
"""
