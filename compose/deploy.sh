#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Deploys the stack in compose.yml with the seed's three credential guards in mind (DAT-146/DAT-291):
#   1. the .env itself: no CHANGE_ME placeholder left, and POSTGRES_USER/POSTGRES_PASSWORD/POSTGRES_DB,
#      DATABASE_URL and AUTH_DATABASE_URL agree;
#   2. the agent's real boot guard (check-env --production) run from the LAST BUILT agent image against
#      the new .env, BEFORE rebuilding: a refused .env aborts here instead of crash-looping the fresh
#      container (skipped, with a message, on the first deploy when no image exists yet);
#   3. then `docker compose up -d --build` and a wait until every container reports healthy.
#
#   compose/deploy.sh [--env-file PATH]          (default: compose/.env)
#
# Environment: AGENT_IMAGE (dataland/agent:latest), DEPLOY_HEALTH_TIMEOUT seconds (180),
# DEPLOY_POLL_SECONDS (5), COMPOSE (the compose command, "docker compose"; "docker-compose" where the
# v2 plugin is missing, as with podman-docker), DEPLOY_SERVICES (the services to start, default all).
# Exit 0 deployed and healthy, 1 aborted or unhealthy, 2 usage.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

env_file="$here/.env"
while [ $# -gt 0 ]; do
  case $1 in
    --env-file) [ $# -ge 2 ] || { echo "usage: deploy.sh [--env-file PATH]" >&2; exit 2; }; env_file=$2; shift 2 ;;
    -h|--help) sed -n '3,18p' "$0"; exit 0 ;;
    *) echo "deploy: unknown argument '$1'" >&2; echo "usage: deploy.sh [--env-file PATH]" >&2; exit 2 ;;
  esac
done

image=${AGENT_IMAGE:-dataland/agent:latest}
health_timeout=${DEPLOY_HEALTH_TIMEOUT:-180}
poll=${DEPLOY_POLL_SECONDS:-5}
containers=(dataland-postgres dataland-auth dataland-agent)
read -r -a compose <<< "${COMPOSE:-docker compose}"
read -r -a services <<< "${DEPLOY_SERVICES:-}"

log() { printf 'deploy: %s\n' "$*"; }
abort() { printf 'deploy: ABORT: %s\n' "$*" >&2; exit 1; }

[ -f "$env_file" ] || abort "no env file at $env_file (copy compose/.env.example and rotate every CHANGE_ME)"
env_file=$(cd "$(dirname "$env_file")" && pwd)/$(basename "$env_file")

# --- 1. the .env on its own ---------------------------------------------------------------------------
if grep -q 'CHANGE_ME' "$env_file"; then
  abort "$env_file still holds CHANGE_ME placeholders: $(grep -o '^[A-Z_]*=[^#]*CHANGE_ME' "$env_file" | cut -d= -f1 | tr '\n' ' ')"
fi
pg_user=$(env_get "$env_file" POSTGRES_USER) || abort "POSTGRES_USER is not set in $env_file"
pg_password=$(env_get "$env_file" POSTGRES_PASSWORD) || abort "POSTGRES_PASSWORD is not set in $env_file"
pg_db=$(env_get "$env_file" POSTGRES_DB) || pg_db=dataland
if [ -z "$pg_user" ] || [ -z "$pg_password" ]; then
  abort "POSTGRES_USER and POSTGRES_PASSWORD must not be empty"
fi
database_url=$(env_get "$env_file" DATABASE_URL) || abort "DATABASE_URL is not set in $env_file"

check_agreement() {
  local name=$1 url=$2 problems=()
  url_parse "$url"
  [ "$url_user" = "$pg_user" ] || problems+=("its user differs from POSTGRES_USER")
  [ "$url_password" = "$pg_password" ] || problems+=("its password differs from POSTGRES_PASSWORD")
  [ "$url_db" = "$pg_db" ] || problems+=("its database '$url_db' differs from POSTGRES_DB '$pg_db'")
  if [ ${#problems[@]} -gt 0 ]; then
    abort "$name disagrees with the postgres role: $(IFS=';'; echo "${problems[*]}")"
  fi
}
check_agreement DATABASE_URL "$database_url"
if auth_url=$(env_get "$env_file" AUTH_DATABASE_URL) && [ -n "$auth_url" ]; then
  check_agreement AUTH_DATABASE_URL "$auth_url"
fi
log "$env_file: POSTGRES_USER/POSTGRES_PASSWORD/POSTGRES_DB, DATABASE_URL and AUTH_DATABASE_URL agree"

# --- 2. the last built image's boot guard against the new .env ------------------------------------
if docker image inspect "$image" >/dev/null 2>&1; then
  log "running check-env --production from $image against $env_file"
  # The file goes in on stdin: no mount, and no need for the image's non-root user to read a 0600 file.
  if ! docker run --rm -i --network none "$image" check-env --env-file /dev/stdin --production < "$env_file"; then
    abort "check-env from $image refused $env_file; nothing was rebuilt or restarted"
  fi
else
  log "no $image image yet (first deploy): skipping the pre-build check-env guard"
fi

# --- 3. rebuild, start, wait for health ------------------------------------------------------------
log "rebuilding and starting the stack"
"${compose[@]}" --env-file "$env_file" -f "$here/compose.yml" up -d --build --remove-orphans ${services[@]+"${services[@]}"}

deadline=$((SECONDS + health_timeout))
while :; do
  pending=()
  for container in "${containers[@]}"; do
    status=$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$container" 2>/dev/null) || status=missing
    case $status in
      healthy) ;;
      unhealthy|exited|dead) abort "$container is $status (see: docker logs $container)" ;;
      *) pending+=("$container=$status") ;;
    esac
  done
  if [ ${#pending[@]} -eq 0 ]; then
    break
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    abort "not healthy within ${health_timeout}s: ${pending[*]}"
  fi
  sleep "$poll"
done
log "deployed: ${containers[*]} healthy"
