#!/usr/bin/env bash
# The database tests again with the newest SQLAlchemy 2.1.x, in a
# virtualenv of their own (.venv-sqlalchemy21): CI installs SQLAlchemy 2.0.x
# as OpenStack's upper constraints do, and this proves 2.1 works too.
# The last line reads "N passed, N failed".
set -eu -o pipefail
cd "$(dirname "$0")/.."
TOP=$PWD
VENV=${SQLALCHEMY_NEXT_VENV:-$TOP/.venv-sqlalchemy21}
PY=${PYTHON:-python3}
WANT=$(cat requirements.txt test-requirements.txt tools/constraints.txt \
       | sha1sum | cut -c1-40)
if [ "$(cat "$VENV/.installed" 2>/dev/null)" != "$WANT" ]; then
    echo "Creating $VENV"
    "$PY" -m venv --clear "$VENV"
    grep -iv '^sqlalchemy==' tools/constraints.txt > "$VENV/constraints.txt"
    "$VENV/bin/pip" install -q --disable-pip-version-check \
        -c "$VENV/constraints.txt" "SQLAlchemy>=2.1,<2.2" \
        -r requirements.txt -r test-requirements.txt 2>&1 \
        | { grep -v "is ignored: it is neither" || true; }
    echo "$WANT" > "$VENV/.installed"
fi
"$VENV/bin/python" -c "import sqlalchemy; print('SQLAlchemy', sqlalchemy.__version__)"
REPO=$VENV/stestr-repo
rm -rf "$REPO"
mkdir -p "$REPO"
rc=0
PYTHONPATH=$TOP "$VENV/bin/stestr" --repo-url "$REPO" run \
    'tests\.(unit|functional)\.db\.' || rc=$?
PATH="$VENV/bin:$PATH" "$VENV/bin/python" tools/test_summary.py "$REPO" \
    || rc=1
exit $rc
