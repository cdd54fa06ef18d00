"""Walkers hear what happened: one message once all of a walk's observations are settled, and one
at the latest deadline if something is still open.

A timed job of the leader. Each message is claimed by a conditional UPDATE of the observations
(told_settled_at / told_open_at IS NULL) and queued through the outbox under a dedupe key in the
same transaction, so it goes exactly once, also when the leader changes mid-run.
"""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

import bot.walks.followup_texts  # noqa: F401  (registers the follow-up texts)
from bot.core.feature import JobContext
from bot.core.i18n import date_text, t, t_channel
from bot.events.outbound import Outgoing, Render, Target, send_grouped
from bot.walks.followup import FIXED, OPEN, WONT_FIX
from storage import events as store
from storage import walks as walk_store
from storage.event_models import Event, Observation

log = logging.getLogger(__name__)

KIND = "walk_followup"
NOTE_CHARS = 80


def _line(o: Observation, number: int, lang: str) -> str:
    status = t(f"walk.status.{o.status}", lang)
    if o.resolution_note:
        status = f"{status} ({o.resolution_note[:NOTE_CHARS]})"
    note = o.note.replace("\n", " ")[:NOTE_CHARS] or "-"
    kind = t(f"walk.kind.{o.kind}", lang)
    return t("walk.notice.line", lang, number=number, kind=kind, note=note, status=status)


def _renderer(
    event: Event, rows: list[Observation], what: Literal["settled", "open"], tz: tzinfo
) -> Render:
    def render(lang: str, channel: str) -> Outgoing:
        shown = rows if what == "settled" else [o for o in rows if o.status == OPEN]
        numbers = {id(o): n for n, o in enumerate(rows, start=1)}
        lines = "\n".join(_line(o, numbers[id(o)], lang) for o in shown)
        text = t_channel(
            f"walk.notice.{what}",
            lang,
            channel,
            title=event.title,
            date=date_text(event.starts_at.astimezone(tz), lang),
            count=len(rows),
            open=sum(o.status == OPEN for o in rows),
            fixed=sum(o.status == FIXED for o in rows),
            wont_fix=sum(o.status == WONT_FIX for o in rows),
            lines=lines,
        )
        return Outgoing(text)

    return render


async def _tell(
    session: AsyncSession,
    event_id: int,
    what: Literal["settled", "open"],
    now: datetime,
    tz: tzinfo,
) -> int:
    """Claim and queue one walk's message; 0 when another run already told them."""
    if not await walk_store.claim_told(session=session, event_id=event_id, what=what, now=now):
        return 0
    event = await store.get_event(session=session, event_id=event_id)
    if event is None:
        return 0
    rows = await walk_store.observations_of(session=session, event_id=event_id)
    targets = [
        Target(urn, channel, lang)
        for urn, channel, lang in await walk_store.walkers(session=session, event_id=event_id)
    ]
    await send_grouped(
        session,
        targets,
        _renderer(event, rows, what, tz),
        kind=KIND,
        key=f"walk-{what}:{event_id}",
        now=now,
        respect_quiet=True,
    )
    log.info("walk %s: %d walkers told (%s)", event_id, len(targets), what)
    return len(targets)


async def tell_walkers(*, session: AsyncSession, now: datetime, tz: tzinfo) -> int:
    """Queue the messages due now; return how many recipients."""
    queued = 0
    for event_id in await walk_store.walks_settled_untold(session=session):
        queued += await _tell(session, event_id, "settled", now, tz)
    today = now.astimezone(tz).date()
    for event_id in await walk_store.walks_past_deadline_untold(session=session, today=today):
        queued += await _tell(session, event_id, "open", now, tz)
    return queued


async def walkers_job(context: JobContext) -> int:
    """The feature's job: one transaction per run."""
    async with context.db.session() as session:
        return await tell_walkers(session=session, now=context.now, tz=context.settings.tz)
