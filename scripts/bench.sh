#!/usr/bin/env bash
# Runs the benchmarks against the local stack and prints their figures.
#   scripts/bench.sh                 every benchmark
#   scripts/bench.sh relay-throughput --rows 50000    one, with its options
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PROJECT_ROOT"

"$PROJECT_ROOT/scripts/install.sh"
"$PROJECT_ROOT/scripts/stack.sh" start
log "build: swift build -c release --product reminders-bench"
swift build -c release --product reminders-bench
BENCH="$PROJECT_ROOT/.build/release/reminders-bench"

if (($#)); then
    exec "$BENCH" "$@"
fi
for benchmark in relay-throughput trigger-latency scheduler-steady scheduler-burst dispatcher-throughput; do
    log "benchmark: $benchmark"
    "$BENCH" "$benchmark"
done
