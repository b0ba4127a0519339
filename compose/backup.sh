#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Backs up the dataland database with pg_dump's custom format (-Fc): every table of both services.
# Where pg_dump runs is an explicit choice:
#   backup.sh --container[=NAME] [--out DIR]   docker exec NAME pg_dump (default NAME dataland-postgres):
#                                              production; the container's pg_dump matches its server
#   backup.sh --local [--out DIR]              this machine's pg_dump against DATABASE_URL (any accepted
#                                              form), or libpq's PG* variables when DATABASE_URL is unset
# --container connects as POSTGRES_USER to POSTGRES_DB, from the environment or compose/.env.
# Writes DIR/dataland-YYYYMMDDTHHMMSSZ.dump (DIR: --out, else $BACKUP_DIR, else compose/backups),
# through a .partial file renamed only once pg_dump succeeded and pg_restore can list it; prints the
# path on stdout. Exit 0 written, 1 failed (nothing left behind), 2 usage. See docs/backup-restore.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
env_file="$here/.env"

usage() { echo "usage: backup.sh --container[=NAME] | --local   [--out DIR]" >&2; exit 2; }
mode="" container=dataland-postgres out=""
while [ $# -gt 0 ]; do
  case $1 in
    --container) mode=container; shift ;;
    --container=?*) mode=container; container=${1#--container=}; shift ;;
    --local) mode=local; shift ;;
    --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
    *) echo "backup: unknown argument '$1'" >&2; usage ;;
  esac
done
[ -n "$mode" ] || usage

if [ -z "$out" ]; then
  out=$(setting BACKUP_DIR "$here/backups")
  case $out in /*) ;; *) out="$here/$out" ;; esac
fi
if [ ! -d "$out" ]; then
  (umask 077 && mkdir -p "$out")
fi
target="$out/dataland-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial="$target.partial"
trap 'rm -f "$partial"' EXIT

umask 077
if [ "$mode" = container ]; then
  user=$(setting POSTGRES_USER dataland)
  db=$(setting POSTGRES_DB dataland)
  echo "backup: pg_dump -Fc of '$db' inside container $container" >&2
  docker exec "$container" pg_dump -Fc -U "$user" -d "$db" > "$partial"
  docker exec -i "$container" pg_restore --list < "$partial" > /dev/null
else
  if [ -n "${DATABASE_URL:-}" ]; then
    use_database_url "$DATABASE_URL"
  fi
  echo "backup: pg_dump -Fc of '${PGDATABASE:?set DATABASE_URL or the PG* variables}' on ${PGHOST:-the local socket}:${PGPORT:-5432}" >&2
  pg_dump -Fc > "$partial"
  pg_restore --list "$partial" > /dev/null
fi
mv "$partial" "$target"
trap - EXIT
echo "backup: wrote $target ($(wc -c < "$target") bytes)" >&2
printf '%s\n' "$target"
