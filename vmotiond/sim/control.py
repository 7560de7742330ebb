"""The ``/sim`` control endpoint: build and break the cloud over HTTP.

No authentication (serve it on loopback only). Bodies and answers are
JSON. Routes:

=======  ==================================  ===============================
GET      /sim                                summary (hosts, servers, time)
POST     /sim/build                          a Scenario as JSON
GET      /sim/hosts/{name}                   state incl. ``probe_reachable``
POST     /sim/hosts                          add a host ({"name": ...})
POST     /sim/hosts/{name}/{verb}            kill, kill-compute, revive,
                                             flap ({"down", "up", "cycles"})
POST     /sim/servers                        add a server
GET      /sim/servers/{id}/counts            action call counts
GET      /sim/counts                         every server's counts
POST     /sim/partition, DELETE same         {"mode": "503"|"timeout"}
GET/POST/DELETE /sim/faults                  fault rules
PUT      /sim/latency/{op}                   a Distribution
PUT      /sim/http-latency/{op}              a Distribution
PUT      /sim/hold/{op}                      park every ``op`` (a long
                                             operation) until released
DELETE   /sim/hold/{op}                      release them: they go on
POST     /sim/clock/advance                  {"seconds": N} (FakeClock)
=======  ==================================  ===============================
"""

import dataclasses
import json
from typing import Any

import webob

from vmotiond.sim import builder
from vmotiond.sim import cloud as cloud_mod
from vmotiond.sim import errors
from vmotiond.sim import wsgi


class ControlApp:
    """WSGI app of the control endpoint."""

    def __init__(self, cloud: cloud_mod.SimCloud) -> None:
        self.cloud = cloud
        self.router = wsgi.Router()
        r = self.router.add
        r("GET", "", self.summary, "summary")
        r("POST", "/build", self.build, "build")
        r("POST", "/hosts", self.add_host, "hosts.add")
        r("GET", "/hosts/{name}", self.show_host, "hosts.show")
        r("POST", "/hosts/{name}/{verb}", self.host_verb, "hosts.verb")
        r("POST", "/servers", self.add_server, "servers.add")
        r("GET", "/servers/{server_id}/counts", self.server_counts,
          "servers.counts")
        r("GET", "/counts", self.counts, "counts")
        r("POST", "/partition", self.partition, "partition")
        r("DELETE", "/partition", self.heal, "heal")
        r("GET", "/faults", self.list_faults, "faults.list")
        r("POST", "/faults", self.add_fault, "faults.add")
        r("DELETE", "/faults", self.clear_faults, "faults.clear")
        r("PUT", "/latency/{op}", self.latency, "latency")
        r("PUT", "/http-latency/{op}", self.http_latency, "http_latency")
        r("PUT", "/hold/{op}", self.hold, "hold")
        r("DELETE", "/hold/{op}", self.release, "release")
        r("POST", "/clock/advance", self.advance, "clock.advance")

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = webob.Request(environ)
        try:
            route, params = self.router.match(request.method,
                                              request.path_info.rstrip("/"))
            body = json.loads(request.body) if request.body else {}
            reply = route.handler(body, **params)
        except ValueError as exc:
            reply = wsgi.Reply(400, {"error": str(exc)})
        except TypeError as exc:
            reply = wsgi.Reply(400, {"error": str(exc)})
        except errors.SimError as exc:
            reply = wsgi.Reply(exc.code, {"error": exc.message})
        return wsgi.json_response(reply.status, reply.body)(
            environ, start_response)

    def summary(self, body: Any) -> wsgi.Reply:
        cloud = self.cloud
        with cloud.lock:
            now = cloud.tick()
            return wsgi.Reply(200, {
                "now": now.isoformat(), "hosts": len(cloud.state.hosts),
                "servers": len(cloud.state.servers),
                "migrations": len(cloud.state.migrations),
                "pending_events": len(cloud.timeline),
                "held": cloud.timeline.held(),
                "partition": dataclasses.asdict(cloud.chaos.partition)
                if cloud.chaos.partition else None})

    def build(self, body: Any) -> wsgi.Reply:
        scenario = builder.Scenario.from_dict(body or {})
        return wsgi.Reply(201, builder.build(self.cloud, scenario))

    def add_host(self, body: Any) -> wsgi.Reply:
        host = self.cloud.add_host(**body)
        return wsgi.Reply(201, self.cloud.host_view(host.name))

    def show_host(self, body: Any, name: str) -> wsgi.Reply:
        return wsgi.Reply(200, self.cloud.host_view(name))

    def host_verb(self, body: Any, name: str, verb: str) -> wsgi.Reply:
        cloud = self.cloud
        if verb == "kill":
            cloud.kill_host(name)
        elif verb == "kill-compute":
            cloud.kill_compute(name)
        elif verb == "revive":
            cloud.revive_host(name)
        elif verb == "flap":
            cloud.flap_host(name, float(body.get("down", 30)),
                            float(body.get("up", 30)),
                            int(body.get("cycles", 1)),
                            bool(body.get("compute_only", False)))
        else:
            raise errors.NotFound("Unknown verb %s" % verb)
        return wsgi.Reply(200, cloud.host_view(name))

    def add_server(self, body: Any) -> wsgi.Reply:
        server = self.cloud.add_server(**body)
        return wsgi.Reply(201, {"id": server.id, "host": server.host,
                                "vm_state": server.vm_state})

    def server_counts(self, body: Any, server_id: str) -> wsgi.Reply:
        return wsgi.Reply(200, self.cloud.action_counts().get(server_id, {}))

    def counts(self, body: Any) -> wsgi.Reply:
        return wsgi.Reply(200, self.cloud.action_counts())

    def partition(self, body: Any) -> wsgi.Reply:
        self.cloud.partition(body.get("mode", "503"), body.get("users"),
                             float(body.get("seconds", 30.0)))
        return wsgi.Reply(200, {"partition": body.get("mode", "503")})

    def heal(self, body: Any) -> wsgi.Reply:
        self.cloud.heal()
        return wsgi.Reply(204)

    def list_faults(self, body: Any) -> wsgi.Reply:
        with self.cloud.lock:
            return wsgi.Reply(200, {"faults": [
                r.to_dict() for r in self.cloud.chaos.rules]})

    def add_fault(self, body: Any) -> wsgi.Reply:
        rule = self.cloud.add_fault(**body)
        return wsgi.Reply(201, rule.to_dict())

    def clear_faults(self, body: Any) -> wsgi.Reply:
        self.cloud.clear_faults()
        return wsgi.Reply(204)

    def latency(self, body: Any, op: str) -> wsgi.Reply:
        self.cloud.set_latency(op, body)
        return wsgi.Reply(200, {"op": op})

    def http_latency(self, body: Any, op: str) -> wsgi.Reply:
        self.cloud.set_http_latency(op, body)
        return wsgi.Reply(200, {"op": op})

    def hold(self, body: Any, op: str) -> wsgi.Reply:
        self.cloud.hold(op)
        return wsgi.Reply(200, {"op": op})

    def release(self, body: Any, op: str) -> wsgi.Reply:
        return wsgi.Reply(200, {"op": op, "released": self.cloud.release(op)})

    def advance(self, body: Any) -> wsgi.Reply:
        now = self.cloud.advance(float(body.get("seconds", 0)))
        return wsgi.Reply(200, {"now": now.isoformat()})
