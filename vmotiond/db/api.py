"""The data API: small reader and writer functions over the enginefacade.

Data access knows nothing of HTTP or Nova. Functions return detached model
objects (sessions never expire them on commit) and raise domain exceptions
from ``vmotiond.exception``. Test-and-set updates take the status they
expect, so two processes can never both claim the same work.
"""

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import AbstractContextManager
import datetime
import functools
import json
from typing import Any
import uuid as uuidlib

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
from oslo_log import log as logging
import sqlalchemy as sa
from sqlalchemy import orm

from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond import exception
from vmotiond.db import migration
from vmotiond.db import models
from vmotiond.db import mysql_datetime
from vmotiond.db import sqlite

LOG = logging.getLogger(__name__)

ALERT_MAX_HOSTS = 1000          # host names kept in one alert
ALERT_MAX_EVIDENCE = 16384      # characters of an alert's evidence JSON
ALERT_MAX_MESSAGE = 1024        # characters of an alert's message


class _Context:
    """The object the enginefacade hangs a transaction on."""


class Database:
    """One database, reached through its own enginefacade."""

    def __init__(self, conf: cfg.ConfigOpts,
                 clock: clock_mod.Clock | None = None,
                 **overrides: Any) -> None:
        """Configure from ``conf.database``; ``overrides`` win over it."""
        self._clock = clock or clock_mod.Clock()
        self._facade = enginefacade.transaction_context()
        # thread_checkin sleeps 0 s at every pool checkin so that eventlet
        # switches greenthreads; with real threads it only hands the GIL
        # over once more per query.
        options = {**dict(conf.database.items()), "thread_checkin": False,
                   **overrides}
        self.url = options["connection"]
        self._facade.configure(**options)
        self._facade.append_on_engine_create(mysql_datetime.install)
        self._facade.append_on_engine_create(sqlite.install)

    # -- plumbing ---------------------------------------------------------

    @property
    def engine(self) -> sa.Engine:
        """The writer engine, created on first use."""
        engine: sa.Engine = self._facade.writer.get_engine()
        return engine

    def _reader(self) -> AbstractContextManager[orm.Session]:
        session: AbstractContextManager[orm.Session] = (
            self._facade.reader.using(_Context()))
        return session

    def _reader_connection(self) -> AbstractContextManager[sa.Connection]:
        """A Core connection in a read transaction: no ORM, for bulk reads."""
        connection: AbstractContextManager[sa.Connection] = (
            self._facade.reader.connection.using(_Context()))
        return connection

    def _writer(self) -> AbstractContextManager[orm.Session]:
        session: AbstractContextManager[orm.Session] = (
            self._facade.writer.using(_Context()))
        return session

    def check_connection(self) -> None:
        """Connect once; raise DatabaseUnavailable saying where and why."""
        try:
            with self.engine.connect():
                pass
        except (db_exc.DBError, sa.exc.SQLAlchemyError) as exc:
            reason = str(getattr(exc, "inner_exception", None) or exc)
            reason = reason.splitlines()[0]
            if self.url.startswith("sqlite:///"):
                reason += " (does its directory exist, writable?)"
            raise exception.DatabaseUnavailable(
                url=_masked(self.url), reason=reason) from exc

    def sync(self) -> None:
        """Create or upgrade the schema to the code's revision."""
        migration.upgrade(self.engine)

    def check_schema(self) -> None:
        """Raise SchemaOutOfDate unless the schema is at the head revision."""
        current = migration.current_revision(self.engine)
        expected = migration.head_revision()
        if current != expected:
            raise exception.SchemaOutOfDate(current=current or "empty",
                                            expected=expected)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self._facade.dispose_pool()

    # -- notifications ----------------------------------------------------

    def notification_create(self, type: str, host: str | None,
                            dedup_key: str, payload: Mapping[str, Any],
                            source: str | None = None,
                            generated_time: datetime.datetime | None = None,
                            status: str = constants.NOTIFICATION_NEW,
                            message: str | None = None,
                            uuid: str | None = None) -> models.Notification:
        """Persist a notification; raise DuplicateNotification on its key."""
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
                session.add(row)
        except db_exc.DBDuplicateEntry as exc:
            raise exception.DuplicateNotification(
                dedup_key=dedup_key) from exc
        return row

    def notification_get(self, uuid: str) -> models.Notification:
        row: models.Notification = self._live_one(
            models.Notification, models.Notification.uuid == uuid, uuid)
        return row

    def notification_get_by_key(self, dedup_key: str
                                ) -> models.Notification | None:
        with self._reader() as session:
            return session.scalars(sa.select(models.Notification).where(
                models.Notification.dedup_key == dedup_key)).first()

    def notification_list(self, status: Iterable[str] | None = None,
                          host: str | None = None,
                          type: str | None = None,
                          limit: int | None = None,
                          marker: str | None = None,
                          sort_dir: str = "desc"
                          ) -> list[models.Notification]:
        """List notifications, newest first by default, paged by marker."""
        return self.notification_search(
            status=status, host=host,
            type=None if type is None else [type], sort_dir=sort_dir,
            limit=limit, marker=marker)

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

    # -- vmoves -----------------------------------------------------------

    def vmoves_create(self, notification_uuid: str,
                      moves: Iterable[Mapping[str, Any]]
                      ) -> list[models.VMove]:
        """Write all vmoves of a notification in one transaction.

        Each mapping holds the vmove's columns; ``uuid`` and ``status``
        default to a new UUID and ``pending``.
        """
        now = self._clock.now()
        rows = [models.VMove(**{"uuid": str(uuidlib.uuid4()),
                                "status": constants.PENDING,
                                "priority": 0, "attempts": 0,
                                "created_at": now, **move,
                                "notification_uuid": notification_uuid})
                for move in moves]
        with self._writer() as session:
            session.add_all(rows)
        return rows

    def vmove_get(self, uuid: str,
                  notification_uuid: str | None = None,
                  project_id: str | None = None) -> models.VMove:
        """A live vmove (of that notification, of an instance of that
        project when given), or NotFound."""
        return self._vmove_one(models.VMove.uuid == uuid, uuid,
                               notification_uuid, project_id)

    def _vmove_one(self, where: Any, ident: str | int,
                   notification_uuid: str | None,
                   project_id: str | None = None) -> models.VMove:
        if notification_uuid is not None:
            where = sa.and_(where, models.VMove.notification_uuid
                            == notification_uuid)
        if project_id is not None:
            where = sa.and_(where, models.VMove.project_id == project_id)
        row: models.VMove = self._live_one(models.VMove, where, ident)
        return row

    def vmove_list(self, notification_uuid: str | None = None,
                   instance_uuid: str | None = None,
                   host: str | None = None,
                   type: str | None = None,
                   status: Iterable[str] | None = None,
                   since: datetime.datetime | None = None,
                   until: datetime.datetime | None = None,
                   sort_key: str = "created_at", sort_dir: str = "desc",
                   limit: int | None = None,
                   marker: str | None = None,
                   project_id: str | None = None) -> list[models.VMove]:
        """List vmoves with the filters the API and engine use (with
        ``project_id``, only the vmoves of that project's instances)."""
        query, params = _vmove_query(
            True, sort_key, sort_dir, limit, marker,
            notification_uuid=notification_uuid, instance_uuid=instance_uuid,
            host=host, type=type, status=status, since=since, until=until,
            project_id=project_id)
        with self._reader() as session:
            rows = list(session.scalars(query, params))
            _check_marker(session, models.VMove, marker, rows)
            return rows

    def vmove_update(self, uuid: str, values: Mapping[str, Any],
                     expected: Iterable[str] | None = None) -> bool:
        """Update a vmove if its status is in ``expected``; say whether."""
        status = values.get("status")
        if status is not None and status not in constants.VMOVE_STATUSES:
            raise exception.InvalidInput(
                reason="unknown vmove status %s" % status)
        values = {"updated_at": self._clock.now(), **values}
        return self._test_and_set(models.VMove, uuid, values, expected) > 0

    def vmove_soft_delete(self, uuid: str,
                          expected: Iterable[str]) -> bool:
        """Soft-delete a vmove whose status is in ``expected``."""
        now = self._clock.now()
        return self._test_and_set(
            models.VMove, uuid, {"deleted": True, "deleted_at": now},
            expected) > 0

    # -- vmove steps ------------------------------------------------------

    def step_start(self, vmove_uuid: str, name: str, attempt: int = 1,
                   context: Mapping[str, Any] | None = None
                   ) -> models.VMoveStep:
        """Record that a step begins, and make it the vmove's current step."""
        now = self._clock.now()
        row = models.VMoveStep(vmove_uuid=vmove_uuid, name=name,
                               status=constants.ONGOING, attempt=attempt,
                               started_at=now, created_at=now,
                               context=dict(context or {}))
        with self._writer() as session:
            session.add(row)
            session.execute(sa.update(models.VMove).where(
                models.VMove.uuid == vmove_uuid).values(
                    current_step=name, updated_at=now))
        return row

    def step_finish(self, step_id: int, status: str,
                    result: str | None = None,
                    context: Mapping[str, Any] | None = None) -> None:
        """Record how a step ended."""
        values: dict[str, Any] = {"status": status, "result": result,
                                  "ended_at": self._clock.now(),
                                  "updated_at": self._clock.now()}
        if context is not None:
            values["context"] = dict(context)
        with self._writer() as session:
            session.execute(sa.update(models.VMoveStep).where(
                models.VMoveStep.id == step_id).values(**values))

    def step_list(self, vmove_uuid: str) -> list[models.VMoveStep]:
        with self._reader() as session:
            return list(session.scalars(
                sa.select(models.VMoveStep).where(
                    models.VMoveStep.vmove_uuid == vmove_uuid,
                    models.VMoveStep.deleted.is_(False)).order_by(
                        models.VMoveStep.id)))

    # -- hosts ------------------------------------------------------------

    def host_get(self, name: str) -> models.Host:
        row: models.Host = self._live_one(models.Host,
                                          models.Host.name == name, name)
        return row

    def host_list(self, include_deleted: bool = False) -> list[models.Host]:
        query = sa.select(models.Host).order_by(models.Host.name)
        if not include_deleted:
            query = query.where(models.Host.deleted.is_(False))
        with self._reader() as session:
            return list(session.scalars(query))

    def host_update(self, name: str, values: Mapping[str, Any]) -> None:
        """Update a live host's columns; raise NotFound when there is none."""
        if values.get("role", constants.ROLE_NORMAL) not in \
                constants.HOST_ROLES:
            raise exception.InvalidInput(
                reason="unknown host role %s" % values["role"])
        with self._writer() as session:
            changed = _rowcount(session, sa.update(models.Host).where(
                models.Host.name == name,
                models.Host.deleted.is_(False)).values(
                    updated_at=self._clock.now(), **values))
            if changed == 0:
                raise exception.NotFound(kind="Host", ident=name)

    def hosts_sync(self, inventory: Iterable[Mapping[str, Any]],
                   default_auto_evacuate: bool = True) -> dict[str, int]:
        """Make the hosts table match the cloud's inventory.

        New hosts are created (role ``normal``), known ones updated, ones the
        cloud no longer reports soft-deleted, and re-appearing ones restored.
        The operator's choices and the monitor's state are kept. Return the
        counts of created, updated and deleted hosts.
        """
        now = self._clock.now()
        seen = {item["name"]: dict(item) for item in inventory}
        counts = {"created": 0, "updated": 0, "deleted": 0}
        with self._writer() as session:
            rows = {row.name: row for row in
                    session.scalars(sa.select(models.Host))}
            for name, values in seen.items():
                row = rows.get(name)
                if row is None:
                    session.add(models.Host(
                        created_at=now, synced_at=now,
                        auto_evacuate=default_auto_evacuate,
                        role=constants.ROLE_NORMAL,
                        monitor_state=constants.HOST_UP, **values))
                    counts["created"] += 1
                    continue
                for key, value in values.items():
                    setattr(row, key, value)
                row.synced_at = now
                row.deleted, row.deleted_at = False, None
                counts["updated"] += 1
            for name, row in rows.items():
                if name not in seen and not row.deleted:
                    row.deleted, row.deleted_at = True, now
                    counts["deleted"] += 1
        return counts

    # -- alerts -----------------------------------------------------------

    def alert_create(self, type: str, source: str, message: str,
                     host: str | None = None,
                     hosts: Iterable[str] | None = None,
                     evidence: Mapping[str, Any] | None = None
                     ) -> models.Alert:
        """Record an alert; every field is cut to fit its column, so a
        hostile or oversized input is still recorded."""
        names = [_cut(str(h), 255) for h in (hosts or ())][:ALERT_MAX_HOSTS]
        if host is not None:
            host = _cut(host, 255)
            if host not in names:
                names.insert(0, host)
        kept = dict(evidence or {})
        text = json.dumps(kept, sort_keys=True, default=str)
        if len(text) > ALERT_MAX_EVIDENCE:
            kept = {"truncated": text[:ALERT_MAX_EVIDENCE]}
        now = self._clock.now()
        row = models.Alert(
            uuid=str(uuidlib.uuid4()), type=_cut(type, 64),
            source=_cut(source, 255), host=host, hosts=names,
            message=_cut(message, ALERT_MAX_MESSAGE),
            evidence=json.loads(json.dumps(kept, default=str)),
            created_at=now)
        with self._writer() as session:
            session.add(row)
        return row

    def alert_get(self, uuid: str) -> models.Alert:
        row: models.Alert = self._live_one(models.Alert,
                                           models.Alert.uuid == uuid, uuid)
        return row

    def alert_get_by_id(self, id: int) -> models.Alert:
        row: models.Alert = self._live_one(models.Alert,
                                           models.Alert.id == id, id)
        return row

    def alert_list(self, host: str | None = None,
                   type: Iterable[str] | None = None,
                   sort_key: str = "created_at", sort_dir: str = "desc",
                   limit: int | None = None,
                   marker: str | None = None) -> list[models.Alert]:
        """List alerts, newest first by default, paged by marker."""
        query = sa.select(models.Alert).where(
            models.Alert.deleted.is_(False))
        if host is not None:
            query = query.where(models.Alert.host == host)
        if type is not None:
            query = query.where(models.Alert.type.in_(list(type)))
        query = _page(query, models.Alert, sort_key, sort_dir,
                      limit is not None, marker is not None)
        with self._reader() as session:
            rows = list(session.scalars(query, _paging(limit, marker)))
            _check_marker(session, models.Alert, marker, rows)
            return rows

    # -- helpers ----------------------------------------------------------

    def _live_one(self, model: Any, where: Any, ident: str | int) -> Any:
        """The one live row of ``model`` matching ``where``, or NotFound."""
        with self._reader() as session:
            row = session.scalars(sa.select(model).where(
                where, model.deleted.is_(False))).first()
        if row is None:
            raise exception.NotFound(kind=model.__name__, ident=ident)
        return row

    def _test_and_set(self, model: Any, uuid: str,
                      values: Mapping[str, Any],
                      expected: Iterable[str] | None, *where: Any) -> int:
        query = sa.update(model).where(model.uuid == uuid,
                                       model.deleted.is_(False), *where)
        if expected is not None:
            query = query.where(model.status.in_(list(expected)))
        with self._writer() as session:
            return _rowcount(session, query.values(**values))

    # -- readers added for the REST API ------------------------------------

    def notification_search(self, status: Iterable[str] | None = None,
                            host: str | None = None,
                            type: Iterable[str] | None = None,
                            generated_since: datetime.datetime | None = None,
                            sort_key: str = "created_at",
                            sort_dir: str = "desc",
                            limit: int | None = None,
                            marker: str | None = None
                            ) -> list[models.Notification]:
        """List notifications with Masakari's filters and any sort key."""
        query = sa.select(models.Notification).where(
            models.Notification.deleted.is_(False))
        if status is not None:
            query = query.where(models.Notification.status.in_(list(status)))
        if host is not None:
            query = query.where(models.Notification.host == host)
        if type is not None:
            query = query.where(models.Notification.type.in_(list(type)))
        if generated_since is not None:
            query = query.where(
                models.Notification.generated_time >= generated_since)
        query = _page(query, models.Notification, sort_key, sort_dir,
                      limit is not None, marker is not None)
        with self._reader() as session:
            rows = list(session.scalars(query, _paging(limit, marker)))
            _check_marker(session, models.Notification, marker, rows)
            return rows

    def notification_get_by_id(self, id: int) -> models.Notification:
        """Return a live notification by its integer id (Masakari's id)."""
        row: models.Notification = self._live_one(
            models.Notification, models.Notification.id == id, id)
        return row

    def vmove_get_by_id(self, id: int,
                        notification_uuid: str | None = None,
                        project_id: str | None = None) -> models.VMove:
        """Return a live vmove by its integer id (Masakari's id)."""
        return self._vmove_one(models.VMove.id == id, id, notification_uuid,
                               project_id)

    def step_list_by_notification(self, notification_uuid: str
                                  ) -> list[tuple[models.VMoveStep, str]]:
        """Return (step, instance_uuid) of every vmove of a notification."""
        query = sa.select(models.VMoveStep, models.VMove.instance_uuid).join(
            models.VMove,
            models.VMove.uuid == models.VMoveStep.vmove_uuid).where(
                models.VMove.notification_uuid == notification_uuid,
                models.VMove.deleted.is_(False),
                models.VMoveStep.deleted.is_(False)).order_by(
                    models.VMoveStep.id)
        with self._reader() as session:
            return [(step, instance) for step, instance in
                    session.execute(query)]

    def vmove_rows(self, notification_uuid: str | None = None,
                   instance_uuid: str | None = None,
                   host: str | None = None,
                   type: str | None = None,
                   status: Iterable[str] | None = None,
                   since: datetime.datetime | None = None,
                   until: datetime.datetime | None = None,
                   sort_key: str = "created_at", sort_dir: str = "desc",
                   limit: int | None = None,
                   marker: str | None = None,
                   project_id: str | None = None) -> list[dict[str, Any]]:
        """``vmove_list`` as plain dicts of columns, without the ORM.

        Same filters, order and paging, read on a Core connection: several
        times cheaper for a page, which is what the API serves. With
        ``project_id``, only the vmoves of that project's instances.
        """
        query, params = _vmove_query(
            False, sort_key, sort_dir, limit, marker,
            notification_uuid=notification_uuid, instance_uuid=instance_uuid,
            host=host, type=type, status=status, since=since, until=until,
            project_id=project_id)
        with self._reader_connection() as connection:
            result = connection.execute(query, params)
            keys = tuple(result.keys())
            rows = [dict(zip(keys, row, strict=True)) for row in result]
            _check_marker(connection, models.VMove, marker, rows)
            return rows


def _cut(text: str, size: int) -> str:
    """``text`` cut to ``size`` characters, marked when cut."""
    if len(text) <= size:
        return text
    return text[:size - 3] + "..."


def _rowcount(session: orm.Session, statement: Any) -> int:
    """Execute an UPDATE and return how many rows it changed."""
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0))


def _masked(url: str) -> str:
    """Return ``url`` without its password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def _sort_expression(column: Any) -> Any:
    """Return ``column``, with NULLs folded to the lowest value if nullable.

    Backends disagree on where NULLs sort; folding them keeps paging by
    marker identical on SQLite, MariaDB and PostgreSQL.
    """
    if not column.nullable:
        return column
    if isinstance(column.type, sa.DateTime):
        return sa.func.coalesce(column, datetime.datetime(1970, 1, 1))
    if isinstance(column.type, sa.Integer):
        return sa.func.coalesce(column, -1)
    return sa.func.coalesce(column, "")


def _page(query: Any, model: Any, sort_key: str, sort_dir: str,
          limit: bool, marker: bool) -> Any:
    """Order ``query`` by ``sort_key`` then id; page it on bound values.

    With ``limit``, the statement takes the parameter ``limit``; with
    ``marker``, it starts after the row whose uuid is the parameter
    ``marker``, whose position subqueries of the same statement read (a
    page is one round trip). An unknown marker gives no row, which
    ``_check_marker`` tells apart from the end of the list.
    """
    if sort_dir not in ("asc", "desc"):
        raise exception.InvalidInput(reason="sort_dir must be asc or desc")
    table = model.__table__
    if sort_key not in table.columns:
        raise exception.InvalidInput(reason="unknown sort key %s" % sort_key)
    key = _sort_expression(table.columns[sort_key])
    if marker:
        anchor = table.alias("marker")
        at_marker = anchor.c.uuid == sa.bindparam("marker")
        value = sa.select(_sort_expression(anchor.columns[sort_key])).where(
            at_marker).scalar_subquery()
        ident = sa.select(anchor.c.id).where(at_marker).scalar_subquery()
        if sort_dir == "asc":
            query = query.where(sa.or_(key > value,
                                       sa.and_(key == value,
                                               table.c.id > ident)))
        else:
            query = query.where(sa.or_(key < value,
                                       sa.and_(key == value,
                                               table.c.id < ident)))
    order = sa.asc if sort_dir == "asc" else sa.desc
    query = query.order_by(order(key), order(table.c.id))
    if limit:
        query = query.limit(sa.bindparam("limit", type_=sa.Integer))
    return query


def _paging(limit: int | None, marker: str | None) -> dict[str, Any]:
    """The bound values of a statement ``_page`` made."""
    params: dict[str, Any] = {}
    if limit is not None:
        params["limit"] = limit
    if marker is not None:
        params["marker"] = marker
    return params


def _check_marker(executor: orm.Session | sa.Connection, model: Any,
                  marker: str | None, rows: Sequence[Any]) -> None:
    """Raise NotFound if an empty page came from an unknown ``marker``."""
    if marker is None or rows:
        return
    table = model.__table__
    found = executor.execute(sa.select(table.c.id).where(
        table.c.uuid == marker)).first()
    if found is None:
        raise exception.NotFound(kind="Marker", ident=marker)


def _vmove_query(entity: bool, sort_key: str, sort_dir: str,
                 limit: int | None, marker: str | None,
                 **filters: Any) -> tuple[Any, dict[str, Any]]:
    """The statement of ``vmove_list`` (``entity``) or ``vmove_rows``.

    Returns it with its bound values. Statements are built once per shape
    (which filters, sort, paging) and reused: building and keying one
    costs more than reading a page of rows.
    """
    params = {name: value for name, value in filters.items()
              if value is not None}
    if "status" in params:
        params["status"] = list(params["status"])
    query = _vmove_statement(entity, frozenset(params), sort_key, sort_dir,
                             limit is not None, marker is not None)
    return query, {**params, **_paging(limit, marker)}


@functools.lru_cache(maxsize=256)
def _vmove_statement(entity: bool, filters: frozenset[str], sort_key: str,
                     sort_dir: str, limit: bool, marker: bool) -> Any:
    """Build the statement of one shape of ``_vmove_query``."""
    vmove = models.VMove.__table__.c
    conditions = {
        "notification_uuid": (
            vmove.notification_uuid == sa.bindparam("notification_uuid")),
        "instance_uuid": vmove.instance_uuid == sa.bindparam("instance_uuid"),
        "host": sa.or_(vmove.source_host == sa.bindparam("host"),
                       vmove.dest_host == sa.bindparam("host")),
        "type": vmove.type == sa.bindparam("type"),
        "status": vmove.status.in_(sa.bindparam("status", expanding=True)),
        "since": vmove.created_at >= sa.bindparam("since"),
        "until": vmove.created_at < sa.bindparam("until"),
        "project_id": vmove.project_id == sa.bindparam("project_id"),
    }
    query = sa.select(models.VMove if entity else models.VMove.__table__)
    query = query.where(vmove.deleted.is_(False))
    for name in sorted(filters):
        query = query.where(conditions[name])
    return _page(query, models.VMove, sort_key, sort_dir, limit, marker)

