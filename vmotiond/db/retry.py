"""Which database errors are transient: worth writing again a bit later.

A busy SQLite file ("database is locked"), a deadlock or lock wait, a
lost connection: the same write may succeed in a moment. Anything else
(a constraint, a missing table, a value the column cannot hold) fails
the same way every time.
"""

from oslo_db import exception as db_exc
import sqlalchemy as sa

_TRANSIENT_TEXT = ("database is locked", "database table is locked",
                   "deadlock", "lock wait timeout")


def is_transient(exc: BaseException) -> bool:
    """Say whether writing again may succeed where ``exc`` was raised."""
    if isinstance(exc, (db_exc.DBDeadlock, db_exc.DBConnectionError)):
        return True
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, (sa.exc.OperationalError, db_exc.DBError)):
        cause = getattr(exc, "orig", None) or getattr(
            exc, "inner_exception", None) or exc
        text = str(cause).lower()
        return any(part in text for part in _TRANSIENT_TEXT)
    return False
