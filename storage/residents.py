"""Resident, contact and membership queries, and forgetting a resident everywhere."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import events, redaction, tips
from storage.broadcast_models import TopicPreference
from storage.dashboard_models import DashboardToken
from storage.models import (
    Area,
    Contact,
    Departure,
    FlowState,
    Membership,
    PastMembership,
    Resident,
    Role,
    utcnow,
)

Scrub = Callable[[str], str]


async def get_contact(*, session: AsyncSession, urn: str) -> Contact | None:
    return (await session.exec(select(Contact).where(Contact.urn == urn))).first()


async def get_resident(*, session: AsyncSession, resident_id: int) -> Resident | None:
    return await session.get(Resident, resident_id)


async def create_resident(
    *, session: AsyncSession, urn: str, channel: str, display_name: str | None, language: str
) -> tuple[Resident, Contact]:
    """Record consent: the resident and their first contact address."""
    resident = Resident(display_name=display_name, language=language, consent_at=utcnow())
    session.add(resident)
    await session.flush()
    assert resident.id is not None
    contact = Contact(resident_id=resident.id, urn=urn, channel=channel)
    session.add(contact)
    await session.flush()
    return resident, contact


async def contacts_of(*, session: AsyncSession, resident_id: int) -> list[Contact]:
    query = select(Contact).where(Contact.resident_id == resident_id).order_by(col(Contact.id))
    return list((await session.exec(query)).all())


async def areas_of(*, session: AsyncSession, resident_id: int) -> list[Area]:
    query = (
        select(Area)
        .join(Membership, col(Membership.area_id) == col(Area.id))
        .where(Membership.resident_id == resident_id)
        .order_by(Area.name)
    )
    return list((await session.exec(query)).all())


async def past_areas_of(*, session: AsyncSession, resident_id: int) -> list[tuple[Area, datetime]]:
    """The areas the resident left, with when, most recent first."""
    query = (
        select(Area, PastMembership.left_at)
        .join(PastMembership, col(PastMembership.area_id) == col(Area.id))
        .where(PastMembership.resident_id == resident_id)
        .order_by(col(PastMembership.left_at).desc())
    )
    return [(area, left_at) for area, left_at in (await session.exec(query)).all()]


async def set_areas(*, session: AsyncSession, resident_id: int, area_ids: list[int]) -> None:
    """Make the resident's memberships exactly `area_ids`, keeping join dates of kept ones.

    A membership that ends is kept as a PastMembership, so past months still count it.
    """
    current = {
        m.area_id: m
        for m in (
            await session.exec(select(Membership).where(Membership.resident_id == resident_id))
        ).all()
    }
    wanted = set(area_ids)
    for area_id, membership in current.items():
        if area_id not in wanted:
            session.add(
                PastMembership(
                    resident_id=resident_id, area_id=area_id, joined_at=membership.joined_at
                )
            )
            await session.delete(membership)
    for area_id in wanted - current.keys():
        session.add(Membership(resident_id=resident_id, area_id=area_id))
    await session.flush()


async def set_stopped(*, session: AsyncSession, contact: Contact, stopped: bool) -> None:
    """Opt a contact out of (or back into) every message."""
    if stopped and contact.stopped_at is None:
        contact.stopped_at = utcnow()
        session.add(Departure(kind="stop"))
    elif not stopped:
        contact.stopped_at = None
    session.add(contact)
    await session.flush()


async def set_language(*, session: AsyncSession, resident_id: int, language: str) -> Resident:
    """Remember the language the resident reads."""
    resident = await session.get(Resident, resident_id)
    if resident is None:
        raise LookupError(f"no resident {resident_id}")
    resident.language = language
    session.add(resident)
    await session.flush()
    return resident


@dataclass(frozen=True)
class Forgotten:
    """What a forget left behind, anonymous: tips and observations kept, answers counted."""

    tips: int
    observations: int
    answers_counted: int
    photo_paths: list[str]  # tip photos (relative to MEDIA_DIR) and walk photos, to delete


def scrubber(*, names: Sequence[str], urns: Sequence[str], placeholder: str) -> Scrub:
    """A function replacing the person's name and every form of their addresses in a text."""
    patterns = [re.compile(re.escape(u), re.IGNORECASE) for u in urns]
    for urn in urns:
        scheme, _, path = urn.partition(":")
        digits = re.sub(r"\D", "", path)
        forms = [digits, digits[-8:]] if scheme == "tel" and len(digits) > 8 else [digits]
        for form in filter(None, forms):
            # "+45 20 30 40 50", "20-30-40-50" and "20304050" are one number.
            spaced = r"[\s.-]?".join(re.escape(d) for d in form)
            patterns.append(re.compile(rf"(?<!\d)\+?{spaced}(?!\d)"))
    for name in names:
        whole = name.strip()
        if whole:
            patterns.append(re.compile(rf"(?<!\w){re.escape(whole)}(?!\w)", re.IGNORECASE))
        parts = sorted({p for p in re.split(r"[\s-]+", whole) if len(p) >= 2}, key=len)
        patterns += [re.compile(rf"(?<!\w){re.escape(p)}(?!\w)") for p in reversed(parts)]

    def scrub(text: str) -> str:
        for pattern in patterns:
            text = pattern.sub(placeholder, text)
        return text

    return scrub


async def forget_resident(
    *,
    session: AsyncSession,
    resident_id: int,
    now: datetime | None = None,
    placeholder: str = "[...]",
) -> Forgotten:
    """Delete the resident and every trace that names them or their addresses.

    What they contributed stays as anonymous records: tips (the municipality's case record,
    without photos), walk observations (without photo) and answers to events that have begun
    (as counts). Stored texts lose their name and addresses (`placeholder` instead); queued
    messages to them are dropped, sent ones lose the address. An anonymous tally remains.
    """
    resident = await session.get(Resident, resident_id)
    contacts = await contacts_of(session=session, resident_id=resident_id)
    urns = [c.urn for c in contacts]
    names = [resident.display_name] if resident is not None and resident.display_name else []
    scrub = scrubber(names=names, urns=urns, placeholder=placeholder)
    references, tip_photos = await tips.forget_tipster(
        session=session,
        resident_id=resident_id,
        contact_ids=[c.id for c in contacts if c.id is not None],
        urns=urns,
        scrub=scrub,
    )
    observations = await events.observations_by(session=session, resident_id=resident_id)
    walk_photos = await events.forget_observer(
        session=session, resident_id=resident_id, scrub=scrub
    )
    counted = await events.forget_invitee(
        session=session, resident_id=resident_id, now=now or utcnow()
    )
    await events.forget_organiser(session=session, urns=urns)
    await redaction.forget_addresses(
        session=session, urns=urns, created_by=[f"tip:{r}" for r in references], scrub=scrub
    )
    if urns:
        for table in (FlowState, Role, DashboardToken):
            await session.exec(delete(table).where(col(table.urn).in_(urns)))
    await session.exec(
        delete(TopicPreference).where(col(TopicPreference.resident_id) == resident_id)
    )
    await session.exec(delete(Membership).where(col(Membership.resident_id) == resident_id))
    await session.exec(delete(PastMembership).where(col(PastMembership.resident_id) == resident_id))
    await session.exec(delete(Contact).where(col(Contact.resident_id) == resident_id))
    await session.exec(delete(Resident).where(col(Resident.id) == resident_id))
    session.add(Departure(kind="forget"))
    await session.flush()
    return Forgotten(len(references), len(observations), counted, tip_photos + walk_photos)
