#!/usr/bin/env bash
# Install Debian's headless-capable Chromium for the browser tests (tests/test_views.py).
# Idempotent: does nothing when the browser is already there. Needs root (or sudo) and apt.
set -euo pipefail

CHROMIUM="${EHELSEKG_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: no apt-get here; install Chromium and set EHELSEKG_CHROMIUM" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
"$CHROMIUM" --version
