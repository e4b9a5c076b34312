"""Security headers on every response: pages, API, static files and errors.

They are added as the response starts, by a ``before_send`` hook of the application rather than
an entry of its ``middleware`` list: Litestar runs that list per route, so an address that
matches no route (a 404, a 405) would be answered without them.
"""

from __future__ import annotations

from litestar.types import Message, Scope

from matchmaker.accounts import sessions

# No inline script anywhere: htmx and its configuration (a meta tag) come from /static, and
# htmx is told not to inject its indicator <style> nor to evaluate code. Style attributes stay
# allowed: bars are drawn with a computed width, and an attribute cannot run code nor select
# other elements, whereas <style> elements (which could) are refused.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# Reset and invitation tokens travel in paths: never send an address to another site.
REFERRER_POLICY = "same-origin"
HSTS = "max-age=31536000; includeSubDomains"

ALWAYS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),  # frame-ancestors, for browsers that predate it
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", REFERRER_POLICY.encode()),
)


def _signed_in(scope: Scope) -> bool:
    viewer = scope.get("state", {}).get("viewer")
    if viewer is not None:
        return viewer.is_authenticated
    # No route matched, so the session was never looked up: a session cookie is enough.
    marker = f"{sessions.SESSION_COOKIE}=".encode()
    return any(name == b"cookie" and marker in value for name, value in scope["headers"])


def security_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    """The headers every response to ``scope`` carries."""
    headers = list(ALWAYS)
    if not scope["litestar_app"].state.settings.demo:
        # The demo is served over plain http on a laptop: HSTS there would pin it to https.
        headers.append((b"strict-transport-security", HSTS.encode()))
    if _signed_in(scope) and not scope["path"].startswith("/static/"):
        # A signed-in answer is for one person: no browser or proxy may keep a copy.
        headers.append((b"cache-control", b"no-store"))
    return headers


async def add_security_headers(message: Message, scope: Scope) -> None:
    """``before_send`` hook: set the security headers on the start of an HTTP response."""
    if message["type"] != "http.response.start":
        return
    added = security_headers(scope)
    own = {name.lower() for name, _ in message.get("headers", [])}
    # A page that sets its own, stricter Referrer-Policy keeps it (no-referrer on the page of
    # a reset link, so not even this site's own logs receive the token).
    added = [(name, value) for name, value in added
             if not (name == b"referrer-policy" and name in own)]
    replaced = {name for name, _ in added}
    kept = [(name, value) for name, value in message.get("headers", [])
            if name.lower() not in replaced]
    message["headers"] = [*kept, *added]
