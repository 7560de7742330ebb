"""The payload of a state change's notification."""

import testtools

from vmotiond import events


class PayloadTest(testtools.TestCase):

    def test_versioned_with_plain_members_only(self):
        self.assertEqual(
            {"version": "1.0", "kind": "vmove", "id": "v-1",
             "status": "failed", "message": "boom", "attempts": 2},
            events.payload("vmove", "v-1", "failed", {
                "status": "ignored", "message": "boom", "attempts": 2,
                "end_time": object(), "plan": {"steps": []},
                "id": "other", "version": "9"}))

    def test_event_types(self):
        self.assertEqual(
            ["vmotiond.host.update", "vmotiond.notification.update",
             "vmotiond.vmove.update"],
            [events.event_type(kind) for kind in events.KINDS])
