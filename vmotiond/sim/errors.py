"""Errors of the simulated cloud, each carrying its HTTP status.

The model raises these; each API front end (Nova, Placement, Neutron,
Keystone) turns them into its own error body shape.
"""


class SimError(Exception):
    """A refusal with an HTTP status and the message the real API gives."""

    code = 500

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class BadRequest(SimError):
    code = 400


class Unauthorized(SimError):
    code = 401


class Forbidden(SimError):
    code = 403


class NotFound(SimError):
    code = 404


class NotAcceptable(SimError):
    code = 406


class Conflict(SimError):
    code = 409


class Unexpected(SimError):
    """What Nova answers for an exception it did not expect (HTTP 500)."""

    code = 500

    def __init__(self, exc_name: str) -> None:
        super().__init__(
            "Unexpected API Error. Please report this at "
            "http://bugs.launchpad.net/nova/ and attach the Nova API log if "
            "possible.\n<class 'nova.exception.%s'>" % exc_name)


class Unavailable(SimError):
    code = 503
