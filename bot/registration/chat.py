"""Joining, choosing areas, stopping, seeing and deleting one's data, language and help."""

from __future__ import annotations

from datetime import datetime

import bot.registration.texts  # noqa: F401  (registers this feature's texts)
from bot.core.areas import area_at, match_areas, toggle_rows
from bot.core.conversation import PHOTO, TEXT, Router, Turn
from bot.core.i18n import LANGUAGES, t
from bot.core.menu import as_lines, menu
from bot.core.messages import Button
from storage import areas as area_store
from storage import residents, roles, stats
from storage.models import Area

PAGE_SIZE = 6
CHOOSING = "choosing_areas"
AWAITING_CONSENT = "awaiting_consent"
CONFIRM = "confirm"


def _ids(payload: str) -> list[int]:
    return [int(x) for x in payload.split(",") if x.strip().isdigit()]


def _names(areas: list[Area], lang: str) -> str:
    return ", ".join(a.name for a in areas) or t("no_areas", lang)


async def _current_area_ids(turn: Turn) -> list[int]:
    if turn.resident is None:
        return []
    found = await residents.areas_of(session=turn.session, resident_id=turn.resident.id)  # type: ignore[arg-type]
    return [a.id for a in found]  # type: ignore[misc]


async def show_picker(
    turn: Turn, selected: list[int], page: int = 0, *, edit: bool = False
) -> None:
    """Offer the areas: toggle buttons with pages on Telegram, one numbered list on SMS."""
    all_areas = await area_store.list_areas(session=turn.session)
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
    assert turn.resident is not None and turn.resident.id is not None
    await residents.set_areas(session=turn.session, resident_id=turn.resident.id, area_ids=area_ids)
    chosen = await residents.areas_of(session=turn.session, resident_id=turn.resident.id)
    await turn.clear_state()
    turn.say("registered", areas=_names(chosen, turn.lang))


async def _register(turn: Turn) -> None:
    """Record consent: the resident and this contact address."""
    lang = turn.lang
    turn.resident, turn.contact = await residents.create_resident(
        session=turn.session,
        urn=turn.inbound.urn,
        channel=turn.inbound.channel,
        display_name=turn.inbound.display_name,
        language=lang,
    )


async def choose_by_text(turn: Turn, query: str) -> None:
    """A typed postcode or area name: join on one match, offer candidates on several."""
    all_areas = await area_store.list_areas(session=turn.session)
    found = match_areas(all_areas, query)
    if len(found) == 1:
        await commit_areas(turn, [*await _pending(turn), found[0].id])  # type: ignore[list-item]
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


def register(router: Router) -> None:
    """Attach the registration flows to the router."""

    @router.command("start")
    async def start(turn: Turn) -> None:
        args = turn.inbound.args.strip()
        if turn.resident is not None and turn.contact is not None:
            current = await residents.areas_of(session=turn.session, resident_id=turn.resident.id)  # type: ignore[arg-type]
            if turn.contact.stopped_at is not None:
                await residents.set_stopped(
                    session=turn.session, contact=turn.contact, stopped=False
                )
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
        buttons = [
            [turn.button("btn.accept", "consent:yes"), turn.button("btn.decline", "consent:no")]
        ]
        await turn.set_state(AWAITING_CONSENT, args=args)
        turn.say("welcome", buttons=buttons, channel_id=channel_id)

    @router.command("resume")
    async def resume(turn: Turn) -> None:
        if turn.contact is None:
            await unknown(turn)
            return
        await start(turn)

    @router.callback("consent")
    async def consent(turn: Turn) -> None:
        answer = turn.inbound.callback.partition(":")[2]  # type: ignore[union-attr]
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

    @router.callback("area")
    async def area_button(turn: Turn) -> None:
        if turn.resident is None:
            turn.say("not_registered")
            return
        parts = (turn.inbound.callback or "").split(":", 2)
        _, action, rest = parts + [""] * (3 - len(parts))
        if action == "done":
            await commit_areas(turn, await _pending(turn))
        elif action == "set":
            await commit_areas(turn, list(dict.fromkeys([*await _pending(turn), *_ids(rest)])))
        elif action == "only":
            await commit_areas(turn, _ids(rest))
        elif action == "p":
            await show_picker(turn, await _pending(turn), int(rest or 0), edit=True)
        elif action == "t":
            area_id, _, page = rest.partition(":")
            selected = await _pending(turn)
            toggled = int(area_id)
            selected = (
                [a for a in selected if a != toggled]
                if toggled in selected
                else [*selected, toggled]
            )
            await show_picker(turn, selected, int(page or 0), edit=True)
        else:
            turn.say("expired_button")

    @router.state(CHOOSING, accepts=(TEXT, PHOTO))
    async def typed_area(turn: Turn) -> None:
        if turn.resident is None:
            await unknown(turn)
            return
        await choose_by_text(turn, turn.inbound.text)

    @router.state(AWAITING_CONSENT, accepts=(TEXT, PHOTO))
    async def typed_while_consenting(turn: Turn) -> None:
        await start(turn)

    async def on_location(turn: Turn) -> None:
        if turn.resident is None:
            turn.say("not_registered")
            return
        location = turn.inbound.location
        assert location is not None
        found = area_at(
            await area_store.list_areas(session=turn.session), location.latitude, location.longitude
        )
        if found is None:
            turn.say("location_outside")
            await show_picker(turn, await _pending(turn))
            return
        await commit_areas(turn, list(dict.fromkeys([*await _pending(turn), found.id])))  # type: ignore[list-item]

    router.default_location(on_location)

    @router.command("areas")
    async def areas_command(turn: Turn) -> None:
        if turn.resident is None:
            if turn.traits.implicit_consent:
                await start(turn)
                return
            turn.say("not_registered")
            return
        await show_picker(turn, await _current_area_ids(turn))

    @router.command("stop")
    async def stop(turn: Turn) -> None:
        if turn.contact is not None:
            await residents.set_stopped(session=turn.session, contact=turn.contact, stopped=True)
        await turn.clear_state()
        turn.say("stopped")

    @router.command("mydata")
    async def mydata(turn: Turn) -> None:
        if turn.resident is None:
            turn.say("mydata.none")
            return
        rid = turn.resident.id
        contacts = await residents.contacts_of(session=turn.session, resident_id=rid)  # type: ignore[arg-type]
        chosen = await residents.areas_of(session=turn.session, resident_id=rid)  # type: ignore[arg-type]
        granted = await roles.roles_of(session=turn.session, urns=[c.urn for c in contacts])
        stopped = all(c.stopped_at is not None for c in contacts)
        tz = turn.settings.tz
        turn.say(
            "mydata",
            name=turn.resident.display_name or "-",
            contacts=", ".join(c.urn for c in contacts),
            areas=_names(chosen, turn.lang),
            language="dansk" if turn.resident.language == "da" else "English",
            consent=turn.resident.consent_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            status=t("status.stopped" if stopped else "status.active", turn.lang),
            roles=t("mydata.roles", turn.lang, roles=", ".join(r.role for r in granted))
            if granted
            else "",
        )

    @router.command("forget")
    async def forget(turn: Turn) -> None:
        if turn.resident is None:
            turn.say("mydata.none")
            return
        await turn.set_state(CONFIRM, on_yes="forget:yes", on_no="forget:no")
        buttons = [
            [turn.button("btn.forget_yes", "forget:yes"), turn.button("btn.cancel", "forget:no")]
        ]
        turn.say("forget_confirm", buttons=buttons if turn.traits.buttons else None)

    @router.callback("forget")
    async def forget_answer(turn: Turn) -> None:
        if turn.resident is None:
            turn.say("mydata.none")
            return
        if turn.inbound.callback != "forget:yes":
            await turn.clear_state()
            turn.say("forget_cancelled")
            return
        lang = turn.lang
        await residents.forget_resident(session=turn.session, resident_id=turn.resident.id)  # type: ignore[arg-type]
        turn.resident = turn.contact = None
        await turn.clear_state()
        turn.say_text(t("forgotten", lang))

    @router.command("language")
    async def language(turn: Turn) -> None:
        wanted = _language_from(turn.inbound.args)
        if wanted is None:
            rows = [[Button("Dansk", "lang:da"), Button("English", "lang:en")]]
            turn.say("choose_language", buttons=rows)
            return
        await _set_language(turn, wanted)

    @router.callback("lang")
    async def language_button(turn: Turn) -> None:
        await _set_language(turn, _language_from(turn.inbound.callback.partition(":")[2]) or "da")  # type: ignore[union-attr]

    @router.command("help")
    async def help_command(turn: Turn) -> None:
        if turn.inbound.channel == "sms":
            text = turn.text("help")
        else:
            text = t("help", turn.lang, commands=as_lines(menu(router, turn.lang, staff=False)))
            if await turn.is_staff():
                staff = as_lines(menu(router, turn.lang, staff=True))
                text += t("help.coordinator", turn.lang, commands=staff)
        tip_button = [[turn.button("btn.tip", "tip:new")]] if "tip" in router.commands else None
        turn.say_text(text, buttons=tip_button if turn.traits.buttons else None)

    @router.command("stats", coordinator=True)
    async def stats_command(turn: Turn) -> None:
        tz = turn.settings.tz
        now = datetime.now(tz)
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        counts = await stats.helpers_per_area(session=turn.session, since=month_start)
        total, new, gone = await stats.totals(session=turn.session, since=month_start)
        rows = "\n".join(
            t("stats.row", turn.lang, area=c.area, active=c.active, new=c.new, stopped=c.stopped)
            for c in counts
        )
        turn.say(
            "stats", month=now.strftime("%Y-%m"), rows=rows, total=total, new=new, stopped=gone
        )
        for section in router.stats_sections:
            if lines := await section(turn.session, turn.settings, turn.lang, now):
                turn.replies[-1].text += "\n\n" + "\n".join(lines)

    async def unknown(turn: Turn) -> None:
        if turn.resident is not None:
            turn.say("unknown")
        elif turn.traits.implicit_consent:
            turn.say("unknown_unregistered")
        else:
            turn.say("not_registered")

    router.fallback(unknown)


def _language_from(raw: str) -> str | None:
    word = raw.strip().casefold()[:2]
    aliases = {"da": "da", "dk": "da", "en": "en", "uk": "en", "gb": "en"}
    return aliases.get(word) if word else None


async def _set_language(turn: Turn, lang: str) -> None:
    assert lang in LANGUAGES
    if turn.resident is not None:
        turn.resident.language = lang
        turn.session.add(turn.resident)
        await turn.session.flush()
    else:
        await turn.set_state(turn.state or "idle", **(turn.data | {"lang": lang}))
    turn.say_text(t("language_set", lang))
