"""The leader lease: one row naming the process that dispatches, its epoch and until when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel


class LeaderLease(SQLModel, table=True):
    """Held by `holder` until `expires_at` (the database's clock); `epoch` grows with every new
    holder and fences the outbox rows that holder claims (Delivery.claimed_epoch)."""

    __tablename__ = "leader_lease"

    id: int = Field(default=1, primary_key=True)
    holder: str = Field(default="", max_length=128)
    epoch: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    expires_at: datetime
    # PostgreSQL: the backend serving the holder's lease connection; once it is gone (the holder
    # was killed) followers need not wait for the whole lease to run out.
    backend_pid: int | None = None
