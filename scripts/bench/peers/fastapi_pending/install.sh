#!/usr/bin/env bash
# Creates the FastAPI peer's venv (.venv-bench-peer in the project root, BENCH_PEER_VENV to
# put it elsewhere) from requirements.txt beside this file. Re-runnable: pip runs again only
# when requirements.txt changed. The project's own venv (.venv) is not touched.
source "$(dirname "${BASH_SOURCE[0]}")/../../../lib.sh"

here="$PROJECT_ROOT/scripts/bench/peers/fastapi_pending"
venv="${BENCH_PEER_VENV:-$PROJECT_ROOT/.venv-bench-peer}"
if [[ ! -x "$venv/bin/python" ]]; then
    log "venv: creating $venv"
    python3 -m venv "$venv"
fi
stamp="$venv/.requirements.sha256"
if ! (cd "$here" && sha256sum --status -c "$stamp" 2>/dev/null); then
    log "pip: installing the FastAPI peer's requirements into $venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
    (cd "$here" && sha256sum requirements.txt) >"$stamp"
fi
