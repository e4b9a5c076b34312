"""The application's event emitter: none, because Matchmaker registers no Litestar listeners.

Litestar's default emitter keeps a task group and a stream on the application object between
the start and the end of a lifespan. When two lifespans of one application overlap (several test
clients, or servers, on the same app), the second overwrites the first's and shutting either
down can wait forever. Audit events are rows written by :mod:`matchmaker.events`, not these.
"""

from __future__ import annotations

from typing import Any

from litestar.events.emitter import BaseEventEmitterBackend


class NoEventEmitter(BaseEventEmitterBackend):
    """Accepts no listeners and keeps no state, so any number of lifespans may overlap."""

    async def __aenter__(self) -> NoEventEmitter:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None

    def emit(self, event_id: str, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"no listener for event {event_id!r}: Matchmaker emits no events")
