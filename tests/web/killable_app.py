"""The app for the kill -9 test: with ``MATCHMAKER_TEST_KILL_AFTER_SAVE=1`` the server process
kills itself (SIGKILL) right after the transaction that saved a need has committed, before
any answer leaves: the save is kept, and its client never hears of it.

Run as ``uvicorn --factory tests.web.killable_app:create``; settings come from the environment.
"""

from __future__ import annotations

import os
import signal

from sqlalchemy import event
from sqlalchemy.orm import Session

from matchmaker.app import create_app
from matchmaker.models import Need


def _note_need(session: Session, _context) -> None:
    if any(isinstance(record, Need) for record in session.new):
        session.info["saved_need"] = True


def _die_after_saving(session: Session) -> None:
    if session.info.pop("saved_need", False):
        os.kill(os.getpid(), signal.SIGKILL)


def create():
    if os.environ.get("MATCHMAKER_TEST_KILL_AFTER_SAVE") == "1":
        event.listen(Session, "after_flush", _note_need)
        event.listen(Session, "after_commit", _die_after_saving)
    return create_app()
