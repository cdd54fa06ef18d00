"""The aiohttp server: lifecycle, routing a request to its Bot API method, file downloads."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Any

import aiohttp
from aiohttp import web

from sandbox.telegram.messages import MessageMethods
from sandbox.telegram.models import MAX_UPLOAD_SIZE, Described, TelegramApiError, UploadedFile, bad
from sandbox.telegram.observation import Observation
from sandbox.telegram.spec import MethodSpec, check_params
from sandbox.telegram.updates import UpdateMethods
from sandbox.telegram.users import UserActions

log = logging.getLogger(__name__)


class FakeTelegram(UserActions, Observation, MessageMethods, UpdateMethods):
    """A local Telegram Bot API server with simulated users, for tests and the demo."""

    # ----------------------------------------------------------------------------- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeTelegram:
        """Serve on host:port (port 0 picks a free one) inside the running event loop."""
        if self._runner is not None:
            raise RuntimeError("FakeTelegram is already running")
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._closing = False
        app = web.Application(client_max_size=MAX_UPLOAD_SIZE + 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self._host = host
        self._port = int(runner.addresses[0][1])
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        self._webhook_task = asyncio.create_task(self._webhook_worker(), name="fake-tg-webhook")
        log.debug("fake Telegram (%s) listening on %s", self.spec.version, self.url)
        return self

    async def stop(self) -> None:
        """Stop serving; pending long polls return at once."""
        self._closing = True
        self._pulse_updates()
        self._pulse_sent()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        log.debug("fake Telegram stopped")

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """The API root, e.g. http://127.0.0.1:PORT (what TELEGRAM_API_URL would hold)."""
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    @property
    def base_url(self) -> str:
        """What to pass to ApplicationBuilder().base_url()."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What to pass to ApplicationBuilder().base_file_url()."""
        return f"{self.url}/file/bot"

    # ----------------------------------------------------------------------------- HTTP

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return await self._handle_file(request, path[len("/file/bot") :])
        if not path.startswith("/bot"):
            return self._error_response(TelegramApiError(404, "Not Found"))
        token, _sep, method_name = path[len("/bot") :].partition("/")
        if token != self.token:
            return self._error_response(TelegramApiError(401, "Unauthorized"))
        spec = self.spec.method(method_name) if method_name else None
        if spec is None:
            self.calls.append((method_name, {}))
            self._violation(f"{method_name or '(empty)'}: unknown Bot API method")
            log.debug("%s %s -> 404", request.method, method_name)
            return self._error_response(TelegramApiError(404, "Not Found"))

        try:
            raw, files = await self._read_params(request)
        except TelegramApiError as exc:
            self.calls.append((spec.name, {}))
            return self._error_response(exc)

        try:
            params = check_params(spec, raw, files, self._violation)
        except TelegramApiError as exc:
            self.calls.append((spec.name, raw))
            log.debug("%s(%s) -> %s", spec.name, raw, exc)
            return self._error_response(exc)
        self.calls.append((spec.name, params))

        try:
            self._apply_injections(spec.name, params)
            result = await self._dispatch(spec, params)
        except TelegramApiError as exc:
            if exc.error_code == 429:
                self.too_many_requests += 1
            log.debug("%s(%s) -> %s", spec.name, params, exc)
            return self._error_response(exc)
        except Exception as exc:
            log.exception("fake Telegram crashed in %s", spec.name)
            self._violation(f"{spec.name}: the fake crashed: {exc!r}")
            return self._error_response(TelegramApiError(500, "Internal Server Error"))

        body: dict[str, Any] = {"ok": True}
        if isinstance(result, Described):
            body["result"] = result.result
            body["description"] = result.description
        else:
            body["result"] = result
        log.debug("%s(%s) -> ok", spec.name, params)
        return web.json_response(body)

    @staticmethod
    def _error_response(exc: TelegramApiError) -> web.Response:
        return web.json_response(exc.body(), status=exc.error_code)

    async def _handle_file(self, request: web.Request, rest: str) -> web.StreamResponse:
        token, _sep, file_path = rest.partition("/")
        if token != self.token:
            return self._error_response(TelegramApiError(401, "Unauthorized"))
        stored = self._files.by_path.get(file_path)
        log.debug("download %s -> %s", file_path, "ok" if stored else 404)
        if stored is None:
            return self._error_response(TelegramApiError(404, "Not Found"))
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _read_params(
        self, request: web.Request
    ) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if request.method not in ("POST", "PUT") or not request.can_read_body:
            return params, files
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError as exc:
                raise bad("can't parse JSON encoded request body") from exc
            if not isinstance(body, dict):
                raise bad("JSON encoded request body must be an object")
            params.update(body)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    files[name] = UploadedFile(
                        value.filename, value.content_type, value.file.read()
                    )
                elif isinstance(value, bytes | bytearray):
                    params[name] = bytes(value).decode("utf-8", "replace")
                else:
                    params[name] = value
        else:
            body_bytes = await request.read()
            if body_bytes:
                self._violation(f"{request.path}: unsupported Content-Type {content_type!r}")
        return params, files

    async def _dispatch(self, spec: MethodSpec, params: dict[str, Any]) -> Any:
        handler = getattr(self, f"_api_{spec.name.lower()}", None)
        if handler is not None:
            return await handler(params)
        return self._generic(spec, params)
