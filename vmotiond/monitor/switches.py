"""The operator's switches of each host, as the monitor reads them.

The hosts' auto-evacuate, management address and maintenance switches are
read from the store again only when its mark of them moved (and every
``interval`` seconds regardless); a host's view is rebuilt only where its
switches changed. The addresses a probe cannot vouch for are worked out
again when the inventory changed them.
"""

from typing import Any

from oslo_log import log as logging

from vmotiond import addresses as addresses_mod
from vmotiond import clock as clock_mod
from vmotiond.monitor import store as store_mod

LOG = logging.getLogger(__name__)


class SwitchesReader:
    """The hosts' views, kept between cycles.

    :param store: the ``MonitorStore`` to read.
    :param clock: the monitor's clock.
    :param interval: seconds after which the switches are read in full
        even when the store's mark of them did not move.
    """

    def __init__(self, store: store_mod.MonitorStore, clock: clock_mod.Clock,
                 interval: float) -> None:
        self.store = store
        self.clock = clock
        self.interval = interval
        self.views: dict[str, store_mod.HostView] = {}
        self.maintenance: frozenset[str] = frozenset()
        # Addresses a probe cannot vouch for, and why.
        self.untrusted: dict[str, str] = {}
        self._mark: Any = None
        self._read_at: float | None = None
        self._addresses: dict[str, str | None] = {}
        self._warned_addresses: set[str] = set()

    def forget(self) -> None:
        """Read everything again next time (another monitor may have led)."""
        self.views = {}
        self._mark = self._read_at = None

    def expire(self) -> None:
        """Read the switches in full next time (the inventory was synced)."""
        self._read_at = None

    def read(self, probe_enabled: bool) -> dict[str, store_mod.HostView]:
        """The hosts' views, read again if the store's mark moved; with
        ``probe_enabled``, the untrusted addresses worked out again."""
        mono = self.clock.monotonic()
        mark = self.store.switches_mark()
        if (mark is not None and mark == self._mark
                and self._read_at is not None
                and mono - self._read_at < self.interval):
            return self.views
        switches = self.store.switches()
        self._mark, self._read_at = mark, mono
        # The views are what is kept (not the switches read as well).
        views, same = {}, len(switches) == len(self.views)
        for name, value in switches.items():
            view = self.views.get(name)
            if view is None or value != (view.auto_evacuate,
                                         view.management_ip,
                                         view.maintenance):
                auto, address, maintenance = value
                view = store_mod.HostView(
                    name=name, auto_evacuate=auto, management_ip=address,
                    maintenance=maintenance)
                same = False
            views[name] = view
        if same:
            return self.views
        self.views = views
        self.maintenance = frozenset(
            n for n, v in views.items() if v.maintenance)
        if probe_enabled:
            self._untrusted_addresses(views)
        return views

    def _untrusted_addresses(self, views: dict[str, store_mod.HostView]
                             ) -> None:
        """Work out the untrusted addresses again when the inventory
        changed them; warn once per address."""
        addresses = {name: view.management_ip
                     for name, view in views.items()}
        if addresses == self._addresses:
            return
        self._addresses = addresses
        self.untrusted = addresses_mod.untrusted_addresses(addresses)
        for address, why in sorted(self.untrusted.items()):
            if address not in self._warned_addresses:
                self._warned_addresses.add(address)
                LOG.warning("Management address %s is %s: the TCP probe "
                            "cannot vouch for a host at it; such hosts are "
                            "judged on heartbeats alone", address, why)
