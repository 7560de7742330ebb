"""Management addresses that are not one host's own (issue 15, point 6)."""

import testtools

from vmotiond import addresses


class UntrustedAddressesTest(testtools.TestCase):

    def test_distinct_host_addresses_are_trusted(self) -> None:
        self.assertEqual({}, addresses.untrusted_addresses({
            "a": "10.0.0.1", "b": "10.0.0.2", "c": "2001:db8::1",
            "d": None, "e": "", "f": "compute-f.example",
            # The simulator's: loopback, one address per host.
            "g": "127.128.0.1", "h": "127.128.0.2"}))

    def test_shared_address(self) -> None:
        self.assertEqual(
            {"10.0.0.9": "shared by 3 hosts (a, b, c)"},
            addresses.untrusted_addresses({"a": "10.0.0.9", "b": "10.0.0.9",
                                           "c": "10.0.0.9", "d": "10.0.0.4"}))

    def test_shared_in_other_spellings(self) -> None:
        self.assertEqual(
            {"2001:db8::1": "shared by 2 hosts (a, b)",
             "2001:DB8:0::1": "shared by 2 hosts (a, b)"},
            addresses.untrusted_addresses({"a": "2001:db8::1",
                                           "b": "2001:DB8:0::1"}))

    def test_many_hosts_are_named_in_part(self) -> None:
        hosts = {"h%02d" % i: "10.1.1.1" for i in range(40)}
        self.assertEqual(
            {"10.1.1.1": "shared by 40 hosts (h00, h01, h02, h03, h04 and "
                         "35 more)"},
            addresses.untrusted_addresses(hosts))

    def test_addresses_of_no_single_host(self) -> None:
        cases = {"0.0.0.0": "unspecified", "::": "unspecified",
                 "127.0.0.1": "the loopback address",
                 "::1": "the loopback address",
                 "224.0.0.1": "a multicast address",
                 "255.255.255.255": "the broadcast address"}
        for address, reason in cases.items():
            self.assertEqual(
                {address: reason},
                addresses.untrusted_addresses({"a": address,
                                               "b": "10.0.0.2"}))
