#!/usr/bin/env bash
# Prints the path of a launcher of Temporal's time-skipping test server on stdout; messages on stderr.
# The flow tests of the workflow repository template use it (SLUICE_TEST_SERVER) instead of the binary Temporal's
# SDK would download from GitHub, which this project's machines cannot reach: it is Temporal's Java test server
# (io.temporal:temporal-test-server), its jars fetched from Maven Central by Maven once per machine into the
# cache outside the clone. It is started through scripts/test-server/LoopbackTestServer.java (compiled here once),
# which listens on 127.0.0.1 only: the jar's own main binds every interface.
set -euo pipefail

version="1.31.0"
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}" # CI shells may run without HOME
cache_dir="${SLUICE_CACHE:-$HOME/.cache/sluice}/temporal-test-server-$version"
source_file="$(cd "$(dirname "$0")" && pwd)/test-server/LoopbackTestServer.java"
# The launcher is built per version of its source, so a change to it is compiled on the next run.
build_dir="$cache_dir/loopback-$(sha256sum "$source_file" | cut -c1-12)"
launcher="$build_dir/temporal-test-server"

if [ -x "$launcher" ]; then printf '%s\n' "$launcher"; exit 0; fi
for tool in java javac mvn; do
  if ! command -v "$tool" >/dev/null; then
    echo "temporal-test-server: '$tool' is not installed (apt-get install default-jdk-headless maven)" >&2
    exit 1
  fi
done
mkdir -p "$cache_dir"
work="$(mktemp -d "$cache_dir/fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT
if [ ! -d "$cache_dir/lib" ]; then
  echo "temporal-test-server: fetching io.temporal:temporal-test-server:$version with Maven into $cache_dir (once per machine)..." >&2
  cat >"$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>sluice</groupId><artifactId>temporal-test-server-launcher</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>$version</version></dependency>
  </dependencies>
</project>
POM
  mvn -B -q -f "$work/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$work/lib" >&2
  mv "$work/lib" "$cache_dir/lib"
fi
javac -d "$work/classes" -cp "$cache_dir/lib/*" "$source_file" >&2
mkdir -p "$build_dir"
rm -rf "$build_dir/classes"
mv "$work/classes" "$build_dir/classes"
# Temporal's SDK starts it as `<executable> <port>`, as its own test server binary.
cat >"$work/temporal-test-server" <<LAUNCHER
#!/bin/sh
exec java -cp '$build_dir/classes:$cache_dir/lib/*' LoopbackTestServer "\$@"
LAUNCHER
chmod +x "$work/temporal-test-server"
mv "$work/temporal-test-server" "$launcher"
printf '%s\n' "$launcher"
