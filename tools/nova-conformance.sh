#!/bin/bash
# Run tests/conformance/nova (the conformance scenarios against a real
# Nova 34.0.0 with its fake virt driver) in a virtualenv of their own.
#
#   tools/nova-conformance.sh [stestr filter regex ...]
#
# NOVA_VENV   the virtualenv, created when missing (default: .nova-venv)
# NOVA_CONCURRENCY  stestr workers (default: number of CPUs)
# Exits non-zero when a test fails or no test ran; the last line reads
# "N passed, N failed".
set -eu -o pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${NOVA_VENV:-$ROOT/.nova-venv}
PY=${PYTHON:-python3}

if [ ! -x "$VENV/bin/stestr" ] || ! "$VENV/bin/python" -c "import nova" 2>/dev/null; then
    echo "Creating $VENV (about 40 s)"
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check \
        "nova==34.0.0" "openstack-placement==16.0.0" openstacksdk \
        "SQLAlchemy<2.1" oslotest wsgi-intercept testtools fixtures stestr \
        python-subunit 2>&1 | grep -v "is ignored: it is neither" || true
    "$VENV/bin/python" -c "import nova, placement, openstack, subunit"
fi

export PYTHONPATH=$ROOT${PYTHONPATH:+:$PYTHONPATH}
export OS_NOVA_DISABLE_EVENTLET_PATCHING=1
REPO=$VENV/stestr-repo

rm -rf "$REPO"  # one run per repository: "last" is this run
mkdir -p "$REPO"
rc=0
"$VENV/bin/stestr" --config tests/conformance/nova.stestr.conf \
    --repo-url "$REPO" run ${NOVA_CONCURRENCY:+--concurrency "$NOVA_CONCURRENCY"} \
    "$@" || rc=$?
echo
PATH="$VENV/bin:$PATH" "$VENV/bin/python" tools/test_summary.py "$REPO" \
    || summary_rc=$?
[ "$rc" -ne 0 ] && exit "$rc"
exit "${summary_rc:-0}"
