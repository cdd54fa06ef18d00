"""The feature record: what one feature hands the app (chat, CLI, timed jobs, menu, /stats lines)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import typer
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.routing import BaseRoute

from bot.core.messages import Reply
from bot.core.settings import Settings
from storage.db import Database

if TYPE_CHECKING:
    from bot.core.conversation import Router


@dataclass(frozen=True)
class MenuEntry:
    """A command in the menu people see; `position` orders entries across features."""

    command: str
    position: int
    staff: bool = False


@dataclass(frozen=True)
class JobContext:
    """What a timed job gets: explicit time, so tests call jobs directly."""

    db: Database
    settings: Settings
    now: datetime
    report_to_representatives: bool = False


@dataclass(frozen=True)
class Job:
    """A periodic job the scheduler's leader runs; `run` returns how many messages it queued."""

    name: str
    run: Callable[[JobContext], Awaitable[int]]
    every: timedelta
    # Run once as soon as leadership is won (missed reminders go out at start).
    at_start: bool = False


# Web routes a feature serves on the one HTTP server: (database, settings) -> routes.
WebRoutes = Callable[[Database, Settings], Sequence[BaseRoute]]

# Extra lines for a coordinator's /stats: (session, settings, language, now) -> lines.
StatsSection = Callable[[AsyncSession, Settings, str, datetime], Awaitable[list[str]]]


# How a stored broadcast reads when sent: (kind, text, language, area names, button rows) -> reply.
RenderBroadcast = Callable[[str, str, str, list[str] | None, list[list[list[str]]] | None], Reply]


@dataclass(frozen=True)
class OutboxPresenter:
    """How queued broadcasts look when sent and while they go out; the dispatcher asks it."""

    render: RenderBroadcast
    # (language, counts per channel and status, total) -> the live progress line
    progress: Callable[[str, Mapping[str, Mapping[str, int]], int], str]
    # (language, broadcast id, kind, area names, counts, failure reasons) -> the final report
    report: Callable[
        [
            str,
            int,
            str,
            list[str] | None,
            Mapping[str, Mapping[str, int]],
            Mapping[str, Mapping[str, int]],
        ],
        str,
    ]


@dataclass(frozen=True)
class Feature:
    """One feature's contribution; the app holds the only list of them."""

    name: str
    chat: Callable[[Router], None] | None = None
    cli: Callable[[typer.Typer], None] | None = None
    jobs: Sequence[Job] = ()
    menu: Sequence[MenuEntry] = ()
    stats: StatsSection | None = None
    presenter: OutboxPresenter | None = None
    web: WebRoutes | None = None
