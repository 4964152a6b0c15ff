#!/usr/bin/env bash
# Vendor vis-network's standalone UMD build (with its CSS built in) from the npm package
# into ehelsekg/views/assets/, where views inline it so that a view is one self-contained file
# that never loads anything from another host. The result is committed; run this script only
# to change the version. npm pack checks the tarball against the registry's integrity hash.
set -euo pipefail

VERSION="${1:-10.1.5}"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
ASSETS="$HERE/ehelsekg/views/assets"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm pack --silent "vis-network@$VERSION" >/dev/null
tar xzf "vis-network-$VERSION.tgz"
SOURCE="package/standalone/umd/vis-network.min.js"
# The source map is not shipped, so its comment would only point at a missing file.
grep -v '^//# sourceMappingURL=' "$SOURCE" > "$ASSETS/vis-network.min.js"
if grep -qi '</script' "$ASSETS/vis-network.min.js"; then
    echo "fetch-vis-network: the build contains '</script' and cannot be inlined" >&2
    exit 1
fi
cp package/LICENSE-MIT "$ASSETS/vis-network.LICENSE-MIT"
cp package/LICENSE-APACHE-2.0 "$ASSETS/vis-network.LICENSE-APACHE-2.0"
{
    echo "vis-network $VERSION (npm), standalone/umd/vis-network.min.js; licence: Apache-2.0 OR MIT"
    echo "sha256 $(sha256sum "$ASSETS/vis-network.min.js" | cut -d' ' -f1)"
} > "$ASSETS/vis-network.VERSION"
cat "$ASSETS/vis-network.VERSION"
