"""/dashboard (SMS: WEB): a coordinator or representative asks the bot for a one-time login link."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.conversation import Router, Turn
from bot.core.keywords import register_keyword
from bot.dashboard import auth
from bot.dashboard import texts as _texts  # noqa: F401  (registers the dash.* keys)


async def dashboard_command(turn: Turn) -> None:
    """Staff get a link valid 10 minutes, once; residents a polite refusal."""
    if not (await turn.actor()).is_staff:
        turn.say("dash.staff_only")
        return
    if turn.settings.public_url is None:
        turn.say("dash.no_public_url")
        return
    secret = await auth.issue_login_link(
        session=turn.session, urn=turn.inbound.urn, now=datetime.now(UTC)
    )
    turn.say("dash.link", url=auth.login_url(turn.settings, secret))


def register(router: Router) -> None:
    """Attach /dashboard and the SMS keyword WEB."""
    register_keyword("dashboard", "web", "dashboard", "webpanel")
    router.command("dashboard")(dashboard_command)
