#!/usr/bin/env bash
# Set up a fresh machine: a virtual environment in .venv with salesplan installed.
#   bash scripts/bootstrap.sh          # to run salesplan
#   bash scripts/bootstrap.sh --test   # also the test tools, Chromium for the HTML report test and
#                                      # PostgreSQL for the review's database test (a throwaway server)
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install --quiet -e '.[test]'
  if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing Chromium (Debian package) for the report test..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "warning: could not install Chromium; the headless-browser test will be skipped" >&2
  fi
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing PostgreSQL (Debian package) for the review's database test..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
      || echo "warning: could not install PostgreSQL; the PostgreSQL test will be skipped" >&2
  fi
else
  .venv/bin/python -m pip install --quiet -e .
fi
echo "salesplan is installed in .venv (run .venv/bin/salesplan --help)" >&2
