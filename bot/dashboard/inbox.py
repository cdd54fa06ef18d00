"""The tip inbox: list and filter tips, open one, and triage it as the Telegram buttons do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

import bot.dashboard.page_texts  # noqa: F401  (registers the pages' texts)
from bot.core.actors import Actor, NotAllowed
from bot.core.i18n import t
from bot.core.settings import Settings
from bot.dashboard.auth import Viewer
from bot.dashboard.web import BASE, check_csrf, render, viewer
from bot.tips import handling
from bot.tips.categories import category_choices, category_label
from bot.tips.notices import age, card, coordinates
from storage import areas as area_store
from storage import tips as tip_store
from storage.db import Database
from storage.tip_models import Tip, TipEvent

LIMIT = 200
OPEN, ALL = "open", "all"
STATUSES = ("new", "acknowledged", "forwarded", "resolved")
# What the page says after an action (?done=...): the same messages the chat gives.
DONE = {
    "ack": "tipc.acknowledged",
    "already": "tipc.already_acknowledged",
    "forwarded": "tipc.forwarded",
    "resolved": "tipc.resolved",
    "answered": "tipc.answered",
    "unreachable": "tipc.unreachable",
    "empty": "dash.tip.empty_answer",
}
# Audit-log details shown on the page; "notified" lists the handlers' addresses, so it is not.
SHOWN_DETAILS = ("forwarded", "resolved", "answered", "categorised")


@dataclass(frozen=True)
class Filters:
    """The inbox's filter as chosen in the form ("" for any)."""

    area: int | None
    category: str
    status: str

    def statuses(self) -> tuple[str, ...] | None:
        if self.status == ALL:
            return None
        if self.status == OPEN:
            return tip_store.OPEN_STATUSES
        return (self.status,)


@dataclass(frozen=True)
class Row:
    """One tip in the list."""

    id: int
    reference: str
    created_at: datetime
    age: str
    area: str
    category: str
    status: str
    urgent: bool


@dataclass(frozen=True)
class LogLine:
    at: datetime
    actor: str
    action: str
    detail: str | None


def parse_filters(request: Request) -> Filters:
    """Filters from the query string; anything unknown means "any"."""
    params = request.query_params
    raw_area = params.get("area", "")
    status = params.get("status", OPEN)
    return Filters(
        area=int(raw_area) if raw_area.isdigit() else None,
        category=params.get("category", "")[:32],
        status=status if status in (OPEN, ALL, *STATUSES) else OPEN,
    )


async def list_rows(
    *, session: AsyncSession, filters: Filters, area_ids: list[int] | None, lang: str
) -> list[Row]:
    """The tips the filter picks within the viewer's areas, newest first."""
    scope = [filters.area] if filters.area is not None else area_ids
    found = await tip_store.list_tips(
        session=session,
        statuses=filters.statuses(),
        area_ids=scope,
        category=filters.category or None,
        limit=LIMIT + 1,
    )
    names = await tip_store.area_names(session=session)
    now = datetime.now(UTC)
    rows = []
    for tip in found:
        assert tip.id is not None
        rows.append(
            Row(
                id=tip.id,
                reference=tip.reference or "",
                created_at=tip.created_at,
                age=age(now - tip.created_at, lang),
                area=names.get(tip.area_id, "-") if tip.area_id else "-",
                category=await category_label(session=session, key=tip.category, lang=lang),
                status=t(f"tipstatus.{tip.status}", lang),
                urgent=tip.urgent,
            )
        )
    return rows


def _actor(actor: str) -> str:
    """How a log line names who acted: the channel a tip came in on, or the staff address."""
    if actor.startswith("channel:"):
        return "SMS" if actor == "channel:sms" else "Telegram"
    return actor


def log_lines(events: list[TipEvent], lang: str) -> list[LogLine]:
    return [
        LogLine(
            at=e.at,
            actor=_actor(e.actor),
            action=t(f"dash.tip.log.{e.action}", lang) if e.action in LOG_ACTIONS else e.action,
            detail=e.detail if e.action in SHOWN_DETAILS else None,
        )
        for e in events
    ]


LOG_ACTIONS = (
    "created",
    "notified",
    "viewed",
    "acknowledged",
    "forwarded",
    "resolved",
    "answered",
    "categorised",
    "kept",
    "anonymised",
)


class _Missing(Exception):
    """No such tip (404)."""


async def _tip_for(session: AsyncSession, tip_id: int, *, handled: bool) -> Tip:
    """The tip; `handled` also refuses anonymised tips. Whether the viewer may see or handle it
    is the triage services' check (NotAllowed: 403)."""
    tip = await tip_store.get_tip(session=session, tip_id=tip_id)
    if tip is None or (handled and tip.anonymised_at is not None):
        raise _Missing
    return tip


def _refusal(request: Request, who: Viewer, error: Exception) -> Response:
    missing = isinstance(error, _Missing)
    return render(
        request,
        who,
        "tip.html",
        status_code=404 if missing else 403,
        page="inbox",
        tip=None,
        error=t("dash.not_found" if missing else "dash.forbidden", who.lang),
    )


def _back(tip_id: int, done: str) -> Response:
    return RedirectResponse(f"{BASE}/tips/{tip_id}?done={done}", status_code=303)


def routes(db: Database, settings: Settings) -> list[Route]:
    """GET /tips, GET /tips/N, GET /tips/N/photos/K, POST /tips/N/{ack,forward,resolve,answer}."""

    async def inbox(request: Request) -> Response:
        who = await viewer(request)
        filters = parse_filters(request)
        if filters.area is not None and not who.sees(filters.area):
            return render(
                request,
                who,
                "inbox.html",
                status_code=403,
                page="inbox",
                error=t("dash.forbidden", who.lang),
                filters=filters,
                areas=[],
                categories=[],
                statuses=STATUSES,
                rows=[],
                limit=LIMIT,
            )
        async with db.session() as session:
            rows = await list_rows(
                session=session, filters=filters, area_ids=who.area_ids, lang=who.lang
            )
            areas = [a for a in await area_store.list_areas(session=session) if who.sees(a.id)]
            categories = await category_choices(session=session, lang=who.lang, channel="web")
        return render(
            request,
            who,
            "inbox.html",
            page="inbox",
            error=None,
            filters=filters,
            areas=areas,
            categories=categories,
            statuses=STATUSES,
            rows=rows[:LIMIT],
            truncated=len(rows) > LIMIT,
            limit=LIMIT,
        )

    async def detail(request: Request) -> Response:
        who = await viewer(request)
        tip_id = int(request.path_params["tip_id"])
        done = request.query_params.get("done", "")
        async with db.session() as session:
            try:
                tip = await _tip_for(session, tip_id, handled=False)
                if not done and tip.anonymised_at is None:
                    await handling.view_tip(session=session, tip=tip, actor=who.actor)
                photos = [
                    n
                    for n, _ in await handling.tip_photos(
                        session=session, media_dir=settings.media_dir, tip=tip, actor=who.actor
                    )
                ]
            except (_Missing, NotAllowed) as error:
                return _refusal(request, who, error)
            summary = await card(session, tip, who.lang, "tipc.detail")
            log = log_lines(await tip_store.events_of(session=session, tip_id=tip_id), who.lang)
            area = (await tip_store.area_names(session=session)).get(tip.area_id or -1, "-")
        message = None
        if done in DONE:
            message = t(
                DONE[done], who.lang, reference=tip.reference, target=tip.forwarded_to or "-"
            )
        return render(
            request,
            who,
            "tip.html",
            page="inbox",
            error=None,
            tip=tip,
            area=area,
            message=message,
            summary=summary.split("\n"),
            photos=photos,
            position=coordinates(tip.latitude, tip.longitude)
            if tip.latitude is not None and tip.longitude is not None
            else None,
            targets=handling.forward_targets(settings),
            reachable=tip.contact_id is not None,
            log=log,
        )

    async def photo(request: Request) -> Response:
        who = await viewer(request)
        tip_id, number = int(request.path_params["tip_id"]), int(request.path_params["number"])
        async with db.session() as session:
            try:
                tip = await _tip_for(session, tip_id, handled=True)
                photos = dict(
                    await handling.tip_photos(
                        session=session, media_dir=settings.media_dir, tip=tip, actor=who.actor
                    )
                )
            except _Missing:
                return Response(status_code=404)
            except NotAllowed:
                return Response(status_code=403)
        if number not in photos:
            return Response(status_code=404)
        return Response(photos[number], media_type="image/jpeg")

    async def act(request: Request) -> Response:
        who = await viewer(request)
        await check_csrf(request, who)
        tip_id, action = int(request.path_params["tip_id"]), request.path_params["action"]
        form = await request.form()
        try:
            async with db.session() as session:
                tip = await _tip_for(session, tip_id, handled=True)
                return await _act(session, tip, action, form, who.actor)
        except (_Missing, NotAllowed) as error:
            # The session was rolled back: a refused action leaves nothing behind.
            return _refusal(request, who, error)

    async def _act(
        session: AsyncSession, tip: Tip, action: str, form: FormData, actor: Actor
    ) -> Response:
        """One triage action through the same service the chat buttons use (it checks `actor`)."""
        assert tip.id is not None
        if action == "ack":
            fresh = await handling.acknowledge_tip(session=session, tip=tip, actor=actor)
            return _back(tip.id, "ack" if fresh else "already")
        if action == "forward":
            targets = handling.forward_targets(settings) or ["-"]
            raw = str(form.get("target", ""))
            if not raw.isdigit() or int(raw) >= len(targets):
                return Response(status_code=400)
            await handling.forward_tip(
                session=session, tip=tip, actor=actor, target=targets[int(raw)]
            )
            return _back(tip.id, "forwarded")
        if action == "resolve":
            note = str(form.get("note", "")).strip() or None
            await handling.resolve_tip(session=session, tip=tip, actor=actor, note=note)
            return _back(tip.id, "resolved")
        if action == "answer":
            answer = str(form.get("answer", "")).strip()
            if not answer:
                return _back(tip.id, "empty")
            sent = await handling.answer_tip(session=session, tip=tip, actor=actor, answer=answer)
            return _back(tip.id, "answered" if sent else "unreachable")
        return Response(status_code=404)

    return [
        Route("/tips", inbox, methods=["GET"]),
        Route("/tips/{tip_id:int}", detail, methods=["GET"]),
        Route("/tips/{tip_id:int}/photos/{number:int}", photo, methods=["GET"]),
        Route("/tips/{tip_id:int}/{action:str}", act, methods=["POST"], name="tip_action"),
    ]
