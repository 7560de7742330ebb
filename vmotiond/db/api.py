"""The data API: small reader and writer functions over the enginefacade.

Data access knows nothing of HTTP or Nova. Functions return detached model
objects (sessions never expire them on commit) and raise domain exceptions
from ``vmotiond.exception``. Test-and-set updates take the status they
expect, so two processes can never both claim the same work.

``Database`` is the one entry: each resource keeps its functions in a
module of its own (``notifications``, ``vmoves`` with their steps,
``hosts``, ``alerts``; ``stats``, the counts of ``/metrics``) on the
machinery they share (``core``: sessions, schema, test-and-set;
``paging``: each resource's one filtering query).
"""

from vmotiond.db import alerts
from vmotiond.db import hosts
from vmotiond.db import notifications
from vmotiond.db import pauses
from vmotiond.db import stats
from vmotiond.db import step_journal
from vmotiond.db import vmoves


class Database(notifications.Notifications, vmoves.VMoves,
               step_journal.StepJournal, hosts.Hosts, alerts.Alerts,
               stats.Stats, pauses.Pauses):
    """One database, reached through its own enginefacade."""
