"""Several clients of one application may start and stop it in any order (no shared state)."""

from __future__ import annotations

import threading

from litestar.testing import TestClient


def test_overlapping_lifespans_of_one_app_close_in_any_order(app):
    outcome: list[str] = []

    def open_and_close_out_of_order() -> None:
        first = TestClient(app=app, base_url="https://testserver.local").__enter__()
        second = TestClient(app=app, base_url="https://testserver.local").__enter__()
        assert first.get("/health").status_code == 200
        assert second.get("/health").status_code == 200
        first.__exit__(None, None, None)  # the first opened closes first: hung with the
        second.__exit__(None, None, None)  # default event emitter of Litestar
        outcome.append("closed")

    worker = threading.Thread(target=open_and_close_out_of_order, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert outcome == ["closed"], "closing the clients hung"
