"""The tooz backend URL, with vmotiond's lease applied.

The monitor's leadership and the engine's host locks both expire after
``[coordination] lease_timeout``. Drivers whose locks expire on their own
clock (Redis, etcd3 through its gateway, memcached) read it from
``lock_timeout`` in the URL, in whole seconds, and default to 30 s; it is
set from ``lease_timeout`` unless the URL sets it. The other drivers tie
a lock to their session (file, MySQL, PostgreSQL, ZooKeeper) and take the
URL as it is.
"""

import math
import urllib.parse

from oslo_config import cfg

LEASED_SCHEMES = ("redis", "rediss", "etcd3+http", "etcd3+https",
                  "memcached")


def backend_url(conf: cfg.ConfigOpts) -> str:
    """``[coordination] backend_url`` with its lock expiry set."""
    url: str = conf.coordination.backend_url
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in LEASED_SCHEMES:
        return url
    query = urllib.parse.parse_qs(parsed.query)
    if "lock_timeout" not in query:
        lease = max(1, math.ceil(conf.coordination.lease_timeout))
        query["lock_timeout"] = [str(lease)]
    return urllib.parse.urlunsplit(parsed._replace(
        query=urllib.parse.urlencode(query, doseq=True)))
