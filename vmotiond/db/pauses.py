"""The HA pause switch: rows of ``ha_pauses``, one per paused scope;
and the monitor's cool-downs after a storm: rows of ``monitor_holds``.

Every monitor reads the pauses each cycle, so a pause set on any
controller holds for all of them; the leading monitor writes its holds
and the next one reads them when it takes the lead.
"""

from collections.abc import Mapping
import datetime

from oslo_db import exception as db_exc
import sqlalchemy as sa

from vmotiond.db import core
from vmotiond.db import models

# The scope of a pause over every host; others are aggregate names.
GLOBAL = "*"
MAX_REASON = 255


class Pauses(core.Core):
    """The ha_pauses table."""

    def ha_pause(self, scope: str, reason: str | None = None) -> bool:
        """Pause HA over ``scope``; False if it was paused already."""
        try:
            with self._writer() as session:
                if session.get(models.HaPause, scope) is not None:
                    return False
                session.add(models.HaPause(
                    scope=scope, reason=(reason or "")[:MAX_REASON] or None,
                    created_at=self._clock.now()))
        except db_exc.DBDuplicateEntry:
            return False        # another controller paused it meanwhile
        return True

    def ha_resume(self, scope: str) -> bool:
        """Resume HA over ``scope``; False if it was not paused."""
        with self._writer() as session:
            return bool(core.rowcount(session, sa.delete(
                models.HaPause).where(models.HaPause.scope == scope)))

    def ha_pauses(self) -> list[models.HaPause]:
        """Every pause, the global one first, then by scope."""
        with self._reader() as session:
            rows = session.scalars(sa.select(models.HaPause).order_by(
                models.HaPause.scope)).all()
        return sorted(rows, key=lambda r: (r.scope != GLOBAL, r.scope))

    def monitor_holds(self) -> dict[str, datetime.datetime]:
        """Every cool-down of the monitor: scope -> until."""
        with self._reader() as session:
            return {row.scope: row.until for row in session.scalars(
                sa.select(models.MonitorHold))}

    def monitor_holds_set(self, holds: Mapping[str, datetime.datetime]
                          ) -> None:
        """Make the stored cool-downs exactly ``holds``."""
        with self._writer() as session:
            session.execute(sa.delete(models.MonitorHold))
            session.add_all(models.MonitorHold(scope=scope, until=until)
                            for scope, until in holds.items())
