"""Which database errors are worth writing again, and which never are.

A busy SQLite file ("database is locked"), a deadlock or lock wait, a
lost connection: the same write may succeed in a moment (transient).
Data too long or invalid, an integrity violation: the same write fails
the same way every time (permanent). Others are neither for sure.
"""

from oslo_db import exception as db_exc
import sqlalchemy as sa

_PERMANENT = (db_exc.DBDataError, db_exc.DBReferenceError,
              db_exc.DBConstraintError, db_exc.DBDuplicateEntry,
              db_exc.DBInvalidUnicodeParameter)
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


def is_permanent(exc: BaseException) -> bool:
    """Say whether ``exc`` comes back on every retry (oslo.db names these
    on MySQL; on PostgreSQL they come as a bare DBError around
    SQLAlchemy's DataError or IntegrityError)."""
    if isinstance(exc, _PERMANENT):
        return True
    inner = getattr(exc, "inner_exception", None)
    return isinstance(inner, (sa.exc.DataError, sa.exc.IntegrityError))


def first_line(exc: BaseException, limit: int = 300) -> str:
    """The first line of a database error (the driver's own, when it is
    wrapped), at most ``limit`` characters."""
    cause = getattr(exc, "orig", None) or getattr(
        exc, "inner_exception", None) or exc
    text = str(cause).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return line if len(line) <= limit else line[:limit - 3] + "..."
