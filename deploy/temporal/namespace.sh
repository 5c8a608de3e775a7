#!/bin/sh
# Registers Sluice's namespace with its retention once the Temporal server answers, or sets the retention of
# an existing one (compose: the `temporal-namespace` service, with temporalio/admin-tools; the native
# production test runs it too). Sluice's worker adds its search attributes itself when it starts.
#   TEMPORAL_ADDRESS                          the server's frontend
#   TEMPORAL_NAMESPACE TEMPORAL_RETENTION     deploy/stack.env
#   TEMPORAL_CLI                              default: the admin-tools image's `temporal`
set -eu
: "${TEMPORAL_CLI:=temporal}"
if "$TEMPORAL_CLI" operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
  "$TEMPORAL_CLI" operator namespace update --namespace "$TEMPORAL_NAMESPACE" --retention "$TEMPORAL_RETENTION"
else
  "$TEMPORAL_CLI" operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention "$TEMPORAL_RETENTION"
fi
# The frontend learns of a new namespace within seconds; the worker and the web app start after this script,
# so it ends only once the namespace answers a visibility query.
tries=0
until "$TEMPORAL_CLI" workflow count --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "temporal-namespace: $TEMPORAL_NAMESPACE is registered but does not answer queries after 60 s" >&2
    exit 1
  fi
  sleep 1
done
echo "temporal-namespace: $TEMPORAL_NAMESPACE keeps closed runs $TEMPORAL_RETENTION"
