#!/bin/bash
# Build (once) the virtualenv of the OpenStack clients an operator runs:
# python-openstackclient and python-masakariclient from PyPI, pinned in
# tools/clients-requirements.txt (their own dependencies within
# tools/constraints.txt), plus vmotiond itself, editable and WITHOUT its
# dependencies, so that OSC finds the plugin's entry points (vmotiond/osc)
# and the plugin runs on what OSC brings and nothing of the daemon.
#
# It is not the project's virtualenv and never shares anything with it.
# Called by tests/functional/api/test_openstack_client.py; run it by hand
# to build it ahead. Idempotent: a stamp of its inputs makes a second run
# a no-op (a fraction of a second). Prints the virtualenv's `openstack`.
#
#   tools/clients-venv.sh            # build if needed, print .../bin/openstack
#   VMOTIOND_CLIENTS_VENV=/path tools/clients-venv.sh   # elsewhere
#   VMOTIOND_CLIENTS_PYTHON=python3.12 tools/clients-venv.sh
set -e -o pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VMOTIOND_CLIENTS_VENV:-$TOP/.venv-clients}
# Not $PYTHON: tox -e cover sets it to a coverage command.
PYTHON=${VMOTIOND_CLIENTS_PYTHON:-python3}
# The checkout counts: vmotiond is installed editable from it.
want=$({ echo "$TOP"; cat "$TOP/tools/clients-requirements.txt" \
         "$TOP/tools/constraints.txt" "$TOP/setup.cfg" \
         "$TOP/tools/clients-venv.sh"; } | sha1sum | cut -c1-40)
if [ "$(cat "$VENV/.vmotiond-clients" 2>/dev/null)" != "$want" ] \
        || [ ! -x "$VENV/bin/openstack" ]; then
    # Several test workers may ask at once: one builds, the others wait.
    mkdir -p "$(dirname "$VENV")"
    exec 9>"$VENV.lock"
    flock 9
    if [ "$(cat "$VENV/.vmotiond-clients" 2>/dev/null)" != "$want" ] \
            || [ ! -x "$VENV/bin/openstack" ]; then
        echo "Building the clients' virtualenv $VENV ..." >&2
        start=$(date +%s)
        rm -rf "$VENV"
        "$PYTHON" -m venv "$VENV"
        # pip warns about each local index folder that lacks a package.
        quiet() { grep -v "is ignored: it is neither a file" >&2 || true; }
        if ! "$VENV/bin/pip" install -q --disable-pip-version-check \
                -c "$TOP/tools/constraints.txt" \
                -r "$TOP/tools/clients-requirements.txt" 2>&1 | quiet; then
            echo "error: pip install of the clients failed" >&2; exit 1
        fi
        if ! "$VENV/bin/pip" install -q --disable-pip-version-check \
                --no-deps -e "$TOP" 2>&1 | quiet; then
            echo "error: pip install --no-deps -e $TOP failed" >&2; exit 1
        fi
        "$VENV/bin/python" -c "import vmotiond.osc.plugin" || {
            echo "error: vmotiond's plugin is not importable in $VENV" >&2
            exit 1; }
        echo "$want" > "$VENV/.vmotiond-clients"
        echo "Built $VENV in $(( $(date +%s) - start ))s" >&2
    fi
    exec 9>&-
fi
echo "$VENV/bin/openstack"
