"""Build ``records`` from the JSON of Nova and Neutron.

Pure functions of dicts; unknown or missing fields get safe defaults so a
newer or older cloud does not break a poll.
"""

from collections.abc import Iterable
from collections.abc import Mapping
import datetime
import itertools
import math
import operator
import sys
from typing import Any

from oslo_utils import timeutils

from vmotiond.cloud import records


def parse_time(value: Any) -> datetime.datetime | None:
    """Return an API timestamp as a naive UTC datetime, or None.

    Nova's own formats (``2026-01-02T03:04:05.123456``, with or without
    ``Z`` or an offset) take the C parser of ``fromisoformat``; anything
    else the lenient ISO 8601 parser of oslo.utils.
    """
    if not value:
        return None
    text = str(value)
    if len(text) >= 19 and text[10:11] == "T":
        try:
            parsed = datetime.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if parsed.tzinfo is None:
                return parsed
            return parsed.astimezone(datetime.timezone.utc).replace(
                tzinfo=None)
    try:
        parsed = timeutils.parse_isotime(text)
    except ValueError:
        return None
    return timeutils.normalize_time(parsed)


def compute_service(body: Mapping[str, Any]) -> records.ComputeService:
    """One item of GET /os-services."""
    return records.ComputeService(
        id=str(body["id"]),
        host=_word(body["host"]),
        zone=_word(body.get("zone") or ""),
        state=_word(body.get("state") or "down"),
        status=_word(body.get("status") or "disabled"),
        forced_down=bool(body.get("forced_down", False)),
        updated_at=parse_time(body.get("updated_at")),
        disabled_reason=body.get("disabled_reason"),
    )


def _word(value: Any) -> Any:
    """A string interned (one object for every host that says it)."""
    return sys.intern(value) if type(value) is str else value


# The fields of an os-services item ``compute_service`` reads, fetched
# in one call; an item that lacks one is keyed by ``_partial_key``.
_SERVICE_KEY = operator.itemgetter("id", "zone", "state", "status",
                                   "forced_down", "updated_at",
                                   "disabled_reason")


def _key(body: Mapping[str, Any]) -> tuple[Any, ...]:
    try:
        return _SERVICE_KEY(body)    # type: ignore[no-any-return]
    except KeyError:
        return _partial_key(body)


def _partial_key(body: Mapping[str, Any]) -> tuple[Any, ...]:
    return (body["id"], body.get("zone"), body.get("state"),
            body.get("status"), body.get("forced_down", False),
            body.get("updated_at"), body.get("disabled_reason"))


class ServiceReader:
    """Converts successive os-services answers, reusing the record of a
    service whose item did not change since the previous answer.

    Between two polls most services are as they were (a heartbeat every
    ``report_interval``, a poll every second): their record is the very
    object of the previous answer, neither parsed nor built again. What
    is compared is every field ``compute_service`` reads, by host; only
    the previous answer's keys and records are kept (those of the items
    that did not change are the previous ones, so what is kept of an
    answer is only what changed in it, its repeated words interned).
    When the hosts come in the order of the previous answer (Nova's
    answer is ordered), the comparison runs in C over the whole answer
    and Python only builds the records that changed.
    """

    def __init__(self) -> None:
        self._hosts: list[str] = []
        self._keys: list[tuple[Any, ...]] = []
        self._records: list[records.ComputeService] = []

    def read(self, items: Iterable[Mapping[str, Any]]
             ) -> list[records.ComputeService]:
        items = items if isinstance(items, list) else list(items)
        hosts = list(map(_HOST, items))
        if hosts == self._hosts:
            # The keys compared as they are made (not kept: an answer's
            # keys weigh a megabyte), then made again where they differ.
            try:
                changed = list(itertools.compress(range(len(items)), map(
                    operator.ne, map(_SERVICE_KEY, items), self._keys)))
            except KeyError:
                changed = [i for i, body in enumerate(items)
                           if _partial_key(body) != self._keys[i]]
            out, kept = list(self._records), list(self._keys)
            for i in changed:
                out[i], kept[i] = (compute_service(items[i]),
                                   _interned(_key(items[i])))
            self._keys, self._records = kept, out
            return out
        try:
            keys = list(map(_SERVICE_KEY, items))
        except KeyError:
            keys = [_key(body) for body in items]
        last = dict(zip(self._hosts, zip(self._keys, self._records,
                                             strict=True), strict=True))
        out, kept = [], []
        for host, key, body in zip(hosts, keys, items, strict=True):
            known = last.get(host)
            if known is not None and known[0] == key:
                kept.append(known[0])
                out.append(known[1])
            else:
                kept.append(_interned(key))
                out.append(compute_service(body))
        self._hosts = [rec.host for rec in out]
        self._keys, self._records = kept, out
        return out


_HOST = operator.itemgetter("host")


def _interned(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """A key with its words (zone, state, status, reason) interned: the
    same few strings for every host."""
    ident, zone, state, status, forced_down, updated_at, reason = key
    return (ident, _word(zone), _word(state), _word(status), forced_down,
            updated_at, _word(reason))


def flavor_resources(server: Mapping[str, Any]) -> tuple[int, int, int]:
    """Return (vcpus, memory_mb, disk_gb) a server holds, as Placement
    counts them: root disk (none when booted from a volume), ephemeral
    and swap rounded up to whole GB."""
    flavor = server.get("flavor") or {}
    vcpus = int(flavor.get("vcpus") or 0)
    ram = int(flavor.get("ram") or 0)
    volume_backed = is_volume_backed(server)
    root = 0 if volume_backed else int(flavor.get("disk") or 0)
    ephemeral = int(flavor.get("ephemeral") or 0)
    swap_mb = flavor.get("swap") or 0
    swap = math.ceil(int(swap_mb) / 1024) if swap_mb else 0
    return vcpus, ram, root + ephemeral + swap


def is_volume_backed(server: Mapping[str, Any]) -> bool:
    """Whether a server boots from a volume: Nova says ``"image": ""``."""
    return server.get("image") in ("", None)


def server(body: Mapping[str, Any]) -> records.Server:
    """One item of GET /servers/detail or the body of GET /servers/{id}
    (microversion >= 2.47, flavor embedded)."""
    vcpus, ram, disk = flavor_resources(body)
    groups = body.get("server_groups") or ()
    flavor = body.get("flavor") or {}
    return records.Server(
        id=body["id"],
        name=body.get("name") or "",
        status=body.get("status") or "UNKNOWN",
        vm_state=body.get("OS-EXT-STS:vm_state"),
        task_state=body.get("OS-EXT-STS:task_state"),
        host=body.get("OS-EXT-SRV-ATTR:host"),
        availability_zone=body.get("OS-EXT-AZ:availability_zone"),
        project_id=body.get("tenant_id") or body.get("project_id") or "",
        vcpus=vcpus,
        memory_mb=ram,
        disk_gb=disk,
        metadata=dict(body.get("metadata") or {}),
        locked=bool(body.get("locked", False)),
        server_group_ids=tuple(str(g) for g in groups),
        flavor_name=flavor.get("original_name"),
        addresses=addresses(body.get("addresses") or {}),
        updated=body.get("updated") or None,
        flavor_extra_specs={str(k): str(v) for k, v in
                            (flavor.get("extra_specs") or {}).items()},
        volume_backed=is_volume_backed(body),
        image_id=image_id(body),
    )


def image_id(server: Mapping[str, Any]) -> str | None:
    """The id of the image a server booted from, None from a volume."""
    image = server.get("image")
    return str(image["id"]) if isinstance(image, Mapping) and \
        image.get("id") else None


# Glance v2's base properties with a string value (or null).
_IMAGE_BASE = frozenset({
    "id", "name", "status", "visibility", "owner", "checksum",
    "os_hash_algo", "os_hash_value", "disk_format", "container_format",
    "created_at", "updated_at", "self", "file", "schema", "direct_url",
    "stores"})


def image(body: Mapping[str, Any]) -> records.Image:
    """The body of Glance's GET /v2/images/{image_id}: its custom
    properties are its other top-level keys, whose values are strings."""
    return records.Image(
        id=str(body["id"]), name=str(body.get("name") or ""),
        properties={str(k): v for k, v in body.items()
                    if isinstance(v, str) and k not in _IMAGE_BASE},
        tags=tuple(str(t) for t in body.get("tags") or ()))


def addresses(body: Mapping[str, Any]) -> tuple[records.Address, ...]:
    """A server's ``addresses``: network name -> list of addresses."""
    return tuple(
        records.Address(str(network), str(item.get("addr") or ""),
                        str(item.get("OS-EXT-IPS:type") or "fixed"))
        for network, items in sorted(body.items())
        for item in items or () if isinstance(item, Mapping))


def migration(body: Mapping[str, Any]) -> records.Migration:
    """One item of GET /os-migrations (microversion >= 2.59 has uuid)."""
    return records.Migration(
        id=str(body.get("uuid") or body["id"]),
        server_id=body.get("instance_uuid") or "",
        source_compute=body.get("source_compute"),
        dest_compute=body.get("dest_compute"),
        status=body.get("status") or "",
        migration_type=body.get("migration_type") or "",
        created_at=parse_time(body.get("created_at")),
        updated_at=parse_time(body.get("updated_at")),
    )


def server_group(body: Mapping[str, Any]) -> records.ServerGroup:
    """One item of GET /os-server-groups (``policy`` from 2.64 on)."""
    policy = body.get("policy") or next(iter(body.get("policies") or ()),
                                        "")
    return records.ServerGroup(
        id=str(body["id"]), name=body.get("name") or "",
        policy=str(policy),
        members=tuple(str(m) for m in body.get("members") or ()))


def aggregate(body: Mapping[str, Any]) -> records.Aggregate:
    return records.Aggregate(
        id=str(body["id"]), name=str(body.get("name") or ""),
        hosts=tuple(body.get("hosts") or ()),
        metadata={str(k): str(v)
                  for k, v in (body.get("metadata") or {}).items()},
        availability_zone=body.get("availability_zone") or None)


def port(body: Mapping[str, Any]) -> records.Port:
    """One item of Neutron's GET /v2.0/ports."""
    return records.Port(
        id=body["id"],
        device_id=body.get("device_id") or "",
        fixed_ips=tuple(ip["ip_address"] for ip in body.get("fixed_ips") or ()
                        if ip.get("ip_address")),
    )


def floating_ip(body: Mapping[str, Any]) -> records.FloatingIp:
    """One item of Neutron's GET /v2.0/floatingips."""
    return records.FloatingIp(
        id=body["id"],
        address=body.get("floating_ip_address") or "",
        port_id=body.get("port_id"),
        fixed_ip=body.get("fixed_ip_address"),
    )


def network_agent(body: Mapping[str, Any]) -> records.NetworkAgent:
    """One item of Neutron's GET /v2.0/agents."""
    return records.NetworkAgent(
        host=str(body.get("host") or ""),
        agent_type=str(body.get("agent_type") or ""),
        configurations=dict(body.get("configurations") or {}))
