#!/usr/bin/env bash
# End-to-end load and fault runs against private servers; see scripts/load/README.md.
#   scripts/load.sh run --rate 500 --duration 60 [--faults all|none|kill,pg,broker,smtp,webhook] [--report]
#   scripts/load.sh faults [--count 3]      scripts/load.sh bench      scripts/load.sh report
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PYTHON="${PYTHON:-$VENV_DIR/bin/python}"
export TANSU_BIN="${TANSU_BIN:-$STACK_DIR/tansu}"
export PYTHONPATH="$PROJECT_ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}"
cd "$PROJECT_ROOT"
exec "$PYTHON" -m load "$@"
