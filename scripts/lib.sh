# Shared settings for the local stack scripts; sourced, not run.
# Everything lives on loopback ports of its own so it never collides with a
# system PostgreSQL or another Kafka.
set -euo pipefail

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# PostgreSQL runs as the postgres user, who must be able to enter the data
# folder, so the stack's state lives outside the checkout.
STACK_DIR="${STACK_DIR:-/tmp/case-reminders-stack}"
VENV_DIR="${VENV_DIR:-$PROJECT_ROOT/.venv}"
PG_PORT="${PG_PORT:-55432}"
KAFKA_PORT="${KAFKA_PORT:-59092}"
PG_DATA="$STACK_DIR/pg"
RUNTIME_LIB_DIR="$STACK_DIR/lib"

export DATABASE_URL="${DATABASE_URL:-postgresql://reminders:reminders@127.0.0.1:$PG_PORT/reminders}"
export KAFKA_BOOTSTRAP_SERVERS="${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:$KAFKA_PORT}"
export MIGRATIONS_DIR="${MIGRATIONS_DIR:-$PROJECT_ROOT/migrations}"
export TOPICS_DIR="${TOPICS_DIR:-$PROJECT_ROOT/topics}"
# Debian's librdkafka 2.0.2 cannot talk to the test broker; the one bundled in
# the confluent-kafka wheel can. We compile against Debian's headers and run
# against that library.
export LD_LIBRARY_PATH="$RUNTIME_LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

pg_bindir() { pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin; }

wait_for_port() { # host port seconds
    local host=$1 port=$2 limit=$3 i
    for ((i = 0; i < limit * 10; i++)); do
        if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    log "nothing answers on $host:$port after ${limit}s"
    return 1
}
