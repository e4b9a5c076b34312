"""Public pages of the bulletin: the archive of periods and one bulletin (also printable)."""

from __future__ import annotations

import re

from litestar import Controller, Request, Response, get
from sqlmodel import Session

from matchmaker.bulletin import services
from matchmaker.bulletin.views import ArchivePage, BulletinPage
from matchmaker.errors import NotFound
from matchmaker.i18n import _
from matchmaker.web.render import render

PERIOD = re.compile(r"\d{4}-\d{2}")


class BulletinController(Controller):
    path = "/bulletin"

    @get("/", name="bulletin:archive", sync_to_thread=True)
    def archive(self, request: Request, db: Session) -> Response:
        return render(request, "bulletin/archive.html", None,
                      ArchivePage.build(services.published(db)))

    @get("/{period:str}", name="bulletin:detail", sync_to_thread=True)
    def detail(self, request: Request, db: Session, period: str) -> Response:
        bulletin = services.find(db, period) if PERIOD.fullmatch(period) else None
        if bulletin is None:
            raise NotFound(_("There is no bulletin for this period."))
        return render(request, "bulletin/detail.html", None, BulletinPage.build(db, bulletin))
