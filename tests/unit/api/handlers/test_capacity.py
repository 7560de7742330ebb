"""The failover headroom: GET /v1/capacity (1.9), against a fake engine
that answers what the real engine's view of a small cloud is."""

from tests.unit.api.handlers import test_instances
from tests.unit.engine import fakes
from tests.unit.engine.deciding import test_headroom
from vmotiond import clock
from vmotiond import exception
from vmotiond.api import errors
from vmotiond.engine.deciding import headroom
from vmotiond.engine.deciding.records import PlanOptions
from vmotiond.engine.workflows import capacity


def answer() -> dict:
    hosts = [test_headroom.host("a", used=(3072, 1, 20)),
             test_headroom.host("b", memory_mb=2048)]
    servers = [fakes.server(host="a", memory_mb=3072, name="big"),
               fakes.server(host="b", memory_mb=512, name="small")]
    return capacity.view(headroom.check(hosts, servers, [], PlanOptions()),
                         clock.FakeClock())


class TestCapacity(test_instances.InstancesTestCase):

    def test_asks_the_engine_and_answers_its_view(self) -> None:
        self.engine.answer = answer()
        body = self.get_json("/v1/capacity")
        self.assertEqual({"capacity": self.engine.answer}, body)
        self.assertEqual([("capacity_check", {})], self.engine.asked)
        self.assertEqual(["a"], body["capacity"]["unabsorbable"])
        self.assertFalse(body["capacity"]["survives_largest"])
        self.valid("/v1/capacity", body)

    def test_reader_may_read_member_may_not(self) -> None:
        self.engine.answer = answer()
        self.get_json("/v1/capacity", roles="reader",
                      headers={"OpenStack-System-Scope": "all"})
        self.assertError(self.request("/v1/capacity", roles="member"), 403,
                         errors.FORBIDDEN)

    def test_needs_1_9_and_no_query(self) -> None:
        self.assertError(self.request("/v1/capacity",
                                      version="instance-ha 1.8"),
                         404, errors.VERSION_TOO_LOW, "1.9")
        self.assertError(self.request("/v1/capacity?host=a"), 400,
                         errors.QUERY_UNSUPPORTED)
        self.assertEqual([], self.engine.asked)

    def test_no_engine_is_503(self) -> None:
        self.engine.refusal = exception.EngineUnavailable(
            topic="t", timeout=1, reason="no answer")
        self.assertError(self.request("/v1/capacity"), 503,
                         errors.ENGINE_UNAVAILABLE)
