"""Who is asking: the Actor every service checks before it changes something or shows a person."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.settings import Settings
from storage import access


class NotAllowed(Exception):
    """The actor may not do this; nothing was changed. `key` is the catalog text to answer with."""

    def __init__(self, reason: str = "not allowed", *, key: str = "not_allowed") -> None:
        super().__init__(reason)
        self.key = key


@dataclass(frozen=True)
class Actor:
    """A person (or the operator at the command line) asking a service to do something.

    `urn` is the address asking now, `urns` every address of the person (roles are granted per
    address), `areas` the areas they represent.
    """

    urn: str
    urns: tuple[str, ...] = ()
    resident_id: int | None = None
    coordinator: bool = False
    areas: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_staff(self) -> bool:
        """Coordinators and area representatives."""
        return self.coordinator or bool(self.areas)

    def may_act_in(self, area_ids: Iterable[int] | None) -> bool:
        """Whether the actor may act for all of these areas (None: every area, coordinators only)."""
        if self.coordinator:
            return True
        if area_ids is None:
            return False
        wanted = set(area_ids)
        return bool(wanted) and wanted <= self.areas

    def represents_any(self, area_ids: Iterable[int] | None) -> bool:
        """Whether the actor is a coordinator or represents one of these areas (None: every area)."""
        if self.coordinator:
            return True
        if area_ids is None:
            return bool(self.areas)
        return bool(self.areas & set(area_ids))

    def require(self, allowed: bool, reason: str, *, key: str = "not_allowed") -> None:
        """Raise NotAllowed unless `allowed`."""
        if not allowed:
            raise NotAllowed(f"{self.urn}: {reason}", key=key)


# Whoever runs the command line on the server has the coordinators' rights.
OPERATOR = Actor(urn="cli", urns=("cli",), coordinator=True)


async def actor_for(
    *, session: AsyncSession, settings: Settings, urn: str, resident_id: int | None = None
) -> Actor:
    """The actor behind `urn` (and the resident's other addresses): coordinator, areas, resident."""
    urns = [urn]
    if resident_id is not None:
        urns += [u for u in await access.addresses_of(session=session, resident_id=resident_id)]
    urns = list(dict.fromkeys(urns))
    coordinator, areas = await access.granted_roles(session=session, urns=urns)
    coordinator = coordinator or bool(set(urns) & set(settings.coordinator_urns))
    return Actor(
        urn=urn,
        urns=tuple(urns),
        resident_id=resident_id,
        coordinator=coordinator,
        areas=frozenset(areas),
    )
