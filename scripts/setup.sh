#!/usr/bin/env bash
# Sets up everything the course needs, from a clean clone, and is cheap to re-run.
#   scripts/setup.sh book   Python environment (.venv) + vendored JavaScript for the book
#   scripts/setup.sh pdf    the same, plus TeX Live (XeLaTeX, latexmk) and poppler-utils
#                           from Debian's packages, for `make pdf`
#   scripts/setup.sh test   all of the above, plus Debian's chromium for the browser tests
# Versions are pinned in requirements/lock.txt (torch 2.13.0, CPU build where pip has it
# on local disk) and package-lock.json (MathJax). Nothing is fetched at build time.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-book}
PY=${PYTHON:-python3}

stamp=.venv/.course-ae-installed
want=$(cat requirements/lock.txt pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: creating .venv and installing requirements/lock.txt (a few minutes the first time)"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements/lock.txt
  .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
  echo "$want" > "$stamp"
fi

if [ -f package.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "setup: npm ci (MathJax and other vendored JavaScript)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  if [ -f scripts/vendor.sh ]; then bash scripts/vendor.sh; fi
fi

# The smallest TeX Live that builds the book's PDF with XeLaTeX (Jupyter Book's LaTeX
# uses packages from -latex-extra; lmodern and -fonts-recommended give the fonts), and
# poppler-utils for pdftotext (the PDF test). About 400 MB, a minute to install.
TEX_PACKAGES="texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended texlive-xetex latexmk lmodern fonts-freefont-otf poppler-utils"
apt_install() {  # apt_install WHAT PACKAGE...
  local what=$1; shift
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing $what from Debian's packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    echo "setup: $what is missing and this user cannot apt-get install it;" \
         "run 'sudo apt-get install --no-install-recommends $*'" >&2
  fi
}
if [ "$what" = pdf ] || [ "$what" = test ]; then
  if ! command -v xelatex >/dev/null 2>&1 || ! command -v latexmk >/dev/null 2>&1 \
     || ! command -v pdftotext >/dev/null 2>&1 || ! kpsewhich fncychap.sty >/dev/null 2>&1 \
     || ! fc-list | grep -q FreeSerif; then
    # shellcheck disable=SC2086
    apt_install "TeX Live (for the PDF)" $TEX_PACKAGES
  fi
fi

if [ "$what" = test ] && ! command -v chromium >/dev/null 2>&1; then
  apt_install "Debian's chromium (for the browser tests)" chromium
fi
