"""The monitor's inventory sync: ``vmotiond.cloud.inventory`` into its
store, every ``[monitor] sync_interval``.

The code that reads the cloud and builds the rows is written once in
``vmotiond.cloud.inventory``, shared with the engine (the console's "Sync
from OpenStack"); ``vmotiond-manage host sync`` calls ``sync``.
"""

from oslo_log import log as logging

from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import inventory as shared
from vmotiond.monitor import store as store_mod

LOG = logging.getLogger(__name__)

inventory_items = shared.inventory_items


def sync(cloud: cloud_base.Cloud, store: store_mod.MonitorStore, *,
         count: bool = True) -> dict[str, int]:
    """Read the cloud once and make the store's hosts match it (with
    ``count``, their instances too); the counts of created, updated and
    deleted hosts. Raises the cloud's errors without touching the
    store."""
    return shared.sync(cloud, store.sync_inventory, count=count)


def count(cloud: cloud_base.Cloud, store: store_mod.MonitorStore) -> None:
    """Count every host's instances into the store (run in a thread of
    its own: whatever fails is logged here)."""
    try:
        written = shared.count(cloud, store.set_instance_counts)
    except Exception:
        LOG.exception("Counting the hosts' instances failed")
        return
    if written is not None:
        LOG.debug("Instances counted: %d host(s) had new counts", written)
