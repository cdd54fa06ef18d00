"""Resident, contact and membership queries."""

from __future__ import annotations

from sqlalchemy import String, cast, delete, literal, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.broadcast_models import Delivery
from storage.models import Area, Contact, Departure, Membership, Resident, utcnow
from storage.outbox import OPEN_STATUSES


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


async def set_areas(*, session: AsyncSession, resident_id: int, area_ids: list[int]) -> None:
    """Make the resident's memberships exactly `area_ids`, keeping join dates of kept ones."""
    current = {
        m.area_id: m
        for m in (
            await session.exec(select(Membership).where(Membership.resident_id == resident_id))
        ).all()
    }
    wanted = set(area_ids)
    for area_id, membership in current.items():
        if area_id not in wanted:
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


async def forget_resident(*, session: AsyncSession, resident_id: int) -> None:
    """Delete the resident with every contact and membership; keep only an anonymous tally.

    Messages still queued for their addresses are dropped, and sent ones lose the address.
    """
    urns = [c.urn for c in await contacts_of(session=session, resident_id=resident_id)]
    if urns:
        await session.exec(
            delete(Delivery).where(
                col(Delivery.urn).in_(urns), col(Delivery.status).in_(OPEN_STATUSES)
            )
        )
        await session.exec(
            update(Delivery)
            .where(col(Delivery.urn).in_(urns))
            # Unique per row (a broadcast may have reached two of their addresses).
            .values(urn=literal("forgotten:", String) + cast(Delivery.id, String))
        )
    await session.exec(delete(Membership).where(col(Membership.resident_id) == resident_id))
    await session.exec(delete(Contact).where(col(Contact.resident_id) == resident_id))
    await session.exec(delete(Resident).where(col(Resident.id) == resident_id))
    session.add(Departure(kind="forget"))
    await session.flush()
