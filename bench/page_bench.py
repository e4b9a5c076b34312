"""Full page loads of the demo portfolio: median of 20 requests per page, over real HTTP.

    .venv/bin/python bench/page_bench.py [--requests 20] [--database-url URL]

Builds the demo portfolio in a fresh database (a temporary SQLite file by default), serves the
app with uvicorn on a free local port, signs in as demo accounts and times complete page loads
(status 200, whole body read). The baseline, measured in the same run, is /health: one tiny
query and a JSON body, i.e. what the server and HTTP alone cost. Ratios are page / baseline.
"""

from __future__ import annotations

import argparse
import logging
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matchmaker import db  # noqa: E402
from matchmaker.app import create_app  # noqa: E402
from matchmaker.demo import DEMO_PASSWORD, build_demo  # noqa: E402
from matchmaker.reference.seed import seed_reference  # noqa: E402
from matchmaker.settings import load_settings  # noqa: E402

PAGES = [
    # (who signs in, path, label)
    (None, "/health", "baseline: /health"),
    (None, "/", "landing page (public)"),
    (None, "/needs", "needs list (public)"),
    (None, "/needs?q=marking&sort=cost_desc", "needs list, search + sort"),
    ("donor.germany@demo.matchmaker.test", "/needs", "needs list (donor)"),
    ("donor.germany@demo.matchmaker.test", "/offers", "offers list (donor)"),
    ("donor.germany@demo.matchmaker.test", "/offers/mine", "my offers (donor)"),
    ("donor.germany@demo.matchmaker.test", "/proposals", "review queue (donor)"),
    ("requester.ghana@demo.matchmaker.test", "/needs/mine", "my needs (requester)"),
    ("requester.ghana@demo.matchmaker.test", "/proposals", "review queue (requester)"),
    ("coordinator@unrec.demo.matchmaker.test", "/proposals", "review queue (coordinator)"),
    ("admin@demo.matchmaker.test", "/proposals", "review queue (admin, all)"),
    ("admin@demo.matchmaker.test", "/runs", "solver page (admin)"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(database_url: str) -> None:
    if database_url.startswith("postgresql"):
        engine = db.make_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    with db.session_scope(engine) as session:
        seed_reference(session)
        build_demo(session)
    engine.dispose()


def signed_in_client(base: str, email: str | None) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    if email:
        token = re.search(r'name="_csrf" value="([^"]+)"', client.get("/login").text).group(1)
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD,
                                               "_csrf": token})
        assert response.status_code in (200, 303), response.text[:300]
    return client


def time_page(client: httpx.Client, path: str, requests: int) -> list[float]:
    client.get(path)  # warm-up: template compilation, caches
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, f"{path}: {response.status_code}"
        timings.append(elapsed * 1000)
    return timings


def main() -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="mm-page-bench-")
    database_url = args.database_url or f"sqlite:///{workdir}/bench.sqlite3"
    prepare(database_url)
    port = free_port()
    settings = load_settings(
        {"MATCHMAKER_DATABASE_URL": database_url, "MATCHMAKER_SECRET_KEY": "b" * 40,
         "MATCHMAKER_WORKER": "0", "MATCHMAKER_MAIL_BACKEND": "outbox",
         "MATCHMAKER_PORT": str(port)},
        demo=True,
    )
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    clients: dict[str | None, httpx.Client] = {}
    print(f"database: {database_url.split('@')[-1]}, {args.requests} requests per page")
    print(f"{'page':<34} {'median ms':>10} {'p90 ms':>8} {'KiB':>6} {'x baseline':>11}")
    baseline = None
    for email, path, label in PAGES:
        client = clients.setdefault(email, signed_in_client(base, email))
        timings = time_page(client, path, args.requests)
        median = statistics.median(timings)
        p90 = sorted(timings)[int(0.9 * (len(timings) - 1))]
        size = len(client.get(path).content) / 1024
        baseline = baseline or median
        print(f"{label:<34} {median:>10.1f} {p90:>8.1f} {size:>6.0f} {median / baseline:>11.1f}")
    server.should_exit = True
    thread.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
