"""Management addresses that do not name one host (pure).

The monitor's probe and the engine's power fencing both reach a host at
its management IP. An address several hosts report, or one that is no
single host's, says nothing about one host: probing it proves nothing,
and powering it off could stop another machine.
"""

from collections.abc import Iterable
from collections.abc import Mapping
import ipaddress

# Reported by a host that does not know its own address: they reach the
# caller's own machine, or no machine.
_NOT_A_HOST = {ipaddress.ip_address("127.0.0.1"): "the loopback address",
               ipaddress.ip_address("::1"): "the loopback address"}


def untrusted_addresses(addresses: Mapping[str, str | None]
                        ) -> dict[str, str]:
    """Management addresses that are not one host's own: address -> why.

    ``addresses`` maps host to management IP. Untrusted are an address
    several hosts report (Nova's fake driver reports one for every host; a
    mis-set ``my_ip`` or NAT do the same) and one that is no single host's:
    unspecified (0.0.0.0, ::), multicast, broadcast, or 127.0.0.1 and ::1.
    Other loopback addresses, one per host (the simulator's), are valid.
    """
    groups: dict[str, list[tuple[str, str]]] = {}
    for host, address in sorted(addresses.items()):
        if address:
            groups.setdefault(_key(address), []).append((host, address))
    untrusted: dict[str, str] = {}
    for key, members in groups.items():
        hosts = [host for host, _address in members]
        if len(hosts) > 1:
            reason = "shared by %d hosts (%s)" % (len(hosts), _names(hosts))
        else:
            reason = _not_a_host(key) or ""
        if reason:
            untrusted.update((address, reason) for _h, address in members)
    return untrusted


def _key(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return address          # a name: compared as written


def _not_a_host(address: str) -> str | None:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_multicast:
        return "a multicast address"
    if ip == ipaddress.IPv4Address("255.255.255.255"):
        return "the broadcast address"
    return _NOT_A_HOST.get(ip)


def _names(hosts: Iterable[str], most: int = 5) -> str:
    hosts = list(hosts)
    shown = ", ".join(hosts[:most])
    if len(hosts) > most:
        shown += " and %d more" % (len(hosts) - most)
    return shown
