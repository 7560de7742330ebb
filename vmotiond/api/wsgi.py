"""The ``wsgi_scripts`` entry point for uWSGI, gunicorn and mod_wsgi.

Config files come from ``VMOTIOND_CONFIG_FILE`` (comma-separated) or the
usual ``/etc/vmotiond/vmotiond.conf``.
"""

import os
from typing import Any

from vmotiond import config
from vmotiond.api import deploy


def init_application() -> Any:
    """Load the configuration and return the API's WSGI application."""
    argv: list[str] = []
    for path in filter(None, os.environ.get("VMOTIOND_CONFIG_FILE",
                                            "").split(",")):
        argv += ["--config-file", path.strip()]
    conf = config.load(argv, description="vmotiond REST API (WSGI)")
    return deploy.load(conf)
