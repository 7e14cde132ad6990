#!/usr/bin/env bash
# Starts or stops the local PostgreSQL and Kafka-compatible broker on loopback.
#   scripts/stack.sh start | stop | status
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_postgres() {
    local bin; bin="$(pg_bindir)"
    mkdir -p "$STACK_DIR"
    chmod 755 "$STACK_DIR"
    install -d -o postgres -g postgres -m 755 "$STACK_DIR/socket"
    if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
        log "postgres: initdb in $PG_DATA"
        install -d -o postgres -g postgres -m 700 "$PG_DATA"
        runuser -u postgres -- "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
        cat >>"$PG_DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$STACK_DIR/socket'
# A full test run keeps many test databases open at once, each with its
# client's pool and the services it starts: about 260 at the peak.
max_connections = 1000
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
CONF
    fi
    if runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
        log "postgres: already running on $PG_PORT"
    else
        log "postgres: starting on 127.0.0.1:$PG_PORT"
        runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 start >/dev/null
    fi
    runuser -u postgres -- psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qtAc \
        "SELECT 1 FROM pg_roles WHERE rolname = 'reminders'" | grep -q 1 ||
        runuser -u postgres -- psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc \
            "CREATE ROLE reminders LOGIN SUPERUSER PASSWORD 'reminders'"
    runuser -u postgres -- psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qtAc \
        "SELECT 1 FROM pg_database WHERE datname = 'reminders'" | grep -q 1 ||
        runuser -u postgres -- psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc \
            "CREATE DATABASE reminders OWNER reminders"
}

stop_postgres() {
    local bin; bin="$(pg_bindir)"
    if [[ -f "$PG_DATA/PG_VERSION" ]] && runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
        log "postgres: stopping"
        runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
    fi
}

start_broker() {
    if [[ -f "$STACK_DIR/tansu.pid" ]] && kill -0 "$(cat "$STACK_DIR/tansu.pid")" 2>/dev/null; then
        log "broker: already running on $KAFKA_PORT"
        return
    fi
    log "broker: starting on 127.0.0.1:$KAFKA_PORT (memory storage)"
    nohup "$STACK_DIR/tansu" broker \
        --listener-url "tcp://127.0.0.1:$KAFKA_PORT" \
        --advertised-listener-url "tcp://127.0.0.1:$KAFKA_PORT" \
        --storage-engine "memory://tansu/" >"$STACK_DIR/tansu.log" 2>&1 &
    echo $! >"$STACK_DIR/tansu.pid"
    wait_for_port 127.0.0.1 "$KAFKA_PORT" 30
}

stop_broker() {
    if [[ -f "$STACK_DIR/tansu.pid" ]]; then
        local pid; pid="$(cat "$STACK_DIR/tansu.pid")"
        if kill -0 "$pid" 2>/dev/null; then
            log "broker: stopping"
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$STACK_DIR/tansu.pid"
    fi
}

case "${1:-start}" in
    start) start_postgres; start_broker ;;
    stop) stop_broker; stop_postgres ;;
    status)
        runuser -u postgres -- "$(pg_bindir)/pg_ctl" -D "$PG_DATA" status || true
        [[ -f "$STACK_DIR/tansu.pid" ]] && kill -0 "$(cat "$STACK_DIR/tansu.pid")" 2>/dev/null &&
            echo "broker: running (pid $(cat "$STACK_DIR/tansu.pid"))" || echo "broker: stopped"
        ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
