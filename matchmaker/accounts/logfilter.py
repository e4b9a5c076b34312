"""Keep password-reset tokens out of the logs (the server's access log records every path)."""

from __future__ import annotations

import logging

from matchmaker.mail.outbox import redact

LOGGERS = ("uvicorn.access", "uvicorn.error", "litestar", "matchmaker")


class RedactSecretLinks(logging.Filter):
    """Replaces the token of any /password/reset/<token> path in a record by a marker."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


_FILTER = RedactSecretLinks()


def install() -> None:
    """Add the filter to the loggers that may see request paths (once each)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
