"""Joining, choosing areas, stopping, seeing and deleting one's data, language and help."""

from __future__ import annotations

from datetime import datetime

import bot.registration.texts  # noqa: F401  (registers this feature's texts)
from bot.core.areas import toggle_rows
from bot.core.callbacks import Pattern
from bot.core.conversation import PHOTO, TEXT, Router, Turn
from bot.core.i18n import (
    CATALOG,
    date_text,
    language_name,
    month_text,
    number,
    t,
    time_text,
    tn,
)
from bot.core.menu import as_lines, menu
from bot.core.messages import Button
from bot.core.urns import urn_path, urn_scheme
from bot.registration import services
from storage.models import Area, Resident

PAGE_SIZE = 6
CHOOSING = "choosing_areas"
AWAITING_CONSENT = "awaiting_consent"
CONFIRM = "confirm"
LANGUAGE_ALIASES = {"da": "da", "dk": "da", "en": "en", "uk": "en", "gb": "en"}

CONSENT = Pattern("consent:{answer:yes|no}")
AREA_DONE = Pattern("area:done")
# Several ids at once: SMS numbered picks "1 3" merge into "area:only:4,7".
AREA_SET = Pattern("area:set:{areas:ids}")
AREA_ONLY = Pattern("area:only:{areas:ids}")
AREA_PAGE = Pattern("area:p:{page:num}")
AREA_TOGGLE = Pattern("area:t:{area:id}:{page:num}")
FORGET = Pattern("forget:{answer:yes|no}")
LANGUAGE = Pattern("lang:{lang:da|en}")


def register(router: Router) -> None:
    """Attach the registration flows to the router."""
    router.command("start")(start)
    router.command("resume")(resume)
    router.callback("consent", CONSENT)(consent)
    router.callback("area", AREA_DONE, AREA_SET, AREA_ONLY, AREA_PAGE, AREA_TOGGLE)(area_button)
    router.state(CHOOSING, accepts=(TEXT, PHOTO))(typed_area)
    router.state(AWAITING_CONSENT, accepts=(TEXT, PHOTO))(start)
    router.default_location(shared_location)
    router.command("areas")(areas_command)
    router.command("stop")(stop)
    router.command("mydata")(mydata)
    router.command("forget")(forget)
    router.callback("forget", FORGET)(forget_answer)
    router.command("language")(language)
    router.callback("lang", LANGUAGE)(language_button)
    router.command("help")(help_command)
    router.command("stats", coordinator=True)(stats_command)
    router.fallback(unknown)


# Joining


async def start(turn: Turn) -> None:
    """Welcome back, pick areas, or ask for consent (SMS: texting TILMELD is consent)."""
    args = turn.inbound.args.strip()
    if turn.resident is not None and turn.contact is not None:
        current = await services.areas_of(session=turn.session, resident_id=_rid(turn.resident))
        if turn.contact.stopped_at is not None:
            await services.resume(session=turn.session, urn=turn.contact.urn)
            turn.say("welcome_back", areas=_names(current, turn.lang))
        elif args:
            await choose_by_text(turn, args)
        else:
            turn.say("already_registered", areas=_names(current, turn.lang))
        return
    if turn.traits.implicit_consent:
        await _register(turn)
        if args:
            await choose_by_text(turn, args)
        else:
            await show_picker(turn, [])
        return
    channel_id = t(f"channel_id.{turn.inbound.channel}", turn.lang)
    buttons = [[turn.button("btn.accept", "consent:yes"), turn.button("btn.decline", "consent:no")]]
    await turn.set_state(AWAITING_CONSENT, args=args)
    turn.say("welcome", buttons=buttons, channel_id=channel_id)


async def resume(turn: Turn) -> None:
    if turn.contact is None:
        await unknown(turn)
        return
    await start(turn)


async def consent(turn: Turn) -> None:
    answer = (turn.inbound.callback or "").partition(":")[2]
    if turn.resident is not None:
        await start(turn)
        return
    if answer != "yes":
        await turn.clear_state()
        turn.say("declined")
        return
    args = str(turn.data.get("args", ""))
    await _register(turn)
    if args:
        await turn.clear_state()
        await choose_by_text(turn, args)
    else:
        await show_picker(turn, [])


async def _register(turn: Turn) -> None:
    """Record consent: the resident and this contact address."""
    turn.resident, turn.contact = await services.register_helper(
        session=turn.session,
        urn=turn.inbound.urn,
        channel=turn.inbound.channel,
        display_name=turn.inbound.display_name,
        language=turn.lang,
    )


# Choosing areas


async def area_button(turn: Turn) -> None:
    """area:done, area:set:<ids>, area:only:<ids>, area:p:<page>, area:t:<id>:<page>."""
    if turn.resident is None:
        turn.say("not_registered")
        return
    pressed = turn.pressed
    if pressed.is_(AREA_DONE):
        await commit_areas(turn, await _pending(turn))
    elif pressed.is_(AREA_PAGE):
        await show_picker(turn, await _pending(turn), pressed.id("page"), edit=True)
    elif pressed.is_(AREA_TOGGLE):
        toggled = pressed.id("area")
        if not await _known(turn, [toggled]):
            turn.say("expired_button")
            return
        selected = await _pending(turn)
        selected = (
            [a for a in selected if a != toggled] if toggled in selected else [*selected, toggled]
        )
        await show_picker(turn, selected, pressed.id("page"), edit=True)
    else:
        # An unknown id never reaches the memberships' foreign key.
        picked = await _known(turn, pressed.ids("areas"))
        if not picked:
            turn.say("expired_button")
        elif pressed.is_(AREA_SET):
            await commit_areas(turn, list(dict.fromkeys([*await _pending(turn), *picked])))
        else:
            await commit_areas(turn, picked)


async def _known(turn: Turn, area_ids: list[int]) -> list[int]:
    """Those of `area_ids` that name an area, in the given order."""
    known = {a.id for a in await services.list_areas(session=turn.session)}
    return [a for a in area_ids if a in known]


async def typed_area(turn: Turn) -> None:
    if turn.resident is None:
        await unknown(turn)
        return
    await choose_by_text(turn, turn.inbound.text)


async def shared_location(turn: Turn) -> None:
    """A location no open flow takes: join the area it lies in."""
    if turn.resident is None:
        turn.say("not_registered")
        return
    location = turn.inbound.location
    assert location is not None
    found = await services.area_at_location(
        session=turn.session, latitude=location.latitude, longitude=location.longitude
    )
    if found is None:
        turn.say("location_outside")
        await show_picker(turn, await _pending(turn))
        return
    await commit_areas(turn, list(dict.fromkeys([*await _pending(turn), _aid(found)])))


async def areas_command(turn: Turn) -> None:
    if turn.resident is None:
        if turn.traits.implicit_consent:
            await start(turn)
            return
        turn.say("not_registered")
        return
    await show_picker(turn, await _current_area_ids(turn))


async def show_picker(
    turn: Turn, selected: list[int], page: int = 0, *, edit: bool = False
) -> None:
    """Offer the areas: toggle buttons with pages on Telegram, one numbered list on SMS."""
    all_areas = await services.list_areas(session=turn.session)
    if not turn.traits.buttons:
        await turn.set_state(CHOOSING, selected=selected)
        rows = [[Button(a.name, f"area:only:{a.id}")] for a in all_areas]
        turn.say("choose_areas", buttons=rows)
        return
    pages = max(1, -(-len(all_areas) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = all_areas[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    rows = toggle_rows(shown, selected, lambda a: f"area:t:{a.id}:{page}")
    nav = []
    if page > 0:
        nav.append(turn.button("btn.prev", f"area:p:{page - 1}"))
    if page < pages - 1:
        nav.append(turn.button("btn.next", f"area:p:{page + 1}"))
    if nav:
        rows.append(nav)
    rows.append([turn.button("btn.done", "area:done")])
    await turn.set_state(CHOOSING, selected=selected, page=page)
    turn.say("choose_areas", buttons=rows, edit=edit)


async def commit_areas(turn: Turn, area_ids: list[int]) -> None:
    """Save the chosen areas and confirm them by name."""
    if not area_ids:
        turn.say("pick_at_least_one")
        await show_picker(turn, [])
        return
    assert turn.resident is not None
    chosen = await services.set_areas(
        session=turn.session, resident_id=_rid(turn.resident), area_ids=area_ids
    )
    await turn.clear_state()
    turn.say("registered", areas=_names(chosen, turn.lang))


async def choose_by_text(turn: Turn, query: str) -> None:
    """A typed postcode or area name: join on one match, offer candidates on several."""
    found = await services.find_areas(session=turn.session, query=query)
    if len(found) == 1:
        await commit_areas(turn, [*await _pending(turn), _aid(found[0])])
    elif found:
        rows = [[Button(a.name, f"area:set:{a.id}")] for a in found]
        turn.say("choose_candidates", buttons=rows, query=query.strip())
    else:
        turn.say("area_not_found", query=query.strip())
        await show_picker(turn, await _pending(turn))


async def _pending(turn: Turn) -> list[int]:
    """The selection being built, or the current memberships outside the picker."""
    if turn.state == CHOOSING:
        return [int(x) for x in turn.data.get("selected", [])]
    return await _current_area_ids(turn)


async def _current_area_ids(turn: Turn) -> list[int]:
    if turn.resident is None:
        return []
    return await services.area_ids_of(session=turn.session, resident_id=_rid(turn.resident))


# Stop, my data, forget


async def stop(turn: Turn) -> None:
    if turn.contact is not None:
        await services.stop(session=turn.session, urn=turn.contact.urn)
    await turn.clear_state()
    turn.say("stopped")


async def mydata(turn: Turn) -> None:
    if turn.resident is None:
        turn.say("mydata.none")
        return
    lang = turn.lang
    data = await services.my_data(session=turn.session, resident=turn.resident)
    consent_at = data.consent_at.astimezone(turn.settings.tz)
    turn.say(
        "mydata",
        name=data.display_name or "-",
        contacts=", ".join(data.contacts),
        numbers=", ".join(urn_path(c) if urn_scheme(c) == "tel" else c for c in data.contacts),
        areas=", ".join(data.areas) or t("no_areas", lang),
        language=language_name(data.language),
        consent=t(
            "mydata.consent",
            lang,
            date=date_text(consent_at, lang),
            time=time_text(consent_at, lang),
        ),
        consent_day=date_text(consent_at, lang, "short"),
        status=t("status.stopped" if data.stopped else "status.active", lang),
        roles=t("mydata.roles", lang, roles=", ".join(data.roles)) if data.roles else "",
        topics=_listing([_topic(topic, on, lang) for topic, on in data.topics.items()], lang),
        tips=_listing([_tip(tip, turn, lang) for tip in reversed(data.tips)], lang),
        answers=_listing([_answer(a, turn, lang) for a in reversed(data.answers)], lang),
        observations=tn("mydata.observations", lang, sum(data.observations.values())),
        tip_count=tn("mydata.tips", lang, len(data.tips)),
        answer_count=tn("mydata.answers", lang, len(data.answers)),
        observation_count=tn("mydata.observations", lang, sum(data.observations.values())),
    )


MYDATA_LINES = 20  # newest first; the rest as a count, so the message stays readable


def _listing(items: list[str], lang: str) -> str:
    if not items:
        return t("mydata.nothing", lang)
    shown = ", ".join(items[:MYDATA_LINES])
    more = len(items) - MYDATA_LINES
    return shown + tn("mydata.more", lang, more) if more > 0 else shown


def _topic(topic: str, on: bool, lang: str) -> str:
    key = f"mydata.topic.{topic}"
    name = t(key, lang) if key in CATALOG else topic
    return t(
        "mydata.topic", lang, topic=name, state=t(f"mydata.topic.{'on' if on else 'off'}", lang)
    )


def _tip(tip: services.TipLine, turn: Turn, lang: str) -> str:
    key = f"mydata.tipstatus.{tip.status}"
    return t(
        "mydata.tip",
        lang,
        reference=tip.reference,
        date=date_text(tip.created_at.astimezone(turn.settings.tz), lang, "medium"),
        status=t(key, lang) if key in CATALOG else tip.status,
    )


def _answer(answer: services.AnswerLine, turn: Turn, lang: str) -> str:
    key = f"mydata.answer.{answer.status}"
    text = t(
        "mydata.answer",
        lang,
        title=answer.title,
        date=date_text(answer.starts_at.astimezone(turn.settings.tz), lang, "medium"),
        answer=t(key, lang) if key in CATALOG else answer.status,
    )
    return text + (t("mydata.answer.listed", lang) if answer.share_name else "")


async def forget(turn: Turn) -> None:
    if turn.resident is None:
        turn.say("mydata.none")
        return
    await turn.set_state(CONFIRM, on_yes="forget:yes", on_no="forget:no")
    buttons = [
        [turn.button("btn.forget_yes", "forget:yes"), turn.button("btn.cancel", "forget:no")]
    ]
    turn.say("forget_confirm", buttons=buttons if turn.traits.buttons else None)


async def forget_answer(turn: Turn) -> None:
    if turn.resident is None:
        turn.say("mydata.none")
        return
    if turn.inbound.callback != "forget:yes":
        await turn.clear_state()
        turn.say("forget_cancelled")
        return
    lang = turn.lang
    await services.forget(
        session=turn.session,
        resident_id=_rid(turn.resident),
        media_dir=turn.settings.media_dir,
        placeholder=t("forget.redacted", turn.settings.default_language),
    )
    # The flow row went with everything else; a remembered language must not bring it back.
    turn.resident, turn.contact, turn.flow = None, None, None
    turn.say_text(t("forgotten", lang))


# Language, help, /stats, anything else


async def language(turn: Turn) -> None:
    wanted = _language_from(turn.inbound.args)
    if wanted is None:
        rows = [[Button(language_name(code).capitalize(), f"lang:{code}") for code in ("da", "en")]]
        turn.say("choose_language", buttons=rows)
        return
    await _set_language(turn, wanted)


async def language_button(turn: Turn) -> None:
    chosen = _language_from((turn.inbound.callback or "").partition(":")[2])
    await _set_language(turn, chosen or "da")


def _language_from(raw: str) -> str | None:
    word = raw.strip().casefold()[:2]
    return LANGUAGE_ALIASES.get(word) if word else None


async def _set_language(turn: Turn, lang: str) -> None:
    if turn.resident is not None:
        turn.resident = await services.set_language(
            session=turn.session, resident_id=_rid(turn.resident), language=lang
        )
    else:
        # Not registered yet: the choice waits in the flow until consent.
        await turn.set_state(turn.state or "idle", **(turn.data | {"lang": lang}))
    turn.say_text(t("language_set", lang))


async def help_command(turn: Turn) -> None:
    router = turn.router
    if turn.inbound.channel == "sms":
        text = turn.text("help")
    else:
        text = t("help", turn.lang, commands=as_lines(menu(router, turn.lang, staff=False)))
        if await turn.is_staff():
            staff = as_lines(menu(router, turn.lang, staff=True))
            text += t("help.coordinator", turn.lang, commands=staff)
    tip_button = [[turn.button("btn.tip", "tip:new")]] if "tip" in router.commands else None
    turn.say_text(text, buttons=tip_button if turn.traits.buttons else None)


async def stats_command(turn: Turn) -> None:
    """Helpers per area this month, then every feature's /stats section."""
    lang, tz = turn.lang, turn.settings.tz
    now = datetime.now(tz)
    found = await services.helper_stats(session=turn.session, now=now, tz=tz)
    rows = "\n".join(
        tn(
            "stats.row",
            lang,
            c.new,
            area=c.area,
            active=number(c.active, lang),
            stopped=number(c.stopped, lang),
        )
        for c in found.areas
    )
    turn.say(
        "stats",
        month=month_text(found.month, lang),
        rows=rows,
        total=tn("stats.active", lang, found.active),
        new=tn("stats.new", lang, found.new),
        stopped=number(found.stopped, lang),
    )
    for section in turn.router.stats_sections:
        if lines := await section(turn.session, turn.settings, lang, now):
            turn.replies[-1].text += "\n\n" + "\n".join(lines)


async def unknown(turn: Turn) -> None:
    if turn.resident is not None:
        turn.say("unknown")
    elif turn.traits.implicit_consent:
        turn.say("unknown_unregistered")
    else:
        turn.say("not_registered")


def _names(areas: list[Area], lang: str) -> str:
    return ", ".join(a.name for a in areas) or t("no_areas", lang)


def _rid(resident: Resident) -> int:
    assert resident.id is not None
    return resident.id


def _aid(area: Area) -> int:
    assert area.id is not None
    return area.id
