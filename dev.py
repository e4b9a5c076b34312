#!/usr/bin/env python3
"""Developer entry point that needs nothing but Python 3.11+.

    python3 dev.py start   # install on first use, then serve the demo on SQLite
    python3 dev.py test    # install on first use (with test tools), then run the whole suite
    python3 dev.py lint    # ruff
    python3 dev.py i18n    # extract translatable strings and update the catalogues

The virtual environment lives in ``.venv``; it is (re)installed whenever pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
CHROMIUM = Path("/usr/bin/chromium")


def _python() -> str:
    return str(BIN / "python")


def ensure_environment(extras: str = "") -> None:
    """Create .venv and install the project (with ``extras``) unless already up to date."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older Python
        sys.exit("Matchmaker needs Python 3.11 or newer.")
    spec = f".[{extras}]" if extras else "."
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + spec.encode()).hexdigest()
    stamp = VENV / f".installed-{extras or 'app'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    if not (BIN / "python").exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print(f"Installing Matchmaker ({spec}) ...", flush=True)
    subprocess.run(
        [_python(), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-e", spec],
        cwd=ROOT, check=True,
    )
    stamp.write_text(digest)


def ensure_chromium() -> None:
    """Browser tests drive Debian's Chromium; install it where we can (root on Debian)."""
    if CHROMIUM.exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("Installing Debian's chromium for the browser tests ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
    else:
        print("Chromium is not installed at /usr/bin/chromium: browser tests will fail. "
              "Install it with: sudo apt-get install -y chromium", file=sys.stderr)


def update_catalogues() -> int:
    """Extract every marked string into messages.pot and merge it into each language's .po."""
    pybabel = str(BIN / "pybabel")
    locale_dir = ROOT / "matchmaker" / "locale"
    template = locale_dir / "messages.pot"
    locale_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([pybabel, "extract", "-F", "babel.cfg", "-k", "lazy_gettext", "-k", "_",
                    "--no-location", "--sort-output", "--project", "Matchmaker",
                    "-o", str(template), "."], check=True)
    for language in ("fr", "es", "ar", "ru", "zh"):
        catalogue = locale_dir / language / "LC_MESSAGES" / "messages.po"
        action = "update" if catalogue.exists() else "init"
        subprocess.run([pybabel, action, "-i", str(template), "-d", str(locale_dir),
                        "-l", language, *(["--no-fuzzy-matching"] if action == "update" else [])],
                       check=True)
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    os.chdir(ROOT)
    if command == "start":
        ensure_environment()
        return subprocess.call([str(BIN / "matchmaker"), "demo", *rest])
    if command == "test":
        ensure_environment("dev")
        ensure_chromium()
        return subprocess.call([_python(), "-m", "pytest", *rest])
    if command == "lint":
        ensure_environment("dev")
        return subprocess.call([str(BIN / "ruff"), "check", ".", *rest])
    if command == "i18n":
        ensure_environment("dev")
        return update_catalogues()
    print(f"Unknown command {command!r}.\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
