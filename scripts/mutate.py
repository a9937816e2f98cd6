#!/usr/bin/env python3
"""Mutation testing of job_escrow's checks: the entry point of the package in
scripts/mutation/ (`python3 scripts/mutate.py --help` prints its usage)."""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree (it is not git-ignored)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mutation.cli import main  # noqa: E402 (after the path is set)

if __name__ == '__main__':
    sys.exit(main())
