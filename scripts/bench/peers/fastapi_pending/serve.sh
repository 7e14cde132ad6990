#!/usr/bin/env bash
# Serves app.py with uvicorn, the peer of `reminders-bench gateway-pending --peer-command`.
# Reads PORT (required), HOST (default 127.0.0.1), WEB_CONCURRENCY (worker processes, default 2)
# and what app.py reads. Further arguments go to uvicorn, e.g. `--loop asyncio --http h11` for
# uvicorn without its speed-ups. Install the venv first: install.sh beside this file.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${BENCH_PEER_VENV:-$(cd "$here/../../../.." && pwd)/.venv-bench-peer}"
[[ -x "$venv/bin/uvicorn" ]] || { echo "no uvicorn in $venv: run ${here#"$PWD/"}/install.sh first" >&2; exit 1; }
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"
exec "$venv/bin/uvicorn" app:app --app-dir "$here" \
    --host "${HOST:-127.0.0.1}" --port "${PORT:?PORT is required}" --workers "$WEB_CONCURRENCY" \
    --loop uvloop --http httptools --no-access-log --log-level warning "$@"
