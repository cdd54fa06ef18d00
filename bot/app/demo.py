"""`nabovagt demo`: the real bot against local stand-ins for Telegram and Twilio, with a prompt."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shlex
import socket
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TextIO

import typer

from bot.app.application import NabovagtApp
from bot.core.cli import invoke
from bot.core.settings import Settings
from bot.handlers.telegram import TelegramTransport

DEMO_TOKEN = "123456:DEMO-TOKEN-not-a-secret"
DEMO_SID = "AC" + "d" * 32
DEMO_AUTH = "demo-auth-token"
DEMO_SENDER = "+4570707070"
REPLY_WAIT_SECONDS = 5.0
# Interactively, what arrives this soon after the answer (an alert's deliveries) is shown with it.
LINGER_SECONDS = 0.3
# A 2x2 PNG, so photo flows can be tried without a camera.
DEMO_PHOTO = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a"
    "730000001049444154789c63f8dfc000440c100a002dee05fd8b3f6e84000000"
    "0049454e44ae426082"
)

HELP = """\
Nabovagt demo - you type as a person, the bot answers.
  beboer> /start          Telegram resident Karen (id 1001)
  sms> tilmeld værløse    SMS resident +4520304050 (a basic phone)
  koordinator> /stats     Telegram coordinator Kim (id 9001)
  koordinator> /dashboard a one-time login link for the web dashboard (open it in a browser)
Type a line as the current person; switch person with a "name>" prefix.
  :press N                press button N of the bot's last message (Telegram)
  :location LAT LON       share a location (Telegram), e.g. :location 55.82 12.35
  :photo [caption]        send a photo (Telegram)
  :cli ARGS               run a nabovagt command on the demo's database, e.g.
                          :cli broadcast --kind alert --area Farum --text "..." --yes
  :wait N                 wait N seconds and show what arrives (reminders, deliveries)
  :who                    list persons      :help  this help      :quit  leave
In any line, {now+5m} (or +2h, +1d) becomes that local time, e.g. for events add --at "{now+5m}".
"""


_RELATIVE = re.compile(r"\{now\+(\d+)([mhd])\}")


def expand_times(line: str, tz: tzinfo, now: datetime | None = None) -> str:
    """Replace {now+5m} / {now+2h} / {now+1d} with that time in `tz` as YYYY-MM-DD HH:MM."""
    now = (now or datetime.now(tz)).astimezone(tz)
    units = {"m": "minutes", "h": "hours", "d": "days"}

    def local(match: re.Match[str]) -> str:
        # Elapsed time (computed in UTC), so a daylight-saving change cannot yield a skipped hour.
        delta = timedelta(**{units[match.group(2)]: int(match.group(1))})
        moment = (now.astimezone(UTC) + delta).astimezone(tz)
        return moment.strftime("%Y-%m-%d %H:%M")

    return _RELATIVE.sub(local, line)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Persona:
    name: str
    channel: str  # "telegram" or "sms"
    address: str  # Telegram user id or phone number
    display: str


PERSONAS = {
    "beboer": Persona("beboer", "telegram", "1001", "Karen Hansen"),
    "sms": Persona("sms", "sms", "+4520304050", "SMS +4520304050"),
    "koordinator": Persona("koordinator", "telegram", "9001", "Kim Koordinator"),
    "nabo": Persona("nabo", "telegram", "1002", "Ole Jensen"),
}


class DemoSession:
    """The sandbox (fake Telegram + fake Twilio), the app, and what each persona has seen."""

    def __init__(
        self,
        commands: typer.Typer,
        out: TextIO | None = None,
        *,
        database: Path | None = None,
        reply_wait: float = REPLY_WAIT_SECONDS,
    ) -> None:
        from sandbox.telegram_fake import FakeTelegram
        from sandbox.twilio_fake import TwilioFake

        self.commands = commands
        self.reply_wait = reply_wait
        self.out = out or sys.stdout
        self.telegram = FakeTelegram(DEMO_TOKEN)
        self.twilio = TwilioFake(DEMO_SID, DEMO_AUTH)
        self.tmp = tempfile.TemporaryDirectory(prefix="nabovagt-demo-")
        # A database file of its own, so another terminal (or :cli) can reach the demo's data.
        self.database = database or Path(self.tmp.name) / "demo.db"
        self.database_url = f"sqlite+aiosqlite:///{self.database.resolve()}"
        self.app: NabovagtApp | None = None
        self.current = PERSONAS["beboer"]
        self.seen_telegram: dict[int, int] = {}
        self.seen_sms: dict[str, int] = {}
        self.transcript: list[tuple[str, str]] = []

    async def start(self) -> None:
        await self.telegram.start()
        await self.twilio.start()
        port = _free_port()
        settings = Settings(
            _env_file=None,
            telegram_token=DEMO_TOKEN,
            telegram_api_url=self.telegram.url,
            twilio_account_sid=DEMO_SID,
            twilio_auth_token=DEMO_AUTH,
            twilio_from=DEMO_SENDER,
            twilio_api_url=self.twilio.url,
            database_url=self.database_url,
            http_port=port,
            public_url=f"http://127.0.0.1:{port}",
            coordinators=f"telegram:{PERSONAS['koordinator'].address}",
            media_dir=str(Path(self.tmp.name) / "media"),
            # The sandbox has no night unless asked for: otherwise an evening demo waits till 08:00.
            quiet_hours=os.environ.get("QUIET_HOURS", "00:00-00:00"),
        )
        self.app = NabovagtApp(settings)
        await self.app.start()
        self.twilio.inbound_url = f"http://127.0.0.1:{port}/twilio/sms"
        self.twilio.phone_number = DEMO_SENDER

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
        await self.telegram.stop()
        await self.twilio.stop()
        self.tmp.cleanup()

    @property
    def dashboard_url(self) -> str:
        """Where the web dashboard of the running demo is; a login link comes from /dashboard."""
        assert self.app is not None and self.app.settings.public_url is not None
        return f"{self.app.settings.public_url}/dashboard/"

    def print(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    async def run_cli(self, args: str) -> None:
        """Run `nabovagt ARGS` against the demo's database, as another terminal would."""
        # A worker thread: a command runs its own event loop, and the bot keeps answering meanwhile.
        _, output = await asyncio.to_thread(
            invoke, self.commands, shlex.split(args), env={"DATABASE_URL": self.database_url}
        )
        for line in output.splitlines():
            self.print(f"  | {line}")

    async def say(self, persona: Persona, line: str) -> None:
        """Send one line as `persona`: text, a :press, a :location, a :photo, or run :cli."""
        if line.startswith(":cli"):
            await self.run_cli(line.removeprefix(":cli"))
            return
        if persona.channel == "sms":
            if line.startswith(":"):
                self.print("  (SMS has no buttons: answer with the number)")
                return
            await self.twilio.user_sends_sms(persona.address, line, to=DEMO_SENDER)
            return
        user_id = int(persona.address)
        first, _, last = persona.display.partition(" ")
        if line.startswith(":photo"):
            caption = line.removeprefix(":photo").strip() or None
            self.telegram.user_sends_photo(user_id, DEMO_PHOTO, caption, first_name=first)
        elif line.startswith(":press"):
            number = line.split()[1:2]
            message = self._last_with_buttons(user_id)
            if message is None or not number or not number[0].isdigit():
                self.print("  (no buttons to press - usage: :press 1)")
                return
            buttons = self.telegram.buttons(message)
            index = int(number[0]) - 1
            if not 0 <= index < len(buttons):
                self.print(f"  (there are {len(buttons)} buttons)")
                return
            self.telegram.user_presses_button(user_id, message.message_id, buttons[index][1])
        elif line.startswith(":location"):
            parts = line.split()[1:]
            try:
                lat, lon = float(parts[0]), float(parts[1])
            except (IndexError, ValueError):
                self.print("  (usage: :location 55.82 12.35)")
                return
            self.telegram.user_sends_location(user_id, lat, lon, first_name=first)
        else:
            self.telegram.user_sends_text(user_id, line, first_name=first, last_name=last or None)

    def _last_with_buttons(self, user_id: int):  # type: ignore[no-untyped-def]
        for message in reversed(self.telegram.messages_to(user_id)):
            current = self.telegram.messages.get((user_id, message.message_id), message)
            if current.reply_markup:
                return current
        return None

    async def settled(self) -> None:
        """Return once the bot has fetched every update the sandbox holds and finished each one."""
        # The sandbox has no public event for "the bot confirmed its updates", so poll briefly.
        while self.telegram.pending_updates:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        transport = self.app.transport("telegram") if self.app is not None else None
        if isinstance(transport, TelegramTransport):
            # The transport marks an update done after its replies are sent; SMS answers in the
            # webhook's response, so an SMS reply is already in the sandbox when the send returns.
            await transport.application.update_queue.join()

    async def collect(self, linger: float = 0.0) -> list[str]:
        """Wait until the bot has answered, print and return the new texts.

        Without an answer yet (a reply through the outbox), wait up to `reply_wait` for one; with
        `linger`, also show what arrives until the sandbox has been quiet that long.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.reply_wait
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.settled(), self.reply_wait)
        texts = self._new_messages()
        quiet_since = loop.time()
        while loop.time() < deadline and (not texts or loop.time() - quiet_since < linger):
            await asyncio.sleep(0.05)
            if new := self._new_messages():
                texts += new
                quiet_since = loop.time()
        return texts

    async def expect(self, wanted: str, received: list[str]) -> bool:
        """True once a text in `received`, or one arriving within `reply_wait`, contains `wanted`."""
        deadline = asyncio.get_running_loop().time() + self.reply_wait
        while not any(wanted.casefold() in text.casefold() for text in received):
            if asyncio.get_running_loop().time() >= deadline:
                return False
            await asyncio.sleep(0.05)
            received += self._new_messages()
        return True

    def _new_messages(self) -> list[str]:
        texts = []
        for persona in PERSONAS.values():
            if persona.channel == "telegram":
                uid = int(persona.address)
                sent = self.telegram.messages_to(uid)
                for message in sent[self.seen_telegram.get(uid, 0) :]:
                    texts.append(
                        self._show(
                            persona,
                            message.text or f"[{message.method.removeprefix('send').lower()}]",
                            self.telegram.buttons(message),
                            message.method,
                        )
                    )
                self.seen_telegram[uid] = len(sent)
            else:
                smses = self.twilio.sms_to(persona.address)
                for sms in smses[self.seen_sms.get(persona.address, 0) :]:
                    texts.append(
                        self._show(persona, sms.body, [], f"SMS, {sms.num_segments} segment(s)")
                    )
                self.seen_sms[persona.address] = len(smses)
        return texts

    def _show(self, persona: Persona, text: str, buttons: list, how: str) -> str:  # type: ignore[type-arg]
        edited = " (edited)" if how.startswith("edit") else ""
        label = f" [{how}]" if persona.channel == "sms" else edited
        self.print(f"bot -> {persona.name}{label}:")
        for line in text.splitlines():
            self.print(f"    {line}")
        if buttons:
            self.print("    " + "  ".join(f"[{i}] {b[0]}" for i, b in enumerate(buttons, 1)))
        self.transcript.append((persona.name, text))
        return f"{persona.name}: {text}\n" + "\n".join(b[0] for b in buttons)

    async def wait(self, seconds: float) -> list[str]:
        """Show everything that arrives during `seconds`."""
        texts: list[str] = []
        deadline = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < deadline:
            texts += self._new_messages()
            await asyncio.sleep(0.1)
        return texts + self._new_messages()

    def parse(self, line: str) -> tuple[Persona, str]:
        """ "sms> tilmeld farum" switches person; a bare line speaks as the current one."""
        if self.app is not None:  # the bot's TIMEZONE, which is how --at is read
            line = expand_times(line, self.app.settings.tz)
        head, sep, rest = line.partition(">")
        if sep and head.strip().lower() in PERSONAS:
            self.current = PERSONAS[head.strip().lower()]
            return self.current, rest.strip()
        return self.current, line.strip()


async def interactive(session: DemoSession) -> int:
    session.print(HELP)
    loop = asyncio.get_running_loop()
    while True:
        prompt = f"{session.current.name}> "
        try:
            line = await loop.run_in_executor(None, input, prompt)
        except (EOFError, KeyboardInterrupt):
            session.print("")
            return 0
        persona, text = session.parse(line)
        if not text:
            continue
        if text in (":quit", ":exit", ":q"):
            return 0
        if text == ":help":
            session.print(HELP)
            continue
        if text.startswith(":wait"):
            await session.wait(_seconds(text, session.reply_wait))
            continue
        if text == ":who":
            for p in PERSONAS.values():
                session.print(f"  {p.name}: {p.display} ({p.channel} {p.address})")
            continue
        await session.say(persona, text)
        if not await session.collect(linger=LINGER_SECONDS):
            session.print("  (no reply)")


def _seconds(command: str, default: float) -> float:
    try:
        return float(command.split()[1])
    except (IndexError, ValueError):
        return default


async def scripted(session: DemoSession, script: list[str]) -> int:
    """Replay a script; `expect: TEXT` fails the run if no new reply contains TEXT."""
    received: list[str] = []
    for number, raw in enumerate(script, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower().startswith("expect:"):
            wanted = line.split(":", 1)[1].strip()
            if not await session.expect(wanted, received):
                session.print(f"FAILED at line {number}: expected a reply containing {wanted!r}")
                return 1
            session.print(f"  ok: {wanted!r}")
            continue
        persona, text = session.parse(line)
        session.print(f"{persona.name}> {text}")
        received = []
        if text.startswith(":wait"):
            received = await session.wait(_seconds(text, session.reply_wait))
            continue
        await session.say(persona, text)
        received += await session.collect()
    session.print("demo script passed")
    return 0


async def run_demo(
    script: list[str] | None,
    database: Path | None = None,
    *,
    commands: typer.Typer,
    reply_wait: float = REPLY_WAIT_SECONDS,
) -> int:
    """Start the sandbox and the bot; replay `script` lines, or prompt interactively.

    `commands` is the `nabovagt` command line, which `:cli` runs; `reply_wait` is how long a line
    waits for its answer.
    """
    logging.basicConfig(level=logging.WARNING)
    session = DemoSession(commands, database=database, reply_wait=reply_wait)
    await session.start()
    if script is None:
        session.print(f"Demo database: {session.database}  (DATABASE_URL={session.database_url})")
        session.print(f"Dashboard: {session.dashboard_url}  (log in: koordinator> /dashboard)")
    try:
        if script is not None:
            return await scripted(session, script)
        return await interactive(session)
    finally:
        with contextlib.suppress(Exception):
            await session.stop()
