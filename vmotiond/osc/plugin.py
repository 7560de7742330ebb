"""The module OSC loads through ``openstack.cli.extension``.

OSC reads ``API_NAME`` (its commands are the entry points of
``openstack.vmotiond.v1``), adds the global option of
``build_option_parser`` and builds the client with ``make_client`` on
first use. The microversion has its own option,
``--os-vmotiond-api-version``: python-masakariclient's plugin already
owns ``--os-ha-api-version`` (argparse refuses an option added twice)
and defaults it to 1.3, where vmotiond's own resources do not exist.
"""

import argparse
import os
from typing import Any

from vmotiond.osc import client

API_NAME = "vmotiond"
API_VERSION_OPTION = "os_vmotiond_api_version"
DEFAULT_API_VERSION = client.MIN_VERSION
# What this plugin knows; a later version is passed on (the API answers
# 406 if it has not got it).
API_VERSIONS = ("1.4", "1.5", "1.6", "1.7", "1.8")
ENV = "OS_VMOTIOND_API_VERSION"


def check_api_version(version: str) -> bool:
    """Accept any X.Y (OSC's own check against API_VERSIONS is then
    skipped); refuse anything else, as OSC's own plugins do. A version
    below what a command needs is refused by that command only, so that
    other services' commands still run."""
    client.parse_version(version)
    return True


def make_client(instance: Any) -> client.Client:
    """The client of ``openstack vmotiond ...`` on OSC's session."""
    return client.Client(instance.session,
                         instance._api_version[API_NAME],
                         interface=instance.interface,
                         region_name=instance.region_name)


def build_option_parser(parser: argparse.ArgumentParser
                        ) -> argparse.ArgumentParser:
    parser.add_argument(
        "--os-vmotiond-api-version", metavar="<vmotiond-api-version>",
        default=os.environ.get(ENV, DEFAULT_API_VERSION),
        help="vmotiond API microversion (sent as 'OpenStack-API-Version: "
             "instance-ha X.Y'), default=%s (Env: %s)"
             % (DEFAULT_API_VERSION, ENV))
    return parser
