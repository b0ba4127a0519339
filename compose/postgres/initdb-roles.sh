#!/usr/bin/env bash
# Run by the postgres image once, on a FRESH data volume (compose.yml mounts it into
# /docker-entrypoint-initdb.d and roles.sql at /dataland/roles.sql): creates dataland_agent, dataland_auth
# and dataland_monitor with the passwords in AGENT_DB_PASSWORD, AUTH_DB_PASSWORD and MONITOR_DB_PASSWORD
# (compose passes them from .env). An existing volume never runs it: compose/adopt-roles.sh is that step.
set -euo pipefail
psql -X -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -f /dataland/roles.sql
