"""The only list of features: the app, the CLI and the scheduler take everything from here."""

from __future__ import annotations

from bot.broadcasts.feature import FEATURE as BROADCASTS
from bot.core.feature import Feature, Job, OutboxPresenter
from bot.dashboard.feature import FEATURE as DASHBOARD
from bot.events.feature import FEATURE as EVENTS
from bot.registration.feature import FEATURE as REGISTRATION
from bot.reports.feature import FEATURE as REPORTS
from bot.tips.feature import FEATURE as TIPS
from bot.walks.feature import FEATURE as WALKS

FEATURES: tuple[Feature, ...] = (
    REGISTRATION,
    EVENTS,
    WALKS,
    BROADCASTS,
    TIPS,
    REPORTS,
    DASHBOARD,
)


def jobs() -> list[Job]:
    return [job for feature in FEATURES for job in feature.jobs]


def presenter() -> OutboxPresenter:
    """The one presenter for queued broadcasts (the broadcasts feature's)."""
    found = [f.presenter for f in FEATURES if f.presenter is not None]
    if len(found) != 1:
        raise RuntimeError(f"exactly one feature must present broadcasts, found {len(found)}")
    return found[0]
