"""The REST API: authentication, creating, fetching, updating and listing Messages."""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import operator
import re
from collections import deque
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from aiohttp import web
from multidict import MultiDictProxy

from sandbox.twilio.delivery import Delivery
from sandbox.twilio.gsm import SMART_ENCODING
from sandbox.twilio.models import (
    MAX_BODY_CHARS,
    ApiCall,
    Message,
    TwilioError,
    bare_number,
    error_body,
    new_sid,
    utcnow,
)
from sandbox.twilio.spec import check_params

log = logging.getLogger(__name__)

_LIST_RE = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json$")
_INSTANCE_RE = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)\.json$"
)
_E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
_ALPHA_SENDER_RE = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
_SHORT_CODE_RE = re.compile(r"^\d{3,8}$")


class RestApi(Delivery):
    """The Messages resource of REST API 2010-04-01, checked against the spec."""

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        form: MultiDictProxy[str | bytes | Any] | None = None
        if request.method == "POST":
            if request.content_type != "application/x-www-form-urlencoded":
                self.violations.append(
                    f"{request.method} {request.path}: Content-Type {request.content_type!r}, "
                    "Twilio expects application/x-www-form-urlencoded"
                )
            form = await request.post()
        form_dict: dict[str, str | list[str]] = {}
        if form is not None:
            for key in form:
                values = [str(v) for v in form.getall(key)]
                form_dict[key] = values[0] if len(values) == 1 else values
        call = ApiCall(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            form=form_dict,
            status=0,
        )
        self.calls.append(call)
        try:
            status, payload = await self._route(request, form)
        except TwilioError as err:
            status, payload = err.status, error_body(err.code, err.status, err.message)
            call.error_code = err.code
            if err.status == 429:
                self.too_many_requests += 1
        call.status = status
        headers = {"Twilio-Request-Id": new_sid("RQ")}
        if status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
        if payload is None:
            return web.Response(status=status, headers=headers)
        return web.json_response(payload, status=status, headers=headers)

    async def _route(
        self, request: web.Request, form: MultiDictProxy[Any] | None
    ) -> tuple[int, dict[str, Any] | None]:
        path, method = request.path, request.method
        list_match = _LIST_RE.match(path)
        instance_match = _INSTANCE_RE.match(path)
        if not list_match and not instance_match:
            self.violations.append(f"unsupported endpoint {method} {path}")
            raise TwilioError(20404, 404, f"The requested resource {path} was not found")
        match = list_match or instance_match
        assert match is not None
        self._authenticate(request, match["account"])
        if list_match:
            if method == "POST":
                assert form is not None
                return 201, self._create(form)
            if method == "GET":
                return 200, self._list(request)
        else:
            assert instance_match is not None
            sid = instance_match["sid"]
            if method == "GET":
                return 200, self._resource(self._lookup(sid, path))
            if method == "POST":
                assert form is not None
                return 200, self._update(self._lookup(sid, path), form)
            if method == "DELETE":
                self._lookup(sid, path)
                del self._messages[sid]
                return 204, None
        raise TwilioError(20004, 405)

    def _authenticate(self, request: web.Request, path_account: str) -> None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            raise TwilioError(20003, 401, "Authentication Error - No credentials provided")
        try:
            username, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise TwilioError(20003, 401, "Authentication Error - invalid username") from exc
        if (username, password) != (self.account_sid, self.auth_token):
            raise TwilioError(20003, 401)
        if path_account != self.account_sid:
            raise TwilioError(20003, 401)

    def _lookup(self, sid: str, path: str) -> Message:
        message = self._messages.get(sid)
        if message is None:
            raise TwilioError(20404, 404, f"The requested resource {path} was not found")
        return message

    def _rate_limit(self) -> None:
        if not self.rate_per_sec:
            return
        now = asyncio.get_running_loop().time()
        window = self._windows.setdefault(self.account_sid, deque())
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) >= self.rate_per_sec:
            raise TwilioError(20429, 429)
        window.append(now)

    def _injected_failure(self, to: str | None) -> None:
        for rule in self._fail_rules:
            if rule["to"] is None or rule["to"] == to:
                rule["times"] -= 1
                if rule["times"] <= 0:
                    self._fail_rules.remove(rule)
                raise TwilioError(rule["code"], rule["status"])

    def _create(self, form: MultiDictProxy[Any]) -> dict[str, Any]:
        check_params(
            self.spec, self.violations, "POST Messages.json", list(form), self._create_params, form
        )
        self._rate_limit()
        to = str(form.get("To", "")).strip()
        self._injected_failure(to or None)
        from_ = str(form.get("From", "")).strip() or None
        service = str(form.get("MessagingServiceSid", "")).strip() or None
        body = str(form.get("Body", ""))
        media = [str(u) for u in form.getall("MediaUrl", [])]
        content_sid = str(form.get("ContentSid", "")).strip() or None
        callback = str(form.get("StatusCallback", "")).strip() or None

        if not to:
            raise TwilioError(21604)
        if not from_ and not service:
            raise TwilioError(21603)
        if not body and not media and not content_sid:
            raise TwilioError(21602)
        if len(body) > MAX_BODY_CHARS:
            raise TwilioError(21617)
        if not _E164_RE.match(bare_number(to)) or to in self.invalid_numbers:
            raise TwilioError(21211, message=f"Invalid 'To' Phone Number: {to}")
        if from_ is not None:
            bare = bare_number(from_)
            if not (
                _E164_RE.match(bare) or _ALPHA_SENDER_RE.match(bare) or _SHORT_CODE_RE.match(bare)
            ):
                raise TwilioError(
                    21212,
                    message=f"The 'From' number {from_} is not a valid phone number, "
                    "shortcode, or alphanumeric sender ID.",
                )
            if self.owned_numbers and from_ not in self.owned_numbers:
                raise TwilioError(21606)
        if callback and urlsplit(callback).scheme not in ("http", "https"):
            raise TwilioError(21609)
        if to in self.landline_numbers:
            raise TwilioError(21614)
        if to in self.unsubscribed:
            raise TwilioError(21610)

        if str(form.get("SmartEncoded", "")).lower() == "true":
            body = body.translate(SMART_ENCODING)
        message = self._new_message(
            to=to,
            from_=from_,
            body=body,
            messaging_service_sid=service,
            status_callback=callback,
            num_media=len(media),
            direction="outbound-api",
            source="rest",
            status="accepted" if service else "queued",
        )
        self._spawn(self._progress(message))
        return self._resource(message)

    def _update(self, message: Message, form: MultiDictProxy[Any]) -> dict[str, Any]:
        check_params(
            self.spec,
            self.violations,
            "POST Messages/{Sid}.json",
            list(form),
            self._update_params,
            form,
        )
        where = f"POST Messages/{message.sid}.json"
        if "Body" in form:
            if str(form["Body"]) == "":
                message.body = ""
            else:
                self.violations.append(f"{where}: Body can only be redacted (set to '')")
        if form.get("Status") == "canceled":
            if message.status in ("scheduled", "accepted", "queued"):
                self._set_status(message, "canceled")
            else:
                self.violations.append(f"{where}: cannot cancel a {message.status} message")
        message.date_updated = utcnow()
        return self._resource(message)

    def _list(self, request: web.Request) -> dict[str, Any]:
        query = request.query
        check_params(
            self.spec, self.violations, "GET Messages.json", list(query), self._list_params, query
        )
        try:
            page_size = max(1, min(1000, int(query.get("PageSize", "50"))))
            page = max(0, int(query.get("Page", "0")))
        except ValueError as exc:
            raise TwilioError(20001, 400, "Invalid PageSize or Page") from exc
        matches = [
            m
            for m in self._messages.values()
            if ("To" not in query or m.to == query["To"])
            and ("From" not in query or m.from_ == query["From"])
            and self._date_filter(m, query)
        ]
        matches.sort(key=lambda m: m.date_sent or m.date_created, reverse=True)
        start = page * page_size
        chunk = matches[start : start + page_size]
        base = request.path
        filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

        def page_uri(number: int, token: str | None = None) -> str:
            params = {**filters, "PageSize": str(page_size), "Page": str(number)}
            if token:
                params["PageToken"] = token
            return f"{base}?{urlencode(params)}"

        has_next = start + page_size < len(matches)
        return {
            "end": start + max(len(chunk) - 1, 0),
            "first_page_uri": page_uri(0),
            "next_page_uri": page_uri(page + 1, "PA" + chunk[-1].sid) if has_next else None,
            "page": page,
            "page_size": page_size,
            "previous_page_uri": page_uri(page - 1, "PB" + chunk[0].sid) if page > 0 else None,
            "start": start,
            "uri": page_uri(page),
            "messages": [self._resource(m) for m in chunk],
        }

    @staticmethod
    def _date_filter(message: Message, query: Any) -> bool:
        sent = message.date_sent or message.date_created
        for key, check in (
            ("DateSent", operator.eq),
            ("DateSent<", operator.le),
            ("DateSent>", operator.ge),
        ):
            raw = query.get(key)
            if not raw:
                continue
            try:
                if len(raw) == 10:
                    ok = check(sent.date(), date.fromisoformat(raw))
                else:
                    ok = check(sent, datetime.fromisoformat(raw.replace("Z", "+00:00")))
            except ValueError as exc:
                raise TwilioError(20001, 400, f"Invalid {key} {raw!r}") from exc
            if not ok:
                return False
        return True
