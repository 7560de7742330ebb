"""A MariaDB/MySQL database of many vmoves, written fast, for the benches.

The rows are made by the database itself: one ``INSERT ... SELECT`` per
100,000 vmoves over a cross join of digits, with ``UUID()`` for the
UUIDs, so no row travels through Python (the row-by-row ``executemany``
this replaces took 95 s for a million on an idle machine). Ids are
explicit (the n-th vmove has id n + 1), so a page marker is one primary
key look-up instead of an ``OFFSET`` scan.

The vmoves are those an engine leaves: 100 per notification, 8 in 10
``succeeded`` after ``check_floating_ips``, 1 ``failed`` in
``wait_moved``, 1 ``ignored`` for want of capacity.
"""

import random
import time

import sqlalchemy as sa

from vmotiond.db import migration

PER_NOTIFICATION = 100
CHUNK_DIGITS = 5  # 100,000 vmoves per INSERT ... SELECT
START = "2025-01-01 00:00:00"


def count(url: str) -> int:
    """How many vmoves the database at ``url`` holds; -1 if none can tell."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(
                "SELECT COUNT(*) FROM vmoves")).scalar_one())
    except sa.exc.SQLAlchemyError:
        return -1
    finally:
        engine.dispose()


def _numbers(digits: int) -> str:
    """A derived table ``seq(n)`` of 0 .. 10**digits - 1."""
    ten = "(%s)" % " UNION ALL ".join("SELECT %d AS d" % d
                                       for d in range(10))
    tables = ", ".join("%s d%d" % (ten, i) for i in range(digits))
    total = " + ".join("d%d.d * %d" % (i, 10 ** i) for i in range(digits))
    return "(SELECT %s AS n FROM %s)" % (total, tables)  # noqa: S608


_NOTIFICATIONS = """
INSERT INTO notifications (id, uuid, type, host, payload, generated_time,
                           status, dedup_key, created_at, deleted)
SELECT :base + seq.n + 1, UUID(), 'COMPUTE_HOST',
       CONCAT('node', (:base + seq.n) %% 500), '{{}}',
       TIMESTAMPADD(MINUTE, (:base + seq.n) * 10, '{start}'), 'finished',
       CONCAT('bench-', :base + seq.n),
       TIMESTAMPADD(MINUTE, (:base + seq.n) * 10, '{start}'), 0
FROM {numbers} AS seq WHERE :base + seq.n < :total
"""

_VMOVES = """
INSERT INTO vmoves (id, uuid, notification_uuid, instance_uuid,
                    instance_name, source_host, dest_host, start_time,
                    end_time, type, status, current_step, message,
                    priority, attempts, created_at, updated_at, deleted)
SELECT v.n + 1, UUID(), nt.uuid, UUID(), CONCAT('vm-', v.n),
       CONCAT('node', (v.n DIV {per}) %% 500), CONCAT('spare', v.n %% 20),
       TIMESTAMPADD(SECOND, v.n * 6, '{start}'),
       TIMESTAMPADD(SECOND, v.n * 6 + 20, '{start}'), 'evacuation',
       CASE v.n %% 10 WHEN 8 THEN 'failed' WHEN 9 THEN 'ignored'
            ELSE 'succeeded' END,
       CASE v.n %% 10 WHEN 8 THEN 'wait_moved' WHEN 9 THEN NULL
            ELSE 'check_floating_ips' END,
       CASE v.n %% 10
            WHEN 8 THEN 'Nova set the instance to ERROR during evacuation'
            WHEN 9 THEN 'no capacity on any target host' ELSE NULL END,
       v.n %% 3, 1, TIMESTAMPADD(SECOND, v.n * 6, '{start}'),
       TIMESTAMPADD(SECOND, v.n * 6 + 20, '{start}'), 0
FROM (SELECT :base + seq.n AS n FROM {numbers} AS seq
      WHERE :base + seq.n < :total) AS v
JOIN notifications nt ON nt.id = v.n DIV {per} + 1
"""


def _insert(conn: sa.Connection, template: str, total: int) -> None:
    """Run ``template`` for 0 .. total - 1, one chunk at a time."""
    digits = max(1, min(CHUNK_DIGITS, len(str(max(total - 1, 1)))))
    sql = sa.text(template.replace("%%", "%").format(
        numbers=_numbers(digits), start=START, per=PER_NOTIFICATION))
    for base in range(0, total, 10 ** digits):
        conn.execute(sql, {"base": base, "total": total})
        conn.commit()


def fill(url: str, name: str, admin_url: str, rows: int) -> None:
    """Create database ``name`` at ``url`` holding ``rows`` vmoves; keep
    it when it already holds that many."""
    if count(url) == rows:
        print("reusing %s with %d vmoves" % (name, rows))
        engine = sa.create_engine(url)
        migration.upgrade(engine)  # a database kept from an older schema
        engine.dispose()
        return
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("DROP DATABASE IF EXISTS %s" % name))
        conn.execute(sa.text("CREATE DATABASE %s" % name))
    admin.dispose()
    engine = sa.create_engine(url)
    migration.upgrade(engine)
    started = time.monotonic()
    with engine.connect() as conn:
        notifications = -(-rows // PER_NOTIFICATION)
        _insert(conn, _NOTIFICATIONS, notifications)
        _insert(conn, _VMOVES, rows)
        conn.execute(sa.text("ANALYZE TABLE notifications, vmoves"))
        conn.commit()
    engine.dispose()
    print("filled %s with %d vmoves in %.1f s (INSERT ... SELECT)"
          % (name, rows, time.monotonic() - started))


def markers(url: str, count: int, skip: int) -> list[str]:
    """The UUIDs of ``count`` random vmoves with at least ``skip`` older
    ones (a full page after them), each by a primary key look-up (no
    OFFSET scan)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        low, high = conn.execute(sa.text(
            "SELECT MIN(id), MAX(id) FROM vmoves")).one()
        pick = sa.text("SELECT uuid FROM vmoves WHERE id >= :id "
                       "ORDER BY id LIMIT 1")
        found = [str(conn.execute(pick, {"id": random.randint(
            min(low + skip, high), high)}).scalar_one())
            for _ in range(count)]
    engine.dispose()
    return found
