#!/usr/bin/env bash
# Prints the absolute path of a usable Temporal CLI (`temporal`) on stdout; messages go to stderr.
#
# Order: `temporal` on PATH (the user's own choice wins), then the per-machine cache outside the
# clone, then build it into that cache with Go. The version is pinned to v1.5.1 because later tags
# carry a `replace` directive in go.mod, which `go install pkg@version` refuses.
set -euo pipefail

version="v1.5.1"
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}" # CI shells may run without HOME
cache_root="${SLUICE_CACHE:-$HOME/.cache/sluice}"
case "$cache_root" in /*) ;; *) cache_root="$PWD/$cache_root" ;; esac # callers need an absolute path
cache_dir="$cache_root/temporal-${version#v}"
cached="$cache_dir/temporal"

if found="$(command -v temporal 2>/dev/null)" && [ -x "$found" ]; then
  echo "temporal-cli: using $found from PATH" >&2
  printf '%s\n' "$(readlink -f "$found")"
  exit 0
fi

if [ -x "$cached" ]; then
  echo "temporal-cli: using cached $cached" >&2
  printf '%s\n' "$cached"
  exit 0
fi

# SLUICE_GO names the go binary explicitly (tests set it to a missing path to act as a machine
# without Go). Otherwise go on PATH, else the official tarball's place, often left off PATH.
if [ -n "${SLUICE_GO+set}" ]; then
  go_bin="$SLUICE_GO"
  [ -x "$go_bin" ] || go_bin=""
else
  go_bin="$(command -v go 2>/dev/null || true)"
  if [ -z "$go_bin" ] && [ -x /usr/local/go/bin/go ]; then
    go_bin=/usr/local/go/bin/go
  fi
fi
if [ -z "$go_bin" ]; then
  cat >&2 <<MSG
temporal-cli: no Temporal CLI found, and Go is not installed to build one.
  Looked for: 'temporal' on PATH, then $cached
  Fix one of:
    - install Go (https://go.dev/dl/) and run this script again: it builds the CLI once into $cache_dir
    - or put a 'temporal' binary on PATH (https://docs.temporal.io/cli#install)
MSG
  exit 1
fi

echo "temporal-cli: building the Temporal CLI $version with $go_bin into $cache_dir (once per machine, a few minutes)..." >&2
mkdir -p "$cache_dir"
# Build into a temporary directory first so an interrupted build never leaves a half-written binary
# where the next run would trust it.
tmp_bin="$(mktemp -d "$cache_dir/build.XXXXXX")"
trap 'rm -rf "$tmp_bin"' EXIT
if ! GOBIN="$tmp_bin" "$go_bin" install "github.com/temporalio/cli/cmd/temporal@$version" >&2; then
  echo "temporal-cli: 'go install github.com/temporalio/cli/cmd/temporal@$version' failed (see above)." >&2
  echo "  Check network access to the Go module proxy, or put a 'temporal' binary on PATH." >&2
  exit 1
fi
mv "$tmp_bin/temporal" "$cached"
echo "temporal-cli: built $cached" >&2
printf '%s\n' "$cached"
