"""Several `python -m bot run` processes on one PostgreSQL database, behind the load balancer.

Each instance is a real subprocess with its own HTTP port, spool directory and stderr file; its
calls to Telegram and Twilio go through its own Tap, so sends can be attributed to a process.
The leader is found through `/healthz`'s `leader` field, else `/metrics`' `nabovagt_leader`
gauge, else the last "dispatching the outbox" / "stepping down" line in the instance's stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from sandbox.telegram_fake import FakeTelegram
from sandbox.twilio_fake import TwilioFake
from tests.cli_helpers import UNSET_SETTINGS
from tests.faults.proxy import LoadBalancer, Tap

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:FAULTS-TOKEN"
WEBHOOK_SECRET = "faults-webhook-secret"
COORDINATOR = 9001
LEADING = "dispatching the outbox"
STEPPED_DOWN = ("stepping down", "stepped down", "no longer the leader", "lost the lead")
PROBE_TIMEOUT = 2.0
LOG_TAIL = 40
# A log record's first line: text format starts with the date, JSON format with a brace.
RECORD = re.compile(r"^(\d{4}-\d\d-\d\d |\{)")
# Failed tests' logs are copied here (pytest's own temporary directories are rotated away).
KEPT_LOGS = Path(tempfile.gettempdir()) / "nabovagt-faults-logs"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Instance:
    """One `nabovagt run` process."""

    def __init__(self, name: str, workdir: Path, env: dict[str, str], tap: Tap) -> None:
        self.name = name
        self.workdir = workdir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tap = tap
        self.stderr_path = workdir / f"{name}.stderr"
        spool = workdir / f"{name}-spool"
        spool.mkdir(parents=True, exist_ok=True)
        self.env = env | {
            "HTTP_PORT": str(self.port),
            "SPOOL_DIR": str(spool),
            "MEDIA_DIR": str(workdir / f"{name}-media"),
            "TELEGRAM_API_URL": tap.url,
            "TWILIO_API_URL": tap.url,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.frozen = False
        self.started_at = 0.0
        self.leader_source = ""  # which of healthz / metrics / log said who leads

    def start(self) -> None:
        with self.stderr_path.open("ab") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=self.workdir,  # no stray .env from the developer's checkout
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=err,
                stderr=err,
            )
        self.started_at = time.monotonic()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        os.kill(self.pid, signal.SIGKILL)
        assert self.proc is not None
        self.proc.wait()

    def freeze(self) -> None:
        os.kill(self.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        os.kill(self.pid, signal.SIGCONT)
        self.frozen = False

    async def terminate(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        if not self.alive:
            return
        assert self.proc is not None
        if self.frozen:
            self.thaw()
        self.proc.terminate()
        try:
            await asyncio.wait_for(asyncio.to_thread(self.proc.wait), timeout)
        except TimeoutError:
            self.proc.kill()
            self.proc.wait()

    def log(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def tail(self, lines: int = LOG_TAIL) -> str:
        """The last log records' first lines: tracebacks (409s above all) would hide the story."""
        records = [
            line
            for line in self.log().splitlines()
            if RECORD.match(line) and " INFO twilio." not in line  # the client's per-request lines
        ]
        return "\n".join(records[-lines:])

    async def healthz(self, http: aiohttp.ClientSession) -> tuple[int | None, Any, float]:
        """(status or None, JSON body or None, seconds it took) of GET /healthz."""
        started = time.monotonic()
        try:
            async with http.get(
                self.url + "/healthz", timeout=aiohttp.ClientTimeout(total=PROBE_TIMEOUT)
            ) as response:
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
                return response.status, body, time.monotonic() - started
        except (aiohttp.ClientError, TimeoutError):
            return None, None, time.monotonic() - started

    async def leading(self, http: aiohttp.ClientSession) -> bool:
        """Does this instance say it is the leader?"""
        if not self.alive or self.frozen:
            return False
        _status, body, _took = await self.healthz(http)
        if isinstance(body, dict) and isinstance(body.get("leader"), bool):
            self.leader_source = "healthz"
            return bool(body["leader"])
        gauge = await self._leader_gauge(http)
        if gauge is not None:
            self.leader_source = "metrics"
            return gauge
        self.leader_source = "log"
        text = self.log()
        leading_at = text.rfind(LEADING)
        stepped_at = max(text.rfind(marker) for marker in STEPPED_DOWN)
        return leading_at > stepped_at

    async def _leader_gauge(self, http: aiohttp.ClientSession) -> bool | None:
        try:
            async with http.get(
                self.url + "/metrics", timeout=aiohttp.ClientTimeout(total=PROBE_TIMEOUT)
            ) as response:
                if response.status != 200:
                    return None
                text = await response.text()
        except (aiohttp.ClientError, TimeoutError):
            return None
        for line in text.splitlines():
            if line.startswith("nabovagt_leader ") or line.startswith("nabovagt_leader{"):
                return float(line.rsplit(" ", 1)[1]) >= 1
        return None


class Cluster:
    """The fakes, the load balancer and the instances of one test."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.telegram = FakeTelegram(TOKEN)
        # Seeded residents are chats the fake never saw a message from; Telegram knows them.
        self.telegram.allow_unknown_chats = True
        self.twilio = TwilioFake()
        self.balancer = LoadBalancer()
        self.instances: list[Instance] = []
        self.http: aiohttp.ClientSession | None = None

    async def start(self) -> Cluster:
        await self.telegram.start()
        await self.twilio.start()
        await self.balancer.start()
        self.twilio.inbound_url = f"{self.balancer.url}/twilio/sms"
        self.http = aiohttp.ClientSession()
        return self

    def env(self, mode: str) -> dict[str, str]:
        """What every instance (and the CLI) gets: a clean environment plus these settings."""
        base = {k: v for k, v in os.environ.items() if k not in UNSET_SETTINGS}
        settings = {
            "DATABASE_URL": self.database_url,
            "TELEGRAM_TOKEN": TOKEN,
            "TELEGRAM_MODE": mode,
            "PUBLIC_URL": self.balancer.url,
            "TWILIO_ACCOUNT_SID": self.twilio.account_sid,
            "TWILIO_AUTH_TOKEN": self.twilio.auth_token,
            "TWILIO_FROM": self.twilio.phone_number,
            "SMS_MAX_RATE": "10",
            "QUIET_HOURS": "00:00-00:00",  # an empty window: nothing waits for morning
            "COORDINATORS": f"telegram:{COORDINATOR}",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
        if mode == "webhook":
            settings["TELEGRAM_WEBHOOK_SECRET"] = WEBHOOK_SECRET
        return base | settings

    async def add_instances(self, count: int, *, mode: str = "webhook") -> list[Instance]:
        """Start `count` instances at once (not waiting for them to come up)."""
        added = []
        for _ in range(count):
            tap = await Tap(self.telegram.url, self.twilio.url).start()
            instance = Instance(f"i{len(self.instances) + 1}", self.workdir, self.env(mode), tap)
            self.instances.append(instance)
            added.append(instance)
        for instance in added:
            instance.start()
            self.balancer.add(instance.url)
        return added

    async def wait_up(self, instances: list[Instance], timeout: float = 60.0) -> None:  # noqa: ASYNC109
        """Every instance answers /healthz with 200, or the test fails with its stderr."""
        assert self.http is not None
        deadline = time.monotonic() + timeout
        waiting = list(instances)
        while waiting:
            for instance in list(waiting):
                if not instance.alive:
                    raise AssertionError(f"{instance.name} exited at start\n{self.logs()}")
                status, _body, _took = await instance.healthz(self.http)
                if status == 200:
                    waiting.remove(instance)
            if waiting and time.monotonic() > deadline:
                names = ", ".join(i.name for i in waiting)
                raise AssertionError(f"not up within {timeout:.0f} s: {names}\n{self.logs()}")
            await asyncio.sleep(0.3)

    async def leaders(self, exclude: Instance | None = None) -> list[Instance]:
        assert self.http is not None
        candidates = [i for i in self.instances if i is not exclude]
        claims = await asyncio.gather(*(i.leading(self.http) for i in candidates))
        return [i for i, claim in zip(candidates, claims, strict=True) if claim]

    async def wait_leader(
        self,
        exclude: Instance | None = None,
        timeout: float = 30.0,  # noqa: ASYNC109
        since: float | None = None,
    ) -> tuple[Instance | None, float]:
        """The first instance other than `exclude` to claim the lead, and seconds since `since`."""
        since = time.monotonic() if since is None else since
        deadline = since + timeout
        while True:
            found = await self.leaders(exclude)
            now = time.monotonic()
            if found:
                return found[0], now - since
            if now > deadline:
                return None, now - since
            await asyncio.sleep(0.2)

    def logs(self) -> str:
        """The tail of every instance's stderr, for a failure message; the files are kept."""
        kept = KEPT_LOGS / self.workdir.name
        shutil.rmtree(kept, ignore_errors=True)
        kept.mkdir(parents=True)
        for instance in self.instances:
            shutil.copy(instance.stderr_path, kept)
        parts = [f"(full logs in {kept})"]
        for instance in self.instances:
            state = (
                "alive" if instance.alive else f"exited {instance.proc and instance.proc.poll()}"
            )
            parts.append(
                f"----- {instance.name} (pid {instance.proc and instance.proc.pid}, {state}, "
                f"leader via {instance.leader_source or '?'}) stderr, last {LOG_TAIL} records:\n"
                f"{instance.tail()}"
            )
        return "\n".join(parts)

    def conflicts(self) -> int:
        """409 Conflict answers the fake gave to getUpdates, over all instances."""
        return sum(1 for i in self.instances for p in i.tap.polls if p.status == 409)

    async def stop(self) -> None:
        await asyncio.gather(*(i.terminate() for i in self.instances), return_exceptions=True)
        for instance in self.instances:
            await instance.tap.stop()
        if self.http is not None:
            await self.http.close()
        await self.balancer.stop()
        with contextlib.suppress(Exception):
            await self.twilio.stop()
        with contextlib.suppress(Exception):
            await self.telegram.stop()
