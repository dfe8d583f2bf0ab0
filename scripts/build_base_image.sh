#!/usr/bin/env bash
# Build the sandbox base image offline: debootstrap (cached under $HORIZON_CACHE_DIR, default
# .cache/) + docker import as horizon-base:<hash>, tagged horizon-base:latest.
# Usage: scripts/build_base_image.sh [--rebuild]   (needs root, debootstrap and a running dockerd)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
exec "$PYTHON" -m cli.main images build-base "$@"
