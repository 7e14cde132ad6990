#!/usr/bin/env bash
# Sets up everything the tests need (packages, PostgreSQL, the broker) and runs
# every test: unit tests, then integration tests against the real servers.
#   scripts/test.sh [extra swift test arguments, e.g. --filter Relay]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$PROJECT_ROOT"

"$PROJECT_ROOT/scripts/install.sh"
"$PROJECT_ROOT/scripts/stack.sh" start

export PYTHON="$VENV_DIR/bin/python"
export TANSU_BIN="$STACK_DIR/tansu"

log "build: swift build --build-tests"
swift build --build-tests
"$PROJECT_ROOT/.build/debug/reminders" topics

if (($#)); then
    swift test --skip-build "$@"
else
    log "unit tests"
    swift test --skip-build --skip IntegrationTests
    log "integration tests"
    swift test --skip-build --filter IntegrationTests
    # Python checks: the deployment files against the code, the short fault run.
    python_suites=()
    for suite in Tests/deploy Tests/load; do [[ -d $suite ]] && python_suites+=("$suite"); done
    if ((${#python_suites[@]})); then
        log "python checks: ${python_suites[*]}"
        "$PYTHON" -m pytest -q "${python_suites[@]}"
    fi
fi
