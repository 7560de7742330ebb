"""The REST endpoint: Masakari-compatible vmoves history, vmotiond's own
reads, and the operator's actions (sent to the engine over RPC).

``vmotiond.api.deploy.deploy(conf, database)`` builds the WSGI pipeline;
``vmotiond.api.wsgi.init_application`` is the ``wsgi_scripts`` entry point
and ``vmotiond.api.server.Server`` the embedded server.
"""

from vmotiond import native_threads  # noqa: F401
