#!/usr/bin/env bash
# The training run of the agent's JDK AOT cache (JEP 483/514/515), shared by Dockerfile.agent (its train
# stage) and the dev stack (Stack, on the first run after a build): boots the agent with
# -XX:AOTCacheOutput=OUT, sends what a boot and a mobile session send (health, metrics, OpenAPI, /v1/me,
# chat and museum turns, reload, list, rename, feedback, run, delete, refusals), several rounds so the JIT
# profiles are worth keeping, then stops it with SIGTERM: the JVM writes the cache as it exits.
#
#   agent-aot-train.sh OUT JAVA [JVM OPTIONS...] -jar AGENT_JAR
#
# The JVM options and the jar path must be those of the runs that will use the cache (same JVM, same class
# path: the JVM refuses a cache made for another one).
# DATABASE_URL: a throw-away database (the run creates a user and conversations there). Unset, the script
# initialises its own cluster with PG_BIN's initdb (as user postgres, in a temporary directory) and removes
# it afterwards: the image's train stage, which has no database, does that.
# AGENT_PORT: the training agent's port (default 18990). Needs curl and openssl: a throw-away RSA key signs
# the training tokens, and JWKS_FILE trusts its public half for this run only.
set -euo pipefail
out=${1:?usage: agent-aot-train.sh OUT JAVA [JVM OPTIONS...] -jar AGENT_JAR}
shift
[ $# -ge 3 ] || { echo "usage: agent-aot-train.sh OUT JAVA [JVM OPTIONS...] -jar AGENT_JAR" >&2; exit 2; }
java=$1
shift
port=${AGENT_PORT:-18990}
base=http://127.0.0.1:$port
work=$(mktemp -d)
chmod 0755 "$work"
agent=""
pgdata=""

cleanup() {
  if [ -n "$agent" ] && kill -0 "$agent" 2>/dev/null; then kill -KILL "$agent" 2>/dev/null || true; fi
  if [ -n "$pgdata" ]; then runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf -- "$work"
}
trap cleanup EXIT

if [ -z "${DATABASE_URL:-}" ]; then
  : "${PG_BIN:?DATABASE_URL or PG_BIN (the directory of initdb and pg_ctl) is needed}"
  pgdata=$work/pgdata
  pgport=$((port + 1))
  mkdir "$pgdata"
  chown postgres "$pgdata"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$pgdata" -U postgres --auth=trust >/dev/null
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pgdata" -w -l "$pgdata/server.log" \
    -o "-p $pgport -k $pgdata -c listen_addresses=127.0.0.1" start >/dev/null
  "$PG_BIN/psql" -q -h 127.0.0.1 -p "$pgport" -U postgres \
    -c "CREATE ROLE aot_training LOGIN PASSWORD 'aot_training'" -c "CREATE DATABASE aot_training OWNER aot_training"
  export DATABASE_URL=postgresql://aot_training:aot_training@127.0.0.1:$pgport/aot_training
fi

# --- a throw-away signing key, trusted through JWKS_FILE ------------------------------------------------
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/key.pem" 2>/dev/null
modulus=$(openssl rsa -in "$work/key.pem" -noout -modulus | cut -d= -f2)
# the modulus as bytes: each hex pair becomes a \xHH escape for printf
# shellcheck disable=SC2001 # a substitution per hex pair, which ${var//} cannot express
n=$(printf '%b' "$(sed 's/../\\x&/g' <<<"$modulus")" | b64url)
printf '{"keys":[{"kty":"RSA","kid":"aot-training","use":"sig","alg":"RS256","n":"%s","e":"AQAB"}]}\n' "$n" > "$work/jwks.json"
token() { # token SUB: an RS256 token for SUB, valid ten minutes
  local now header payload
  now=$(date +%s)
  header=$(printf '{"alg":"RS256","typ":"JWT","kid":"aot-training"}' | b64url)
  payload=$(printf '{"sub":"%s","email":"%s@example.org","iat":%d,"exp":%d}' "$1" "$1" "$now" $((now + 600)) | b64url)
  printf '%s.%s.%s' "$header" "$payload" "$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$work/key.pem" -binary | b64url)"
}

# --- the training run -------------------------------------------------------------------------------
rm -f -- "$out"
JWKS_FILE=$work/jwks.json AGENT_PORT=$port BIND_HOST=127.0.0.1 AUTH_JWKS_URL=http://127.0.0.1:9/.well-known/jwks.json \
  DB_POOL_SIZE=4 DB_MAX_OVERFLOW=0 \
  "$java" "-XX:AOTCacheOutput=$out" "$@" serve > "$work/agent.log" 2>&1 &
agent=$!
for _ in $(seq 1 1200); do
  curl -fs -o /dev/null "$base/observe/health" && break
  kill -0 "$agent" 2>/dev/null || { cat "$work/agent.log" >&2; echo "agent-aot-train: the agent died" >&2; exit 1; }
  sleep 0.1
done
curl -fs -o /dev/null "$base/observe/health" || { cat "$work/agent.log" >&2; echo "agent-aot-train: the agent did not become healthy" >&2; exit 1; }

call() { # call EXPECTED METHOD PATH [TOKEN [BODY]]: prints the body, fails on another status
  local expected=$1 method=$2 path=$3 auth=${4:-} body=${5:-} status
  local args=(-s -o "$work/body" -w '%{http_code}' -X "$method")
  [ -n "$auth" ] && args+=(-H "Authorization: Bearer $auth")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$body")
  status=$(curl "${args[@]}" "$base$path")
  if [ "$status" != "$expected" ]; then
    echo "agent-aot-train: $method $path answered $status, expected $expected: $(cat "$work/body")" >&2
    exit 1
  fi
  cat "$work/body"
}
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" | head -1; }

for round in $(seq 1 10); do
  t=$(token "aot-training-$round")
  call 200 GET /observe/health >/dev/null
  call 200 GET /observe/metrics >/dev/null
  call 200 GET /v1/me "$t" >/dev/null
  call 200 GET /v1/me "$t" >/dev/null
  turn=$(call 200 POST /v1/chat "$t" '{"message":"What is on show this week?"}')
  conversation=$(field conversation_id <<<"$turn")
  run=$(field run_id <<<"$turn")
  assistant=$(sed -n 's/.*"assistant_message":{"id":"\([^"]*\)".*/\1/p' <<<"$turn")
  call 200 POST /v1/chat/museum "$t" "{\"ticket_id\":\"aot-training-ticket-$round\",\"message\":\"Tell me about this painting\"}" >/dev/null
  curl -fs -o /dev/null -H 'Accept: text/event-stream' -H "Authorization: Bearer $t" -H 'Content-Type: application/json' \
    --data "{\"conversation_id\":\"$conversation\",\"message\":\"And next week?\"}" "$base/v1/chat"
  call 200 GET "/v1/conversations?limit=20" "$t" >/dev/null
  call 200 GET "/v1/conversations/$conversation" "$t" >/dev/null
  call 200 GET "/v1/runs/$run" "$t" >/dev/null
  call 200 PUT "/v1/messages/$assistant/feedback" "$t" '{"feedback":"like"}' >/dev/null
  call 200 PATCH "/v1/conversations/$conversation" "$t" '{"title":"Training"}' >/dev/null
  call 204 DELETE "/v1/conversations/$conversation" "$t" >/dev/null
  call 401 GET /v1/me >/dev/null
  call 401 GET /v1/me "not.a.token" >/dev/null
  call 400 POST /v1/chat "$t" '{"message":' >/dev/null
  call 404 GET /v1/nothing-here "$t" >/dev/null
done
call 200 GET /openapi >/dev/null

kill -TERM "$agent"
wait "$agent" || true # 143: SIGTERM
agent=""
if [ ! -s "$out" ]; then
  cat "$work/agent.log" >&2
  echo "agent-aot-train: no AOT cache at $out" >&2
  exit 1
fi
echo "agent-aot-train: $(grep -o 'AOTCache creation is complete.*' "$work/agent.log" || echo "cache written to $out")"
