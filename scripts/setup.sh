#!/usr/bin/env bash
# Sets up everything the course needs, from a clean clone, and is cheap to re-run.
#   scripts/setup.sh book   Python environment (.venv) + vendored JavaScript for the book
#   scripts/setup.sh test   the same, plus Debian's chromium for the browser tests
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

if [ "$what" = test ]; then
  if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      echo "setup: installing Debian's chromium for the browser tests"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
      echo "setup: chromium is missing and this user cannot apt-get install it;" \
           "run 'sudo apt-get install chromium' (the browser tests will be skipped)" >&2
    fi
  fi
fi
