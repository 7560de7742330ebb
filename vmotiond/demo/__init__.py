"""The newcomer's demo: a host dies and its instances come back.

``python -m vmotiond.demo`` (what ``tools/demo.sh`` runs) starts the
built-in simulated cloud on a loopback port, runs the all-in-one vmotiond
on SQLite and in-process messaging against it, kills the busiest host and
shows, live, detection, fencing and each vmove; then it revives the host
and moves the instances back. It exits 0 when every instance of the killed
host ended where it should, in the state it had.
"""
