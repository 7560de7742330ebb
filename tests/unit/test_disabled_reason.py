"""The disabled reason vmotiond writes: one format, read back exactly."""

import itertools

import testtools

from vmotiond import disabled_reason as dr

UUID = "0b8f6c2e-3c4d-4e5f-8a9b-1c2d3e4f5a6b"


class MakeParseTest(testtools.TestCase):

    def test_every_cause_reads_back(self):
        for cause in dr.CAUSES:
            uuid = UUID if cause in dr.WITH_NOTIFICATION else None
            text = dr.make(cause, uuid)
            self.assertEqual(dr.Reason(cause, uuid), dr.parse(text), text)
            self.assertLessEqual(len(text), 255)

    def test_the_format(self):
        self.assertEqual("vmotiond:recovering:" + UUID,
                         dr.make(dr.RECOVERING, UUID))
        self.assertEqual("vmotiond:failed:" + UUID, dr.make(dr.FAILED, UUID))
        self.assertEqual("vmotiond:standby", dr.make(dr.STANDBY))

    def test_make_refuses_what_it_could_not_read_back(self):
        for cause, uuid in itertools.product(
                dr.CAUSES + (dr.LEGACY, "other"),
                (None, UUID, "not-a-uuid", UUID.upper(), "")):
            ok = cause in dr.CAUSES and (
                uuid == UUID if cause in dr.WITH_NOTIFICATION
                else uuid is None)
            if ok:
                self.assertEqual(dr.Reason(cause, uuid),
                                 dr.parse(dr.make(cause, uuid)))
            else:
                self.assertRaises(ValueError, dr.make, cause, uuid)

    def test_reasons_of_earlier_versions(self):
        for text, reason in (
                ("vmotiond: host failure, notification " + UUID,
                 dr.Reason(dr.RECOVERING, UUID)),
                ("vmotiond: standby host, kept out of scheduling",
                 dr.Reason(dr.STANDBY)),
                ("vmotiond: drained by operator (notification %s)" % UUID,
                 dr.Reason(dr.DRAINING, UUID)),
                ("vmotiond: host failure, notification n-1",
                 dr.Reason(dr.LEGACY)),
                ("vmotiond: drained by operator", dr.Reason(dr.LEGACY)),
                ("vmotiond: heartbeat lost", dr.Reason(dr.LEGACY)),
                ("vmotiond", dr.Reason(dr.LEGACY)),
                ("vmotiond fence", dr.Reason(dr.LEGACY)),
                ("vmotiondx", dr.Reason(dr.LEGACY)),
                ("vmotiond:", dr.Reason(dr.LEGACY))):
            self.assertEqual(reason, dr.parse(text), text)

    def test_malformed_reasons_of_ours_are_ours_of_no_known_cause(self):
        for text in ("vmotiond:recovering", "vmotiond:recovering:x",
                     "vmotiond:failed:%s:extra" % UUID,
                     "vmotiond:standby:" + UUID, "vmotiond:legacy",
                     "vmotiond:failed:" + UUID.upper(), "vmotiond:other"):
            self.assertEqual(dr.Reason(dr.LEGACY), dr.parse(text), text)

    def test_someone_elses_reasons(self):
        for text in (None, "", "ops: bad fan", "VMOTIOND:standby",
                     " vmotiond:x",
                     "maintenance by vmotiond:standby"):
            self.assertIsNone(dr.parse(text), text)
