#!/usr/bin/env bash
# The test command of the README: sets up the virtualenv, then runs the unit
# and functional tests (real MariaDB, PostgreSQL, RabbitMQ and Redis on
# 127.0.0.1) with the reliability scenarios (tests/reliability, whose
# figures end as one table), the conformance tests against a real Nova,
# and the database tests again on SQLAlchemy 2.1.
# Arguments, if any, are a stestr filter for the main run only.
set -u
source "$(dirname "$0")/venv.sh"
cd "$TOP"
status=0
# The OpenStack clients' own virtualenv, which the functional test
# test_openstack_client drives (it would build it itself, inside a test).
bash tools/clients-venv.sh >/dev/null || status=1
rm -f .reliability/figures.jsonl
stestr run "$@" || status=1
if [ $# -eq 0 ]; then
    echo
    python -m tests.reliability.figures || status=1
fi
repos=(.)
if [ $# -eq 0 ]; then
    bash tools/nova-conformance.sh || status=1
    repos+=("${NOVA_VENV:-$TOP/.nova-venv}/stestr-repo")
    bash tools/sqlalchemy-next.sh || status=1
    repos+=("${SQLALCHEMY_NEXT_VENV:-$TOP/.venv-sqlalchemy21}/stestr-repo")
fi
echo
python tools/test_summary.py "${repos[@]}" || status=1
exit $status
