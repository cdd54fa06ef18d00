"""Tip queries: create, find, triage transitions, inbox, limits, audit log, reaction-time KPI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from statistics import median

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Area, Contact, utcnow
from storage.tip_models import Tip, TipCategory, TipEvent, TipPhoto

OPEN_STATUSES = ("new", "acknowledged", "forwarded")


def reference_for(tip_id: int, created_at: datetime) -> str:
    return f"T-{created_at.year}-{tip_id:04d}"


async def create_tip(
    *,
    session: AsyncSession,
    channel: str,
    category: str,
    text: str,
    resident_id: int | None,
    contact_id: int | None,
    area_id: int | None,
    latitude: float | None = None,
    longitude: float | None = None,
    urgent: bool = False,
    may_contact: bool = False,
    notify_status: bool = False,
    photo_paths: list[str] | None = None,
    now: datetime | None = None,
) -> Tip:
    """Insert a tip with its reference (from its id, so concurrent tips never collide)."""
    tip = Tip(
        channel=channel,
        category=category,
        text=text,
        resident_id=resident_id,
        contact_id=contact_id,
        area_id=area_id,
        latitude=latitude,
        longitude=longitude,
        urgent=urgent,
        may_contact=may_contact,
        notify_status=notify_status,
        created_at=now or utcnow(),
    )
    session.add(tip)
    await session.flush()
    assert tip.id is not None
    tip.reference = reference_for(tip.id, tip.created_at)
    session.add(tip)
    for path in photo_paths or []:
        session.add(TipPhoto(tip_id=tip.id, path=path))
    await session.flush()
    await log_event(session=session, tip_id=tip.id, actor=f"channel:{channel}", action="created")
    return tip


async def get_tip(*, session: AsyncSession, tip_id: int) -> Tip | None:
    return await session.get(Tip, tip_id)


async def find_by_reference(*, session: AsyncSession, reference: str) -> Tip | None:
    query = select(Tip).where(Tip.reference == reference.strip().upper())
    return (await session.exec(query)).first()


async def photos_of(*, session: AsyncSession, tip_id: int) -> list[TipPhoto]:
    query = select(TipPhoto).where(TipPhoto.tip_id == tip_id).order_by(col(TipPhoto.id))
    return list((await session.exec(query)).all())


async def tipster_contact(*, session: AsyncSession, tip: Tip) -> Contact | None:
    """The address the tip came from, or None after "forget me" or anonymisation."""
    if tip.contact_id is None:
        return None
    return await session.get(Contact, tip.contact_id)


async def tips_in_last_hour(*, session: AsyncSession, resident_id: int, now: datetime) -> int:
    query = select(func.count()).where(
        Tip.resident_id == resident_id, Tip.created_at > now - timedelta(hours=1)
    )
    return int(await session.scalar(query) or 0)


async def log_event(
    *, session: AsyncSession, tip_id: int | None, actor: str, action: str, detail: str | None = None
) -> None:
    assert tip_id is not None
    session.add(TipEvent(tip_id=tip_id, actor=actor, action=action, detail=detail))
    await session.flush()


async def events_of(*, session: AsyncSession, tip_id: int) -> list[TipEvent]:
    query = select(TipEvent).where(TipEvent.tip_id == tip_id).order_by(col(TipEvent.id))
    return list((await session.exec(query)).all())


async def acknowledge(*, session: AsyncSession, tip: Tip, actor: str) -> bool:
    """Mark received; False when it already was (a second coordinator pressed too)."""
    if tip.acknowledged_at is not None:
        return False
    tip.acknowledged_at = utcnow()
    if tip.status == "new":
        tip.status = "acknowledged"
    session.add(tip)
    await log_event(session=session, tip_id=tip.id, actor=actor, action="acknowledged")
    return True


async def forward(*, session: AsyncSession, tip: Tip, actor: str, target: str) -> None:
    now = utcnow()
    tip.acknowledged_at = tip.acknowledged_at or now
    tip.forwarded_at, tip.forwarded_to, tip.status = now, target, "forwarded"
    session.add(tip)
    await log_event(session=session, tip_id=tip.id, actor=actor, action="forwarded", detail=target)


async def resolve(*, session: AsyncSession, tip: Tip, actor: str, note: str | None) -> None:
    now = utcnow()
    tip.acknowledged_at = tip.acknowledged_at or now
    tip.resolved_at, tip.resolution_note, tip.status = now, note, "resolved"
    session.add(tip)
    await log_event(session=session, tip_id=tip.id, actor=actor, action="resolved", detail=note)


async def record_answer(*, session: AsyncSession, tip: Tip, actor: str, answer: str) -> None:
    tip.acknowledged_at = tip.acknowledged_at or utcnow()
    if tip.status == "new":
        tip.status = "acknowledged"
    session.add(tip)
    await log_event(session=session, tip_id=tip.id, actor=actor, action="answered", detail=answer)


async def set_category(*, session: AsyncSession, tip: Tip, category: str, actor: str) -> None:
    """File the tip under another category (the SMS tipster's numbered answer)."""
    tip.category = category
    session.add(tip)
    await log_event(
        session=session, tip_id=tip.id, actor=actor, action="categorised", detail=category
    )


async def keep_for_stats(*, session: AsyncSession, tip: Tip, actor: str) -> None:
    """Keep the tip's text when retention anonymises it."""
    tip.keep_for_stats = True
    session.add(tip)
    await log_event(session=session, tip_id=tip.id, actor=actor, action="kept")


async def list_tips(
    *,
    session: AsyncSession,
    statuses: tuple[str, ...] | None = None,
    area_ids: list[int] | None = None,
    category: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[Tip]:
    """Tips newest first, filtered."""
    query = select(Tip).order_by(col(Tip.created_at).desc(), col(Tip.id).desc())
    if statuses:
        query = query.where(col(Tip.status).in_(statuses))
    if area_ids is not None:
        query = query.where(col(Tip.area_id).in_(area_ids))
    if category:
        query = query.where(Tip.category == category)
    if since is not None:
        query = query.where(Tip.created_at >= since)
    if limit:
        query = query.limit(limit)
    return list((await session.exec(query)).all())


async def area_names(*, session: AsyncSession) -> dict[int, str]:
    return {a.id: a.name for a in (await session.exec(select(Area))).all() if a.id is not None}


@dataclass(frozen=True)
class MonthKpi:
    """One month's reaction times; `month` is its first day in local time."""

    month: date
    tips: int
    acknowledged: int
    median_minutes: float | None


async def reaction_times(*, session: AsyncSession, since: datetime, tz: tzinfo) -> list[MonthKpi]:
    """Per month (local time): tips, acknowledged ones and the median minutes to acknowledgement."""
    query = select(Tip.created_at, Tip.acknowledged_at).where(Tip.created_at >= since)
    created_by_month: dict[date, list[tuple[datetime, datetime | None]]] = {}
    for created, acked in (await session.exec(query)).all():
        local = created.astimezone(tz)
        key = date(local.year, local.month, 1)
        created_by_month.setdefault(key, []).append((created, acked))
    result = []
    for key in sorted(created_by_month):
        pairs = created_by_month[key]
        minutes = [(a - c).total_seconds() / 60 for c, a in pairs if a is not None]
        result.append(MonthKpi(key, len(pairs), len(minutes), median(minutes) if minutes else None))
    return result


async def custom_categories(*, session: AsyncSession) -> list[TipCategory]:
    return list((await session.exec(select(TipCategory).order_by(col(TipCategory.id)))).all())


async def add_category(
    *, session: AsyncSession, key: str, label_da: str, label_en: str
) -> TipCategory:
    row = TipCategory(key=key, label_da=label_da, label_en=label_en)
    session.add(row)
    await session.flush()
    return row


async def expired_tips(*, session: AsyncSession, before: datetime) -> list[Tip]:
    query = select(Tip).where(Tip.created_at < before, col(Tip.anonymised_at).is_(None))
    return list((await session.exec(query)).all())


async def anonymise(*, session: AsyncSession, tip: Tip, now: datetime) -> list[str]:
    """Drop contact, location, photos and (unless kept for statistics) the text; return photo paths."""
    assert tip.id is not None
    photos = await photos_of(session=session, tip_id=tip.id)
    for photo in photos:
        await session.delete(photo)
    tip.resident_id = tip.contact_id = None
    tip.latitude = tip.longitude = None
    tip.may_contact = tip.notify_status = False
    tip.resolution_note = None
    if not tip.keep_for_stats:
        tip.text = ""
    tip.anonymised_at = now
    session.add(tip)
    # Answers in the audit log may quote the tipster: keep who did what, drop the words.
    for event in await events_of(session=session, tip_id=tip.id):
        if event.detail and event.action in ("answered", "resolved"):
            event.detail = None
            session.add(event)
    await session.flush()
    await log_event(session=session, tip_id=tip.id, actor="system", action="anonymised")
    return [p.path for p in photos]


async def tips_of(*, session: AsyncSession, resident_id: int) -> list[Tip]:
    """The resident's own tips, oldest first."""
    query = (
        select(Tip).where(Tip.resident_id == resident_id).order_by(col(Tip.created_at), col(Tip.id))
    )
    return list((await session.exec(query)).all())


FORGOTTEN_ACTOR = "forgotten"


async def forget_tipster(
    *,
    session: AsyncSession,
    resident_id: int,
    contact_ids: list[int],
    urns: list[str],
    scrub: Callable[[str], str],
) -> tuple[list[str], list[str]]:
    """Keep the person's tips as anonymous case records; return (references, photo paths).

    The tips lose every link to them and their permissions to be contacted; their texts, the
    notes and the audit log lose the person's name and addresses; their photos go (the caller
    deletes the files). Where the person handled tips themselves, the log no longer names them.
    """
    mine = [col(Tip.resident_id) == resident_id]
    if contact_ids:
        mine.append(col(Tip.contact_id).in_(contact_ids))
    tips = list((await session.exec(select(Tip).where(or_(*mine)))).all())
    references, photos = [], []
    for tip in tips:
        assert tip.id is not None
        for photo in await photos_of(session=session, tip_id=tip.id):
            photos.append(photo.path)
            await session.delete(photo)
        tip.resident_id = tip.contact_id = None
        tip.may_contact = tip.notify_status = False
        tip.text = scrub(tip.text)
        tip.resolution_note = scrub(tip.resolution_note) if tip.resolution_note else None
        session.add(tip)
        if tip.reference:
            references.append(tip.reference)
    tip_ids = [t.id for t in tips]
    logged: list[ColumnElement[bool]] = [col(TipEvent.tip_id).in_(tip_ids)] if tip_ids else []
    logged += [col(TipEvent.actor).in_(urns)] if urns else []
    logged += [col(TipEvent.detail).contains(u, autoescape=True) for u in urns]
    if logged:
        for event in (await session.exec(select(TipEvent).where(or_(*logged)))).all():
            if event.actor in urns:
                event.actor = FORGOTTEN_ACTOR
            event.detail = scrub(event.detail) if event.detail else event.detail
            session.add(event)
    await session.flush()
    return references, photos
