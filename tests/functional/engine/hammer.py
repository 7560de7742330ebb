"""Another process on the engine's SQLite file: it reads, or holds locks.

``python -m tests.functional.engine.hammer read|lock PATH STOPFILE``
runs until STOPFILE exists, then prints how many rounds it made (and how
many found the file busy). ``read`` keeps a read transaction open over
several queries; ``lock`` takes the write lock (BEGIN IMMEDIATE) and
holds it a little longer than the engine's busy timeout in the test.
"""

import os
import sqlite3
import sys
import time

READS = ("SELECT count(*) FROM notifications",
         "SELECT status, count(*) FROM vmoves GROUP BY status",
         "SELECT * FROM vmove_steps ORDER BY id DESC LIMIT 50")


def main(mode: str, path: str, stop: str) -> None:
    connection = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    rounds = busy = 0
    while not os.path.exists(stop):
        try:
            if mode == "read":
                connection.execute("BEGIN")
                for query in READS:
                    connection.execute(query).fetchall()
                time.sleep(0.3)
            else:
                connection.execute("BEGIN IMMEDIATE")
                time.sleep(0.4)
            connection.execute("COMMIT")
            rounds += 1
        except sqlite3.OperationalError:
            busy += 1
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        if mode == "lock":
            time.sleep(1.0)
    print("%d %d" % (rounds, busy), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
