#!/usr/bin/env bash
# Runs the containers' health checks on their declared intervals, as podman's systemd timers would:
# podman starts those timers through systemd, and these machines have none (PID 1 is not systemd),
# so without this every container with a HEALTHCHECK stays "starting" and a compose depends_on
# "condition: service_healthy" waits forever. bin/containers starts it in the background and stops it.
#   containers/health-ticker.sh        (runs until killed)
set -uo pipefail
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/containers.conf}
tick=1
declare -A interval due
while :; do
  now=$(date +%s)
  for id in $(podman ps -q --no-trunc 2>/dev/null); do
    if [ -z "${interval[$id]:-}" ]; then
      # seconds (a float); 0 when the container has no health check. A new container is checked at once.
      seconds=$(podman inspect --format '{{if .Config.Healthcheck}}{{.Config.Healthcheck.Interval.Seconds}}{{else}}0{{end}}' "$id" 2>/dev/null) || continue
      seconds=${seconds%%.*}
      interval[$id]=$(( ${seconds:-0} > 0 ? seconds : 0 ))
      due[$id]=$now
    fi
    if [ "${interval[$id]}" -gt 0 ] && [ "$now" -ge "${due[$id]}" ]; then
      due[$id]=$((now + interval[$id]))
      podman healthcheck run "$id" >/dev/null 2>&1 &
    fi
  done
  wait
  sleep "$tick"
done
