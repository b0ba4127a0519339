#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# DESTRUCTIVE: stops the stack, REMOVES the postgres-data volume (every conversation, message, ticket,
# run and both user tables; POSTGRES_VOLUME names it, default dataland_postgres-data) and starts the
# stack on a fresh database: postgres (waited for until healthy), `agent.jar migrate` in a one-off
# container, then the services (waited for until healthy). The auth-data volume (the auth server's key
# pair and extra_jwks.json) is never touched. With POSTGRES_VOLUME/AUTH_DATA_VOLUME set the volumes are
# external (compose/cutover.compose.yml): the removed one is created again, empty, under its name.
#
# It refuses unless a backup exists that is newer than the maximum age: the newest dataland-*.dump in
# the backup directory, or the file named with --backup (any age: an explicit choice). It says which
# backup it relies on. Make one first with: ./backup.sh --container
#
#   reset-stack.sh [--backup FILE] [--max-age-hours N] [--backup-dir DIR] [--yes]
#
# --max-age-hours: BACKUP_MAX_AGE_HOURS, default 24. --backup-dir: BACKUP_DIR, default compose/backups.
# Without --yes it asks to type the volume name (and refuses when there is no terminal).
# COMPOSE, DEPLOY_HEALTH_TIMEOUT (180 s), DEPLOY_POLL_SECONDS (5): as deploy.sh (docker-compose 1.29
# works: the wait polls `docker inspect`, not `up --wait`).
# Exit 0 reset, 1 refused or failed, 2 usage. Restore afterwards: ./restore.sh --container --clean FILE
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

usage() { echo "usage: reset-stack.sh [--backup FILE] [--max-age-hours N] [--backup-dir DIR] [--yes]" >&2; exit 2; }
refuse() { printf 'reset-stack: REFUSED: %s\n' "$*" >&2; exit 1; }
fail() { printf 'reset-stack: FAILED: %s\n' "$*" >&2; exit 1; }
log() { printf 'reset-stack: %s\n' "$*"; }

env_file="$here/.env"
volume=$(setting POSTGRES_VOLUME dataland_postgres-data)

backup="" yes=0
max_age=$(setting BACKUP_MAX_AGE_HOURS 24)
backup_dir=$(setting BACKUP_DIR "$here/backups")
while [ $# -gt 0 ]; do
  case $1 in
    --backup) [ $# -ge 2 ] || usage; backup=$2; shift 2 ;;
    --max-age-hours) [ $# -ge 2 ] || usage; max_age=$2; shift 2 ;;
    --backup-dir) [ $# -ge 2 ] || usage; backup_dir=$2; shift 2 ;;
    --yes) yes=1; shift ;;
    *) echo "reset-stack: unknown argument '$1'" >&2; usage ;;
  esac
done
if ! [[ $max_age =~ ^[0-9]+$ ]] || [ "$max_age" -eq 0 ]; then
  echo "reset-stack: --max-age-hours must be a whole number of hours > 0" >&2
  exit 2
fi
case $backup_dir in /*) ;; *) backup_dir="$here/$backup_dir" ;; esac

age_hours() { echo $(( ($(date +%s) - $(stat -c %Y "$1")) / 3600 )); }
is_dump() { [ -s "$1" ] && [ "$(head -c 5 "$1")" = PGDMP ]; }

if [ -n "$backup" ]; then
  [ -f "$backup" ] || refuse "the backup named with --backup, $backup, does not exist"
  is_dump "$backup" || refuse "$backup is not a pg_dump custom-format archive (backup.sh writes those)"
  log "relying on backup $backup (named with --backup, $(age_hours "$backup") h old)"
else
  newest=""
  if [ -d "$backup_dir" ]; then
    newest=$(find "$backup_dir" -maxdepth 1 -type f -name 'dataland-*.dump' -printf '%T@ %p\n' | sort -rn | head -n 1 | cut -d' ' -f2-)
  fi
  if [ -z "$newest" ]; then
    refuse "no backup in $backup_dir; run ./backup.sh --container first, or name one with --backup FILE"
  fi
  if [ "$(( $(date +%s) - $(stat -c %Y "$newest") ))" -ge "$(( max_age * 3600 ))" ]; then
    refuse "the newest backup, $newest, is $(age_hours "$newest") h old (limit ${max_age} h); run ./backup.sh --container first, or name a backup with --backup FILE"
  fi
  is_dump "$newest" || refuse "the newest backup, $newest, is not a pg_dump custom-format archive"
  log "relying on backup $newest ($(age_hours "$newest") h old, newer than ${max_age} h)"
fi

if [ "$yes" != 1 ]; then
  [ -t 0 ] || refuse "no terminal to confirm on; pass --yes to reset without asking"
  read -r -p "reset-stack: type the volume name ($volume) to remove it: " answer
  [ "$answer" = "$volume" ] || refuse "not confirmed"
fi

health_timeout=${DEPLOY_HEALTH_TIMEOUT:-180}
poll=${DEPLOY_POLL_SECONDS:-5}
compose_command
log "stopping the stack"
"${compose[@]}" down
log "removing volume $volume (auth-data is kept)"
docker volume rm "$volume"
if cutover_volumes; then
  # an external volume is never created by compose: the fresh one is made here, under the same name
  docker volume create "$volume" >/dev/null
fi
log "starting the stack on a fresh database (postgres, then the schema, then the services)"
"${compose[@]}" up -d postgres
wait_healthy "$health_timeout" "$poll" dataland-postgres || fail "$health_problem"
# The agent boots with DB_MIGRATE_ON_BOOT=false (compose.yml): build the schema as its own step.
"${compose[@]}" run --rm --no-deps agent migrate
"${compose[@]}" up -d
wait_healthy "$health_timeout" "$poll" dataland-postgres dataland-auth dataland-agent || fail "$health_problem"
log "done; to restore: ./restore.sh --container --clean <backup>"
