#!/usr/bin/env bash
# Prints the path of actionlint (the linter for GitHub Actions workflow files) on stdout; messages on stderr.
# Used by the tests of the workflow repository template. `actionlint` on PATH wins; else the per-machine
# cache outside the clone; else it is built there once from the Go module proxy.
set -euo pipefail

version="v1.7.12"
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}" # CI shells may run without HOME
cache_dir="${SLUICE_CACHE:-$HOME/.cache/sluice}/actionlint-${version#v}"

if found="$(command -v actionlint 2>/dev/null)"; then printf '%s\n' "$found"; exit 0; fi
if [ -x "$cache_dir/actionlint" ]; then printf '%s\n' "$cache_dir/actionlint"; exit 0; fi

go_bin="$(command -v go 2>/dev/null || echo /usr/local/go/bin/go)"
if [ ! -x "$go_bin" ]; then
  echo "actionlint: not on PATH and Go is not installed to build it (go install github.com/rhysd/actionlint/cmd/actionlint@$version)" >&2
  exit 1
fi
echo "actionlint: building $version into $cache_dir (once per machine)..." >&2
mkdir -p "$cache_dir"
tmp_bin="$(mktemp -d "$cache_dir/build.XXXXXX")"
trap 'rm -rf "$tmp_bin"' EXIT
GOBIN="$tmp_bin" "$go_bin" install "github.com/rhysd/actionlint/cmd/actionlint@$version" >&2
mv "$tmp_bin/actionlint" "$cache_dir/actionlint"
printf '%s\n' "$cache_dir/actionlint"
