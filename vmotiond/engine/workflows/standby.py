"""Standby hosts a batch of moves uses: opened before, settled after.

Nova's scheduler refuses a disabled requested host, so a standby host is
enabled (opened) before moves are sent to it (as Masakari enables its
reserved hosts); its role stays ``standby`` in the hosts table until the
moves are over. Then it is settled: a host that received an instance is a
normal host from then on; one that received nothing (every move to it
failed or was aborted) is disabled again and stays standby, unless moves of
another notification are on their way to it (checked before and after the
disable). A resumed batch opens
and settles the same hosts again, so a crash in between loses nothing.
"""

from collections.abc import Iterable

from oslo_log import log as logging

from vmotiond import constants
from vmotiond import disabled_reason
from vmotiond import exception
from vmotiond.cloud import base as cloud_base
from vmotiond.db import api as db_api

LOG = logging.getLogger(__name__)

REASON = disabled_reason.make(disabled_reason.STANDBY)
_IN_FLIGHT = (constants.PENDING, constants.ONGOING)


def standby_among(db: db_api.Database, hosts: Iterable[str]) -> set[str]:
    """The hosts among ``hosts`` whose role is standby."""
    return {h.name for h in db.host_list()
            if h.role == constants.ROLE_STANDBY} & set(hosts)


def open_hosts(db: db_api.Database, cloud: cloud_base.Cloud,
               hosts: Iterable[str]) -> None:
    """Enable the compute service of the standby hosts among ``hosts``."""
    standby = standby_among(db, hosts)
    for service in cloud.list_compute_services():
        if service.host in standby and service.status != "enabled":
            cloud.enable_service(service.id, service.host)
            LOG.info("Standby host %s enabled to receive instances",
                     service.host)


def settle(db: db_api.Database, cloud: cloud_base.Cloud,
           notification_uuid: str, hosts: Iterable[str]) -> None:
    """After a notification's moves: a standby host among ``hosts`` that
    holds an instance becomes normal; one that holds none goes back to
    standby (disabled), unless another notification still moves to it."""
    standby = standby_among(db, hosts)
    if not standby:
        return
    services = {s.host: s for s in cloud.list_compute_services()}
    for host in sorted(standby):
        if cloud.list_servers(host):
            db.host_update(host, {"role": constants.ROLE_NORMAL})
            LOG.info("Standby host %s received instances; it is a normal "
                     "host now", host)
            continue
        service = services.get(host)
        if _others(db, host, notification_uuid) or service is None \
                or service.status != "enabled":
            continue
        try:
            cloud.disable_service(service.id, host, REASON)
            if _others(db, host, notification_uuid):
                # Another batch opened it meanwhile: leave it open.
                cloud.enable_service(service.id, host)
                continue
        except exception.CloudError as exc:
            LOG.warning("Standby host %s received nothing but could not be "
                        "disabled again: %s", host, exc)
            continue
        LOG.info("Standby host %s received no instance; disabled again, it "
                 "stays a standby host", host)


def _others(db: db_api.Database, host: str, notification_uuid: str) -> bool:
    """Whether vmoves of another notification move from or to ``host``."""
    return any(row.notification_uuid != notification_uuid
               for row in db.vmove_list(host=host, status=_IN_FLIGHT))
