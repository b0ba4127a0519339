# shellcheck shell=bash
# Helpers the compose/ scripts share (sourced, not run): reading a .env file without executing it,
# taking a PostgreSQL URL apart, the compose command with its files, and the wait for healthy
# containers. Nothing here prints a password.

# env_get FILE KEY: prints KEY's value from a docker-compose style env file (KEY=VALUE lines, '#'
# comments, optional 'export ', optional quotes); returns 1 when KEY is absent. The last one wins.
env_get() {
  local file=$1 key=$2 line value="" found=1
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line#"${line%%[![:space:]]*}"}
    line=${line#export }
    case $line in
      "$key="*) value=${line#"$key="}; found=0 ;;
    esac
  done < "$file"
  [ "$found" -eq 0 ] || return 1
  case $value in
    \"*\") value=${value:1:${#value}-2} ;;
    \'*\') value=${value:1:${#value}-2} ;;
    *) value=${value%% \#*}; value=${value%"${value##*[![:space:]]}"} ;;
  esac
  printf '%s' "$value"
}

# setting NAME DEFAULT: NAME from the environment, else from the env file $env_file (the caller
# sets it, normally compose/.env) when it exists, else DEFAULT.
setting() {
  local value=${!1:-}
  if [ -z "$value" ] && [ -f "${env_file:-}" ]; then
    value=$(env_get "$env_file" "$1") || value=""
  fi
  printf '%s' "${value:-$2}"
}

# url_decode TEXT: %XX escapes decoded.
url_decode() {
  local text=${1//\\/\\\\}
  printf '%b' "${text//%/\\x}"
}

# url_parse URL: sets url_user, url_password, url_host, url_port, url_db from any accepted form
# (postgresql+asyncpg://, postgresql+psycopg2://, postgresql://, postgres://, jdbc:postgresql://
# with user/password in the URL or in ?user=&password=; ?sslmode= is kept, other parameters are
# ignored). The url_* variables are the result.
# shellcheck disable=SC2034
url_parse() {
  local rest=${1#jdbc:} userinfo="" hostport query="" pair
  rest=${rest#*://}
  url_user="" url_password="" url_host="" url_port=5432 url_db="" url_sslmode=""
  if [[ $rest == *\?* ]]; then
    query=${rest#*\?}
    rest=${rest%%\?*}
  fi
  if [[ ${rest%%/*} == *@* ]]; then
    userinfo=${rest%@*}
    rest=${rest##*@}
    url_user=$(url_decode "${userinfo%%:*}")
    if [[ $userinfo == *:* ]]; then
      url_password=$(url_decode "${userinfo#*:}")
    fi
  fi
  hostport=${rest%%/*}
  url_host=${hostport%%:*}
  if [[ $hostport == *:* ]]; then
    url_port=${hostport##*:}
  fi
  if [[ $rest == */* ]]; then
    url_db=${rest#*/}
  fi
  local IFS='&'
  for pair in $query; do
    case $pair in
      user=*) url_user=$(url_decode "${pair#user=}") ;;
      password=*) url_password=$(url_decode "${pair#password=}") ;;
      sslmode=*) url_sslmode=$(url_decode "${pair#sslmode=}") ;;
    esac
  done
}

# use_database_url URL: exports libpq's PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE from URL, so
# pg_dump/pg_restore/psql connect without the password ever appearing on a command line.
use_database_url() {
  url_parse "$1"
  export PGHOST=$url_host PGPORT=$url_port PGDATABASE=$url_db
  if [ -n "$url_user" ]; then export PGUSER=$url_user; fi
  if [ -n "$url_password" ]; then export PGPASSWORD=$url_password; fi
  if [ -n "$url_sslmode" ]; then export PGSSLMODE=$url_sslmode; fi
}

# cutover_volumes: true when POSTGRES_VOLUME or AUTH_DATA_VOLUME is set (in the environment or the env
# file $env_file): the stack runs on existing volumes, e.g. the Python stack's at the cutover.
cutover_volumes() {
  [ -n "$(setting POSTGRES_VOLUME "")" ] || [ -n "$(setting AUTH_DATA_VOLUME "")" ]
}

# compose_command: sets the array `compose` to the compose command ($COMPOSE: "docker compose", or
# "docker-compose" where the v2 plugin is missing, as with Debian's 1.29 and podman-docker), with
# --env-file $env_file when that file exists, -f compose.yml, and -f cutover.compose.yml when
# cutover_volumes: that override declares both volumes `external: true` under those names, so compose
# uses them as they are and never creates one (a wrong name fails instead of starting on an empty volume).
compose_command() {
  local dir
  dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  read -r -a compose <<< "${COMPOSE:-docker compose}"
  if [ -f "${env_file:-}" ]; then
    compose+=(--env-file "$env_file")
  fi
  compose+=(-f "$dir/compose.yml")
  if cutover_volumes; then
    compose+=(-f "$dir/cutover.compose.yml")
  fi
}

# wait_healthy TIMEOUT POLL CONTAINER...: polls `docker inspect` every POLL seconds until every CONTAINER
# is healthy (compose's health checks; docker-compose 1.29 has no `up --wait`). Returns 1 with the reason
# in health_problem when one turns unhealthy, exits or dies, or TIMEOUT seconds pass; a container not
# there yet counts as pending. A caller that can run a starting container's health check at once (podman:
# bin/containers) defines health_check_now CONTAINER, called for each one still starting at every poll.
# shellcheck disable=SC2034
wait_healthy() {
  local timeout=$1 poll=$2 deadline pending container status
  shift 2
  deadline=$((SECONDS + timeout))
  health_problem=""
  while :; do
    pending=()
    for container in "$@"; do
      status=$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$container" 2>/dev/null) || status=missing
      case $status in
        healthy) ;;
        unhealthy|exited|dead) health_problem="$container is $status (see: docker logs $container)"; return 1 ;;
        *) pending+=("$container=$status")
           if [ "$status" = starting ] && declare -F health_check_now >/dev/null; then health_check_now "$container"; fi ;;
      esac
    done
    if [ ${#pending[@]} -eq 0 ]; then
      return 0
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      health_problem="not healthy within ${timeout}s: ${pending[*]}"
      return 1
    fi
    sleep "$poll"
  done
}
