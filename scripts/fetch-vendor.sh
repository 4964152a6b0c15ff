#!/usr/bin/env bash
# Vendor the browser code the server serves from /static, so that no page loads anything
# from a CDN: YASGUI (the query page, MIT) and Swagger UI (/docs, Apache-2.0).
#
# The built files are committed, so `make test` and the server need no network; run this
# only to move to another pinned version, then review the diff of server/static/.
# Needs npm; `npm pack` checks each tarball against the registry's integrity hash.
set -euo pipefail

YASGUI_VERSION=4.6.2
SWAGGER_UI_VERSION=5.35.0

root="$(cd "$(dirname "$0")/.." && pwd)"
static="$root/server/static"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "@zazuko/yasgui@$YASGUI_VERSION" "swagger-ui-dist@$SWAGGER_UI_VERSION" >/dev/null
mkdir yasgui swagger
tar xzf "zazuko-yasgui-$YASGUI_VERSION.tgz" -C yasgui
tar xzf "swagger-ui-dist-$SWAGGER_UI_VERSION.tgz" -C swagger

# The source maps are not shipped; drop the comments that would make browsers ask for them.
copy() {
    sed '/^\/[*/]# sourceMappingURL=/d' "$1" >"$2"
}

mkdir -p "$static/yasgui" "$static/swagger-ui"
copy yasgui/package/build/yasgui.min.js "$static/yasgui/yasgui.min.js"
copy yasgui/package/build/yasgui.min.css "$static/yasgui/yasgui.min.css"
copy swagger/package/swagger-ui-bundle.js "$static/swagger-ui/swagger-ui-bundle.js"
copy swagger/package/swagger-ui.css "$static/swagger-ui/swagger-ui.css"
cp swagger/package/LICENSE swagger/package/NOTICE swagger/package/favicon-32x32.png "$static/swagger-ui/"

# The YASGUI tarball carries no licence file; its package.json declares MIT.
node -e '
const p = require(process.argv[1]);
if (p.license !== "MIT") { console.error("YASGUI licence is now " + p.license); process.exit(1); }
' "$work/yasgui/package/package.json"
cat >"$static/yasgui/LICENSE" <<'EOF'
YASGUI (@zazuko/yasgui), https://github.com/rdfjs/Yasgui
Author: Triply <info@triply.cc>; contributors: Zazuko GmbH (as its package.json declares).
Licensed under the MIT License, as declared in the package's package.json (the npm tarball
carries no licence file of its own):

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
EOF

{
    echo "@zazuko/yasgui $YASGUI_VERSION (MIT; https://github.com/rdfjs/Yasgui)"
    echo "swagger-ui-dist $SWAGGER_UI_VERSION (Apache-2.0; https://github.com/swagger-api/swagger-ui)"
    echo
    (cd "$static" && sha256sum yasgui/yasgui.min.js yasgui/yasgui.min.css \
        swagger-ui/swagger-ui-bundle.js swagger-ui/swagger-ui.css)
} >"$static/VENDORED.txt"
echo "vendored into $static:"
cat "$static/VENDORED.txt"
