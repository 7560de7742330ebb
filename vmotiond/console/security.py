"""The console's security headers, cookies, same-origin and CSRF checks."""

import hashlib
import hmac
import secrets
import urllib.parse

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'")

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def cookie(name: str, value: str, secure: bool,
           max_age: int | None = None) -> str:
    """A Set-Cookie value: HttpOnly, SameSite=Strict, under ``/vmotion``."""
    parts = ["%s=%s" % (name, value), "Path=/vmotion", "HttpOnly",
             "SameSite=Strict"]
    if max_age is not None:
        parts.append("Max-Age=%d" % max_age)
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def same_origin(origin: str | None, referer: str | None,
                host_url: str) -> bool:
    """Whether a form post comes from the console's own origin.

    ``Origin`` decides when the browser sends it, else ``Referer``; a
    post with neither is refused.
    """
    source = origin if origin and origin != "null" else referer
    if not source:
        return False
    theirs = urllib.parse.urlsplit(source)
    ours = urllib.parse.urlsplit(host_url)
    return (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc)


CSRF_HEADER = "X-CSRF-Token"
_CSRF_PURPOSE = b"vmotiond-console-csrf"


def csrf_token(session: str) -> str:
    """The CSRF token of a session: an HMAC keyed with its secret cookie.

    A page carries it; only a script of a page served to that session can
    read it and send it back, in ``X-CSRF-Token``.
    """
    return hmac.new(session.encode("utf-8"), _CSRF_PURPOSE,
                    hashlib.sha256).hexdigest()


def csrf_valid(session: str | None, sent: str | None) -> bool:
    """Whether ``sent`` is the CSRF token of ``session`` (both present)."""
    if not session or not sent:
        return False
    return hmac.compare_digest(csrf_token(session), sent)


def new_session() -> str:
    """A random session secret, for a console without Keystone login."""
    return secrets.token_urlsafe(32)
