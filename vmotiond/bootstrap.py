"""The composition root: builds vmotiond's parts from configuration.

The console commands call these and nothing else; each part has a name,
``start()`` and ``stop(timeout)`` for ``vmotiond.service.Launcher``.
"""

from collections.abc import Callable
import functools
from typing import Any

from oslo_config import cfg
from oslo_log import log as logging

from vmotiond import clock as clock_mod
from vmotiond import engine_client
from vmotiond import events
from vmotiond import messaging
from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import openstack as cloud_openstack
from vmotiond.db import api as db_api
from vmotiond.monitor import listener as listener_mod
from vmotiond.verdict import confirm

LOG = logging.getLogger(__name__)


class Part:
    """A named thing that starts and stops.

    ``interrupt`` (optional, quick, no blocking) makes the work in flight
    return at once, its state persisted, before any part starts its slower
    stop; ``stop(timeout)`` then releases the rest.
    """

    def __init__(self, name: str, start: Callable[[], Any],
                 stop: Callable[[float], Any],
                 interrupt: Callable[[], Any] | None = None) -> None:
        self.name = name
        self._start = start
        self._stop = stop
        self._interrupt = interrupt

    def start(self) -> None:
        self._start()

    def interrupt(self) -> None:
        if self._interrupt is not None:
            self._interrupt()

    def stop(self, timeout: float) -> None:
        self._stop(timeout)


def pool_options(conf: cfg.ConfigOpts) -> dict[str, Any]:
    """``[database] max_pool_size`` raised to the engine's threads that
    write (its moves, its notifications and a few more), so that a
    connection is not opened, used once and closed at every write when
    more of them write at once than the pool keeps (0, no limit, stays)."""
    size = conf.database.max_pool_size
    wanted = 2 * conf.engine.workers + conf.engine.notification_workers + 4
    if not size or size >= wanted:
        return {}
    return {"max_pool_size": wanted}


def open_database(conf: cfg.ConfigOpts,
                  clock: clock_mod.Clock) -> db_api.Database:
    """The database, reachable and at the schema this code needs."""
    database = db_api.Database(conf, clock=clock, **pool_options(conf))
    database.check_connection()
    database.check_schema()
    database.on_status = events.Publisher(conf).changed
    return database


def open_cloud(conf: cfg.ConfigOpts,
               clock: clock_mod.Clock) -> cloud_base.Cloud:
    """The cloud named by ``[cloud]`` in clouds.yaml."""
    return cloud_openstack.OpenStackCloud.from_config(conf, clock=clock)


def metrics_parts(conf: cfg.ConfigOpts, port: int) -> list[Part]:
    """The metrics endpoint on ``port`` (first to start, last to stop),
    or none when the port is 0."""
    from vmotiond import metrics

    if not port:
        return []
    server = metrics.Server(conf.metrics.bind_host, port)
    return [Part(server.name, server.start, server.stop)]


def monitor_part(conf: cfg.ConfigOpts, cloud: cloud_base.Cloud,
                 database: db_api.Database, clock: clock_mod.Clock,
                 transport: Any, probe: Any = None) -> Part:
    """The host monitor and the listener for other monitors' claims."""
    from vmotiond.monitor import emitter
    from vmotiond.monitor import manager

    monitor = manager.make_monitor(conf, cloud, database, clock=clock,
                                   transport=transport, probe=probe)
    if database.on_status is not None:
        monitor.on_state = functools.partial(database.on_status, events.HOST)
    forward = emitter.Emitter(emitter.make_notifier(conf, transport),
                              key=conf.monitor.verdict_key)
    endpoint = listener_mod.ClaimEndpoint(
        conf, cloud, listener_mod.forwarder(forward, conf.host),
        known_hosts=lambda: [h.name for h in database.host_list()],
        clock=clock, probe=monitor.probe,
        addresses=lambda: {h.name: h.management_ip
                           for h in database.host_list()},
        saved=lambda: confirm.saved(database.host_list()))
    claims = listener_mod.make_listener(conf, endpoint, transport)

    def start() -> None:
        monitor.start()
        claims.start()

    def stop(timeout: float) -> None:
        # Decide nothing more first: stopping an idle RabbitMQ listener
        # alone takes up to 5 s.
        monitor.stop(timeout)
        claims.stop()
        claims.wait()

    return Part("monitor", start, stop)


def engine_part(conf: cfg.ConfigOpts, cloud: cloud_base.Cloud,
                database: db_api.Database, clock: clock_mod.Clock,
                transport: Any, rpc_transport: Any = None) -> Part:
    """The recovery engine: intake, workflows, pools, and the RPC server
    ``vmotiond-manage`` and the API's operator actions ask.

    Without ``rpc_transport`` the RPC server runs on a shared bus only.
    On ``fake://`` a caller reaches it only through the transport given
    here (the all-in-one's API, the demo).
    """
    from vmotiond.engine import manager

    if rpc_transport is None and not messaging.is_in_process(conf):
        rpc_transport = messaging.rpc_transport(conf)
    engine = manager.EngineManager(conf, database, cloud, clock=clock,
                                   transport=transport,
                                   rpc_transport=rpc_transport)

    def stop(timeout: float) -> None:
        try:
            engine.stop(timeout=timeout)
        finally:
            if rpc_transport is not None:
                rpc_transport.cleanup()

    # Every wait of a step returns at once on the exit event; the vmoves in
    # flight stay 'ongoing' for the next start, instead of running on while
    # the listeners take their seconds to stop.
    return Part("engine", engine.start, stop,
                interrupt=engine.stop_event.set)


def api_part(conf: cfg.ConfigOpts, database: db_api.Database,
             rpc_transport: Any = None) -> Part:
    """The REST API on the embedded server.

    Its operator actions ask the engine on ``rpc_transport`` (the
    all-in-one's ``fake://``, shared with its engine), else on the
    configured bus.
    """
    from vmotiond.api import deploy
    from vmotiond.api import server

    link = engine_client.EngineLink(conf, rpc_transport)
    wsgi_server = server.Server(conf, deploy.deploy(conf, database,
                                                    engine=link))

    def stop(timeout: float) -> None:
        wsgi_server.stop()
        link.close()

    return Part("api", wsgi_server.start, stop)

