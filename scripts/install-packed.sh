#!/usr/bin/env bash
# A fresh project in a new temporary directory holding one of our packages
# from its tarball (scripts/pack.sh sdk|kit) and any other packages named,
# installed as the user's npm would (scripts/user-env.sh); prints the
# project's directory. Usage: scripts/install-packed.sh sdk|kit [package…]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/user-env.sh
TARBALL=$(bash scripts/pack.sh "${1:?usage: scripts/install-packed.sh sdk|kit [package…]}")
shift
DIR=$(mktemp -d)
cd "$DIR"
npm init -y >/dev/null
npm install --no-audit --no-fund --prefer-offline --loglevel=error "$TARBALL" "$@" >/dev/null
echo "$DIR"
