"""Stable error codes of the API, sent as ``error_code`` in error bodies.

A code names one kind of failure for good: never reuse or rename one;
add a new one instead.
"""

DEFAULT = "vmotiond.undefined_code"
INTERNAL = "vmotiond.internal_error"
ROUTE_NOT_FOUND = "vmotiond.route.not_found"
METHOD_NOT_ALLOWED = "vmotiond.route.method_not_allowed"
PROJECT_MISMATCH = "vmotiond.route.project_mismatch"
VERSION_TOO_LOW = "vmotiond.route.needs_newer_microversion"
MICROVERSION_INVALID = "vmotiond.microversion.invalid"
MICROVERSION_UNSUPPORTED = "vmotiond.microversion.unsupported"
QUERY_INVALID = "vmotiond.query.invalid"
QUERY_UNSUPPORTED = "vmotiond.query.unsupported"
MARKER_NOT_FOUND = "vmotiond.query.marker_not_found"
NOT_FOUND = "vmotiond.resource.not_found"
FORBIDDEN = "vmotiond.policy.forbidden"
DATABASE_UNAVAILABLE = "vmotiond.database.unavailable"
REQUEST_NOT_UTF8 = "vmotiond.request.not_utf8"
ACTION_INVALID = "vmotiond.action.invalid"
ACTION_CONFLICT = "vmotiond.action.conflict"
ENGINE_UNAVAILABLE = "vmotiond.engine.unavailable"
ENGINE_FAILED = "vmotiond.engine.failed"
