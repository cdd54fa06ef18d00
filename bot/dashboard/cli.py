"""`nabovagt dashboard-link URN`: an operator prints a one-time dashboard login link."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.core.cli import fail, with_db
from bot.core.settings import Settings
from bot.core.urns import InvalidURN, parse_urn
from bot.dashboard import auth
from storage.db import Database


def dashboard_link(
    urn: Annotated[str, typer.Argument(help="The staff member's address, e.g. telegram:9001.")],
) -> None:
    """Print a login link for a coordinator or representative (valid 10 minutes, once)."""
    try:
        address = parse_urn(urn)
    except InvalidURN as exc:
        raise fail(str(exc)) from None

    async def work(db: Database, settings: Settings) -> str:
        async with db.session() as session:
            if await auth.staff_actor(session=session, settings=settings, urn=address) is None:
                raise fail(f"{address} is neither a coordinator nor a representative", code=1)
            secret = await auth.issue_login_link(
                session=session, urn=address, now=datetime.now(UTC)
            )
        url = auth.login_url(settings, secret)
        if url is None:
            # Without PUBLIC_URL the server is only known by its local address.
            typer.echo("nabovagt: PUBLIC_URL is not set; using the local address", err=True)
            url = f"http://{settings.http_host}:{settings.http_port}/dashboard/login?token={secret}"
        return url

    typer.echo(with_db(work))


def attach_cli(root: typer.Typer) -> None:
    root.command("dashboard-link")(dashboard_link)
