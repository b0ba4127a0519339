#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Deploys the stack in compose.yml as a sequence of steps, each a function below, stopping at the first
# that fails (nothing after it runs):
#   1. check_env_file       the .env on its own: no CHANGE_ME left; POSTGRES_USER/POSTGRES_PASSWORD set (the
#                           superuser: initdb, backups, the roles step; never a service's); AGENT_DB_PASSWORD,
#                           AUTH_DB_PASSWORD, MONITOR_DB_PASSWORD set; DATABASE_URL connects as dataland_agent
#                           with AGENT_DB_PASSWORD and AUTH_DATABASE_URL as dataland_auth with AUTH_DB_PASSWORD,
#                           both to POSTGRES_DB (DAT-146/DAT-291, issue 13);
#   2. build_images         `docker compose build`: the NEW images, before anything is stopped;
#   3. check_env_image      the agent's real boot guard (check-env --production) from the NEW image
#                           against the .env (on a host where the last dataland/agent is still the
#                           Python one, the old image cannot judge the new .env);
#   4. start_database       postgres alone, waited for until healthy;
#   5. check_roles          postgres/check-roles.sql as POSTGRES_USER: the three roles exist, are not
#                           superusers, and own their tables; a database that has not adopted them yet
#                           (the Python stack's, a restore) is refused with the fix: ./adopt-roles.sh --container;
#   6. take_backup          backup.sh --container (skipped with --skip-backup);
#   7. guard_destructive    `agent.jar info` in a one-off container; when a destructive migration (V11
#                           drops columns and user_ticket_mappings) is pending, refuses unless a backup
#                           in BACKUP_DIR is newer than DEPLOY_BACKUP_MAX_AGE_MINUTES (60), or
#                           --i-have-a-backup is given;
#   8. run_migrations       `agent.jar migrate` in a one-off container (the services boot with
#                           DB_MIGRATE_ON_BOOT=false and refuse a schema that is behind), with
#                           --i-have-a-backup when step 7 let a pending V11 through (the agent refuses
#                           V11 on its own while the data it drops is there);
#   9. start_services       `docker compose up -d` and a wait until every container reports healthy.
#
#   compose/deploy.sh [--env-file PATH] [--skip-backup] [--i-have-a-backup]
#
# Environment: AGENT_IMAGE (dataland/agent:latest), DEPLOY_HEALTH_TIMEOUT seconds (180),
# DEPLOY_POLL_SECONDS (5), DEPLOY_BACKUP_MAX_AGE_MINUTES (60), BACKUP_DIR (as backup.sh),
# COMPOSE (the compose command, "docker compose"; "docker-compose" where the v2 plugin is missing, as
# with podman-docker), DEPLOY_SERVICES (the services to start, default all). POSTGRES_VOLUME and
# AUTH_DATA_VOLUME (environment or .env, both or neither): the stack runs on these existing volumes, as
# external volumes (compose/cutover.compose.yml is added to every compose call; docs/cutover.md).
# Exit 0 deployed and healthy, 1 aborted or unhealthy, 2 usage.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

usage() { echo "usage: deploy.sh [--env-file PATH] [--skip-backup] [--i-have-a-backup]" >&2; exit 2; }
env_file="$here/.env"
skip_backup=0
have_backup=0
while [ $# -gt 0 ]; do
  case $1 in
    --env-file) [ $# -ge 2 ] || usage; env_file=$2; shift 2 ;;
    --skip-backup) skip_backup=1; shift ;;
    --i-have-a-backup) have_backup=1; shift ;;
    -h|--help) sed -n '3,37p' "$0"; exit 0 ;;
    *) echo "deploy: unknown argument '$1'" >&2; usage ;;
  esac
done

image=${AGENT_IMAGE:-dataland/agent:latest}
health_timeout=${DEPLOY_HEALTH_TIMEOUT:-180}
poll=${DEPLOY_POLL_SECONDS:-5}
backup_max_minutes=${DEPLOY_BACKUP_MAX_AGE_MINUTES:-60}
# Migrations that drop data; a pending one needs a fresh backup (see guard_destructive).
destructive_versions=(V11)
# set by guard_destructive when it lets a pending destructive migration through
migrate_args=()
containers=(dataland-postgres dataland-auth dataland-agent)
read -r -a services <<< "${DEPLOY_SERVICES:-}"

log() { printf 'deploy: %s\n' "$*"; }
abort() { printf 'deploy: ABORT: %s\n' "$*" >&2; exit 1; }

[ -f "$env_file" ] || abort "no env file at $env_file (copy compose/.env.example and rotate every CHANGE_ME)"
env_file=$(cd "$(dirname "$env_file")" && pwd)/$(basename "$env_file")
compose_command

# --- 1 ------------------------------------------------------------------------------------------------
check_env_file() {
  if grep -q 'CHANGE_ME' "$env_file"; then
    abort "$env_file still holds CHANGE_ME placeholders: $(grep -o '^[A-Z_]*=[^#]*CHANGE_ME' "$env_file" | cut -d= -f1 | tr '\n' ' ')"
  fi
  pg_user=$(env_get "$env_file" POSTGRES_USER) || abort "POSTGRES_USER is not set in $env_file"
  pg_password=$(env_get "$env_file" POSTGRES_PASSWORD) || abort "POSTGRES_PASSWORD is not set in $env_file"
  pg_db=$(env_get "$env_file" POSTGRES_DB) || pg_db=dataland
  if [ -z "$pg_user" ] || [ -z "$pg_password" ]; then
    abort "POSTGRES_USER and POSTGRES_PASSWORD must not be empty"
  fi
  local name database_url auth_url
  for name in AGENT_DB_PASSWORD AUTH_DB_PASSWORD MONITOR_DB_PASSWORD; do
    [ -n "$(env_get "$env_file" "$name" || true)" ] || abort "$name is not set in $env_file (the service roles' passwords, docs/operations.md)"
  done
  # the agent's and auth's passwords reach the credential guard through their URLs (check_env_image); the
  # exporter's has no URL, so its compose default is refused here
  [ "$(env_get "$env_file" MONITOR_DB_PASSWORD)" != dataland ] || abort "MONITOR_DB_PASSWORD is the development default 'dataland'"
  database_url=$(env_get "$env_file" DATABASE_URL) || abort "DATABASE_URL is not set in $env_file"
  check_role_url DATABASE_URL "$database_url" dataland_agent AGENT_DB_PASSWORD
  auth_url=$(env_get "$env_file" AUTH_DATABASE_URL) || auth_url=""
  [ -n "$auth_url" ] || abort "AUTH_DATABASE_URL is not set in $env_file (auth connects as dataland_auth, not as the agent)"
  check_role_url AUTH_DATABASE_URL "$auth_url" dataland_auth AUTH_DB_PASSWORD
  log "$env_file: DATABASE_URL connects as dataland_agent, AUTH_DATABASE_URL as dataland_auth, with their passwords, to POSTGRES_DB"
  if cutover_volumes; then
    local pg_volume auth_volume
    pg_volume=$(setting POSTGRES_VOLUME "")
    auth_volume=$(setting AUTH_DATA_VOLUME "")
    if [ -z "$pg_volume" ] || [ -z "$auth_volume" ]; then
      abort "POSTGRES_VOLUME and AUTH_DATA_VOLUME go together (the old stack's two volumes, docs/cutover.md); only one is set"
    fi
    log "existing volumes, taken as external: postgres-data=$pg_volume auth-data=$auth_volume"
  fi
}

# check_role_url NAME URL ROLE PASSWORD_VARIABLE: the URL connects as ROLE with that password to POSTGRES_DB.
check_role_url() {
  local name=$1 url=$2 role=$3 password_variable=$4 problems=()
  url_parse "$url"
  [ "$url_user" = "$role" ] || problems+=("its user is not $role")
  [ "$url_password" = "$(env_get "$env_file" "$password_variable")" ] || problems+=("its password differs from $password_variable")
  [ "$url_db" = "$pg_db" ] || problems+=("its database '$url_db' differs from POSTGRES_DB '$pg_db'")
  if [ ${#problems[@]} -gt 0 ]; then
    abort "$name disagrees with the $role role: $(IFS=';'; echo "${problems[*]}")"
  fi
}

# --- 2 ------------------------------------------------------------------------------------------------
build_images() {
  log "building the new images"
  "${compose[@]}" build || abort "the images did not build; nothing was stopped or restarted"
}

# --- 3 ------------------------------------------------------------------------------------------------
check_env_image() {
  log "running check-env --production from the new $image against $env_file"
  # The file goes in on stdin: no mount, and no need for the image's non-root user to read a 0600 file.
  if ! docker run --rm -i --network none "$image" check-env --env-file /dev/stdin --production < "$env_file"; then
    abort "check-env from $image refused $env_file; nothing was restarted"
  fi
}

# --- 4 ------------------------------------------------------------------------------------------------
start_database() {
  log "starting postgres"
  "${compose[@]}" up -d postgres
  wait_healthy "$health_timeout" "$poll" dataland-postgres || abort "$health_problem"
}

# --- 5 ------------------------------------------------------------------------------------------------
check_roles() {
  local findings
  log "checking the database roles (postgres/check-roles.sql)"
  findings=$(docker exec -i dataland-postgres psql -X -At -v ON_ERROR_STOP=1 -U "$pg_user" -d "$pg_db" -f - \
    < "$here/postgres/check-roles.sql") || abort "the roles check could not run as $pg_user on $pg_db"
  if [ -n "$findings" ]; then
    abort "the database roles are not in place: $(tr '\n' ';' <<< "$findings")" \
      "run ./adopt-roles.sh --container (docs/operations.md, Database roles); nothing was migrated"
  fi
  log "roles: dataland_agent, dataland_auth and dataland_monitor exist, none a superuser, each table with its owner"
}

# --- 6 ------------------------------------------------------------------------------------------------
take_backup() {
  if [ "$skip_backup" = 1 ]; then
    log "no backup taken (--skip-backup)"
    return
  fi
  log "backing up the database before migrating"
  # backup.sh reads compose/.env by default: hand it this deploy's values
  backup_file=$(POSTGRES_USER=$pg_user POSTGRES_DB=$pg_db BACKUP_DIR=$(backup_dir) "$here/backup.sh" --container) \
    || abort "the backup failed; nothing was migrated"
  log "backup: $backup_file"
}

# BACKUP_DIR from the environment or the .env, relative to compose/ (as backup.sh).
backup_dir() {
  local dir
  dir=$(setting BACKUP_DIR "$here/backups")
  case $dir in /*) ;; *) dir="$here/$dir" ;; esac
  printf '%s' "$dir"
}

# --- 7 ------------------------------------------------------------------------------------------------
guard_destructive() {
  local info version pending=() newest age
  info=$("${compose[@]}" run --rm --no-deps agent info) || abort "agent info failed in a one-off container: $info"
  for version in "${destructive_versions[@]}"; do
    if grep -Eq "^  $version " <<< "$info"; then
      pending+=("$version")
    fi
  done
  [ ${#pending[@]} -gt 0 ] || return 0
  # from here on the deploy vouches for a backup: the agent's own guard is told so
  migrate_args=(--i-have-a-backup)
  if [ "$have_backup" = 1 ]; then
    log "destructive migration ${pending[*]} pending; going ahead on --i-have-a-backup"
    return
  fi
  local dir
  dir=$(backup_dir)
  newest=$(find "$dir" -maxdepth 1 -name 'dataland-*.dump' -type f -mmin "-$backup_max_minutes" 2>/dev/null | sort | tail -n 1)
  if [ -z "$newest" ]; then
    abort "destructive migration ${pending[*]} pending (it drops columns and tables) and no backup in $dir is newer than" \
      "$backup_max_minutes minutes; run without --skip-backup, or ./backup.sh --container, or pass --i-have-a-backup"
  fi
  age=$(( ($(date +%s) - $(stat -c %Y "$newest")) / 60 ))
  log "destructive migration ${pending[*]} pending; backup $newest is $age minute(s) old"
}

# --- 8 ------------------------------------------------------------------------------------------------
run_migrations() {
  log "migrating the database (agent.jar migrate in a one-off container)"
  "${compose[@]}" run --rm --no-deps agent migrate ${migrate_args[@]+"${migrate_args[@]}"} || abort "the migration failed; the services were not started (restore: docs/cutover.md)"
}

# --- 9 ------------------------------------------------------------------------------------------------
start_services() {
  log "starting the stack"
  "${compose[@]}" up -d --remove-orphans ${services[@]+"${services[@]}"}
  wait_healthy "$health_timeout" "$poll" "${containers[@]}" || abort "$health_problem"
  log "deployed: ${containers[*]} healthy"
}

check_env_file
build_images
check_env_image
start_database
check_roles
take_backup
guard_destructive
run_migrations
start_services
