#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Restores a backup.sh dump (pg_dump -Fc) into the dataland database, in one transaction.
#   restore.sh --container[=NAME] [--clean] FILE   docker exec -i NAME pg_restore (NAME defaults to
#                                                  dataland-postgres): production
#   restore.sh --local [--clean] FILE              this machine's pg_restore against DATABASE_URL or PG*
# A database that already holds tables is refused unless --clean is given (then the dump's objects
# are dropped first: pg_restore --clean --if-exists). Objects are owned by the restoring role
# (--no-owner), so a dump restores under rotated credentials. Stop the agent and auth first
# (docker compose stop agent auth) so nothing writes during the restore. See docs/backup-restore.md.
# A dump without flyway_schema_history (the Python stack's, stamped by Alembic) restored with --clean
# over a stack this project already migrated: --clean only drops the dump's own objects, so the fresh
# stack's Flyway history would stay and claim head over the restored Alembic schema. It is dropped
# after the restore, so `agent.jar migrate` adopts the restored database from its alembic_version.
# Exit 0 restored, 1 refused or failed (the transaction rolled back), 2 usage.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
env_file="$here/.env"

usage() { echo "usage: restore.sh --container[=NAME] | --local   [--clean] FILE" >&2; exit 2; }
mode="" container=dataland-postgres clean=0 file=""
while [ $# -gt 0 ]; do
  case $1 in
    --container) mode=container; shift ;;
    --container=?*) mode=container; container=${1#--container=}; shift ;;
    --local) mode=local; shift ;;
    --clean) clean=1; shift ;;
    -*) echo "restore: unknown argument '$1'" >&2; usage ;;
    *) [ -z "$file" ] || usage; file=$1; shift ;;
  esac
done
if [ -z "$mode" ] || [ -z "$file" ]; then
  usage
fi
[ -s "$file" ] || { echo "restore: $file does not exist or is empty" >&2; exit 1; }
[ "$(head -c 5 "$file")" = PGDMP ] || { echo "restore: $file is not a pg_dump custom-format archive" >&2; exit 1; }

count_tables="SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'"
options=(--no-owner --no-privileges --single-transaction --exit-on-error)
if [ "$clean" = 1 ]; then
  options+=(--clean --if-exists)
fi

if [ "$mode" = container ]; then
  user=$(setting POSTGRES_USER dataland)
  db=$(setting POSTGRES_DB dataland)
  tables=$(docker exec "$container" psql -X -At -U "$user" -d "$db" -c "$count_tables")
  where="'$db' in container $container"
else
  if [ -n "${DATABASE_URL:-}" ]; then
    use_database_url "$DATABASE_URL"
  fi
  where="'${PGDATABASE:?set DATABASE_URL or the PG* variables}' on ${PGHOST:-the local socket}:${PGPORT:-5432}"
  tables=$(psql -X -At -c "$count_tables")
fi

if [ "$tables" != 0 ] && [ "$clean" = 0 ]; then
  echo "restore: REFUSED: $where already holds $tables table(s); restore into an empty database, or pass --clean to replace them" >&2
  exit 1
fi
# The dump's table of contents says whether it carries Flyway history (pg_restore --list needs no server).
if [ "$mode" = container ]; then
  dump_has_flyway=$(docker exec -i "$container" pg_restore --list < "$file" | grep -c ' TABLE public flyway_schema_history ' || true)
else
  dump_has_flyway=$(pg_restore --list "$file" | grep -c ' TABLE public flyway_schema_history ' || true)
fi
echo "restore: restoring $file into $where (clean: $clean)" >&2
if [ "$mode" = container ]; then
  docker exec -i "$container" pg_restore "${options[@]}" -U "$user" -d "$db" < "$file"
else
  pg_restore "${options[@]}" --dbname="$PGDATABASE" "$file"
fi

if [ "$dump_has_flyway" = 0 ]; then
  drop="DROP TABLE IF EXISTS public.flyway_schema_history"
  if [ "$mode" = container ]; then
    docker exec "$container" psql -X -q -v ON_ERROR_STOP=1 -U "$user" -d "$db" -c "$drop"
  else
    psql -X -q -v ON_ERROR_STOP=1 -c "$drop"
  fi
  echo "restore: the dump has no flyway_schema_history (an Alembic-era or pre-migration dump): any left from the" \
       "previous schema is dropped; run 'agent.jar migrate' to adopt the restored schema" >&2
fi
echo "restore: done" >&2
