# shellcheck shell=bash
# Helpers the compose/ scripts share (sourced, not run): reading a .env file without executing it,
# and taking a PostgreSQL URL apart. Nothing here prints a password.

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
