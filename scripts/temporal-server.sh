#!/usr/bin/env bash
# Prints the directory of the production Temporal built natively (messages on stderr). It holds what the
# compose images run, at the versions of deploy/stack.env:
#   server               Temporal server          (go.temporal.io/server/cmd/server, as in temporalio/server)
#   sql                  its SQL schema tool      (go.temporal.io/server/cmd/tools/sql, as in temporalio/admin-tools)
#   ui-server-VERSION    Temporal Web's server    (github.com/temporalio/ui-server/v2/cmd/server, as in temporalio/ui)
#   schema/              the PostgreSQL schemas   (schema/postgresql/v12 of the server module)
#   config/docker.yaml   the server's config template, ui-config/docker.yaml the UI server's (as the images use)
# Built once per machine into ~/.cache/sluice (SLUICE_CACHE), outside the clone; the modules have no `replace`
# directive, so `go install pkg@version` works. Used by test/deploy/production.test.ts; .ci/run starts it early.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=../deploy/stack.env
. deploy/stack.env
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}" # CI shells may run without HOME
cache_root="${SLUICE_CACHE:-$HOME/.cache/sluice}"
case "$cache_root" in /*) ;; *) cache_root="$PWD/$cache_root" ;; esac
dir="$cache_root/temporal-server-$TEMPORAL_SERVER_VERSION"
ui_bin="ui-server-$TEMPORAL_UI_VERSION"

ready() {
  [ -x "$dir/server" ] && [ -x "$dir/sql" ] && [ -x "$dir/$ui_bin" ] && [ -f "$dir/schema/temporal/versioned/v1.0/manifest.json" ] &&
    [ -f "$dir/config/docker.yaml" ] && [ -f "$dir/ui-config/docker.yaml" ]
}
if ready; then printf '%s\n' "$dir"; exit 0; fi

go_bin="$(command -v go 2>/dev/null || echo /usr/local/go/bin/go)"
if [ ! -x "$go_bin" ]; then
  echo "temporal-server: $dir is incomplete and Go is not installed to build it (https://go.dev/dl/)." >&2
  exit 1
fi
mkdir -p "$dir"
# Each binary is built into a temporary directory and moved into place, so an interrupted build never leaves
# a half-written binary where the next run would trust it.
tmp="$(mktemp -d "$dir/build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
if [ ! -x "$dir/server" ] || [ ! -x "$dir/sql" ]; then
  echo "temporal-server: building the Temporal server and its SQL tool $TEMPORAL_SERVER_VERSION into $dir (once per machine, minutes)..." >&2
  GOBIN="$tmp" "$go_bin" install "go.temporal.io/server/cmd/server@v$TEMPORAL_SERVER_VERSION" "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION" >&2
  mv "$tmp/server" "$tmp/sql" "$dir/"
fi
if [ ! -x "$dir/$ui_bin" ]; then
  echo "temporal-server: building the Temporal UI server $TEMPORAL_UI_VERSION into $dir (once per machine)..." >&2
  GOBIN="$tmp" "$go_bin" install "github.com/temporalio/ui-server/v2/cmd/server@v$TEMPORAL_UI_VERSION" >&2
  mv "$tmp/server" "$dir/$ui_bin"
fi

# The schemas and config templates come with the modules' source (already in Go's module cache after the
# builds above; downloaded again if that cache was cleaned since).
module_dir() { "$go_bin" mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'; }
server_src="$(module_dir "go.temporal.io/server@v$TEMPORAL_SERVER_VERSION")"
ui_src="$(module_dir "github.com/temporalio/ui-server/v2@v$TEMPORAL_UI_VERSION")"
rm -rf "$tmp/schema" "$tmp/config" "$tmp/ui-config"
cp -R "$server_src/schema/postgresql/v12" "$tmp/schema"
mkdir -p "$tmp/config" "$tmp/ui-config"
cp "$server_src/config/docker.yaml" "$tmp/config/docker.yaml"
cp "$ui_src/config/docker.yaml" "$tmp/ui-config/docker.yaml"
chmod -R u+w "$tmp/schema" "$tmp/config" "$tmp/ui-config" # the module cache is read-only
rm -rf "$dir/schema" "$dir/config" "$dir/ui-config"
mv "$tmp/schema" "$tmp/config" "$tmp/ui-config" "$dir/"
ready || { echo "temporal-server: $dir is still incomplete after the build" >&2; exit 1; }
echo "temporal-server: ready in $dir" >&2
printf '%s\n' "$dir"
