#!/usr/bin/env bash
# Fill the agent wheelhouse (HORIZON_AGENT_WHEELHOUSE, default $HORIZON_CACHE_DIR/wheelhouse, that
# is .cache/wheelhouse) with the wheels listed in scripts/agent_wheelhouse.txt, for the sandbox's
# Python: horizon-base is Debian bookworm, CPython 3.11, x86_64, glibc 2.36. Agent layers install
# from this folder with no index and no network (docs/agents.md, "In-sandbox agents"); this is
# the only step that downloads, and it is skipped when the folder already holds this list.
# Usage: scripts/build_agent_wheelhouse.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
DEST="${HORIZON_AGENT_WHEELHOUSE:-${HORIZON_CACHE_DIR:-.cache}/wheelhouse}"
LIST=scripts/agent_wheelhouse.txt
STAMP="$DEST/.horizon-wheelhouse.sha256"
want="$(sha256sum "$LIST" | cut -d' ' -f1)"
if [ "${1:-}" != "--force" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    echo "agent wheelhouse $DEST is up to date"
    exit 0
fi
mkdir -p "$DEST"
platforms=()
for tag in manylinux2014_x86_64 manylinux_2_17_x86_64 manylinux_2_28_x86_64 manylinux_2_34_x86_64 \
    manylinux_2_36_x86_64 manylinux1_x86_64 manylinux_2_5_x86_64 linux_x86_64; do
    platforms+=(--platform "$tag")
done
"$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.11 --implementation cp --abi cp311 --abi abi3 --abi none "${platforms[@]}" \
    --dest "$DEST" -r "$LIST"
echo "$want" > "$STAMP"
echo "agent wheelhouse $DEST: $(find "$DEST" -name '*.whl' | wc -l) wheels, $(du -sh "$DEST" | cut -f1)"
