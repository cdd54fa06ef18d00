"""Joining, choosing areas, stopping and deleting one's data (language, help: info_chat)."""

from __future__ import annotations

import re

import bot.registration.texts  # noqa: F401  (registers this feature's texts)
from bot.core.areas import toggle_rows
from bot.core.callbacks import Pattern
from bot.core.conversation import PHOTO, TEXT, Router, Turn
from bot.core.i18n import t
from bot.core.menu import as_lines, menu
from bot.core.messages import Button, Reply
from bot.registration import info_chat, services
from bot.registration.info_chat import help_command, language, language_button, stats_command
from bot.registration.mydata import mydata
from storage.models import Area, Resident

PAGE_SIZE = 6
CHOOSING = "choosing_areas"
AWAITING_CONSENT = "awaiting_consent"
CONFIRM = "confirm"

CONSENT = Pattern("consent:{answer:yes|no}")
AREA_DONE = Pattern("area:done")
# Several ids at once: SMS numbered picks "1 3" merge into "area:only:4,7".
AREA_SET = Pattern("area:set:{areas:ids}")
AREA_ONLY = Pattern("area:only:{areas:ids}")
AREA_PAGE = Pattern("area:p:{page:num}")
AREA_TOGGLE = Pattern("area:t:{area:id}:{page:num}")
# The offer after a location shared with no flow open: add that one area, or change nothing.
AREA_ADD = Pattern("area:add:{area:id}")
AREA_KEEP = Pattern("area:keep")
# A bare number ("2", "1 3"), as the engine reads numbered answers.
BARE_NUMBER = re.compile(r"^\s*\d{1,2}(?:[\s,.;]+\d{1,2})*\s*$")
FORGET = Pattern("forget:{answer:yes|no}")


def register(router: Router) -> None:
    """Attach the registration flows to the router."""
    router.command("start")(start)
    router.command("resume")(resume)
    router.callback("consent", CONSENT)(consent)
    router.callback(
        "area", AREA_DONE, AREA_SET, AREA_ONLY, AREA_PAGE, AREA_TOGGLE, AREA_ADD, AREA_KEEP
    )(area_button)
    router.state(CHOOSING, accepts=(TEXT, PHOTO))(typed_area)
    router.on_leave(CHOOSING)(areas_left)
    router.state(AWAITING_CONSENT, accepts=(TEXT, PHOTO))(start)
    router.default_location(shared_location)
    router.command("areas")(areas_command)
    router.command("stop")(stop)
    router.command("mydata")(mydata)
    router.command("forget")(forget)
    router.callback("forget", FORGET)(forget_answer)
    router.command("language")(language)
    router.callback("lang", info_chat.LANGUAGE)(language_button)
    router.command("help")(help_command)
    router.command("stats", coordinator=True)(stats_command)
    router.fallback(unknown)


# Joining


async def start(turn: Turn) -> None:
    """/start, and for coordinators and representatives the staff tools the router knows."""
    await _start(turn)
    if turn.replies and turn.traits.buttons and await turn.is_staff():
        tools = as_lines(menu(turn.router, turn.lang, staff=True))
        if tools:
            turn.replies[-1].text += t("start.staff", turn.lang, commands=tools)


async def _start(turn: Turn) -> None:
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
    if pressed.is_(AREA_KEEP):
        await turn.clear_state()
        turn.say("areas_kept", areas=_names(await _current(turn), turn.lang))
    elif pressed.is_(AREA_ADD):
        # The explicit yes to the offer a shared location made: only this adds an area.
        areas = {a.id: a for a in await services.list_areas(session=turn.session)}
        if (added := areas.get(pressed.id("area"))) is None:
            turn.say("expired_button")
            return
        await commit_areas(turn, [*await _current_area_ids(turn), _aid(added)], added=added)
    elif pressed.is_(AREA_DONE):
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
    """Text typed at the area list: a postcode or a name; anything else gets one pointer."""
    if turn.resident is None:
        await unknown(turn)
        return
    if turn.inbound.photos:
        await turn.reprompt("area_photo")
        return
    await choose_by_text(turn, turn.inbound.text)


async def areas_left(turn: Turn, reason: str) -> str:
    """Leaving the area list changes nothing; say which areas stay, or that none is chosen."""
    current = await _current(turn)
    if current:
        turn.say(f"areas_left.{reason}", areas=_names(current, turn.lang))
    else:
        turn.say(f"areas_left_none.{reason}")
    return ""


async def shared_location(turn: Turn) -> None:
    """A location no other flow takes: at the area list it ticks the area it lies in; with
    nothing open it only offers to add that area: a location never changes areas by itself."""
    if turn.resident is None:
        turn.say("not_registered")
        return
    location = turn.inbound.location
    assert location is not None
    found = await services.area_at_location(
        session=turn.session, latitude=location.latitude, longitude=location.longitude
    )
    choosing = turn.state == CHOOSING
    if found is None:
        turn.say("location_outside" if choosing else "location_outside_idle")
        if choosing:
            await show_picker(turn, await _pending(turn))
        return
    if choosing:
        selected = list(dict.fromkeys([*await _pending(turn), _aid(found)]))
        await show_picker(turn, selected, key="location_ticked", area=found.name)
        return
    if _aid(found) in await _current_area_ids(turn):
        turn.say("location_already", area=found.name)
        return
    buttons = [
        [
            turn.button("btn.location_add", f"area:add:{found.id}"),
            turn.button("btn.location_keep", "area:keep"),
        ]
    ]
    turn.say("location_offer", buttons=buttons, area=found.name)


async def areas_command(turn: Turn) -> None:
    if turn.resident is None:
        if turn.traits.implicit_consent:
            await start(turn)
            return
        turn.say("not_registered")
        return
    await show_picker(turn, await _current_area_ids(turn))


async def show_picker(
    turn: Turn,
    selected: list[int],
    page: int = 0,
    *,
    edit: bool = False,
    key: str = "choose_areas",
    **values: object,
) -> None:
    """Offer the areas: toggle buttons with pages on Telegram, one numbered list on SMS.

    On SMS the numbers answered are the areas wanted (they replace the current ones), so the
    prompt names the current ones when there are any."""
    all_areas = await services.list_areas(session=turn.session)
    current = await _current(turn)
    if current and key == "choose_areas":
        key, values = "change_areas", {"areas": _names(current, turn.lang)}
    if not turn.traits.buttons:
        await turn.set_state(CHOOSING, selected=selected)
        rows = [[Button(a.name, f"area:only:{a.id}")] for a in all_areas]
        turn.replies.append(Reply(turn.text(key, **values), rows))
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
    turn.replies.append(Reply(turn.text(key, **values), rows, edit))


async def commit_areas(turn: Turn, area_ids: list[int], *, added: Area | None = None) -> None:
    """Save the chosen areas and confirm them by name: a first choice, a change, or one added."""
    if not area_ids:
        turn.say("pick_at_least_one")
        await show_picker(turn, [])
        return
    assert turn.resident is not None
    before = await _current_area_ids(turn)
    chosen = await services.set_areas(
        session=turn.session, resident_id=_rid(turn.resident), area_ids=area_ids
    )
    await turn.clear_state()
    names = _names(chosen, turn.lang)
    if not before:
        turn.say("registered", areas=names)
    elif added is not None and added.id not in before:
        turn.say("area_added", area=added.name, areas=names)
    else:
        turn.say("areas_now", areas=names)


async def choose_by_text(turn: Turn, query: str) -> None:
    """A typed postcode or area name adds that area (TILMELD FARUM adds Farum); several matches
    offer candidates; no match at the list gets one pointer, elsewhere the list."""
    found = await services.find_areas(session=turn.session, query=query)
    if len(found) == 1:
        await commit_areas(turn, [*await _pending(turn), _aid(found[0])], added=found[0])
    elif found:
        rows = [[Button(a.name, f"area:set:{a.id}")] for a in found]
        turn.say("choose_candidates", buttons=rows, query=query.strip())
    elif turn.state == CHOOSING:
        await turn.reprompt("area_not_found", query=query.strip())
    else:
        turn.say("area_unknown", query=query.strip())
        await show_picker(turn, await _pending(turn))


async def _pending(turn: Turn) -> list[int]:
    """The selection being built, or the current memberships outside the picker."""
    if turn.state == CHOOSING:
        return [int(x) for x in turn.data.get("selected", [])]
    return await _current_area_ids(turn)


async def _current(turn: Turn) -> list[Area]:
    if turn.resident is None:
        return []
    return await services.areas_of(session=turn.session, resident_id=_rid(turn.resident))


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


# Anything else


async def unknown(turn: Turn) -> None:
    """Nothing open takes this: say so; a photo or a bare number is never taken silently."""
    if turn.resident is not None and turn.inbound.photos:
        turn.say("photo_no_flow")
    elif turn.resident is not None and BARE_NUMBER.match(turn.inbound.text):
        turn.say("number_no_flow")
    elif turn.resident is not None:
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
