#!/usr/bin/env bash
# Vendor axe-core (the accessibility rules engine) from npm into tests/vendor/, where the browser
# tests inject it into every view and the meeting pack to check WCAG 2.1 AA. Only the tests use
# it; no page ships it. The result is committed; run this script only to change the version.
# npm pack checks the tarball against the registry's integrity hash.
set -euo pipefail

VERSION="${1:-4.10.3}"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
VENDOR="$HERE/tests/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$VENDOR"
cd "$WORK"
npm pack --silent "axe-core@$VERSION" >/dev/null
tar xzf "axe-core-$VERSION.tgz"
cp package/axe.min.js "$VENDOR/axe.min.js"
cp package/LICENSE "$VENDOR/axe-core.LICENSE-MPL-2.0"
{
    echo "axe-core $VERSION (npm), axe.min.js; licence: MPL-2.0"
    echo "sha256 $(sha256sum "$VENDOR/axe.min.js" | cut -d' ' -f1)"
} > "$VENDOR/axe-core.VERSION"
cat "$VENDOR/axe-core.VERSION"
