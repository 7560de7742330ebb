"""Time of one ``GET /metrics`` over a MariaDB of a million vmoves.

Every scrape counts the rows of four tables (``vmotiond.db.stats``), so
its cost grows with the history. This fills (or reuses) the API
benchmark's database of ``--rows`` vmoves (``bench.vmoves_fill``), serves
``/metrics`` in process (the WSGI app, no HTTP) ``--scrapes`` times and
prints the median wall time (the work is the database's, so CPU time of
this process would not see it) and its ratio to ``--bound`` milliseconds,
a fraction of Prometheus' default 10 s scrape timeout. Exits 1 when the
median misses it.

    python -m bench metrics_scrape
    python -m bench metrics_scrape --database vmotiond_metrics_probe --drop
"""

import argparse
import statistics
import time

import sqlalchemy as sa
import webob

from bench import api_latency
from bench import config
from bench import results
from vmotiond.api import metrics
from vmotiond.db import api as db_api

BOUND_MS = 500.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", default="vmotiond_bench_vmoves")
    parser.add_argument("--scrapes", type=int, default=20)
    parser.add_argument("--bound", type=float, default=BOUND_MS,
                        help="milliseconds the median scrape may take")
    parser.add_argument("--drop", action="store_true",
                        help="drop the database at the end")
    args = parser.parse_args(argv)
    url = api_latency.fill(args.database, args.rows)
    conf = config.bench_conf()
    database = db_api.Database(conf, connection=url)
    app = metrics.MetricsApp(database)
    times = []
    try:
        for index in range(args.scrapes + 1):
            started = time.perf_counter()
            response = webob.Request.blank("/metrics").get_response(app)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_int != 200 or \
                    b"vmotiond_database_up 1.0" not in response.body:
                print("scrape failed: %s" % response.status)
                return 1
            if index:            # the first one warms the pool
                times.append(elapsed)
    finally:
        database.dispose()
        if args.drop:
            admin = sa.create_engine(api_latency.ADMIN_URL,
                                     isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text("DROP DATABASE %s" % args.database))
            admin.dispose()
    median = statistics.median(times)
    figure = results.record(results.Figure(
        "metrics_scrape", "median GET /metrics, %d vmoves" % args.rows,
        median, "ms", goal=args.bound,
        detail="%d scrapes, max %.0f ms" % (len(times), max(times))))
    return 0 if figure.passed else 1
