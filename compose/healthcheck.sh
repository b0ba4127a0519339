#!/usr/bin/env bash
# Container health probe for the agent and auth images: GET /observe/health on 127.0.0.1:PORT and
# succeed only on "200" (the services answer 503 while the database is down). Uses bash's /dev/tcp
# so the runtime image needs no curl or wget.
#   healthcheck.sh PORT
set -u
port=${1:?usage: healthcheck.sh PORT}
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET /observe/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
status=""
IFS=' ' read -r -t 5 _ status _ <&3 || exit 1
exec 3<&-
[ "$status" = "200" ]
