"""The notification centre (the header's bell, the list, mark as read) and the preferences.

Every action is a normal form (POST, then a redirect back with a notice) that htmx enhances:
marking one read replaces its item, marking all replaces the list, and each answer tells the
bell to refresh (``HX-Trigger: notifications-changed``).
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.response import Redirect
from sqlmodel import Session

from matchmaker.accounts.guards import login_required
from matchmaker.errors import FormErrors
from matchmaker.models import User
from matchmaker.notifications import reader
from matchmaker.notifications.service import mark_read, unread_count
from matchmaker.notifications.views import CentrePage, NotificationItem, PreferencesPage
from matchmaker.web.bounds import RecordId, record_id
from matchmaker.web.forms import provide_form
from matchmaker.web.render import is_fragment_request, render

CHANGED = {"HX-Trigger": "notifications-changed"}


class NotificationController(Controller):
    path = "/notifications"
    dependencies = {"form": Provide(provide_form)}

    @get("/", name="notifications", guards=[login_required], sync_to_thread=True)
    def centre(self, request: Request, db: Session, before: str = "",
               notice: str = "") -> Response:
        page = CentrePage.build(db, request.state.viewer.user_id, record_id(before), notice)
        return render(request, "notifications/centre.html", None, page)

    @get("/bell", name="notifications:bell", sync_to_thread=True)
    def bell(self, request: Request, db: Session) -> Response:
        viewer = request.state.viewer
        if not viewer.is_authenticated:
            # The header polls; a session that ended meanwhile leaves the page as it is
            # rather than swapping a sign-in page into the header.
            return Response(content="", status_code=204)
        return render(request, "notifications/_bell.html", None,
                      {"unread_notifications": unread_count(db, viewer.user_id)})

    @get("/{notification_id:int}/open", name="notifications:open", guards=[login_required],
         sync_to_thread=True)
    def open_one(self, request: Request, db: Session, notification_id: RecordId) -> Response:
        link = reader.open_notification(db, request.state.viewer.user_id, notification_id)
        db.commit()
        return Redirect(path=link, status_code=303)

    @post("/{notification_id:int}/read", name="notifications:read", guards=[login_required],
          sync_to_thread=True)
    def read(self, request: Request, db: Session, notification_id: RecordId) -> Response:
        user_id = request.state.viewer.user_id
        notification = reader.own_notification(db, user_id, notification_id)
        mark_read(db, user_id, notification.id)
        db.commit()
        if not is_fragment_request(request):
            return Redirect(path="/notifications?notice=read", status_code=303)
        db.refresh(notification)
        return render(request, "notifications/_item.html", None,
                      {"item": NotificationItem.build(notification, "read"),
                       "unread_notifications": unread_count(db, user_id)}, headers=CHANGED)

    @post("/read-all", name="notifications:read-all", guards=[login_required],
          sync_to_thread=True)
    def read_all(self, request: Request, db: Session) -> Response:
        user_id = request.state.viewer.user_id
        changed = mark_read(db, user_id)
        db.commit()
        notice = "all" if changed else "none"
        if not is_fragment_request(request):
            return Redirect(path=f"/notifications?notice={notice}", status_code=303)
        return render(request, "notifications/_list.html", None,
                      CentrePage.build(db, user_id, notice_key=notice, in_place=True),
                      headers=CHANGED)


class PreferencesController(Controller):
    path = "/account/notifications"
    guards = [login_required]
    dependencies = {"form": Provide(provide_form)}

    @get("/", name="account:notifications", sync_to_thread=True)
    def page(self, request: Request, db: Session, notice: str = "") -> Response:
        user = db.get(User, request.state.viewer.user_id)
        return render(request, "notifications/preferences.html", None,
                      PreferencesPage.build(db, user, notice))

    @post("/", name="account:notifications:save", sync_to_thread=True)
    def save(self, request: Request, db: Session, form: FormMultiDict) -> Response:
        user = db.get(User, request.state.viewer.user_id)
        submitted = {key: str(value) for key, value in form.items()}
        try:
            reader.save_preferences(db, user, submitted)
        except FormErrors as refused:
            db.rollback()
            return render(request, "notifications/preferences.html",
                          "notifications/_preferences_form.html",
                          PreferencesPage.build(db, user, submitted=submitted,
                                                errors=refused.errors), status_code=422)
        db.commit()
        if not is_fragment_request(request):
            return Redirect(path="/account/notifications?notice=saved", status_code=303)
        return render(request, "notifications/preferences.html",
                      "notifications/_preferences_form.html",
                      PreferencesPage.build(db, user, "saved", in_place=True))
