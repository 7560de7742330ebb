"""Nova's ``lock`` and ``unlock`` server actions, as Masakari calls them.

Masakari's host-failure flow locks each instance before it evacuates it
and unlocks it after (``bench/masakari.py`` runs that flow against the
simulator). Mixed into the conformance test cases beside ``Scenarios``;
the raw action calls pin the microversion, so what is compared is Nova's
answer at 2.53 (Masakari's novaclient) and 2.73 (the reason).
"""

from typing import Any

from tests.conformance import scenarios
from tests.conformance import target as target_mod

NO_SUCH_ID = "00000000-0000-0000-0000-000000000000"


class LockScenarios:
    """The scenarios; mix into a ``testtools.TestCase`` subclass."""

    target: target_mod.Target

    def _action(self, server_id: str, body: dict[str, Any],
                version: str) -> Any:
        conn = self.target.connection()
        return conn.compute.post("/servers/%s/action" % server_id,
                                 json=body, microversion=version)

    def _show(self, server_id: str, version: str) -> dict[str, Any]:
        conn = self.target.connection()
        response = conn.compute.get("/servers/%s" % server_id,
                                    microversion=version)
        self.assertEqual(200, response.status_code)
        server: dict[str, Any] = response.json()["server"]
        return server

    def test_lock_and_unlock(self) -> None:
        server_id = self.target.boot(self.target.hosts[0], name="locked")
        self.assertFalse(self._show(server_id, "2.53")["locked"])
        calls = [
            # (what, body, microversion, locked after, reason after at 2.73)
            ("lock (2.53)", {"lock": None}, "2.53", True, None),
            ("lock again (2.53)", {"lock": None}, "2.53", True, None),
            ("unlock (2.53)", {"unlock": None}, "2.53", False, None),
            ("unlock an unlocked server", {"unlock": None}, "2.53", False,
             None),
            ("lock with a reason (2.73)",
             {"lock": {"locked_reason": "host failure"}}, "2.73", True,
             "host failure"),
            ("lock again without one keeps it", {"lock": None}, "2.73",
             True, "host failure"),
            ("unlock clears the reason", {"unlock": None}, "2.73", False,
             None),
        ]
        for what, body, version, locked, reason in calls:
            response = self._action(server_id, body, version)
            self.assertEqual(202, response.status_code, what)
            self.assertEqual(b"", response.content, what)
            shown = self._show(server_id, "2.73")
            self.assertEqual((locked, reason),
                             (shown["locked"], shown["locked_reason"]), what)
            self.assertEqual("ACTIVE", shown["status"], what)
        # Before 2.73 the server has no locked_reason at all.
        self.assertNotIn("locked_reason", self._show(server_id, "2.72"))

    def test_lock_refusals(self) -> None:
        server_id = self.target.boot(self.target.hosts[0], name="refusals")
        for what, sid, body, version, status in [
                ("lock an unknown server", NO_SUCH_ID, {"lock": None},
                 "2.53", 404),
                ("unlock an unknown server", NO_SUCH_ID, {"unlock": None},
                 "2.53", 404),
                ("a reason of 256 characters", server_id,
                 {"lock": {"locked_reason": "x" * 256}}, "2.73", 400),
                ("an unknown member", server_id,
                 {"lock": {"reason": "x"}}, "2.73", 400)]:
            response = self._action(sid, body, version)
            self.assertEqual(status, response.status_code, what)
        self.assertFalse(self._show(server_id, "2.73")["locked"])

    def test_admin_evacuates_a_locked_server(self) -> None:
        # Masakari evacuates the instances it locked: the lock stops an
        # owner, never the admin.
        host = self.target.hosts[0]
        server_id = self.target.boot(host, name="locked-evacuee")
        self.assertEqual(202, self._action(server_id, {"lock": None},
                                           "2.53").status_code)
        self.target.kill(host)
        cloud = scenarios.make_cloud(self.target)
        service = next(s for s in cloud.list_compute_services()
                       if s.host == host)
        cloud.force_down_service(service.id, host)
        response = self._action(server_id, {"evacuate": {}}, "2.53")
        self.assertEqual(200, response.status_code)

        def moved() -> dict[str, Any] | None:
            shown = self._show(server_id, "2.73")
            return shown if (shown["OS-EXT-SRV-ATTR:host"] != host
                             and shown["status"] == "ACTIVE") else None
        shown = self.target.wait_for(moved, 30, "the evacuation")
        self.assertTrue(shown["locked"])
        self.assertEqual(202, self._action(server_id, {"unlock": None},
                                           "2.53").status_code)
        self.assertFalse(self._show(server_id, "2.53")["locked"])
