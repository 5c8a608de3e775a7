#!/usr/bin/env bash
# Prints the directory of a Python virtual environment holding the packages of the given requirements
# files, made once per machine outside the clone: ~/.cache/sluice/venv-NAME-HASH, HASH from the Python
# version and the files' contents, so a changed requirement makes a new one and an unchanged one is reused.
# A venv names its interpreter by absolute path, so it is built where it stays; a marker file written last
# tells a complete one from an interrupted install, which is thrown away and made again.
# Python: $SLUICE_PYTHON, else python3 (3.11 or later).
# Usage: PY="$(bash scripts/venv.sh NAME requirements.txt ...)/bin/python"
set -euo pipefail
if [ $# -lt 2 ]; then echo "usage: bash scripts/venv.sh NAME REQUIREMENTS_FILE..." >&2; exit 2; fi
name=$1; shift
python=${SLUICE_PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "scripts/venv.sh: needs Python 3.11 or later ($python: $("$python" --version 2>&1 || echo missing))" >&2
  exit 1
fi
hash=$({ "$python" --version; cat "$@"; } | sha256sum | cut -c1-12)
dir="${SLUICE_CACHE:-$HOME/.cache/sluice}/venv-$name-$hash"
mkdir -p "$(dirname "$dir")"
# Two callers at once (CI steps, parallel test files) wait for one build instead of racing.
exec 9>"$dir.lock"
flock 9
if [ ! -f "$dir/.sluice-complete" ]; then
  echo "scripts/venv.sh: making $dir" >&2
  rm -rf "$dir"
  "$python" -m venv "$dir" >&2
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  args=()
  for file in "$@"; do args+=(-r "$file"); done
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "${args[@]}" >&2
  touch "$dir/.sluice-complete"
fi
echo "$dir"
