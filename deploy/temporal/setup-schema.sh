#!/bin/sh
# Creates Temporal's two PostgreSQL databases if missing and brings their schemas to the version the server
# needs: every start of the stack, before the server (compose: the `temporal-setup` service, with
# temporalio/admin-tools), and in test/deploy/production.test.ts with the natively built tool. An upgrade of
# Temporal runs it with the new version's tool and schemas. Idempotent; each step stops the script if it fails.
#   SQL_HOST SQL_PORT SQL_USER SQL_PASSWORD   where PostgreSQL is (read by temporal-sql-tool itself)
#   DBNAME VISIBILITY_DBNAME                  the databases (deploy/temporal/server.env)
#   SQL_TOOL SCHEMA_DIR                       default: the admin-tools image's temporal-sql-tool and schemas
set -eu
: "${SQL_TOOL:=temporal-sql-tool}"
: "${SCHEMA_DIR:=/etc/temporal/schema/postgresql/v12}"
export SQL_PLUGIN=postgres12

for pair in "$DBNAME:temporal" "$VISIBILITY_DBNAME:visibility"; do
  db=${pair%%:*}
  schema=${pair#*:}
  echo "temporal-setup: database $db ($schema schema)"
  "$SQL_TOOL" --db "$db" create-database
  # setup-schema -v 0.0 only adds the schema version tables when missing; update-schema then applies every
  # versioned step above the database's current version, in order.
  "$SQL_TOOL" --db "$db" setup-schema -v 0.0
  "$SQL_TOOL" --db "$db" update-schema -d "$SCHEMA_DIR/$schema/versioned"
done
echo "temporal-setup: schemas up to date"
