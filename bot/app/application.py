"""Wiring: settings, database, conversation, transports and the HTTP server in one process."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from bot.app import features
from bot.app.metrics import metrics_routes
from bot.app.web import WebServer, build_web_app
from bot.core.areas import seed_fureso_if_empty
from bot.core.conversation import Conversation, Router, queue_replies
from bot.core.menu import menus
from bot.core.messages import Reply
from bot.core.settings import Settings
from bot.core.urns import urn_path, urn_scheme
from bot.handlers.base import Transport
from bot.handlers.sms import SmsTransport
from bot.handlers.spool import Replayer, Spool, SpoolReplayer
from bot.handlers.telegram import TelegramTransport
from bot.scheduler.service import SchedulerService
from storage import inbound, outbox, roles
from storage.db import Database, DatabaseUnavailable, is_unavailable
from storage.models import utcnow

log = logging.getLogger(__name__)

# Providers stop retrying within a day; idempotency keys are kept a week, then pruned.
SEEN_RETENTION = timedelta(days=7)


def build_router() -> Router:
    """Every feature registers its commands, buttons, states, menu entries and /stats lines."""
    router = Router()
    for feature in features.FEATURES:
        router.add_feature(feature)
    return router


class NabovagtApp:
    """One running Nabovagt: the same object serves `run`, `demo` and the tests."""

    def __init__(
        self,
        settings: Settings,
        db: Database | None = None,
        *,
        report_to_representatives: bool = False,
    ) -> None:
        self.report_to_representatives = report_to_representatives
        self.settings = settings
        self.db = db or Database(settings.database_url, timeout=settings.db_timeout)
        self.conversation = Conversation(self.db, settings, build_router())
        self.transports: list[Transport] = []
        self.web: WebServer | None = None
        self.scheduler: SchedulerService | None = None
        # Inbound events that arrive while the database is away wait here, replayed by every
        # instance (not only the leader): the events are this instance's own.
        self.spool = Spool(settings.spool_dir)
        self.replayer: SpoolReplayer | None = None

    async def staff_telegram_ids(self) -> list[int]:
        """Telegram chats of coordinators and area representatives, who get the longer menu."""
        async with self.db.session() as session:
            granted = await roles.list_roles(session=session)
        urns = {r.urn for r in granted} | set(self.settings.coordinator_urns)
        return sorted(int(urn_path(u)) for u in urns if urn_scheme(u) == "telegram")

    async def start(self) -> None:
        await self.db.upgrade()
        try:
            async with self.db.session() as session:
                if added := await seed_fureso_if_empty(session):
                    log.info("no areas yet: preloaded %d Furesø areas", added)
        except IntegrityError:
            # Several instances started on an empty database at once: another one seeded them.
            log.info("the Furesø areas were preloaded by another instance")
        if self.settings.telegram_token is not None:
            webhook = self.settings.telegram_mode == "webhook"
            secret = self.settings.telegram_webhook_secret
            self.transports.append(
                TelegramTransport(
                    token=self.settings.telegram_token.get_secret_value(),
                    api_url=self.settings.telegram_api_url,
                    sink=self.conversation.handle,
                    menus=menus(self.conversation.router),
                    staff_ids=await self.staff_telegram_ids(),
                    deliver_later=self.deliver_later,
                    replay_sink=self.conversation.handle_and_queue,
                    mode=self.settings.telegram_mode,
                    public_url=self.settings.public_url,
                    webhook_secret=secret.get_secret_value() if secret else None,
                    # A webhook answers 503 and Telegram keeps the update; polling spools it.
                    spool=None if webhook else self.spool,
                    language=self.settings.default_language,
                )
            )
        if self.settings.sms_enabled:
            assert self.settings.twilio_auth_token and self.settings.twilio_from
            self.transports.append(
                SmsTransport(
                    account_sid=self.settings.twilio_account_sid or "",
                    auth_token=self.settings.twilio_auth_token.get_secret_value(),
                    sender=self.settings.twilio_from,
                    api_url=self.settings.twilio_api_url,
                    public_url=self.settings.public_url,
                    sink=self.conversation.handle,
                    on_status=self.record_sms_status,
                    deliver_later=self.deliver_later,
                    replay_sink=self.conversation.handle_and_queue,
                    spool=self.spool,
                    language=self.settings.default_language,
                )
            )
        routes = [route for transport in self.transports for route in transport.routes()]
        routes += metrics_routes(self.db, self.settings)
        for feature in features.FEATURES:
            if feature.web is not None:
                routes += feature.web(self.db, self.settings)
        self.web = WebServer(
            build_web_app(self.db, routes, is_leader=self.is_leader),
            self.settings.http_host,
            self.settings.http_port,
        )
        await self.web.start()
        for transport in self.transports:
            await transport.start()
        replayers: dict[str, Replayer] = {}
        for transport in self.transports:
            if isinstance(transport, SmsTransport | TelegramTransport):
                replayers[transport.channel] = transport.replay
        self.replayer = SpoolReplayer(
            self.spool, replayers, healthy=self.db.ping, hourly=self.prune_seen
        )
        await self.replayer.start()
        # Only the elected leader among running processes dispatches the outbox (and long-polls).
        self.scheduler = SchedulerService(
            self.db,
            self.settings,
            {t.channel: t for t in self.transports},
            features.presenter(),
            features.jobs(),
            report_to_representatives=self.report_to_representatives,
            on_change=self.leadership_changed,
        )
        await self.scheduler.start()
        log.info(
            "nabovagt running: http on port %s, channels %s",
            self.web.port,
            [t.channel for t in self.transports],
        )

    async def leadership_changed(self, leading: bool) -> None:
        """Telegram long polling runs in the leader only (webhook mode serves every instance)."""
        for transport in self.transports:
            if isinstance(transport, TelegramTransport):
                await transport.lead(leading)

    async def record_sms_status(self, sid: str, status: str, error_code: str | None) -> None:
        """A delivery report from the SMS provider, stored on the outbox row it belongs to.

        Once per (message, status), however often Twilio sends it; DatabaseUnavailable when the
        database cannot take it now (the transport keeps it in the spool).
        """

        async def record() -> None:
            async with self.db.session() as session:
                if not await inbound.first_time(
                    session=session, key=f"twilio:status:{sid}:{status}"
                ):
                    return
                await outbox.record_provider_status(
                    session=session, provider_id=sid, status=status, error_code=error_code
                )

        try:
            await asyncio.wait_for(record(), self.settings.db_timeout * 2)
        except Exception as exc:
            if is_unavailable(exc):
                raise DatabaseUnavailable(str(exc) or type(exc).__name__) from exc
            raise

    async def prune_seen(self) -> None:
        """Forget idempotency keys older than SEEN_RETENTION (hourly, on every instance)."""
        async with self.db.session() as session:
            pruned = await inbound.prune_seen(session=session, before=utcnow() - SEEN_RETENTION)
        if pruned:
            log.info("pruned %d inbound idempotency keys older than %s", pruned, SEEN_RETENTION)

    async def deliver_later(self, urn: str, replies: list[Reply]) -> None:
        """Replies that missed the webhook's deadline go out through the outbox."""
        async with self.db.session() as session:
            await queue_replies(session=session, urn=urn, replies=replies)

    def is_leader(self) -> bool:
        return self.scheduler is not None and self.scheduler.leadership.locally_valid()

    def transport(self, channel: str) -> Transport | None:
        return next((t for t in self.transports if t.channel == channel), None)

    async def stop(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
        if self.replayer is not None:
            await self.replayer.stop()
        for transport in reversed(self.transports):
            try:
                await transport.stop()
            except Exception:
                log.exception("stopping %s", transport.channel)
        if self.web is not None:
            await self.web.stop()
        await self.db.dispose()


async def run_until_signalled(app: NabovagtApp) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await app.start()
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        await asyncio.wait_for(app.stop(), timeout=9)
