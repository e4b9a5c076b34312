"""Settings read from the environment (``MATCHMAKER_*``), built on demand, never at import."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def _default_database_url() -> str:
    return f"sqlite:///{VAR_DIR / 'matchmaker.sqlite3'}"


def _read_int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc


def _read_proxies(raw: str) -> tuple[str, ...]:
    """Addresses or networks (comma-separated) whose X-Forwarded-For headers are believed."""
    proxies = tuple(part.strip() for part in raw.split(",") if part.strip())
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError as exc:
            raise SettingsError(
                f"MATCHMAKER_TRUSTED_PROXIES: {proxy!r} is not an IP address or network"
            ) from exc
    return proxies


def _demo_secret_key() -> str:
    """A secret generated once and kept under var/, so demo sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str = ""
    demo: bool = False
    debug: bool = False
    mail_backend: str = "console"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_security: str = "none"  # "none", "starttls" or "tls" (implicit TLS, port 465)
    mail_from: str = "matchmaker@localhost"
    base_url: str = "http://127.0.0.1:8000"
    run_worker: bool = True
    # Threads that run the sync handlers; the database pool is sized from it (see db.py), so a
    # handler thread never waits for a connection held by a request that waits for a thread.
    threads: int = 32
    trusted_proxies: tuple[str, ...] = ()
    languages: tuple[str, ...] = field(default=("en", "fr", "es", "ar", "ru", "zh"))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def secure_cookies(self) -> bool:
        return not self.demo


def load_settings(env: dict[str, str] | None = None, *, demo: bool | None = None) -> Settings:
    """Build settings from ``env`` (default: the process environment).

    In demo mode a secret key is generated and kept under ``var/``; in production
    ``MATCHMAKER_SECRET_KEY`` is required.
    """
    env = dict(os.environ if env is None else env)
    is_demo = demo if demo is not None else env.get("MATCHMAKER_DEMO", "") in ("1", "true", "yes")
    secret = env.get("MATCHMAKER_SECRET_KEY", "")
    if not secret:
        if not is_demo:
            raise SettingsError(
                "MATCHMAKER_SECRET_KEY is required outside the demo "
                "(set it to a long random string)"
            )
        secret = _demo_secret_key()
    elif len(secret) < 32:
        raise SettingsError("MATCHMAKER_SECRET_KEY must be at least 32 characters long")
    port = _read_int(env, "MATCHMAKER_PORT", 8000)
    if not 0 < port < 65536:
        raise SettingsError(f"MATCHMAKER_PORT must be between 1 and 65535, got {port}")
    host = env.get("MATCHMAKER_HOST", "127.0.0.1")
    threads = _read_int(env, "MATCHMAKER_THREADS", 32)
    if not 1 <= threads <= 512:
        raise SettingsError(f"MATCHMAKER_THREADS must be between 1 and 512, got {threads}")
    mail_backend = env.get("MATCHMAKER_MAIL_BACKEND", "console")
    if mail_backend not in ("console", "smtp", "outbox"):
        raise SettingsError("MATCHMAKER_MAIL_BACKEND must be one of console, smtp, outbox")
    smtp_security = env.get("MATCHMAKER_SMTP_SECURITY", "none")
    if smtp_security not in ("none", "starttls", "tls"):
        raise SettingsError("MATCHMAKER_SMTP_SECURITY must be one of none, starttls, tls")
    return Settings(
        database_url=env.get("MATCHMAKER_DATABASE_URL") or _default_database_url(),
        host=host,
        port=port,
        secret_key=secret,
        demo=is_demo,
        debug=env.get("MATCHMAKER_DEBUG", "") in ("1", "true", "yes"),
        mail_backend=mail_backend,
        smtp_host=env.get("MATCHMAKER_SMTP_HOST", "localhost"),
        smtp_port=_read_int(env, "MATCHMAKER_SMTP_PORT", 25),
        smtp_user=env.get("MATCHMAKER_SMTP_USER", ""),
        smtp_password=env.get("MATCHMAKER_SMTP_PASSWORD", ""),
        smtp_security=smtp_security,
        mail_from=env.get("MATCHMAKER_MAIL_FROM", "matchmaker@localhost"),
        base_url=env.get("MATCHMAKER_BASE_URL", f"http://{host}:{port}"),
        # A solve holds the GIL for its whole length: outside the demo, web processes leave
        # runs to `matchmaker worker` processes unless MATCHMAKER_WORKER=1 says otherwise.
        run_worker=env.get("MATCHMAKER_WORKER", "1" if is_demo else "0") in ("1", "true", "yes"),
        threads=threads,
        trusted_proxies=_read_proxies(env.get("MATCHMAKER_TRUSTED_PROXIES", "")),
    )
