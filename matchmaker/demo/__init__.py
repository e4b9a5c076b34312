"""A realistic, deterministic demo portfolio for Matchmaker.

``build_demo(session, seed=2026, today=None)`` writes demo organisations and accounts
(``DEMO_ACCOUNTS``, password ``DEMO_PASSWORD``), needs of requesting States, donors' offers,
two earlier solver runs with proposals in every state, audit events and message threads, into
a database that holds the reference data and nothing else. Same seed and day, same portfolio.

Modules: ``catalogue`` (the files of ``seeds/demo/``), ``people``, ``needs``, ``offers``,
``matching`` (compatible pairs scored by the solver's own code), ``proposals``, ``threads``
and ``build``.
"""

from matchmaker.demo.build import DemoReport, build_demo, ensure_empty_portfolio
from matchmaker.demo.context import DemoError
from matchmaker.demo.people import (
    DEMO_ACCOUNTS,
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    DemoAccount,
    focal_point_email,
)

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_EMAIL_DOMAIN",
    "DEMO_PASSWORD",
    "DemoAccount",
    "DemoError",
    "DemoReport",
    "build_demo",
    "ensure_empty_portfolio",
    "focal_point_email",
]
