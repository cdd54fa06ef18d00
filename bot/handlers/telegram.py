"""Telegram transport: python-telegram-bot updates in, neutral replies out."""

from __future__ import annotations

import asyncio
import html
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from starlette.routing import BaseRoute, Route
from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    MaybeInaccessibleMessage,
    Message,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)

from bot.core.i18n import t
from bot.core.messages import Inbound, Location, Reply
from bot.core.metrics import REPLY_SECONDS
from bot.core.urns import telegram_urn, urn_path, urn_scheme
from bot.handlers.base import (
    ChatLocks,
    InboundSink,
    LateSink,
    Outcome,
    QueuingSink,
    SendResult,
    clean_text,
    replay_event,
)
from bot.handlers.spool import Spool, Spooled
from bot.handlers.telegram_updates import (
    ALLOWED_UPDATES,
    Handled,
    UpdatePoller,
    webhook_endpoint,
)
from storage.db import DatabaseUnavailable

log = logging.getLogger(__name__)

# Inside a split reply, a rate limit up to this long is waited out rather than cutting the reply.
MAX_INLINE_WAIT_SECONDS = 30.0

# Per language: (everyone's commands, the extra commands staff see), as (command, description).
Menus = dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]]


# Telegram refuses a whole message whose button carries more callback data than this (bytes).
MAX_CALLBACK_DATA = 64
# Labels have no documented limit, but clients cut long ones; keep a label readable and bounded.
MAX_LABEL = 64


def _label(text: str) -> str:
    label = " ".join(text.split())
    if len(label) > MAX_LABEL:
        label = label[: MAX_LABEL - 1].rstrip() + "…"
    return label or "·"  # an empty label is refused (BUTTON_TEXT_INVALID)


def _markup(reply: Reply) -> InlineKeyboardMarkup | None:
    rows = []
    for row in reply.buttons:
        kept = []
        for b in row:
            if not 1 <= len(b.data.encode()) <= MAX_CALLBACK_DATA:
                # One such button would make Telegram refuse the whole reply: lose the button only.
                log.warning("button %r dropped: callback data of %d bytes", b.label, len(b.data))
                continue
            kept.append(InlineKeyboardButton(_label(b.label), callback_data=b.data))
        if kept:
            rows.append(kept)
    return InlineKeyboardMarkup(rows) if rows else None


def _unchanged(pressed: MaybeInaccessibleMessage, reply: Reply) -> bool:
    """Would editing the pressed message to `reply` change nothing? (Telegram answers 400.)"""
    if not isinstance(pressed, Message) or pressed.text is None:
        return False
    return pressed.text == reply.text.strip() and pressed.reply_markup == _markup(reply)


def _seconds(exc: RetryAfter) -> float:
    retry = exc.retry_after
    return retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)


def _error_result(exc: TelegramError) -> SendResult:
    """Telegram's errors as provider-neutral outcomes."""
    if isinstance(exc, RetryAfter):
        return SendResult(Outcome.RETRY, retry_after=_seconds(exc), detail=str(exc))
    if isinstance(exc, Forbidden):
        return SendResult(Outcome.BLOCKED, detail=str(exc))
    if isinstance(exc, BadRequest):
        invalid = "chat not found" in str(exc).lower()
        return SendResult(Outcome.INVALID if invalid else Outcome.FAILED, detail=str(exc))
    if isinstance(exc, (TimedOut, NetworkError)):
        return SendResult(Outcome.RETRY, detail=str(exc))
    return SendResult(Outcome.FAILED, detail=str(exc))


def _html(text: str) -> str:
    # Replies are plain text; escaping everything keeps user-typed content inert in HTML mode.
    return html.escape(text, quote=False)


MAX_TEXT = 4096  # Telegram's limit, counted after HTML escaping


def _pack(pieces: list[str], sep: str, limit: int) -> list[str]:
    """Join pieces greedily with `sep` into chunks whose escaped length fits `limit`."""
    chunks: list[str] = []
    for piece in pieces:
        candidate = f"{chunks[-1]}{sep}{piece}" if chunks else piece
        if chunks and len(_html(candidate)) <= limit:
            chunks[-1] = candidate
        else:
            chunks.append(piece)
    return chunks


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split over-long text at paragraph breaks, then line breaks, then spaces; never mid-word."""
    if len(_html(text)) <= limit:
        return [text]
    out: list[str] = []
    for sep in ("\n\n", "\n", " "):
        pieces = text.split(sep)
        if len(pieces) > 1:
            for chunk in _pack(pieces, sep, limit):
                out.extend(split_text(chunk, limit) if len(_html(chunk)) > limit else [chunk])
            return out
    # One word longer than a whole message: nothing else to do but cut it.
    step = max(1, limit // 5)  # escaping at most quintuples a character ("&amp;")
    return [text[i : i + step] for i in range(0, len(text), step)]


def update_key(bot_id: str, update_id: int) -> str:
    """The idempotency key of one update: update_id is unique per bot, so the key names both."""
    return f"telegram:update:{bot_id}:{update_id}"


def update_to_inbound(update: Update, *, bot_id: str | None = None) -> Inbound | None:
    """Translate one Telegram update into a neutral event (None for what we ignore).

    With `bot_id`, the event carries the update's idempotency key: an update Telegram sends
    again (a webhook retry, a poll after a crash) is then handled once.
    """
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    inbound = partial(
        Inbound,
        urn=telegram_urn(user.id),
        channel="telegram",
        display_name=clean_text(user.full_name),
        language_hint=user.language_code,
        provider_id=update_key(bot_id, update.update_id) if bot_id else None,
    )
    if update.callback_query is not None:
        return inbound(callback=clean_text(update.callback_query.data or ""))
    # Only new messages: an edit of an old "/stop" or "ja" must not run it again, and live
    # location updates arrive as edits too. Channel posts and business messages are not ours.
    message = update.message
    if message is None or (update.effective_chat and update.effective_chat.type != "private"):
        return None
    if message.location is not None:
        loc = Location(message.location.latitude, message.location.longitude)
        return inbound(location=loc)
    text = clean_text(message.text or message.caption or "")
    # The largest size of a photo; the product fetches it later through fetch_media (getFile).
    photos = [message.photo[-1].file_id] if message.photo else []
    document = message.document
    if document is not None and (document.mime_type or "").startswith("image/"):
        photos.append(document.file_id)  # a photo sent uncompressed, as a file
    if text.startswith("/"):
        head, _, args = text[1:].partition(" ")
        command = head.split("@", 1)[0].casefold()
        return inbound(text=text, command=command, args=args.strip(), photos=photos)
    return inbound(text=text, photos=photos)


@dataclass
class _Arrival:
    """What the handler tells the caller of process_update about one update."""

    arrived: float
    handled: Handled = Handled.DONE


class TelegramTransport:
    """Telegram through python-telegram-bot: updates by webhook or long polling, replies by Bot.

    PTB's Application (without its Updater) runs the handlers; updates come from our own
    webhook route or poller, so each is acknowledged only once it is committed or spooled.
    """

    channel = "telegram"

    def __init__(
        self,
        *,
        token: str,
        api_url: str,
        sink: InboundSink,
        menus: Menus | None = None,
        staff_ids: list[int] | None = None,
        deliver_later: LateSink | None = None,
        replay_sink: QueuingSink | None = None,
        mode: str = "polling",
        public_url: str | None = None,
        webhook_secret: str | None = None,
        spool: Spool | None = None,
        language: str = "da",
    ) -> None:
        if mode == "webhook" and not (public_url and webhook_secret):
            raise ValueError("webhook mode needs public_url and webhook_secret")
        self.sink = sink
        self.deliver_later = deliver_later
        self.replay_sink = replay_sink
        self.menus = menus or {}
        self.staff_ids = staff_ids or []
        self.mode = mode
        self.public_url = public_url.rstrip("/") if public_url else None
        self.webhook_secret = webhook_secret
        self.spool = spool
        self.language = language
        self.bot_id = token.partition(":")[0]
        self.locks = ChatLocks()
        self._arrivals: dict[int, _Arrival] = {}
        self.application = (
            ApplicationBuilder()
            .token(token)
            .base_url(f"{api_url}/bot")
            .base_file_url(f"{api_url}/file/bot")
            .updater(None)
            .build()
        )
        self.application.add_handler(CallbackQueryHandler(self._on_update))
        self.application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.poller = UpdatePoller(self.bot, self.process) if mode == "polling" else None

    @property
    def bot(self) -> ExtBot[None]:
        return self.application.bot

    def routes(self) -> list[BaseRoute]:
        if self.mode != "webhook":
            return []
        assert self.webhook_secret is not None
        endpoint = webhook_endpoint(secret=self.webhook_secret, bot=self.bot, process=self.process)
        return [Route("/telegram", endpoint, methods=["POST"])]

    async def start(self) -> None:
        await self.application.initialize()
        await self.register_commands()
        if self.mode == "webhook":
            await self.bot.set_webhook(
                url=f"{self.public_url}/telegram",
                secret_token=self.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
            log.info("telegram webhook set to %s/telegram", self.public_url)
        else:
            # Polling and a webhook exclude each other: this is how switching back works.
            await self.bot.delete_webhook()

    async def lead(self, leading: bool) -> None:
        """Long-poll only while this process leads, so a second instance never causes a 409."""
        if self.poller is None:
            return
        if leading:
            await self.poller.start()
        else:
            await self.poller.stop()

    async def stop(self) -> None:
        if self.poller is not None:
            await self.poller.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def process(self, update: Update, arrived: float) -> Handled:
        """Run one update through the handlers, after older updates of the same chat."""
        user = update.effective_user
        arrival = _Arrival(arrived)
        async with self.locks.hold(telegram_urn(user.id) if user is not None else None):
            self._arrivals[id(update)] = arrival
            try:
                await self.application.process_update(update)
            finally:
                del self._arrivals[id(update)]
        return arrival.handled

    async def register_commands(self) -> None:
        """The command menu in Danish (default) and English; staff chats also see theirs."""
        for lang, (everyone, staff) in self.menus.items():
            code = None if lang == "da" else lang
            menu = [BotCommand(name, description) for name, description in everyone]
            await self._set_menu(menu, BotCommandScopeDefault(), code)
            extended = menu + [BotCommand(name, description) for name, description in staff]
            for chat_id in self.staff_ids:
                await self._set_menu(extended, BotCommandScopeChat(chat_id), code)

    async def _set_menu(
        self, menu: list[BotCommand], scope: BotCommandScope, code: str | None
    ) -> None:
        try:
            await self.bot.set_my_commands(menu, scope=scope, language_code=code)
        except TelegramError as exc:
            # The menu is a convenience: a staff member who never opened the chat ("chat not
            # found") or a hiccup must not keep the bot from answering.
            log.warning("command menu for %s not set: %s", scope.type, exc)

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        arrival = self._arrivals.get(id(update)) or _Arrival(time.monotonic())
        if update.callback_query is not None:
            try:
                await update.callback_query.answer()
            except TelegramError as exc:
                log.info("answerCallbackQuery failed: %s", exc)
        event = update_to_inbound(update, bot_id=self.bot_id)
        if event is None:
            return
        if event.photos:
            event.fetch_media = self.fetch_media
        if self.spool is not None and self.spool.holds(event.urn):
            # An older event of this chat waits in the spool: this one queues behind it.
            arrival.handled = await self._keep(update, event)
            return
        try:
            replies = await self.sink(event)
        except DatabaseUnavailable:
            arrival.handled = await self._keep(update, event)
            return
        pressed = update.callback_query.message if update.callback_query else None
        await self._answer(event, replies, pressed)
        if replies:
            REPLY_SECONDS.labels(self.channel).observe(time.monotonic() - arrival.arrived)

    async def _keep(self, update: Update, event: Inbound) -> Handled:
        """The database is away: spool the update (polling) and say so, or leave it to Telegram."""
        if self.spool is None:
            return Handled.UNAVAILABLE  # webhook: a 503, and Telegram sends it again
        try:
            await self.spool.put(
                channel=self.channel,
                kind="update",
                urn=event.urn,
                payload=json.loads(update.to_json()),
            )
        except OSError:
            log.exception("spooling update %s failed; it stays unconfirmed", update.update_id)
            return Handled.UNAVAILABLE
        lang = "en" if (event.language_hint or "").startswith("en") else self.language
        result = await self.send(event.urn, Reply(t("inbound_kept", lang)))
        if result.outcome is not Outcome.SENT:
            log.info("could not tell %s their message is kept: %s", event.urn, result.detail)
        return Handled.KEPT

    async def replay(self, record: Spooled) -> None:
        """A spooled update, handled now; its replies go through the outbox."""
        assert self.spool is not None
        update = Update.de_json(record.payload, self.bot)
        event = update_to_inbound(update, bot_id=self.bot_id)
        if event is None:
            await self.spool.remove(record)
            return
        if event.photos:
            event.fetch_media = self.fetch_media
        async with self.locks.hold(event.urn):
            await replay_event(event, self.sink, self.replay_sink, self.deliver_later)
            await self.spool.remove(record)

    async def _answer(
        self, event: Inbound, replies: list[Reply], pressed: MaybeInaccessibleMessage | None
    ) -> None:
        for reply in replies:
            # An edit replaces one message: a text too long for one goes out as new messages.
            if reply.edit and pressed is not None and len(_html(reply.text)) <= MAX_TEXT:
                if _unchanged(pressed, reply):
                    continue  # the message already shows this; answering the press was enough
                try:
                    await self.bot.edit_message_text(
                        _html(reply.text),
                        chat_id=pressed.chat.id,
                        message_id=pressed.message_id,
                        parse_mode="HTML",
                        reply_markup=_markup(reply),
                    )
                    continue
                except BadRequest as exc:
                    if "not modified" in str(exc):
                        continue
                    log.info("edit failed, sending instead: %s", exc)
                except TelegramError as exc:
                    log.info("edit failed, sending instead: %s", exc)
            result = await self.send(event.urn, reply)
            if result.outcome is Outcome.RETRY and self.deliver_later is not None:
                # Rate-limited or unreachable for now: the durable outbox retries, nothing is lost.
                log.info("reply to %s deferred to the outbox: %s", event.urn, result.detail)
                await self.deliver_later(event.urn, [reply])

    async def fetch_media(self, file_id: str) -> bytes:
        """Download a file the user sent (getFile, then the file URL) while its link is valid."""
        found = await self.bot.get_file(file_id)
        return bytes(await found.download_as_bytearray())

    async def send(self, urn: str, reply: Reply) -> SendResult:
        """Send one reply (split if long, then its attachment); errors become neutral outcomes."""
        assert urn_scheme(urn) == "telegram"
        chat = int(urn_path(urn))
        # Telegram refuses an empty text ("message text is empty"); an attachment may go alone.
        chunks = split_text(reply.text) if reply.text.strip() else []
        parts = [
            partial(
                self.bot.send_message,
                chat,
                _html(chunk),
                parse_mode="HTML",
                reply_markup=_markup(reply) if number == len(chunks) else None,
            )
            for number, chunk in enumerate(chunks, start=1)
        ]
        if reply.attachment is not None:
            filename, content = reply.attachment
            parts.append(
                partial(self.bot.send_document, chat, InputFile(content, filename=filename))
            )
        if not parts:
            return SendResult(Outcome.FAILED, detail="empty reply")
        last_id = None
        for index, part in enumerate(parts):
            try:
                last_id = str((await self._send_part(part, resumed=index > 0)).message_id)
            except TelegramError as exc:
                result = _error_result(exc)
                if index > 0 and result.outcome is Outcome.RETRY:
                    # Part of the reply is out already: a retry of the whole would repeat it.
                    detail = f"sent {index} of {len(parts)} parts: {exc}"
                    return SendResult(Outcome.FAILED, provider_id=last_id, detail=detail)
                return result
        return SendResult(Outcome.SENT, provider_id=last_id)

    async def _send_part(self, part: Callable[[], Awaitable[Message]], *, resumed: bool) -> Message:
        """Within a split reply, wait out one short rate limit rather than cut the reply."""
        try:
            return await part()
        except RetryAfter as exc:
            if not resumed or _seconds(exc) > MAX_INLINE_WAIT_SECONDS:
                raise
            await asyncio.sleep(_seconds(exc))
            return await part()

    async def edit(self, urn: str, ref: str, reply: Reply) -> SendResult:
        """Replace the text of message `ref` sent earlier (live broadcast progress)."""
        try:
            await self.bot.edit_message_text(
                _html(split_text(reply.text)[0]),
                chat_id=int(urn_path(urn)),
                message_id=int(ref),
                parse_mode="HTML",
                reply_markup=_markup(reply),
            )
        except TelegramError as exc:
            if isinstance(exc, BadRequest) and "not modified" in str(exc):
                return SendResult(Outcome.SENT, provider_id=ref)
            return _error_result(exc)
        return SendResult(Outcome.SENT, provider_id=ref)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram handler error: %s", context.error, exc_info=context.error)
