#!/usr/bin/env bash
# Copies the JavaScript the book serves from its own build (no CDN) out of node_modules
# (installed by `npm ci` from package-lock.json) into book/_vendor/, which _config.yml
# lists in html_static_path. The folder is deliberately not called `_static`: Jupyter
# Book 1 turns every .js file under a root `_static/` into a <script> tag on every page.
#
# MathJax 3 (es5 build), only what the book can ask for:
#   tex-chtml-full.js          the combined component: loader, TeX input with every TeX
#                              extension preloaded (nothing is autoloaded later), CHTML
#                              output, the context menu and assistive MathML
#   output/chtml/fonts/woff-v2 the web fonts the CHTML output loads
#   output/svg*, a11y/, sre/   what the context menu loads on demand (SVG renderer,
#                              explorer, speech), so that it also works offline
#   LICENSE                    Apache-2.0 asks for it to travel with the code
# Cheap to re-run: does nothing when book/_vendor already holds what this script copies.
set -euo pipefail
cd "$(dirname "$0")/.."

src=node_modules/mathjax
dest=book/_vendor/mathjax
if [ ! -f "$src/package.json" ]; then
  echo "vendor.sh: $src is missing; run 'npm ci' first (scripts/setup.sh does)" >&2
  exit 1
fi
version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$src/package.json" | head -n 1)
# The stamp names the version and this script, so a change to either copies again.
want="mathjax $version $(sha256sum scripts/vendor.sh | cut -c1-16)"
stamp="$dest/.vendored"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

echo "vendor.sh: copying MathJax $version into $dest"
mkdir -p book/_vendor
# A dot folder: Sphinx skips it when it copies html_static_path.
tmp=$(mktemp -d book/_vendor/.tmp.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/mathjax/output/chtml/fonts"
cp "$src/LICENSE" "$src/es5/tex-chtml-full.js" "$tmp/mathjax/"
cp -R "$src/es5/output/chtml/fonts/woff-v2" "$tmp/mathjax/output/chtml/fonts/"
cp -R "$src/es5/output/svg.js" "$src/es5/output/svg" "$tmp/mathjax/output/"
cp -R "$src/es5/a11y" "$src/es5/sre" "$tmp/mathjax/"
echo "$want" > "$tmp/mathjax/.vendored"

# Swap the new copy in with renames, so a concurrent build sees either copy, not half.
if [ -d "$dest" ]; then
  mv "$dest" "$tmp/old"
fi
mv "$tmp/mathjax" "$dest"
