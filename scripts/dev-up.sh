#!/usr/bin/env bash
# Brings the whole system up on this machine: installs what is missing, starts
# PostgreSQL and the broker, creates the topics, migrates, builds and starts
# every service in the background (logs and pids under the stack folder), with
# demo data and the demo page.
#   scripts/dev-up.sh          start (re-runnable)
#   scripts/dev-up.sh stop     stop the services and the servers
# Reminders are switched on here, in dry run: nothing leaves the machine
# unless REMINDERS_DRY_RUN=false and SMTP / Mattermost are configured.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PROJECT_ROOT"

# name and sub-command of each service
# name:health port:sub-command. Each service serves /healthz, /readyz and
# /metrics on its own port (METRICS_PORT); the gateway on GATEWAY_PORT.
SERVICES=(
    "relay:9101:relay"
    "scheduler:9102:scheduler"
    "dispatcher:9103:dispatcher"
    "worker-email:9104:worker email"
    "worker-mattermost:9105:worker mattermost"
    "gateway:-:gateway --demo"
)
RUN_DIR="$STACK_DIR/run"
export REMINDERS_ENABLED="${REMINDERS_ENABLED:-true}"
export REMINDERS_DRY_RUN="${REMINDERS_DRY_RUN:-true}"
export REMINDERS_EMAIL_ENABLED="${REMINDERS_EMAIL_ENABLED:-true}"
export REMINDERS_MATTERMOST_ENABLED="${REMINDERS_MATTERMOST_ENABLED:-true}"

stop_services() {
    for service in "${SERVICES[@]}"; do
        local name="${service%%:*}"
        local pidfile="$RUN_DIR/$name.pid"
        [[ -f "$pidfile" ]] || continue
        local pid; pid="$(cat "$pidfile")"
        if kill -0 "$pid" 2>/dev/null; then
            log "$name: stopping"
            kill -TERM "$pid"
            for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$pidfile"
    done
}

if [[ "${1:-up}" == "stop" ]]; then
    stop_services
    "$PROJECT_ROOT/scripts/stack.sh" stop
    exit 0
fi

"$PROJECT_ROOT/scripts/install.sh"
"$PROJECT_ROOT/scripts/stack.sh" start
log "build: swift build -c release"
swift build -c release --product reminders
BIN="$PROJECT_ROOT/.build/release/reminders"
"$BIN" migrate
"$BIN" topics

mkdir -p "$RUN_DIR"
# A development secret for the gateway, made once and kept with the stack.
if [[ -z "${JWT_SECRET:-}" ]]; then
    if [[ ! -f "$RUN_DIR/jwt-secret" ]]; then
        # Readable by its owner only: the secret signs tokens for any user.
        (umask 077 && head -c 48 /dev/urandom | base64 >"$RUN_DIR/jwt-secret")
    fi
    chmod 600 "$RUN_DIR/jwt-secret"
    JWT_SECRET="$(cat "$RUN_DIR/jwt-secret")"
fi
export JWT_SECRET
for service in "${SERVICES[@]}"; do
    IFS=: read -r name port command <<<"$service"
    read -r -a arguments <<<"$command"
    pidfile="$RUN_DIR/$name.pid"
    if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        log "$name: already running (pid $(cat "$pidfile"))"
        continue
    fi
    if [[ $port == - ]]; then
        port="${GATEWAY_PORT:-8000}"
        nohup "$BIN" "${arguments[@]}" >>"$RUN_DIR/$name.log" 2>&1 &
    else
        METRICS_PORT="$port" nohup "$BIN" "${arguments[@]}" >>"$RUN_DIR/$name.log" 2>&1 &
    fi
    echo $! >"$pidfile"
    log "$name: started (pid $!, log $RUN_DIR/$name.log, metrics http://127.0.0.1:$port/metrics)"
done
# Idempotent per user name; prints fresh tokens each time.
"$BIN" demo-data
log "up: DATABASE_URL=$DATABASE_URL KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS"
log "demo page: http://127.0.0.1:${GATEWAY_PORT:-8000}/demo (tokens above); stop with scripts/dev-up.sh stop"
