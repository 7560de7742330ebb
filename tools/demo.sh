#!/usr/bin/env bash
# The README's first command: the demo on the embedded defaults (SQLite,
# in-process messaging, the built-in simulated cloud). Arguments go to
# 'python -m vmotiond.demo' (see --help).
set -u
source "$(dirname "$0")/venv.sh"
cd "$TOP"
exec python -m vmotiond.demo "$@"
