"""Domain exceptions: one base, a message format, structured attributes."""

from typing import Any


class VmotiondError(Exception):
    """Base of every vmotiond error.

    Subclasses set ``msg_fmt``; keyword arguments fill it and stay available
    as ``self.kwargs`` for callers that act on them.
    """

    msg_fmt = "An unknown error occurred."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError):
                message = self.msg_fmt
        self.message = message
        super().__init__(message)


class ConfigError(VmotiondError):
    msg_fmt = "Invalid configuration: %(reason)s"


class InvalidInput(VmotiondError):
    msg_fmt = "Invalid input: %(reason)s"


class NotFound(VmotiondError):
    msg_fmt = "%(kind)s %(ident)s could not be found."


class Conflict(VmotiondError):
    msg_fmt = "Conflict: %(reason)s"


class DatabaseUnavailable(VmotiondError):
    msg_fmt = "The database at %(url)s cannot be reached: %(reason)s"


class SchemaOutOfDate(VmotiondError):
    msg_fmt = ("The database schema is at %(current)s but this code needs "
               "%(expected)s; run 'vmotiond-manage db sync'.")


class DuplicateNotification(Conflict):
    msg_fmt = "A notification with key %(dedup_key)s exists already."


class InvalidStateTransition(Conflict):
    msg_fmt = ("%(kind)s %(ident)s cannot go from %(current)s to "
               "%(target)s.")


class CloudError(VmotiondError):
    """An OpenStack API call failed; ``status`` is the HTTP code if any."""

    msg_fmt = "%(service)s call %(call)s failed: %(reason)s"

    @property
    def status(self) -> int | None:
        status = self.kwargs.get("status")
        return int(status) if status is not None else None


class CloudNotFound(CloudError):
    """The resource does not exist (HTTP 404)."""


class CloudConflict(CloudError):
    """The resource is in a state that forbids the call (HTTP 409)."""


class CloudRefused(CloudError):
    """The call was refused as invalid or forbidden (HTTP 400/403)."""


class CloudUnavailable(CloudError):
    """The API could not be reached or kept failing after retries."""


class CloudServiceMissing(CloudError):
    """The cloud has no such service: no endpoint in the catalog, or
    another service answers at its URL. Asking again does not help."""

    msg_fmt = "%(service)s call %(call)s failed: the cloud has no " \
              "%(service)s service: %(reason)s"


class StepFailed(VmotiondError):
    """A vmove step failed for good; ``reason`` is for the operator."""

    msg_fmt = "%(reason)s"


class StepTimedOut(StepFailed):
    """A step's wait reached its deadline."""


class Interrupted(VmotiondError):
    """The engine is stopping; the work stays to be resumed."""

    msg_fmt = "Interrupted: %(reason)s"


class Superseded(Exception):
    """This engine no longer runs the notification: another engine took it
    up (its claim's generation moved on) or its lock expired. Not a
    ``VmotiondError``, so no handler of a step's or a preparation's
    failure takes it for one: the work stops where it is."""

    def __init__(self, notification_uuid: str, reason: str) -> None:
        super().__init__("notification %s %s" % (notification_uuid, reason))
        self.notification_uuid = notification_uuid


class FencingFailed(VmotiondError):
    """Fencing of a host failed; its recovery must not go on."""

    msg_fmt = "Fencing host %(host)s failed: %(reason)s"


class PowerFencingFailed(FencingFailed):
    """Every power fencing attempt failed: whether the host is off is
    unknown until an operator confirms it (``host confirm-fenced``)."""

    def __init__(self, host: str, attempts: list[str]) -> None:
        super().__init__(host=host, reason="; ".join(attempts))
        self.attempts = attempts


class EngineUnavailable(VmotiondError):
    """No engine answered an operator's request; nothing was done."""

    msg_fmt = ("no vmotiond engine answered on topic %(topic)s within "
               "%(timeout).0f s (%(reason)s); nothing was done")


class EngineNoReply(VmotiondError):
    """An engine answered the ping but not the request: it may still
    carry it out."""

    msg_fmt = "the engine did not answer the %(method)s request"


class NovaRefused(StepFailed):
    """Nova refused an operator-initiated move; it is not retried."""

    msg_fmt = "Nova refused the %(what)s: %(reason)s"
