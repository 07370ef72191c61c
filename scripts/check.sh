#!/usr/bin/env bash
# Static checks, run by .ci/run before the tests: ruff (lint and format) and mypy.
#   bash scripts/check.sh
# mypy checks the installed layout (salesplan.optimizer = optimizer/, ...): the folders are linked into a
# temporary salesplan/ package, so relative imports resolve as they do at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
.venv/bin/ruff check .
.venv/bin/ruff format --check .
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir "$tree/salesplan"
for file in salesplan/*.py; do ln -s "$root/$file" "$tree/salesplan/"; done
for folder in salesplan/*/; do [ -f "$folder/__init__.py" ] && ln -s "$root/${folder%/}" "$tree/salesplan/"; done
for folder in optimizer scenarios cli; do ln -s "$root/$folder" "$tree/salesplan/$folder"; done
(cd "$tree" && "$root/.venv/bin/mypy" --config-file "$root/pyproject.toml" --cache-dir "$root/.mypy_cache" -p salesplan)
