"""The monitor's inventory sync: ``vmotiond.cloud.inventory`` into its
store, every ``[monitor] sync_interval``.

The code that reads the cloud and builds the rows is written once in
``vmotiond.cloud.inventory``, shared with the engine (the console's "Sync
from OpenStack"); ``vmotiond-manage host sync`` calls ``sync``.
"""

from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import inventory as shared
from vmotiond.monitor import store as store_mod

inventory_items = shared.inventory_items


def sync(cloud: cloud_base.Cloud, store: store_mod.MonitorStore
         ) -> dict[str, int]:
    """Read the cloud once and make the store's hosts match it; the
    counts of created, updated and deleted hosts. Raises the cloud's
    errors without touching the store."""
    return shared.sync(cloud, store.sync_inventory)
