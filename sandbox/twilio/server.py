"""The aiohttp server and the controls tests use: failures to inject, waiting for an SMS."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp
from aiohttp import web

from sandbox.twilio.inbound import Inbound
from sandbox.twilio.models import SentSms
from sandbox.twilio.rest import RestApi

log = logging.getLogger(__name__)


class TwilioFake(Inbound, RestApi):
    """In-process stand-in for api.twilio.com's Messages resource plus Twilio's webhooks."""

    # ----------------------------------------------------------------- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> TwilioFake:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self._host = host
        self._port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession()
        log.info("Twilio fake listening on %s", self.url)
        return self

    async def stop(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> TwilioFake:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Root that replaces https://api.twilio.com."""
        if self._port is None:
            raise RuntimeError("TwilioFake is not started")
        return f"http://{self._host}:{self._port}"

    # ------------------------------------------------------------ test controls

    def fail_next(
        self, *, to: str | None = None, code: int, status: int = 400, times: int = 1
    ) -> None:
        """Make the next `times` creates (to `to`, or any) fail with Twilio error `code`."""
        self._fail_rules.append({"to": to, "code": code, "status": status, "times": times})

    def fail_delivery(self, to: str, error_code: int = 30003, *, times: int = 1) -> None:
        """Accept the next `times` sends to `to`, then report them undelivered/failed."""
        self._delivery_failures.setdefault(to, []).extend([error_code] * times)

    def sms_to(self, number: str) -> list[SentSms]:
        return [sms for sms in self.sent if sms.to == number]

    async def wait_for_sms(
        self,
        to: str,
        contains: str | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109  (a test helper's timeout is its contract)
        after: int = 0,
    ) -> SentSms:
        """First SMS in `sent[after:]` to `to` (containing `contains`), waiting up to `timeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for sms in self.sent[after:]:
                if sms.to == to and (contains is None or contains in sms.body):
                    return sms
            remaining = deadline - loop.time()
            if remaining <= 0:
                listing = "\n".join(
                    f"  [{i}] {s.source} {s.from_} -> {s.to}: {s.body!r}"
                    for i, s in enumerate(self.sent)
                )
                raise AssertionError(
                    f"no SMS to {to}"
                    + (f" containing {contains!r}" if contains else "")
                    + f" within {timeout}s (after index {after}); sent:\n{listing or '  (none)'}"
                )
            event = self._new_sms
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
