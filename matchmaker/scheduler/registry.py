"""The scheduled jobs: what runs, how often. Each job is idempotent (running it twice, or in
two workers, changes nothing more than running it once) and returns a sentence for the admin
schedule page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from matchmaker.settings import Settings

JobFunction = Callable[[Engine, Settings, datetime], str]


@dataclass(frozen=True)
class Job:
    name: str  # at most 48 characters: the ScheduledJob primary key
    every: timedelta
    run: JobFunction
    description: str  # a lazy_gettext string: English, translated when the admin page shows it
