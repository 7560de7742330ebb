"""Notifications: the reasons to move instances, claimed by test-and-set."""

from collections.abc import Iterable
from collections.abc import Mapping
import dataclasses
import datetime
import typing
from typing import TYPE_CHECKING
from typing import Any
import uuid as uuidlib

from oslo_db import exception as db_exc
import sqlalchemy as sa
from sqlalchemy import orm

from vmotiond import constants
from vmotiond import exception
from vmotiond.db import core
from vmotiond.db import models
from vmotiond.db import paging

if TYPE_CHECKING:
    from typing_extensions import Unpack

_C = models.Notification.__table__.c
LISTING = paging.Listing(models.Notification, {
    "uuid": _C.uuid == sa.bindparam("uuid"),
    "id": _C.id == sa.bindparam("id"),
    "status": _C.status.in_(sa.bindparam("status", expanding=True)),
    "host": _C.host == sa.bindparam("host"),
    "source_host_uuid": _C.source_host_uuid == sa.bindparam(
        "source_host_uuid"),
    "type": _C.type.in_(sa.bindparam("type", expanding=True)),
    "generated_since": _C.generated_time >= sa.bindparam("generated_since"),
})

_HOSTS = models.Host.__table__


@dataclasses.dataclass(frozen=True)
class Fence:
    """A notification's claim as one engine took it: ``owner`` and the
    ``generation`` it bumped to."""

    notification_uuid: str
    owner: str
    generation: int

    def holds(self, row: "models.Notification | Claim") -> bool:
        """Whether ``row`` still carries this claim."""
        return (row.owner, row.generation) == (self.owner, self.generation)


@dataclasses.dataclass(frozen=True)
class Claim:
    """What an engine reads of a notification before it acts."""

    status: str
    owner: str | None
    generation: int


# Core statements (no ORM: they run before every act), compiled once.
_TABLE = typing.cast(sa.Table, models.Notification.__table__)
_FENCE = sa.update(_TABLE).where(
    _C.uuid == sa.bindparam("n_uuid"), _C.deleted.is_(False),
    _C.owner == sa.bindparam("n_owner"),
    _C.generation == sa.bindparam("n_generation")).values(
        generation=_C.generation)
_CLAIM = sa.select(_C.status, _C.owner, _C.generation).where(
    _C.uuid == sa.bindparam("n_uuid"), _C.deleted.is_(False))


def check_fence(session: orm.Session, fence: Fence) -> None:
    """In a write transaction: lock the notification's row if it still
    carries ``fence``, else raise ``Superseded``. The lock orders this
    transaction with a takeover's: whichever comes second sees the
    other's outcome."""
    if core.rowcount(session.connection(), _FENCE, {
            "n_uuid": fence.notification_uuid, "n_owner": fence.owner,
            "n_generation": fence.generation}):
        return
    row = models.Notification
    owner = session.scalar(sa.select(row.owner).where(
        row.uuid == fence.notification_uuid))
    raise exception.Superseded(fence.notification_uuid,
                               "was taken up by %s" % owner)


class NotificationQuery(paging.Page, total=False):
    """The keywords of ``notification_list``: a page and Masakari's
    filters (None: not filtered); a string is one status or type."""

    status: Iterable[str] | None
    host: str | None
    source_host_uuid: str | None
    type: Iterable[str] | None
    generated_since: datetime.datetime | None


class Notifications(core.Core):
    """The notifications table."""

    def notification_create(self, type: str, host: str | None,
                            dedup_key: str, payload: Mapping[str, Any],
                            source: str | None = None,
                            generated_time: datetime.datetime | None = None,
                            status: str = constants.NOTIFICATION_NEW,
                            message: str | None = None,
                            uuid: str | None = None) -> models.Notification:
        """Persist a notification; raise DuplicateNotification on its key.

        Its ``source_host_uuid`` is the uuid the hosts table holds for
        ``host`` in the same transaction (the inventory sync's), if any.
        """
        if type not in constants.NOTIFICATION_TYPES:
            raise exception.InvalidInput(
                reason="unknown notification type %s" % type)
        row = models.Notification(
            uuid=uuid or str(uuidlib.uuid4()), type=type, host=host,
            dedup_key=dedup_key, payload=dict(payload), source=source,
            generated_time=generated_time or self._clock.now(),
            status=status, message=message, created_at=self._clock.now())
        try:
            with self._writer() as session:
                if host is not None:
                    # Read by the INSERT itself: a SELECT first would
                    # take SQLite's read lock, which cannot wait to
                    # become the write lock once another writer went.
                    uuid_of_host: Any = sa.select(_HOSTS.c.uuid).where(
                        _HOSTS.c.name == host).scalar_subquery()
                    row.source_host_uuid = uuid_of_host
                session.add(row)
                session.flush()
                if host is not None:
                    session.refresh(row, ["source_host_uuid"])
        except db_exc.DBDuplicateEntry as exc:
            raise exception.DuplicateNotification(
                dedup_key=dedup_key) from exc
        self._status_changed("notifications", row.uuid, {
            "status": status, "type": type, "host": host, "message": message})
        return row

    def notification_get(self, uuid: str) -> models.Notification:
        """Return a live notification by its UUID."""
        return self._one(LISTING, uuid, uuid=uuid)

    def notification_claim(self, uuid: str) -> Claim:
        """A live notification's status and claim, read without the ORM
        (asked before every act); NotFound when there is none."""
        with self._reader_connection() as connection:
            row = connection.execute(_CLAIM, {"n_uuid": uuid}).first()
        if row is None:
            raise exception.NotFound(kind="Notification", ident=uuid)
        return Claim(str(row[0]), row[1], int(row[2] or 0))

    def notification_get_by_id(self, id: int) -> models.Notification:
        """Return a live notification by its integer id (Masakari's id)."""
        return self._one(LISTING, id, id=id)

    def notification_get_by_key(self, dedup_key: str
                                ) -> models.Notification | None:
        """The row holding ``dedup_key``, deleted or not: the key is
        unique among them all."""
        with self._reader() as session:
            return session.scalars(sa.select(models.Notification).where(
                models.Notification.dedup_key == dedup_key)).first()

    def notification_list(self, **query: "Unpack[NotificationQuery]"
                          ) -> list[models.Notification]:
        """A page of notifications, newest first unless sorted otherwise."""
        return self._list(LISTING, query)

    def notification_set_fenced(self, uuid: str,
                                when: datetime.datetime) -> bool:
        """Record when a recovery fenced its host, once: a resumed
        recovery that fences again keeps the first time. Return whether
        this call wrote it."""
        return self._test_and_set(models.Notification, uuid,
                                  {"fenced_at": when}, None,
                                  _C.fenced_at.is_(None)) > 0

    def notification_take(self, uuid: str, owner: str) -> Fence | None:
        """``new``/``running`` -> ``running`` with ``owner`` and the
        generation bumped, by test-and-set; return the claim, or None
        when the notification is in another status."""
        row = models.Notification
        with self._writer() as session:
            if not core.rowcount(session, sa.update(row).where(
                    row.uuid == uuid, row.deleted.is_(False),
                    row.status.in_([constants.NOTIFICATION_NEW,
                                    constants.NOTIFICATION_RUNNING])
            ).values(status=constants.NOTIFICATION_RUNNING, owner=owner,
                     generation=row.generation + 1,
                     updated_at=self._clock.now())):
                return None
            generation = session.scalar(sa.select(row.generation).where(
                row.uuid == uuid, row.deleted.is_(False)))
        return Fence(uuid, owner, int(generation or 0))

    def notification_set_fence_confirmed(self, uuid: str,
                                         when: datetime.datetime) -> bool:
        """Record, once, that an operator confirmed the host of recovery
        ``uuid`` powered off; return whether this call wrote it."""
        return self._test_and_set(models.Notification, uuid,
                                  {"fence_confirmed_at": when}, None,
                                  _C.fence_confirmed_at.is_(None)) > 0

    def notification_set_status(self, uuid: str, status: str,
                                expected: Iterable[str] | None = None,
                                message: str | None = None) -> bool:
        """Move a notification to ``status`` if it is in ``expected``.

        Return whether this call changed it: the test-and-set that lets
        only one engine claim a notification. ``finished`` is refused
        (False) while one of its live vmoves is pending or ongoing.
        """
        if status not in constants.NOTIFICATION_STATUSES:
            raise exception.InvalidInput(
                reason="unknown notification status %s" % status)
        values: dict[str, Any] = {"status": status,
                                  "updated_at": self._clock.now()}
        if message is not None:
            values["message"] = message
        where = []
        if status == constants.NOTIFICATION_FINISHED:
            vmove = models.VMove.__table__.c
            where.append(~sa.exists().where(
                vmove.notification_uuid == uuid,
                vmove.deleted.is_(False),
                vmove.status.notin_(constants.VMOVE_DONE_STATUSES)))
        return self._test_and_set(models.Notification, uuid, values,
                                  expected, *where) > 0
