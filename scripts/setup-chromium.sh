#!/usr/bin/env bash
# Installs Debian's Chromium for the top-up page's browser test (a no-op when
# present). Prints its path.
set -euo pipefail
if ! command -v chromium >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "[setup-chromium] apt-get install chromium" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
command -v chromium
