"""Dashboard access: one-time login links and browser sessions, stored only as hashes."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models import utcnow


class DashboardToken(SQLModel, table=True):
    """A login link (usable once, minutes) or a session (hours); the secret itself is never stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    kind: str = Field(max_length=16)  # "login" or "session"
    urn: str = Field(index=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
