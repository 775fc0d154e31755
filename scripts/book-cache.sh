#!/usr/bin/env bash
# Clears the book's execution cache (_build/.jupyter_cache) when course_ae's code changed
# since the cache was filled: jupyter-cache re-executes a chapter only when the chapter's
# own code changes, and does not know that every chapter imports the package.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=_build/.jupyter_cache
stamp=_build/.course_ae-code
want=$(find course_ae -name '*.py' -print0 | sort -z | xargs -0 cat | cat - pyproject.toml requirements/lock.txt | sha256sum | cut -c1-16)
if [ -d "$cache" ] && [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "book-cache: course_ae changed since the last build; every chapter will be executed"
  rm -rf "$cache"
fi
mkdir -p _build
echo "$want" > "$stamp"
