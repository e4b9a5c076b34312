"""Concurrent load on the production command: is every request answered, and how fast?

    .venv/bin/python bench/load_bench.py [--database-url URL] [--concurrency 50 200]
                                         [--seconds 10]

Builds the demo portfolio in a database (a temporary SQLite file by default; the given URL's
database is emptied first), starts ``matchmaker run`` in a subprocess on a free port, and for
each concurrency keeps that many requests in flight for ``--seconds`` over a mix of pages, API
and /health, anonymous and signed in. It prints answered / sent, errors, throughput, p50 and
p99. The baseline, measured in the same run at the same concurrency, is a bare Litestar handler
rendering a small Jinja2 template on the same uvicorn (one process each).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PATHS = ["/", "/needs", "/offers", "/health", "/api/needs", "/needs?q=marking", "/proposals"]
SECRET = "load-bench-secret-key-long-enough-0123456789abcdef"

BASELINE_APP = '''
from jinja2 import Environment
from litestar import Litestar, get
from litestar.response import Response

TEMPLATE = Environment(autoescape=True).from_string(
    "<!doctype html><title>{{ title }}</title><ul>{% for i in items %}<li>{{ i }}</li>"
    "{% endfor %}</ul>")

@get("/{path:path}", sync_to_thread=True)
def page(path: str) -> Response:
    return Response(TEMPLATE.render(title=path, items=range(20)), media_type="text/html")

app = Litestar([page])
'''


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(database_url: str) -> None:
    from sqlalchemy import text

    from matchmaker import db
    from matchmaker.demo import build_demo
    from matchmaker.reference.seed import seed_reference

    engine = db.make_engine(database_url)
    if database_url.startswith("postgresql"):
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    db.upgrade(database_url)
    with db.session_scope(engine) as session:
        seed_reference(session)
        build_demo(session, seed=2026)
    engine.dispose()


def start(command: list[str], env: dict[str, str], url: str) -> subprocess.Popen:
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=2).status_code < 500:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"server did not start: {' '.join(command)}")


def sign_in(url: str) -> str:
    from matchmaker.demo import DEMO_PASSWORD
    from tests.helpers import csrf_token

    with httpx.Client(base_url=url) as client:
        page = client.get("/login")
        jar = dict(page.cookies.items())
        answer = client.post(
            "/login", headers={"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())},
            data={"email": "donor.germany@demo.matchmaker.test", "password": DEMO_PASSWORD,
                  "_csrf": csrf_token(page.text)},
        )
        jar.update(answer.cookies.items())
    return "; ".join(f"{k}={v}" for k, v in jar.items())


async def load(url: str, concurrency: int, seconds: float, cookie: str) -> dict:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    timings: list[float] = []
    errors: dict[str, int] = {}
    sent = 0
    stop_at = time.monotonic() + seconds

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        async def user(index: int) -> None:
            nonlocal sent
            n = index
            while time.monotonic() < stop_at:
                path = PATHS[n % len(PATHS)]
                headers = {"Cookie": cookie} if n % 2 else {}
                n += concurrency
                sent += 1
                started = time.perf_counter()
                try:
                    response = await client.get(path, headers=headers)
                    if response.status_code >= 500:
                        errors[str(response.status_code)] = errors.get(
                            str(response.status_code), 0) + 1
                        continue
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    continue
                timings.append(time.perf_counter() - started)

        began = time.monotonic()
        await asyncio.gather(*(user(index) for index in range(concurrency)))
        elapsed = time.monotonic() - began
    timings.sort()
    return {
        "sent": sent, "answered": len(timings), "errors": errors,
        "rps": len(timings) / elapsed,
        "p50": statistics.median(timings) * 1000 if timings else float("nan"),
        "p99": timings[int(len(timings) * 0.99) - 1] * 1000 if timings else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        database_url = args.database_url or f"sqlite:///{folder}/load.sqlite3"
        prepare(database_url)
        ours_port, base_port = free_port(), free_port()
        env = {**os.environ, "MATCHMAKER_DATABASE_URL": database_url,
               "MATCHMAKER_SECRET_KEY": SECRET, "MATCHMAKER_PORT": str(ours_port),
               "MATCHMAKER_MAIL_BACKEND": "outbox"}
        baseline_file = Path(folder) / "baseline_app.py"
        baseline_file.write_text(BASELINE_APP)
        ours_url = f"http://127.0.0.1:{ours_port}"
        base_url = f"http://127.0.0.1:{base_port}"
        servers = [
            start([sys.executable, "-m", "matchmaker.cli", "run"], env, ours_url),
            start([sys.executable, "-m", "uvicorn", "--app-dir", folder, "baseline_app:app",
                   "--port", str(base_port), "--log-level", "warning"], env, base_url),
        ]
        try:
            cookie = sign_in(ours_url)
            database = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
            print(f"matchmaker run on {database}, demo portfolio, {args.seconds:g} s per row")
            print(f"{'server':<10} {'conc.':>5} {'answered':>14} {'5xx/errors':>11} "
                  f"{'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
            for concurrency in args.concurrency:
                rows = {}
                for name, url in (("baseline", base_url), ("matchmaker", ours_url)):
                    rows[name] = row = asyncio.run(load(url, concurrency, args.seconds, cookie))
                    print(f"{name:<10} {concurrency:>5} "
                          f"{row['answered']:>6}/{row['sent']:<7} "
                          f"{sum(row['errors'].values()):>11} {row['rps']:>8.1f} "
                          f"{row['p50']:>8.1f} {row['p99']:>8.1f}  {row['errors'] or ''}")
                ratio = rows["baseline"]["rps"] / max(rows["matchmaker"]["rps"], 1e-9)
                print(f"{'':<10} {concurrency:>5} baseline / matchmaker throughput: "
                      f"{ratio:.1f}x")
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)


if __name__ == "__main__":
    main()
