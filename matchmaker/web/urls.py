"""URL helpers."""

from __future__ import annotations


def safe_next(target: str | None) -> str:
    """Only local paths may be redirected to (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
