"""Signed unsubscribe tokens: a link in each mail stops one kind (or all) without sign-in."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from matchmaker.notifications.kinds import KINDS

ALL_KINDS = "all"
_TOKEN = re.compile(r"^(\d{1,10})\.([a-z_]{1,40})\.([A-Za-z0-9_-]{43})$")


def _signature(secret: str, user_id: int, kind: str) -> str:
    digest = hmac.new(secret.encode(), f"unsubscribe:{user_id}:{kind}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def unsubscribe_token(secret: str, user_id: int, kind: str = ALL_KINDS) -> str:
    return f"{user_id}.{kind}.{_signature(secret, user_id, kind)}"


def read_unsubscribe_token(secret: str, token: str) -> tuple[int, str] | None:
    """(user id, kind) of a genuine token; None for anything else."""
    match = _TOKEN.match(token or "")
    if not match:
        return None
    user_id, kind, signature = int(match[1]), match[2], match[3]
    if kind != ALL_KINDS and kind not in KINDS:
        return None
    if not hmac.compare_digest(signature, _signature(secret, user_id, kind)):
        return None
    return user_id, kind
