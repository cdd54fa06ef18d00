"""The dashboard's web layer: templates, the logged-in viewer, CSRF, login/logout and the mount.

Page modules (overview, map, inbox, composer, events, exports) each expose
`routes(db, settings) -> list[BaseRoute]` whose endpoints close over db and settings, and use:

    current = await viewer(request)          # NotLoggedIn -> 303 to the login page, NotStaff -> 403
    await check_csrf(request, current)       # first thing in every POST (form field "csrf")
    return render(request, current, "page.html", **context)

Templates get `t(key, **values)`, `tn(key, count, **values)`, `number`, `money`, `date_text`,
`datetime_text` in the viewer's language, `csrf_field()` for forms and `base` ("/dashboard").
The Content-Security-Policy allows only this server's own files: no inline <script>, no
style="" attributes (SVG presentation attributes such as fill="" are fine), no CDN.

CSRF: the token is an HMAC of the session secret (bot.dashboard.auth), so nothing extra is
stored; the session cookie is HttpOnly and SameSite=Lax on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import bot.dashboard.texts  # noqa: F401  (registers the dash.* texts the templates use)
from bot.core import i18n
from bot.core.settings import Settings
from bot.dashboard import auth
from bot.dashboard.auth import Viewer
from storage.db import Database

BASE = "/dashboard"
COOKIE = "nabovagt_session"
# (name, path inside /dashboard): the navigation, in order; labels are dash.nav.<name>.
PAGES = [
    ("overview", "/"),
    ("map", "/map"),
    ("inbox", "/tips"),
    ("composer", "/compose"),
    ("events", "/events"),
]
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    # The login link carries its token in the query string: never hand it on as a Referer.
    "referrer-policy": "no-referrer",
}
# Link previews (Telegram, iMessage, Slack...) fetch a link before the person taps it; such a
# fetch must not spend the one-time token.
PREVIEW_AGENTS = (
    "telegrambot",
    "twitterbot",
    "facebookexternalhit",
    "facebot",
    "slackbot",
    "discordbot",
    "whatsapp",
    "skypeuripreview",
    "linkedinbot",
    "embedly",
)

__all__ = [
    "BASE",
    "PAGES",
    "NotLoggedIn",
    "NotStaff",
    "Viewer",
    "check_csrf",
    "mount",
    "render",
    "templates",
    "viewer",
]


class NotLoggedIn(Exception):
    """No live session cookie: the mount answers with a redirect to the login page."""


class NotStaff(Exception):
    """Logged in, but no longer a coordinator or representative: 403."""


class CsrfFailed(Exception):
    """A POST without the right csrf field: 403."""


@dataclass(frozen=True)
class Context:
    """What the mount hands to `viewer` for each request."""

    db: Database
    settings: Settings


_SCOPE_KEY = "nabovagt.dashboard"


def _lang(context: dict[str, Any]) -> str:
    return str(context.get("lang") or "da")


@jinja2.pass_context
def _t(context: dict[str, Any], key: str, **values: object) -> str:
    return i18n.t(key, _lang(context), **values)


@jinja2.pass_context
def _tn(context: dict[str, Any], key: str, count: int, **values: object) -> str:
    return i18n.tn(key, _lang(context), count, **values)


@jinja2.pass_context
def _number(context: dict[str, Any], value: float, decimals: int | None = None) -> str:
    return i18n.number(value, _lang(context), decimals=decimals)


@jinja2.pass_context
def _money(context: dict[str, Any], amount: float) -> str:
    return i18n.money(amount, _lang(context))


@jinja2.pass_context
def _date_text(context: dict[str, Any], day: Any, pattern: str = "long") -> str:
    return i18n.date_text(day, _lang(context), pattern)


@jinja2.pass_context
def _datetime_text(
    context: dict[str, Any], moment: datetime, pattern: str = "d. MMM yyyy HH:mm"
) -> str:
    settings: Settings | None = context.get("settings")
    if settings is not None:
        moment = moment.astimezone(settings.tz)
    return i18n.datetime_text(moment, _lang(context), pattern)


@jinja2.pass_context
def _csrf_field(context: dict[str, Any]) -> Markup:
    current: Viewer | None = context.get("viewer")
    token = current.csrf if current is not None else ""
    return Markup('<input type="hidden" name="csrf" value="{}">').format(token)


_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("bot.dashboard", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
templates = Jinja2Templates(env=_environment)
_environment.globals.update(
    t=_t,
    tn=_tn,
    number=_number,
    money=_money,
    date_text=_date_text,
    datetime_text=_datetime_text,
    csrf_field=_csrf_field,
    base=BASE,
    pages=PAGES,
)


def context_of(request: Request) -> Context:
    found = request.scope.get(_SCOPE_KEY)
    if not isinstance(found, Context):
        raise RuntimeError("dashboard endpoints run only inside the mount from web.mount()")
    return found


def now() -> datetime:
    return datetime.now(UTC)


async def viewer(request: Request) -> Viewer:
    """The logged-in coordinator or representative, checked against their roles right now."""
    secret = request.cookies.get(COOKIE)
    if not secret:
        raise NotLoggedIn()
    context = context_of(request)
    async with context.db.session() as session:
        found = await auth.viewer_for_session(
            session=session, settings=context.settings, secret=secret, now=now()
        )
    if found is None:
        raise NotLoggedIn()
    if isinstance(found, auth.Refusal):
        raise NotStaff()
    return found


async def check_csrf(request: Request, current: Viewer) -> None:
    """Refuse (403) a form that does not carry this session's csrf token."""
    form = await request.form()
    given = form.get("csrf")
    secret = request.cookies.get(COOKIE, "")
    if not isinstance(given, str) or not secret or not auth.csrf_ok(secret, given):
        raise CsrfFailed()
    if given != current.csrf:
        raise CsrfFailed()


def render(
    request: Request, current: Viewer, name: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page in the viewer's language with the navigation; `page` (nav name) marks the tab."""
    values = {
        "viewer": current,
        "lang": current.lang,
        "settings": context_of(request).settings,
        "page": None,
    } | context
    return templates.TemplateResponse(request, name, values, status_code=status_code)


def _anonymous(request: Request, reason: str, status_code: int) -> HTMLResponse:
    """The page for people who are not (or no longer) logged in: how to get a link."""
    settings = context_of(request).settings
    return templates.TemplateResponse(
        request,
        "login_failed.html",
        {
            "viewer": None,
            "lang": settings.default_language,
            "settings": settings,
            "page": None,
            "reason": reason,
        },
        status_code=status_code,
    )


def _is_preview(request: Request) -> bool:
    agent = request.headers.get("user-agent", "").lower()
    return any(bot in agent for bot in PREVIEW_AGENTS)


def routes(db: Database, settings: Settings) -> list[BaseRoute]:
    """Login by link, logout, and the dashboard's own static files."""
    secure = (settings.public_url or "").startswith("https://")

    async def login(request: Request) -> Response:
        secret = request.query_params.get("token")
        if not secret:
            return _anonymous(request, "missing", 200)
        if _is_preview(request):
            return _anonymous(request, "preview", 200)
        async with db.session() as session:
            result = await auth.redeem_login(
                session=session, settings=settings, secret=secret, now=now()
            )
        if isinstance(result, auth.Refusal):
            status = 403 if result is auth.Refusal.NOT_STAFF else 400
            return _anonymous(request, result.value, status)
        response = RedirectResponse(f"{BASE}/", status_code=303)
        response.set_cookie(
            COOKIE,
            result,
            max_age=int(auth.SESSION_VALID.total_seconds()),
            path=BASE,
            secure=secure,
            httponly=True,
            samesite="lax",
        )
        return response

    async def logout(request: Request) -> Response:
        current = await viewer(request)
        await check_csrf(request, current)
        async with db.session() as session:
            await auth.end_session(session=session, secret=request.cookies[COOKIE], now=now())
        response = _anonymous(request, "logged_out", 200)
        response.delete_cookie(COOKIE, path=BASE, secure=secure, httponly=True, samesite="lax")
        return response

    return [
        Route("/login", login, methods=["GET"]),
        Route("/logout", logout, methods=["POST"]),
        Mount("/static", StaticFiles(packages=[("bot.dashboard", "static")]), name="static"),
    ]


class _DashboardMiddleware:
    """Hands endpoints their context, turns access errors into pages, adds security headers."""

    def __init__(self, app: ASGIApp, context: Context) -> None:
        self.app = app
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[_SCOPE_KEY] = self.context
        static = scope["path"].startswith(f"{BASE}/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if not static:
                    headers["cache-control"] = "no-store"
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except NotLoggedIn:
            response: Response = RedirectResponse(f"{BASE}/login", status_code=303)
            await response(scope, receive, with_headers)
        except NotStaff:
            request = Request(scope, receive)
            await _anonymous(request, "not_staff", 403)(scope, receive, with_headers)
        except CsrfFailed:
            await Response("CSRF check failed", status_code=403)(scope, receive, with_headers)


def mount(db: Database, settings: Settings, page_routes: Sequence[BaseRoute]) -> Mount:
    """/dashboard: login/logout/static plus every page module's routes, behind the middleware."""
    return Mount(
        BASE,
        routes=[*routes(db, settings), *page_routes],
        middleware=[Middleware(_DashboardMiddleware, context=Context(db, settings))],
    )
