"""Steps for floating IPs: record them, rebind them, check them.

The floating IPs bound to the instance's ports are recorded before the
move; after it, any that did not follow (bound elsewhere or to nothing) is
disassociated and associated again with the port that holds its fixed IP,
then every one is checked. The record takes the instance's part of its
notification's ``NetworkView`` when it has one (one read per chunk of
instances); a check right after a rebind that changed nothing judges
the rebind's read. A move keeps the instance's ports (Nova binds them to
the new host), so the rebind first reads only the floating IPs of the
ports recorded (with those of the other instances that landed at the
same time, ``fip_reads``): when each recorded one is on the port it
belongs on, that read is the rebind's; otherwise (one moved, unbound, or
no ports recorded) it reads the instance's ports and their floating IPs
again and acts on that.

Floating-IP bookkeeping never keeps an instance on a dead host: these steps
are ``optional`` (a failure is recorded in the step and the vmove's message,
and the move goes on), and on a cloud without a network service they are
skipped, saying so.
"""

from typing import Any

from vmotiond import exception
from vmotiond.engine.running.steps.base import Outcome
from vmotiond.engine.running.steps.base import Step
from vmotiond.engine.running.steps.base import StepContext

# Context key: the cloud has no network service.
NO_NETWORK = "no_network_service"


def _bound(ctx: StepContext) -> tuple[dict[str, list[str]],
                                      dict[str, dict[str, Any]]]:
    """Return the instance's ports (id -> fixed IPs) and their FIPs."""
    ports = {p.id: list(p.fixed_ips)
             for p in ctx.cloud.list_ports(ctx.server_id)}
    fips = {}
    if ports:
        for fip in ctx.cloud.list_floating_ips(port_ids=sorted(ports)):
            fips[fip.id] = {"id": fip.id, "address": fip.address,
                            "port_id": fip.port_id,
                            "fixed_ip": fip.fixed_ip}
    return ports, fips


def _followed(ctx: StepContext, recorded: list[dict[str, Any]]
              ) -> tuple[dict[str, list[str]],
                         dict[str, dict[str, Any]]] | None:
    """The recorded ports and their floating IPs, read in one request,
    when every recorded floating IP is on the port it belongs on; None
    when one is not, or the ports were not recorded."""
    recorded_ports = ctx.data.get("ports")
    if not recorded_ports:
        return None
    ports = {str(k): list(v) for k, v in recorded_ports.items()}
    read = ctx.network.fips.of_ports(ports) if ctx.network is not None \
        else ctx.cloud.list_floating_ips(port_ids=sorted(ports))
    fips = {fip.id: {"id": fip.id, "address": fip.address,
                     "port_id": fip.port_id, "fixed_ip": fip.fixed_ip}
            for fip in read}
    for record in recorded:
        current = fips.get(record["id"])
        if current is None or current["port_id"] != _home(record, ports):
            return None
    return ports, fips


def _no_network(error: exception.CloudServiceMissing) -> Outcome:
    said = "floating IPs skipped: the cloud has no network service"
    return Outcome("%s (%s)" % (said, error.kwargs.get("reason")),
                   {NO_NETWORK: True}, note=said)


def _home(record: dict[str, Any], ports: dict[str, list[str]]
          ) -> str | None:
    """The port a recorded floating IP belongs on now."""
    for port_id, fixed in ports.items():
        if record.get("fixed_ip") in fixed:
            return port_id
    if record.get("port_id") in ports:
        return str(record["port_id"])
    return next(iter(sorted(ports)), None)


class RecordFloatingIps(Step):
    """Remember which floating IPs the instance has before it moves."""

    name = "record_floating_ips"
    optional = True
    # It runs before the move, which must not wait on the network.
    retry_on = ()

    def execute(self, ctx: StepContext) -> Outcome:
        if "floating_ips" in ctx.data or ctx.data.get(NO_NETWORK):
            return Outcome("skipped: recorded already")
        shared = ctx.network.take(ctx.server_id) \
            if ctx.network is not None else None
        try:
            ports, fips = shared if shared is not None else _bound(ctx)
        except exception.CloudServiceMissing as error:
            return _no_network(error)
        records = sorted(fips.values(), key=lambda f: f["address"])
        return Outcome(
            "%d floating IP(s): %s" % (len(records), ", ".join(
                f["address"] for f in records) or "none"),
            {"floating_ips": records, "ports": ports})


class _OnRecorded(Step):
    """A step on the floating IPs recorded before the move.

    It is skipped, saying why, when there is nothing recorded to act on.
    """

    optional = True

    def execute(self, ctx: StepContext) -> Outcome:
        if ctx.data.get(NO_NETWORK):
            return Outcome("skipped: the cloud has no network service")
        if "floating_ips" not in ctx.data:
            return Outcome("skipped: the floating IPs were not recorded")
        if not ctx.data["floating_ips"]:
            return Outcome("skipped: no floating IP")
        return self.act(ctx, ctx.data["floating_ips"])

    def act(self, ctx: StepContext, recorded: list[dict[str, Any]]
            ) -> Outcome:
        raise NotImplementedError


class RebindFloatingIp(_OnRecorded):
    """Associate again each floating IP that did not follow the instance."""

    name = "rebind_floating_ips"

    def act(self, ctx: StepContext, recorded: list[dict[str, Any]]
            ) -> Outcome:
        try:
            followed = _followed(ctx, recorded)
            if followed is not None:
                # Nothing asked since: the check after may judge this read.
                ctx.bound = followed
                return Outcome("all %d floating IP(s) followed"
                               % len(recorded))
            ports, bound = _bound(ctx)
        except exception.CloudServiceMissing as error:
            return _no_network(error)
        rebound = []
        for record in recorded:
            current = bound.get(record["id"])
            home = _home(record, ports)
            if current is not None and current["port_id"] == home:
                continue
            if home is None:
                raise exception.StepFailed(
                    reason="the instance has no port to bind floating IP "
                           "%s to" % record["address"])
            ctx.cloud.disassociate_floating_ip(record["id"])
            ctx.cloud.associate_floating_ip(record["id"], home)
            rebound.append(record["address"])
        if not rebound:
            # Nothing asked since: the check after may judge this read.
            ctx.bound = ports, bound
            return Outcome("all %d floating IP(s) followed" % len(recorded))
        return Outcome("rebound %s" % ", ".join(rebound),
                       {"rebound": rebound})


class CheckFloatingIp(_OnRecorded):
    """Check every recorded floating IP is bound to the instance's port."""

    name = "check_floating_ips"

    def act(self, ctx: StepContext, recorded: list[dict[str, Any]]
            ) -> Outcome:
        missing: list[str] = []

        def check() -> bool | None:
            seen, ctx.bound = ctx.bound, None
            ports, bound = seen if seen is not None else _bound(ctx)
            missing[:] = [r["address"] for r in recorded
                          if bound.get(r["id"], {}).get("port_id")
                          not in ports]
            return True if not missing else None

        try:
            ctx.poll("floating IP check of %s" % ctx.server_id, check,
                     ctx.options.floating_ip_timeout)
        except exception.CloudServiceMissing as error:
            return _no_network(error)
        except exception.StepTimedOut:
            raise exception.StepFailed(
                reason="floating IP(s) %s not bound to the instance's port"
                % ", ".join(missing)) from None
        return Outcome("%d floating IP(s) bound: %s" % (
            len(recorded), ", ".join(r["address"] for r in recorded)))
