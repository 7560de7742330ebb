"""The console's security headers, cookies and same-origin check."""

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
