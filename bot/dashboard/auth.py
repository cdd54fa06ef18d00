"""Dashboard access services: one-time login links, browser sessions, who may see what.

Only sha256 hashes of the secrets are stored, so a copy of the database opens no dashboard.
The CSRF token is an HMAC of the session secret: forms carry it, nothing extra is stored, and a
page on another site cannot compute it because it cannot read the HttpOnly cookie.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.actors import Actor, actor_for
from bot.core.settings import Settings
from storage import dashboard as store
from storage import residents

LOGIN_VALID = timedelta(minutes=10)
SESSION_VALID = timedelta(hours=8)
_CSRF_KEY = b"nabovagt dashboard csrf v1"


class Refusal(enum.Enum):
    """Why a login link did not open the dashboard."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    NOT_STAFF = "not_staff"


@dataclass(frozen=True)
class Viewer:
    """Who is looking at the dashboard, in which language, and as which Actor.

    The Actor is built once per request and handed to every service the page calls, so the
    dashboard refuses exactly what the services refuse (representatives: their areas only).
    """

    actor: Actor
    lang: str
    csrf: str

    @property
    def urn(self) -> str:
        return self.actor.urn

    @property
    def is_coordinator(self) -> bool:
        return self.actor.coordinator

    @property
    def area_ids(self) -> list[int] | None:
        """None: every area (coordinators); else the represented areas."""
        return None if self.actor.coordinator else sorted(self.actor.areas)

    def sees(self, area_id: int | None) -> bool:
        """Whether an area's data (or area-less data, for coordinators only) is visible."""
        return self.actor.coordinator or (area_id is not None and area_id in self.actor.areas)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def csrf_token(session_secret: str) -> str:
    return hmac.new(_CSRF_KEY, session_secret.encode(), hashlib.sha256).hexdigest()


def csrf_ok(session_secret: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(csrf_token(session_secret), given)


async def staff_actor(*, session: AsyncSession, settings: Settings, urn: str) -> Actor | None:
    """The Actor behind `urn` (with the resident's other addresses: a coordinator by Telegram is
    one by SMS too) when they are a coordinator or representative; None for everybody else."""
    contact = await residents.get_contact(session=session, urn=urn)
    actor = await actor_for(
        session=session,
        settings=settings,
        urn=urn,
        resident_id=contact.resident_id if contact is not None else None,
    )
    return actor if actor.is_staff else None


async def issue_login_link(*, session: AsyncSession, urn: str, now: datetime) -> str:
    """A fresh one-time login secret for `urn` (the caller checked the role); only its hash stays."""
    secret = secrets.token_urlsafe(32)
    await store.add_token(
        session=session,
        token_hash=digest(secret),
        kind=store.LOGIN,
        urn=urn,
        expires_at=now + LOGIN_VALID,
    )
    return secret


def login_url(settings: Settings, secret: str) -> str | None:
    """{PUBLIC_URL}/dashboard/login?token=…, or None when PUBLIC_URL is not configured."""
    if settings.public_url is None:
        return None
    return f"{settings.public_url}/dashboard/login?token={secret}"


def dashboard_url(settings: Settings) -> str | None:
    return None if settings.public_url is None else f"{settings.public_url}/dashboard/"


async def redeem_login(
    *, session: AsyncSession, settings: Settings, secret: str, now: datetime
) -> str | Refusal:
    """Use a login link once: a new session secret, or why not."""
    token = await store.find_token(session=session, token_hash=digest(secret), kind=store.LOGIN)
    if token is None:
        return Refusal.UNKNOWN
    if token.used_at is not None:
        return Refusal.USED
    if token.expires_at <= now:
        return Refusal.EXPIRED
    assert token.id is not None
    if not await store.use_token(session=session, token_id=token.id, now=now):
        return Refusal.USED  # a second tab opened the same link a moment earlier
    if await staff_actor(session=session, settings=settings, urn=token.urn) is None:
        return Refusal.NOT_STAFF  # the role was taken away after the link was sent
    await store.drop_expired(session=session, now=now)
    session_secret = secrets.token_urlsafe(32)
    await store.add_token(
        session=session,
        token_hash=digest(session_secret),
        kind=store.SESSION,
        urn=token.urn,
        expires_at=now + SESSION_VALID,
    )
    return session_secret


async def session_urn(*, session: AsyncSession, secret: str, now: datetime) -> str | None:
    """The address a live session belongs to; None when unknown, ended or expired."""
    token = await store.find_token(session=session, token_hash=digest(secret), kind=store.SESSION)
    if token is None or token.used_at is not None or token.expires_at <= now:
        return None
    return token.urn


async def viewer_for_session(
    *, session: AsyncSession, settings: Settings, secret: str, now: datetime
) -> Viewer | Refusal | None:
    """The viewer behind a session cookie; None when not logged in, NOT_STAFF when no longer staff.

    Roles are checked on every request, so taking a role away closes the dashboard at once.
    """
    urn = await session_urn(session=session, secret=secret, now=now)
    if urn is None:
        return None
    actor = await staff_actor(session=session, settings=settings, urn=urn)
    if actor is None:
        return Refusal.NOT_STAFF
    lang = await store.language_of(session=session, urn=urn) or settings.default_language
    return Viewer(actor, lang, csrf_token(secret))


async def end_session(*, session: AsyncSession, secret: str, now: datetime) -> bool:
    """Log out: the session stops working (marked used, dropped with the expired ones later)."""
    token = await store.find_token(session=session, token_hash=digest(secret), kind=store.SESSION)
    if token is None or token.id is None:
        return False
    return await store.use_token(session=session, token_id=token.id, now=now)
