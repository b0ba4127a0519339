#!/usr/bin/env bash
# A stand-in for the docker CLI in the script tests: appends every call to $STUB_LOG (one line,
# arguments joined by spaces) and answers like docker would:
#   image inspect IMAGE        found when $STUB_IMAGE_PRESENT=1, else "No such image" and exit 1
#   run [opts] IMAGE ARGS...   runs the REAL agent entrypoint ($STUB_JAVA -jar $STUB_AGENT_JAR ARGS)
#                              with this process's stdin, as the container would
#   compose ... run ... info   prints $STUB_AGENT_INFO (an up-to-date `agent info`), exit 0
#   compose ... run ... migrate  prints "applied 0 migration(s)", exit $STUB_MIGRATE_EXIT (0)
#   compose ... build          exit $STUB_BUILD_EXIT (0)
#   compose ...                exit $STUB_COMPOSE_EXIT (0)
#   inspect --format F NAME    "starting" for the first $STUB_STARTING_POLLS (1) polls of NAME, then
#                              "healthy" ($STUB_FINAL_STATUS overrides it for $STUB_FINAL_FOR)
#   exec [-i] NAME CMD...      runs CMD on this machine (pg_dump, psql, pg_restore: the test points
#                              libpq's PG* variables at its server), NAME must be $STUB_EXPECT_CONTAINER;
#                              with $STUB_FAKE_PG=1, pg_dump writes a stand-in archive and pg_restore,
#                              psql succeed without a server
#   volume rm NAME / volume create NAME / volume inspect NAME: exit 0
# Installed as docker-compose too: then it logs "docker-compose ARGS", refuses `--wait` as Debian's
# docker-compose 1.29 does (it has no such option: usage on stderr, exit 1) and answers like `docker compose`.
set -u
if [ "${0##*/}" = docker-compose ]; then
  printf 'docker-compose %s\n' "$*" >> "$STUB_LOG"
  case " $* " in
    *" --wait "*) echo "Usage: up [options] [--scale SERVICE=NUM...] [--] [SERVICE...]" >&2; exit 1 ;;
  esac
  set -- compose "$@"
else
  printf '%s\n' "$*" >> "$STUB_LOG"
fi
case $1 in
  image)
    if [ "${STUB_IMAGE_PRESENT:-0}" = 1 ]; then echo '[{"Id":"sha256:stub"}]'; exit 0; fi
    echo "Error: No such image: $3" >&2; exit 1 ;;
  run)
    shift
    while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do
      case $1 in --network|-v|-e|--entrypoint|-u) shift 2 ;; *) shift ;; esac
    done
    image=$1; shift
    [ "$image" = "${STUB_EXPECT_IMAGE:-dataland/agent:latest}" ] || { echo "stub: unexpected image $image" >&2; exit 125; }
    exec "$STUB_JAVA" -jar "$STUB_AGENT_JAR" "$@" ;;
  compose)
    case " $* " in
      *" run "*" info "*) printf '%b' "${STUB_AGENT_INFO:-current: V13\nhead:    V13\npending: none (up to date)\n}"; exit 0 ;;
      *" run "*" migrate "*) echo "applied 0 migration(s)"; exit "${STUB_MIGRATE_EXIT:-0}" ;;
      *" build "*) exit "${STUB_BUILD_EXIT:-0}" ;;
    esac
    exit "${STUB_COMPOSE_EXIT:-0}" ;;
  inspect)
    name=${!#}
    count_file="$STUB_STATE/$name"
    n=$(( $(cat "$count_file" 2>/dev/null || echo 0) + 1 ))
    echo "$n" > "$count_file"
    if [ "$n" -le "${STUB_STARTING_POLLS:-1}" ]; then echo starting
    elif [ "$name" = "${STUB_FINAL_FOR:-}" ]; then echo "${STUB_FINAL_STATUS:-healthy}"
    else echo healthy; fi ;;
  exec)
    shift
    while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do
      case $1 in -u|-e|-w) shift 2 ;; *) shift ;; esac
    done
    [ "$1" = "${STUB_EXPECT_CONTAINER:-dataland-postgres}" ] || { echo "Error: No such container: $1" >&2; exit 1; }
    shift
    if [ "${STUB_FAKE_PG:-0}" = 1 ]; then
      case $1 in
        pg_dump) printf 'PGDMP stand-in archive\n'; exit "${STUB_PG_DUMP_EXIT:-0}" ;;
        pg_restore|psql) cat > /dev/null 2>&1 || true; exit 0 ;;
      esac
    fi
    exec "$@" ;;
  volume)
    exit "${STUB_VOLUME_EXIT:-0}" ;;
  *)
    echo "stub: unexpected docker $*" >&2; exit 127 ;;
esac
