"""Mutation testing of job_escrow's checks.

Finds every validation site of the on-chain program by parsing
programs/job_escrow/src/**/*.rs (host-only code and #[cfg(test)] modules are
skipped), makes one mutant per weakened check, builds each mutant with
scripts/build-program.sh in a scratch copy of the crate (target/mutants/work:
the source tree is never written), installs it as target/deploy/job_escrow.so,
runs the vitest suites that execute the program (LiteSVM and solana-bankrun)
with --bail=1, and reports which test killed each mutant. A mutant of a file
that has host unit tests (`#[cfg(test)]`: math.rs, state/config.rs, ...) is
first run against `cargo test --lib`, which kills it without a build. At the end the
program is rebuilt from the clean sources, also after Ctrl-C or an error.

  python3 scripts/mutate.py --list            every mutant: id, kind, description, edit
  python3 scripts/mutate.py --sample ci       the CI subset (signer, owner, authority, a few others)
  python3 scripts/mutate.py --only ID...      some mutants (ids from --list)
  python3 scripts/mutate.py                   all of them (long: see --list for the count)
  python3 scripts/mutate.py --markdown FILE   also write a markdown summary

A mutant's id is file:line:operator (file relative to programs/job_escrow/src).
Mutant kinds (operators):
  never-reject    `if C { return Err(..) }`: C becomes `(C) && false`
  drop-or         one operand of `A || B` in a rejecting condition becomes false
  force-and       one operand of `A && B` in a rejecting condition becomes true
                  (the exception it encodes is lost: rejects more)
  boundary        `>=` <-> `>`, `<=` <-> `<` in a condition leading to an Err
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

Equivalent mutants are listed, with a reason, in scripts/mutants-equivalent.json;
they are reported separately and not run (--include-equivalent runs them).
Score = killed / (total - invalid - equivalent). Exit status: 0 when no
non-equivalent mutant survived, 1 when one did (unless --report-only),
2 when the unmutated program fails the tests or the tool fails, 130 on Ctrl-C.
"""
