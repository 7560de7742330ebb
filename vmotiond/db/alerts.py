"""Alerts: what an operator must look at, bounded to fit their columns."""

from collections.abc import Iterable
from collections.abc import Mapping
import json
from typing import TYPE_CHECKING
from typing import Any
import uuid as uuidlib

import sqlalchemy as sa

from vmotiond.db import core
from vmotiond.db import models
from vmotiond.db import paging

if TYPE_CHECKING:
    from typing_extensions import Unpack

MAX_HOSTS = 1000          # host names kept in one alert
MAX_EVIDENCE = 16384      # characters of an alert's evidence JSON
MAX_MESSAGE = 1024        # characters of an alert's message

_C = models.Alert.__table__.c
LISTING = paging.Listing(models.Alert, {
    "uuid": _C.uuid == sa.bindparam("uuid"),
    "id": _C.id == sa.bindparam("id"),
    "host": _C.host == sa.bindparam("host"),
    "type": _C.type.in_(sa.bindparam("type", expanding=True)),
})


class AlertQuery(paging.Page, total=False):
    """The keywords of ``alert_list``: a page and its filters (None: not
    filtered); a string is one type."""

    host: str | None
    type: Iterable[str] | None


class Alerts(core.Core):
    """The alerts table."""

    def alert_create(self, type: str, source: str, message: str,
                     host: str | None = None,
                     hosts: Iterable[str] | None = None,
                     evidence: Mapping[str, Any] | None = None
                     ) -> models.Alert:
        """Record an alert; every field is cut to fit its column, so a
        hostile or oversized input is still recorded."""
        names = [_cut(str(h), 255) for h in (hosts or ())][:MAX_HOSTS]
        if host is not None:
            host = _cut(host, 255)
            if host not in names:
                names.insert(0, host)
        kept = dict(evidence or {})
        text = json.dumps(kept, sort_keys=True, default=str)
        if len(text) > MAX_EVIDENCE:
            kept = {"truncated": text[:MAX_EVIDENCE]}
        now = self._clock.now()
        row = models.Alert(
            uuid=str(uuidlib.uuid4()), type=_cut(type, 64),
            source=_cut(source, 255), host=host, hosts=names,
            message=_cut(message, MAX_MESSAGE),
            evidence=json.loads(json.dumps(kept, default=str)),
            created_at=now)
        with self._writer() as session:
            session.add(row)
        return row

    def alert_get(self, uuid: str) -> models.Alert:
        """A live alert by its UUID, or NotFound."""
        return self._one(LISTING, uuid, uuid=uuid)

    def alert_get_by_id(self, id: int) -> models.Alert:
        """A live alert by its integer id, or NotFound."""
        return self._one(LISTING, id, id=id)

    def alert_list(self, **query: "Unpack[AlertQuery]"
                   ) -> list[models.Alert]:
        """A page of alerts, newest first unless sorted otherwise."""
        return self._list(LISTING, query)


def _cut(text: str, size: int) -> str:
    """``text`` cut to ``size`` characters, marked when cut."""
    if len(text) <= size:
        return text
    return text[:size - 3] + "..."
