#!/usr/bin/env bash
# Brings the whole system up on this machine: installs what is missing, starts
# PostgreSQL and the broker, creates the topics, migrates, builds and starts the
# services in the background (logs and pids under the stack folder).
#   scripts/dev-up.sh          start (re-runnable)
#   scripts/dev-up.sh stop     stop the services and the servers
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PROJECT_ROOT"

SERVICES=(relay)
RUN_DIR="$STACK_DIR/run"

stop_services() {
    for name in "${SERVICES[@]}"; do
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
for name in "${SERVICES[@]}"; do
    pidfile="$RUN_DIR/$name.pid"
    if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        log "$name: already running (pid $(cat "$pidfile"))"
        continue
    fi
    nohup "$BIN" "$name" >>"$RUN_DIR/$name.log" 2>&1 &
    echo $! >"$pidfile"
    log "$name: started (pid $!, log $RUN_DIR/$name.log)"
done
log "up: DATABASE_URL=$DATABASE_URL KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS"
