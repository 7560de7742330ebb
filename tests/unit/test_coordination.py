"""The lease reaches every tooz driver whose locks expire on their own."""

import testtools

from tests.fixtures import conf as conf_fixture
from vmotiond import coordination
from vmotiond.engine import locks
from vmotiond.monitor import leader


class BackendUrlTest(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        self.fx = self.useFixture(conf_fixture.Conf())
        self.fx.set("lease_timeout", 4.5, "coordination")

    def url(self, url: str) -> str:
        self.fx.set("backend_url", url, "coordination")
        return coordination.backend_url(self.fx.conf)

    def test_leased_drivers_get_the_lease_in_whole_seconds(self) -> None:
        self.assertEqual("redis://127.0.0.1:6379?lock_timeout=5",
                         self.url("redis://127.0.0.1:6379"))
        self.assertEqual("etcd3+http://h:2379?lock_timeout=5",
                         self.url("etcd3+http://h:2379"))
        self.assertEqual("memcached://h?timeout=2&lock_timeout=5",
                         self.url("memcached://h?timeout=2"))

    def test_the_url_s_own_lock_timeout_wins(self) -> None:
        self.assertEqual("redis://h?lock_timeout=60",
                         self.url("redis://h?lock_timeout=60"))

    def test_session_bound_drivers_untouched(self) -> None:
        for url in ("file:///tmp/x", "mysql://root@127.0.0.1/test",
                    "postgresql://p@127.0.0.1/test", "zookeeper://h:2181"):
            self.assertEqual(url, self.url(url))

    def test_engine_locks_and_leader_expire_after_the_lease(self) -> None:
        self.url("redis://127.0.0.1:6379")
        # Built, not started: tooz connects on start only.
        self.assertEqual(5, locks.ToozLocks(self.fx.conf)
                         .coordinator.lock_timeout)
        self.assertEqual("redis://127.0.0.1:6379?lock_timeout=5",
                         leader.LeaderElector(self.fx.conf)._url)
