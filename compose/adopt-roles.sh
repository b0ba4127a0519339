#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Gives an EXISTING database the least-privilege roles (docs/operations.md "Database roles"): creates
# dataland_agent, dataland_auth and dataland_monitor when missing, sets their passwords, grants what they
# need, and hands every relation of schema public to its service's role (the Python stack and a restore
# with --no-owner leave everything owned by the superuser); then prints check-roles.sql's findings,
# which must be none. Idempotent: run it again at any time (after a restore, after rotating a password).
# A fresh volume does the same on its own (postgres/initdb-roles.sh).
#   adopt-roles.sh --container[=NAME]   psql inside NAME (dataland-postgres) as POSTGRES_USER on POSTGRES_DB
#   adopt-roles.sh --local              this machine's psql (15+) as ADMIN_DATABASE_URL (a superuser), or
#                                       libpq's PG* variables when it is unset
# The passwords: AGENT_DB_PASSWORD, AUTH_DB_PASSWORD, MONITOR_DB_PASSWORD from the environment or the
# env file (--env-file PATH, default compose/.env); they go to psql through its environment, never on a
# command line. Stop the agent and auth first (ALTER ... OWNER waits for their locks).
# Exit 0 adopted and checked, 1 failed (nothing changed: one transaction) or a finding remains, 2 usage.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
env_file="$here/.env"

usage() { echo "usage: adopt-roles.sh --container[=NAME] | --local   [--env-file PATH]" >&2; exit 2; }
mode="" container=dataland-postgres
while [ $# -gt 0 ]; do
  case $1 in
    --container) mode=container; shift ;;
    --container=?*) mode=container; container=${1#--container=}; shift ;;
    --local) mode=local; shift ;;
    --env-file) [ $# -ge 2 ] || usage; env_file=$2; shift 2 ;;
    *) echo "adopt-roles: unknown argument '$1'" >&2; usage ;;
  esac
done
[ -n "$mode" ] || usage

for name in AGENT_DB_PASSWORD AUTH_DB_PASSWORD MONITOR_DB_PASSWORD; do
  value=$(setting "$name" "")
  [ -n "$value" ] || { echo "adopt-roles: $name is not set (environment or $env_file)" >&2; exit 1; }
  export "$name=$value"
done

if [ "$mode" = container ]; then
  user=$(setting POSTGRES_USER dataland)
  db=$(setting POSTGRES_DB dataland)
  echo "adopt-roles: roles.sql as '$user' on '$db' inside container $container" >&2
  # -e NAME without a value: docker takes it from this environment (not from the command line)
  docker exec -i -e AGENT_DB_PASSWORD -e AUTH_DB_PASSWORD -e MONITOR_DB_PASSWORD "$container" \
    psql -X -v ON_ERROR_STOP=1 -U "$user" -d "$db" -f - < "$here/postgres/roles.sql"
  findings=$(docker exec -i "$container" psql -X -At -v ON_ERROR_STOP=1 -U "$user" -d "$db" -f - < "$here/postgres/check-roles.sql")
else
  if [ -n "${ADMIN_DATABASE_URL:-}" ]; then
    use_database_url "$ADMIN_DATABASE_URL"
  fi
  echo "adopt-roles: roles.sql on '${PGDATABASE:?set ADMIN_DATABASE_URL or the PG* variables}' at ${PGHOST:-the local socket}:${PGPORT:-5432}" >&2
  psql -X -v ON_ERROR_STOP=1 -f "$here/postgres/roles.sql"
  findings=$(psql -X -At -v ON_ERROR_STOP=1 -f "$here/postgres/check-roles.sql")
fi
if [ -n "$findings" ]; then
  printf 'adopt-roles: still wrong:\n%s\n' "$findings" >&2
  exit 1
fi
echo "adopt-roles: the roles check finds nothing to fix" >&2
