#!/usr/bin/env bash
# Install the front-end packages from the npm registry (package-lock.json) and vendor USWDS
# into static/vendor/uswds with its licence, so the app needs no network at run time.
# axe-core stays in node_modules: only the browser tests inject it, the app never serves it.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v npm >/dev/null || { echo "install-assets: npm is required (apt-get install -y npm)" >&2; exit 1; }
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi

uswds=node_modules/@uswds/uswds
dest=static/vendor/uswds
rm -rf "$dest"
mkdir -p "$dest/css" "$dest/js"
cp "$uswds/dist/css/uswds.min.css" "$dest/css/"
cp "$uswds/dist/js/uswds.min.js" "$uswds/dist/js/uswds-init.min.js" "$dest/js/"
cp -r "$uswds/dist/fonts" "$dest/fonts"
cp -r "$uswds/dist/img" "$dest/img"
cp "$uswds/LICENSE.md" "$dest/LICENSE.md"
node -e "console.log(require('./$uswds/package.json').version)" > "$dest/VERSION"

echo "install-assets: USWDS $(cat "$dest/VERSION") vendored in $dest"
