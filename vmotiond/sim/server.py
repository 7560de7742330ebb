"""Serve a :class:`SimCloud` over real HTTP, and describe it for clients.

One port carries every service, by path prefix: ``/identity`` (Keystone),
``/compute`` (Nova), ``/placement``, ``/network`` (Neutron), ``/image``
(Glance) and ``/sim`` (control). ``SimServer(...).start()`` binds (port
0: a free one), serves from a cheroot thread pool and returns the base
URL; ``stop()`` ends it.

A cloud without a network service comes in the two shapes real clouds
have: ``network=False`` leaves Neutron out (no catalog entry, nothing under
``/network``); ``noauth=True`` describes the cloud as a clouds.yaml with
``auth_type: none`` and endpoint overrides for compute and Placement only
(the services take requests without a token as the admin), so openstacksdk
sends network calls to Nova's URL, which answers 404 with a page.
``image=False`` leaves Glance out in the same way (no catalog entry).
"""

import os
import threading
from typing import Any

from cheroot import wsgi as cheroot_wsgi
import yaml

from vmotiond import clock as clock_mod
from vmotiond.sim import cloud as cloud_mod
from vmotiond.sim import compute
from vmotiond.sim import control
from vmotiond.sim import glance
from vmotiond.sim import identity as identity_mod
from vmotiond.sim import network
from vmotiond.sim import placement
from vmotiond.sim import wsgi

CLOUD_NAME = "vmotiond-sim"


class SimApp:
    """Route by first path segment to the service applications."""

    def __init__(self, apps: dict[str, Any]) -> None:
        self.apps = apps

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "") or "/"
        head, _, rest = path.lstrip("/").partition("/")
        app = self.apps.get(head)
        if app is None:
            return wsgi.json_response(404, {"itemNotFound": {
                "code": 404, "message": "The resource could not be found."}})(
                    environ, start_response)
        environ = dict(environ)
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + "/" + head
        environ["PATH_INFO"] = "/" + rest if rest or path.endswith("/") \
            else ""
        return app(environ, start_response)


class SimServer:
    """A simulated cloud listening on a loopback port."""

    def __init__(self, cloud: cloud_mod.SimCloud | None = None,
                 host: str = "127.0.0.1", port: int = 0,
                 instance_ha_url: str | None = None, threads: int = 32,
                 clock: clock_mod.Clock | None = None,
                 seed: int | None = None, network: bool = True,
                 noauth: bool = False, image: bool = True) -> None:
        self.cloud = cloud or cloud_mod.SimCloud(clock=clock, seed=seed)
        self.identity = identity_mod.Identity()
        self.network = network
        self.image = image
        self.noauth = noauth
        if noauth:
            admin = self.identity.users["admin"]
            self.identity.anonymous = wsgi.Token(
                "noauth", admin.id, admin.name, identity_mod.ADMIN_PROJECT,
                admin.roles)
        self.host = host
        self.port = port
        self.instance_ha_url = instance_ha_url
        self.threads = threads
        self._hold = threading.Event()
        self._server: cheroot_wsgi.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    @property
    def auth_url(self) -> str:
        return self.url + "/identity"

    def make_app(self, url: str) -> SimApp:
        """Build the WSGI app for a server reachable at ``url``."""
        auth_url = url + "/identity"
        ident = self.identity
        ident.add_endpoint("identity", "keystone", auth_url)
        ident.add_endpoint("compute", "nova", url + "/compute/v2.1")
        ident.add_endpoint("placement", "placement", url + "/placement")
        if self.instance_ha_url:
            ident.add_endpoint("instance-ha", "vmotiond",
                               self.instance_ha_url)
        args = (self.cloud, ident)
        apps: dict[str, Any] = {
            "identity": identity_mod.KeystoneApp(ident, auth_url),
            "compute": compute.NovaApp(*args, url + "/compute", auth_url,
                                       self._hold),
            "placement": placement.PlacementApp(*args, url + "/placement",
                                                auth_url, self._hold),
            "sim": control.ControlApp(self.cloud),
        }
        if self.network:
            ident.add_endpoint("network", "neutron", url + "/network")
            apps["network"] = network.NeutronApp(
                *args, url + "/network", auth_url, self._hold)
        if self.image:
            ident.add_endpoint("image", "glance", url + "/image")
            apps["image"] = glance.GlanceApp(
                *args, url + "/image", auth_url, self._hold)
        return SimApp(apps)

    def start(self) -> str:
        """Bind, serve in a thread, and return the base URL."""
        server = cheroot_wsgi.Server((self.host, self.port), None,
                                     numthreads=self.threads,
                                     request_queue_size=64)
        server.prepare()
        bound = server.bind_addr
        self.port = bound[1]
        self.url = "http://%s:%d" % (self.host, self.port)
        server.wsgi_app = self.make_app(self.url)
        self._server = server
        self._hold.clear()
        self._thread = threading.Thread(target=server.serve,
                                        name="vmotiond-sim", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        """Release held requests and stop serving."""
        self._hold.set()
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> "SimServer":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # Client configuration -------------------------------------------------
    def cloud_config(self, user: str = "admin",
                     interface: str = "public") -> dict[str, Any]:
        """One clouds.yaml entry for ``user`` (without Keystone: the admin,
        whoever ``user`` is)."""
        if self.noauth:
            compute_url = self.url + "/compute/v2.1"
            return {"auth_type": "none", "auth": {"endpoint": compute_url},
                    "compute_endpoint_override": compute_url,
                    "placement_endpoint_override": self.url + "/placement",
                    "region_name": "RegionOne", "interface": interface}
        known = self.identity.users[user]
        password, project = known.password, known.project
        return {"auth": {"auth_url": self.auth_url, "username": user,
                         "password": password, "project_name": project,
                         "user_domain_name": "Default",
                         "project_domain_name": "Default"},
                "region_name": "RegionOne", "interface": interface,
                "identity_api_version": 3}

    def clouds_yaml(self, name: str = CLOUD_NAME, user: str = "admin",
                    interface: str = "public") -> str:
        text: str = yaml.safe_dump({"clouds": {
            name: self.cloud_config(user, interface)}},
            default_flow_style=False)
        return text

    def write_clouds_yaml(self, path: str, name: str = CLOUD_NAME,
                          user: str = "admin",
                          interface: str = "public") -> str:
        """Write a clouds.yaml with one cloud; return its path."""
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as f:
            f.write(self.clouds_yaml(name, user, interface))
        return path
