"""What registration does, for chat, CLI and dashboard alike: plain data in, plain data out."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.area_files import AreaRow
from bot.core.areas import area_at, match_areas
from bot.core.i18n import LANGUAGES
from bot.core.urns import parse_urn
from storage import areas as area_store
from storage import broadcasts, events, residents, roles, stats
from storage import tips as tip_store
from storage.models import Area, Contact, Resident, Role
from storage.stats import AreaCount

ROLES = (roles.COORDINATOR, roles.REPRESENTATIVE)


class RegistrationError(ValueError):
    """Input a registration service refuses; the subclass says why, the caller says it in words."""


class EmptyAreaName(RegistrationError):
    pass


class BadPostcode(RegistrationError):
    """A postcode that is not four digits."""


class UnknownRole(RegistrationError):
    pass


class AreaNeeded(RegistrationError):
    """A representative speaks for an area, so granting one needs it."""


class UnknownArea(RegistrationError):
    pass


@dataclass(frozen=True)
class TipLine:
    reference: str
    created_at: datetime
    status: str


@dataclass(frozen=True)
class AnswerLine:
    """One invitation: the event's title and start, and the answer (invited, yes, no, waiting)."""

    title: str
    starts_at: datetime
    status: str
    share_name: bool


@dataclass(frozen=True)
class MyData:
    """Everything stored about one resident, as /mydata shows it."""

    display_name: str | None
    contacts: list[str]
    areas: list[str]
    language: str
    consent_at: datetime
    stopped: bool
    roles: list[str]
    topics: dict[str, bool] = field(default_factory=dict)
    tips: list[TipLine] = field(default_factory=list)
    answers: list[AnswerLine] = field(default_factory=list)
    observations: dict[str, int] = field(default_factory=dict)  # kind -> how many
    left_areas: list[tuple[str, datetime]] = field(default_factory=list)  # area, when left


@dataclass(frozen=True)
class HelperStats:
    """Neighbour helpers per area this month, and the totals."""

    month: date
    areas: list[AreaCount]
    active: int
    new: int
    stopped: int


@dataclass(frozen=True)
class GrantedRole:
    urn: str
    role: str
    area: str | None


# Joining, areas, stop and deletion.


async def register_helper(
    *, session: AsyncSession, urn: str, channel: str, display_name: str | None, language: str
) -> tuple[Resident, Contact]:
    """Record consent: the resident and this contact address."""
    return await residents.create_resident(
        session=session, urn=urn, channel=channel, display_name=display_name, language=language
    )


async def list_areas(*, session: AsyncSession) -> list[Area]:
    return await area_store.list_areas(session=session)


async def find_areas(*, session: AsyncSession, query: str) -> list[Area]:
    """The areas a typed postcode or name refers to (one on an exact match)."""
    return match_areas(await area_store.list_areas(session=session), query)


async def area_at_location(
    *, session: AsyncSession, latitude: float, longitude: float
) -> Area | None:
    """The smallest area containing the point, if any."""
    return area_at(await area_store.list_areas(session=session), latitude, longitude)


async def areas_of(*, session: AsyncSession, resident_id: int) -> list[Area]:
    """The resident's areas by name."""
    return await residents.areas_of(session=session, resident_id=resident_id)


async def area_ids_of(*, session: AsyncSession, resident_id: int) -> list[int]:
    return [_id(a) for a in await residents.areas_of(session=session, resident_id=resident_id)]


async def set_areas(*, session: AsyncSession, resident_id: int, area_ids: list[int]) -> list[Area]:
    """Make the resident a helper in exactly these areas; return them by name."""
    await residents.set_areas(session=session, resident_id=resident_id, area_ids=area_ids)
    return await residents.areas_of(session=session, resident_id=resident_id)


async def stop(*, session: AsyncSession, urn: str) -> bool:
    """Send this address nothing more; False when it is not registered."""
    return await _set_stopped(session=session, urn=urn, stopped=True)


async def resume(*, session: AsyncSession, urn: str) -> bool:
    """Send to this address again after a stop; False when it is not registered."""
    return await _set_stopped(session=session, urn=urn, stopped=False)


async def _set_stopped(*, session: AsyncSession, urn: str, stopped: bool) -> bool:
    contact = await residents.get_contact(session=session, urn=urn)
    if contact is None:
        return False
    await residents.set_stopped(session=session, contact=contact, stopped=stopped)
    return True


async def forget(
    *,
    session: AsyncSession,
    resident_id: int,
    media_dir: str,
    placeholder: str,
    now: datetime | None = None,
) -> residents.Forgotten:
    """Delete the resident and everything that identifies them, photos they sent included.

    Kept, anonymous: their tips and walk observations (the municipality's case record, with
    their name and addresses replaced by `placeholder`), answers to events already begun as
    counts, and the departure tally.
    """
    gone = await residents.forget_resident(
        session=session, resident_id=resident_id, now=now, placeholder=placeholder
    )
    # Before the commit: should it fail, the person asked for the pictures to go anyway.
    await asyncio.to_thread(_delete_files, media_dir, gone.photo_paths)
    return gone


def _delete_files(media_dir: str, paths: list[str]) -> None:
    for path in paths:
        # Tip photos are stored relative to MEDIA_DIR, walk photos with it.
        (Path(media_dir) / path).unlink(missing_ok=True)


async def set_language(*, session: AsyncSession, resident_id: int, language: str) -> Resident:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    return await residents.set_language(session=session, resident_id=resident_id, language=language)


async def my_data(*, session: AsyncSession, resident: Resident) -> MyData:
    """What is stored about the resident, with the roles of any of their addresses."""
    rid = _id(resident)
    contacts = await residents.contacts_of(session=session, resident_id=rid)
    chosen = await residents.areas_of(session=session, resident_id=rid)
    granted = await roles.roles_of(session=session, urns=[c.urn for c in contacts])
    observed: dict[str, int] = {}
    for row in await events.observations_by(session=session, resident_id=rid):
        observed[row.kind] = observed.get(row.kind, 0) + 1
    return MyData(
        display_name=resident.display_name,
        contacts=[c.urn for c in contacts],
        areas=[a.name for a in chosen],
        language=resident.language,
        consent_at=resident.consent_at,
        stopped=all(c.stopped_at is not None for c in contacts),
        roles=[r.role for r in granted],
        topics=await broadcasts.topic_choices(session=session, resident_id=rid),
        tips=[
            TipLine(t.reference or "-", t.created_at, t.status)
            for t in await tip_store.tips_of(session=session, resident_id=rid)
        ],
        answers=[
            AnswerLine(e.title, e.starts_at, i.status, i.share_name)
            for i, e in await events.answers_of(session=session, resident_id=rid)
        ],
        observations=observed,
        left_areas=[
            (area.name, left_at)
            for area, left_at in await residents.past_areas_of(session=session, resident_id=rid)
        ],
    )


async def helper_stats(*, session: AsyncSession, now: datetime, tz: tzinfo) -> HelperStats:
    """Helpers per area, counting new ones and departures since the local month began."""
    local = now.astimezone(tz)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    counts = await stats.helpers_per_area(session=session, since=month_start)
    active, new, gone = await stats.totals(session=session, since=month_start)
    return HelperStats(month_start.date(), counts, active, new, gone)


# Areas and roles, for staff.


def check_area(name: str, postcode: str | None) -> None:
    """Refuse an empty name or a postcode that is not four digits."""
    if postcode is not None and not (postcode.isdigit() and len(postcode) == 4):
        raise BadPostcode(postcode)
    if not name.strip():
        raise EmptyAreaName(name)


async def add_area(
    *, session: AsyncSession, name: str, postcode: str | None = None, polygon_wkt: str | None = None
) -> Area:
    """Add an area, or update the postcode and polygon of the one with that name."""
    check_area(name, postcode)
    return await area_store.add_area(
        session=session, name=name, postcode=postcode, polygon_wkt=polygon_wkt
    )


async def removal_reach(*, session: AsyncSession, name: str) -> tuple[Area, area_store.AreaReach]:
    """The area by name and what removing it would take away; UnknownArea if none matches."""
    area = await area_store.find_by_name(session=session, name=name)
    if area is None or area.id is None:
        raise UnknownArea(name)
    return area, await area_store.removal_reach(session=session, area_id=area.id)


async def remove_area(*, session: AsyncSession, area_id: int) -> None:
    await area_store.delete_area(session=session, area_id=area_id)


async def import_areas(*, session: AsyncSession, rows: Sequence[AreaRow]) -> int:
    """Add or update every area read from a file; the caller's transaction makes it all or none."""
    for row in rows:
        await add_area(
            session=session, name=row.name, postcode=row.postcode, polygon_wkt=row.polygon_wkt
        )
    return len(rows)


def check_grant(urn: str, role: str, area: str | None) -> str:
    """The normalised URN, or why the grant is refused (InvalidURN or a RegistrationError)."""
    normalised = parse_urn(urn)
    if role not in ROLES:
        raise UnknownRole(role)
    if role == roles.REPRESENTATIVE and not area:
        raise AreaNeeded(role)
    return normalised


async def grant_role(
    *, session: AsyncSession, urn: str, role: str, area: str | None = None
) -> Role:
    """Grant a role to an address; a representative for the named area."""
    normalised = check_grant(urn, role, area)
    area_id = None
    if area:
        found = await area_store.find_by_name(session=session, name=area)
        if found is None:
            raise UnknownArea(area)
        area_id = found.id
    return await roles.grant(session=session, urn=normalised, role=role, area_id=area_id)


async def list_roles(*, session: AsyncSession, role: str | None = None) -> list[GrantedRole]:
    """Every granted role (or those of one kind), with the area's name."""
    granted = await roles.list_roles(session=session, role=role)
    names = {a.id: a.name for a in await area_store.list_areas(session=session)}
    return [
        GrantedRole(r.urn, r.role, names.get(r.area_id) if r.area_id is not None else None)
        for r in granted
    ]


def _id(row: Area | Resident) -> int:
    assert row.id is not None
    return row.id
