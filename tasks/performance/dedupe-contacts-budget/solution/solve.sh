#!/bin/bash
# Reference solution: file each record under its (up to three) match keys and join records that
# share a key in a union-find; about 50 steps per record instead of one same_person() per pair.
set -euo pipefail
cp "$(dirname "$0")/contacts.py" contacts.py
