"""The composer: kind, areas, priority and text -> preview of both channels -> send -> progress."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from dataclasses import dataclass, field

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

import bot.dashboard.page_texts  # noqa: F401  (registers the pages' texts)
from bot.broadcasts import services
from bot.broadcasts.render import progress_text, report_text, summary, warning_texts
from bot.core.i18n import t
from bot.core.quiet import has_quiet_hours
from bot.core.settings import Settings
from bot.dashboard.auth import Viewer
from bot.dashboard.web import BASE, check_csrf, render, viewer
from storage import outbox
from storage.db import Database
from storage.models import Area

MAX_TEXT = 2000
ALL_AREAS = "all"
# The preview's Send form carries a one-time value; the broadcast is queued under a dedupe key
# derived from it, so a double click (or a reload of the POST) finds the broadcast already queued.
ONCE = "once"
ONCE_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass
class Draft:
    """What the form holds; `errors` are catalog keys shown above the form."""

    kind: str = "alert"
    area_ids: list[int] | None = field(default_factory=list)  # None: every area
    priority: int = outbox.NORMAL
    text: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def all_areas(self) -> bool:
        return self.area_ids is None

    def chosen(self, area_id: int | None) -> bool:
        return self.area_ids is None or area_id in self.area_ids


def read_draft(form: FormData, allowed: list[int] | None) -> Draft:
    """The form's fields, checked: a known kind, at least one area, a text of sensible length."""
    draft = Draft()
    kind = str(form.get("kind", ""))
    if kind in services.KINDS:
        draft.kind = kind
    else:
        draft.errors.append("dash.compose.kind")
    if form.get("areas") == ALL_AREAS or ALL_AREAS in form.getlist("area"):
        draft.area_ids = None if allowed is None else list(allowed)
    else:
        draft.area_ids = sorted(
            {int(raw) for raw in form.getlist("area") if isinstance(raw, str) and raw.isdigit()}
        )
    if draft.area_ids == []:
        draft.errors.append("pick_at_least_one")
    raw_priority = str(form.get("priority", ""))
    if draft.kind == "alert" and raw_priority == str(outbox.URGENT):
        draft.priority = outbox.URGENT
    draft.text = str(form.get("text", "")).strip()
    if not draft.text:
        draft.errors.append("bc.empty_text")
    elif len(draft.text) > MAX_TEXT:
        draft.errors.append("dash.compose.too_long")
    return draft


def hidden_fields(draft: Draft) -> list[tuple[str, str]]:
    """The draft as hidden form fields, so Send and Edit carry exactly what was previewed."""
    fields = [("kind", draft.kind), ("priority", str(draft.priority)), ("text", draft.text)]
    if draft.area_ids is None:
        fields.append(("area", ALL_AREAS))
    else:
        fields += [("area", str(a)) for a in draft.area_ids]
    return fields


def _allowed(who: Viewer) -> list[int] | None:
    """Where the viewer may send: the broadcasts service's answer for their Actor."""
    return services.allowed_areas(who.actor)


def new_once() -> str:
    return secrets.token_urlsafe(18)


def send_key(who: Viewer, once: object) -> str | None:
    """The dedupe key for one preview's Send form (per viewer, so nobody else's form collides);
    None when the form carries no well-formed one-time value."""
    if not isinstance(once, str) or not ONCE_SHAPE.fullmatch(once):
        return None
    return "dash:" + hashlib.sha256(f"{who.urn}\n{once}".encode()).hexdigest()[:48]


def may_watch(who: Viewer, created_by: str, area_ids: list[int] | None) -> bool:
    """Coordinators follow every broadcast; representatives their own and their areas' ones."""
    if who.area_ids is None or created_by == who.urn:
        return True
    return area_ids is not None and set(area_ids) <= set(who.area_ids)


def routes(db: Database, settings: Settings) -> list[Route]:
    """GET/POST /compose, POST /compose/preview and /compose/send, GET /compose/N[/status]."""

    def form_page(
        request: Request,
        who: Viewer,
        draft: Draft,
        areas: list[Area],
        allowed: list[int] | None,
        status_code: int = 200,
    ) -> Response:
        return render(
            request,
            who,
            "composer.html",
            status_code=status_code,
            page="composer",
            draft=draft,
            areas=areas,
            may_pick_all=allowed is None,
            nothing_allowed=allowed == [],
            kinds=services.KINDS,
            urgent=outbox.URGENT,
            normal=outbox.NORMAL,
            max_text=MAX_TEXT,
        )

    async def compose(request: Request) -> Response:
        """A blank form (GET), or the previewed draft back in the form to edit (POST)."""
        who = await viewer(request)
        async with db.session() as session:
            allowed = _allowed(who)
            areas = await services.pickable_areas(session=session, allowed=allowed)
            if request.method == "POST":
                await check_csrf(request, who)
                draft = read_draft(await request.form(), allowed)
                draft.errors = []
            else:
                draft = Draft()
        return form_page(request, who, draft, areas, allowed)

    async def preview(request: Request) -> Response:
        who = await viewer(request)
        await check_csrf(request, who)
        async with db.session() as session:
            allowed = _allowed(who)
            draft = read_draft(await request.form(), allowed)
            areas = await services.pickable_areas(session=session, allowed=allowed)
            if not draft.errors and not services.may_send(allowed, draft.area_ids):
                draft.errors.append("dash.forbidden")
                return form_page(request, who, draft, areas, allowed, 403)
            if draft.errors:
                return form_page(request, who, draft, areas, allowed, 400)
            shown = await services.preview(
                session=session,
                kind=draft.kind,
                text=draft.text,
                area_ids=draft.area_ids,
                lang=who.lang,
            )
        return render(
            request,
            who,
            "compose_preview.html",
            page="composer",
            draft=draft,
            preview=shown,
            kind_name=t(f"dash.compose.kind.{draft.kind}", who.lang),
            areas_text=", ".join(shown.area_names or []) or t("bc.all_areas", who.lang),
            summary=summary(shown.recipients, shown.sms_segments, shown.sms_cost, who.lang).split(
                "\n"
            ),
            warnings=warning_texts(shown.warnings, who.lang),
            quiet=t("bc.warn.quiet", who.lang, quiet=settings.quiet_hours)
            if shown.respects_quiet and has_quiet_hours(settings.quiet_hours)
            else None,
            fields=hidden_fields(draft),
            once=new_once(),
            nobody=shown.total == 0,
        )

    # One send at a time in this process: the second click of a double click waits until the
    # first one's broadcast is committed, then finds it by its dedupe key.
    sending = asyncio.Lock()

    async def send(request: Request) -> Response:
        who = await viewer(request)
        await check_csrf(request, who)
        form = await request.form()
        allowed = _allowed(who)
        draft = read_draft(form, allowed)
        key = send_key(who, form.get(ONCE))
        if key is None:
            draft.errors.append("dash.compose.stale")
        async with sending, db.session() as session:
            areas = await services.pickable_areas(session=session, allowed=allowed)
            if draft.errors or key is None:
                return form_page(request, who, draft, areas, allowed, 400)
            try:
                sent = await services.queue_broadcast(
                    session=session,
                    actor=who.actor,
                    kind=draft.kind,
                    text=draft.text,
                    area_ids=draft.area_ids,
                    priority=draft.priority,
                    require_recipients=True,
                    dedupe_key=key,
                )
            except services.NotAllowed:
                draft.errors.append("dash.forbidden")
                return form_page(request, who, draft, areas, allowed, 403)
            except services.NoRecipients:
                draft.errors.append("bc.no_recipients")
                return form_page(request, who, draft, areas, allowed, 400)
        return RedirectResponse(f"{BASE}/compose/{sent.id}", status_code=303)

    async def _status(request: Request, who: Viewer) -> services.BroadcastStatus | Response:
        broadcast_id = int(request.path_params["broadcast_id"])
        async with db.session() as session:
            found = await services.broadcast_status(
                session=session, broadcast_id=broadcast_id, with_reasons=True
            )
        if found is None or found.broadcast.kind not in services.KINDS:
            return Response(status_code=404)
        if not may_watch(who, found.broadcast.created_by, found.broadcast.area_ids):
            return Response(status_code=403)
        return found

    def _texts(found: services.BroadcastStatus, lang: str) -> tuple[str, str | None]:
        row = found.broadcast
        progress = progress_text(lang, found.counts, row.total)
        report = (
            report_text(lang, found.id, row.kind, found.area_names, found.counts, found.reasons)
            if found.finished
            else None
        )
        return progress, report

    async def progress(request: Request) -> Response:
        who = await viewer(request)
        found = await _status(request, who)
        if isinstance(found, Response):
            return found
        line, report = _texts(found, who.lang)
        return render(
            request,
            who,
            "progress.html",
            page="composer",
            status=found,
            kind_name=t(f"dash.compose.kind.{found.broadcast.kind}", who.lang),
            areas_text=", ".join(found.area_names or []) or t("bc.all_areas", who.lang),
            progress=line,
            report=report.split("\n") if report else None,
        )

    async def status(request: Request) -> Response:
        """The live numbers progress.js polls."""
        who = await viewer(request)
        found = await _status(request, who)
        if isinstance(found, Response):
            return found
        line, report = _texts(found, who.lang)
        return JSONResponse(
            {
                "id": found.id,
                "finished": found.finished,
                "total": found.broadcast.total,
                "counts": found.counts,
                "progress": line,
                "report": report,
            }
        )

    return [
        Route("/compose", compose, methods=["GET", "POST"]),
        Route("/compose/preview", preview, methods=["POST"]),
        Route("/compose/send", send, methods=["POST"]),
        Route("/compose/{broadcast_id:int}", progress, methods=["GET"]),
        Route("/compose/{broadcast_id:int}/status", status, methods=["GET"]),
    ]
