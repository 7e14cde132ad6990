#!/usr/bin/env bash
# Runs the benchmarks against the local stack and prints their figures.
#   scripts/bench.sh                 every benchmark
#   scripts/bench.sh relay-throughput --rows 50000    one, with its options
#   scripts/bench.sh gateway-peer --rounds 3          gateway-pending beside the FastAPI peer
#                                                     (scripts/bench/peers/fastapi_pending; its venv is made when missing)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PROJECT_ROOT"

"$PROJECT_ROOT/scripts/install.sh"

# The delivery and gateway benchmarks run their own smtp-sink, nginx and wrk
# as child processes; the packages' system daemons are neither needed nor wanted.
install_bench_tools() {
    local missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    [[ -x /usr/sbin/smtp-sink ]] || command -v smtp-sink >/dev/null || missing+=(postfix)
    [[ -x /usr/sbin/nginx ]] || command -v nginx >/dev/null || missing+=(nginx-light)
    ((${#missing[@]})) || return 0
    local as_root=()
    ((EUID == 0)) || as_root=(sudo)
    log "install: ${missing[*]}"
    # Postfix asks what kind of mail server this is; "No configuration" leaves it unset up and stopped.
    echo "postfix postfix/main_mailer_type select No configuration" | "${as_root[@]}" debconf-set-selections
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    if [[ -d /run/systemd/system ]]; then
        "${as_root[@]}" systemctl disable --now postfix nginx 2>/dev/null || true
    fi
}
install_bench_tools
"$PROJECT_ROOT/scripts/stack.sh" start
log "build: swift build -c release --product reminders-bench"
swift build -c release --product reminders-bench
BENCH="$PROJECT_ROOT/.build/release/reminders-bench"

if [[ ${1:-} == gateway-peer ]]; then
    shift
    "$PROJECT_ROOT/scripts/bench/peers/fastapi_pending/install.sh"
    exec "$BENCH" gateway-pending --peer-name fastapi \
        --peer-command "$(printf '%q' "$PROJECT_ROOT/scripts/bench/peers/fastapi_pending/serve.sh")" "$@"
fi
if (($#)); then
    exec "$BENCH" "$@"
fi
for benchmark in relay-throughput trigger-latency scheduler-steady scheduler-burst dispatcher-throughput \
    "delivery-throughput --channel email" "delivery-throughput --channel mattermost" \
    "delivery-latency --channel email" "delivery-latency --channel mattermost" gateway-pending stats-queries; do
    log "benchmark: $benchmark (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    # shellcheck disable=SC2086 # a benchmark's name and its options
    "$BENCH" $benchmark
done
