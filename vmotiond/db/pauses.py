"""The HA pause switch: rows of ``ha_pauses``, one per paused scope.

Every monitor reads them each cycle, so a pause set on any controller
holds for all of them.
"""

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
