#!/usr/bin/env bash
# Install the front-end packages from the npm registry (package-lock.json) and vendor the USWDS
# files the pages use into static/vendor/uswds with its licence, so the app needs no network at
# run time. The stylesheet's own url() references decide the images and fonts, less the serif
# face (the pages use one sans typeface) and the hero photograph; the templates' few icons are
# listed below. Swagger UI's bundle goes to static/vendor/swagger-ui for the API's reference
# page. axe-core stays in node_modules: only the browser tests inject it.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v npm >/dev/null || { echo "install-assets: npm is required (apt-get install -y npm)" >&2; exit 1; }
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi

uswds=node_modules/@uswds/uswds/dist
dest=static/vendor/uswds
# Referenced from templates/ rather than from the stylesheet.
template_files=(
  img/usa-icons/close.svg
  img/usa-icons-bg/search--white.svg
)

rm -rf "$dest"
mkdir -p "$dest/css" "$dest/js"
cp "$uswds/css/uswds.min.css" "$dest/css/"
cp "$uswds/js/uswds.min.js" "$uswds/js/uswds-init.min.js" "$dest/js/"
referenced=$(grep -oE 'url\(\.\./[^)]+\)' "$uswds/css/uswds.min.css" \
  | sed -E 's/^url\(\.\.\/(.*)\)$/\1/' | sort -u \
  | grep -vE '^fonts/merriweather/|^img/hero\.' || true)
for file in $referenced "${template_files[@]}"; do
  mkdir -p "$dest/$(dirname "$file")"
  cp "$uswds/$file" "$dest/$file"
done
cp "node_modules/@uswds/uswds/LICENSE.md" "$dest/LICENSE.md"
node -e "console.log(require('./node_modules/@uswds/uswds/package.json').version)" > "$dest/VERSION"

echo "install-assets: USWDS $(cat "$dest/VERSION"): $(find "$dest" -type f | wc -l) files vendored in $dest"

# Swagger UI, for the API's reference page (/api/v1/docs): its bundle and stylesheet, with its
# licence and notice. The page starts it from static/js/api-reference.js (no inline script).
swagger=node_modules/swagger-ui-dist
dest=static/vendor/swagger-ui
rm -rf "$dest"
mkdir -p "$dest"
cp "$swagger/swagger-ui-bundle.js" "$swagger/swagger-ui-bundle.js.LICENSE.txt" "$swagger/swagger-ui.css" \
  "$swagger/LICENSE" "$swagger/NOTICE" "$dest/"
node -e "console.log(require('./$swagger/package.json').version)" > "$dest/VERSION"
echo "install-assets: Swagger UI $(cat "$dest/VERSION"): $(find "$dest" -type f | wc -l) files vendored in $dest"
