"""/obs_followup: coordinators and representatives give each open observation an owner, a
deadline and an outcome with buttons (SMS: the numbered choices); /stats shows the counts."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

import bot.walks.followup_texts  # noqa: F401  (registers the follow-up texts)
from bot.core.callbacks import Pattern
from bot.core.conversation import TEXT, Router, Turn
from bot.core.i18n import date_text, t
from bot.core.keywords import register_keyword
from bot.core.messages import Button
from bot.core.settings import Settings
from bot.walks import followup, services
from bot.walks.followup import DUE_IN_DAYS, FIXED, OPEN, OWNERS, WONT_FIX, FollowupError
from storage.event_models import Event, Observation
from storage.models import utcnow

DUE_STATE = "walk_due"
NOTE_STATE = "walk_outcome"
OUTCOMES = f"{FIXED}|{WONT_FIX}"
WF_LIST = Pattern("wf:list")
WF_SHOW = Pattern("wf:show:{obs:id}")
WF_OWNERS = Pattern("wf:owner:{obs:id}")
WF_OWNER = Pattern(f"wf:owner:{{obs:id}}:{{owner:{'|'.join(OWNERS)}}}")
WF_DUE = Pattern("wf:due:{obs:id}")
WF_DUE_IN = Pattern("wf:due:{obs:id}:{days:num}")
WF_CLOSE = Pattern(f"wf:close:{{obs:id}}:{{status:{OUTCOMES}}}")
WF_NO_NOTE = Pattern(f"wf:done:{{obs:id}}:{{status:{OUTCOMES}}}")
WF_REOPEN = Pattern("wf:reopen:{obs:id}")
PATTERNS = (
    WF_LIST,
    WF_SHOW,
    WF_OWNERS,
    WF_OWNER,
    WF_DUE,
    WF_DUE_IN,
    WF_CLOSE,
    WF_NO_NOTE,
    WF_REOPEN,
)
LABEL_CHARS = 40


def _today(turn: Turn) -> datetime:
    return datetime.now(turn.settings.tz)


def _short(text: str, size: int = LABEL_CHARS) -> str:
    flat = " ".join(text.split()) or "-"
    return flat if len(flat) <= size else flat[: size - 1] + "…"


async def show_list(turn: Turn, *, edit: bool = False) -> None:
    items = await followup.open_items(session=turn.session, actor=await turn.actor())
    if not items:
        turn.say("walk.fu.list_empty", edit=edit)
        return
    lang = turn.lang
    rows = [
        [
            Button(
                t(
                    "walk.fu.item",
                    lang,
                    id=item.id,
                    kind=t(f"walk.kind.{item.observation.kind}", lang),
                    note=_short(item.observation.note),
                ),
                WF_SHOW.data(obs=item.id),
            )
        ]
        for item in items
    ]
    turn.say("walk.fu.list", buttons=rows, edit=edit, count=len(items))


def _detail_text(turn: Turn, o: Observation, walk: Event) -> str:
    lang, unset = turn.lang, t("walk.unset", turn.lang)
    place = o.place or (
        f"{o.latitude:.5f}, {o.longitude:.5f}"
        if o.latitude is not None and o.longitude is not None
        else "-"
    )
    status = t(f"walk.status.{o.status}", lang)
    if followup.is_overdue(o, _today(turn).date()):
        status += f" ({t('walk.overdue', lang)})"
    if o.resolution_note:
        status += f": {o.resolution_note}"
    return turn.text(
        "walk.fu.detail",
        id=o.id,
        walk=walk.title,
        date=date_text(walk.starts_at.astimezone(turn.settings.tz), lang),
        kind=t(f"walk.kind.{o.kind}", lang),
        note=o.note or "-",
        place=place,
        owner=t(f"walk.owner.{o.owner}", lang) if o.owner else unset,
        due=date_text(o.due_on, lang) if o.due_on else unset,
        status=status,
    )


async def show_detail(
    turn: Turn, observation_id: int, *, edit: bool = True, note: str = ""
) -> None:
    o, walk = await followup.observation_for_followup(
        session=turn.session, actor=await turn.actor(), observation_id=observation_id
    )
    oid = observation_id
    rows = [
        [
            turn.button("walk.fu.btn.owner", WF_OWNERS.data(obs=oid)),
            turn.button("walk.fu.btn.due", WF_DUE.data(obs=oid)),
        ],
        [
            turn.button("walk.fu.btn.fixed", WF_CLOSE.data(obs=oid, status=FIXED)),
            turn.button("walk.fu.btn.wont_fix", WF_CLOSE.data(obs=oid, status=WONT_FIX)),
        ]
        if o.status == OPEN
        else [turn.button("walk.fu.btn.reopen", WF_REOPEN.data(obs=oid))],
        [turn.button("walk.fu.btn.list", WF_LIST.spec)],
    ]
    text = _detail_text(turn, o, walk)
    turn.say_text(f"{note}\n{text}" if note else text, buttons=rows)
    turn.replies[-1].edit = edit


async def followup_command(turn: Turn) -> None:
    if turn.state in (DUE_STATE, NOTE_STATE):
        await turn.clear_state()
    await show_list(turn)


async def followup_button(turn: Turn) -> None:
    """The follow-up buttons; every one checks the actor may follow the observation up."""
    pressed, actor, saved = turn.pressed, await turn.actor(), t("walk.fu.updated", turn.lang)
    if pressed.is_(WF_LIST):
        await show_list(turn, edit=True)
        return
    oid = pressed.id("obs")
    # Looked up (and refused) before anything else, whichever button it is.
    await followup.observation_for_followup(session=turn.session, actor=actor, observation_id=oid)
    if pressed.is_(WF_SHOW):
        await show_detail(turn, oid, edit=False)
    elif pressed.is_(WF_OWNERS):
        rows = [[turn.button(f"walk.owner.{k}", WF_OWNER.data(obs=oid, owner=k))] for k in OWNERS]
        turn.say("walk.fu.ask_owner", buttons=rows, edit=True, id=oid)
    elif pressed.is_(WF_OWNER):
        owner = pressed.word("owner")
        await followup.assign(session=turn.session, actor=actor, observation_id=oid, owner=owner)
        await show_detail(turn, oid, note=saved)
    elif pressed.is_(WF_DUE):
        await turn.set_state(DUE_STATE, obs=oid)
        rows = [
            [
                turn.button(f"walk.fu.btn.days.{d}", WF_DUE_IN.data(obs=oid, days=d))
                for d in DUE_IN_DAYS
            ]
        ]
        turn.say("walk.fu.ask_due", buttons=rows, edit=True, id=oid)
    elif pressed.is_(WF_DUE_IN) and pressed.id("days") in DUE_IN_DAYS:
        due = followup.due_in(_today(turn).date(), pressed.id("days"))
        await _set_due(turn, oid, due)
    elif pressed.is_(WF_CLOSE):
        status = pressed.word("status")
        await turn.set_state(NOTE_STATE, obs=oid, status=status)
        rows = [[turn.button("walk.fu.btn.no_note", WF_NO_NOTE.data(obs=oid, status=status))]]
        turn.say("walk.fu.ask_note", buttons=rows, status=t(f"walk.status.{status}", turn.lang))
    elif pressed.is_(WF_NO_NOTE):
        await _resolve(turn, oid, pressed.word("status"), "")
    elif pressed.is_(WF_REOPEN):
        await _resolve(turn, oid, OPEN, "")
    else:
        turn.say("expired_button")


async def _set_due(turn: Turn, oid: int, due: date) -> None:
    await followup.assign(
        session=turn.session, actor=await turn.actor(), observation_id=oid, due_on=due
    )
    if turn.state == DUE_STATE:
        await turn.clear_state()
    await show_detail(turn, oid, edit=False, note=t("walk.fu.updated", turn.lang))


async def _resolve(turn: Turn, oid: int, status: str, note: str) -> None:
    await followup.resolve(
        session=turn.session,
        actor=await turn.actor(),
        observation_id=oid,
        status=status,
        note=note,
        now=utcnow(),
    )
    if turn.state == NOTE_STATE:
        await turn.clear_state()
    await show_detail(turn, oid, edit=False, note=t("walk.fu.updated", turn.lang))


async def typed_due(turn: Turn) -> None:
    """A typed deadline ("31-12-2026", "31. december", "om 2 uger"); one short hint if not."""
    oid = turn.data.get("obs")
    if not isinstance(oid, int):
        await turn.clear_state()
        turn.say("expired_button")
        return
    try:
        due = followup.parse_due(turn.inbound.text, _today(turn).date())
    except FollowupError:
        turn.say("walk.fu.bad_date")
        return
    await _set_due(turn, oid, due)


async def typed_outcome_note(turn: Turn) -> None:
    """The note on what happened, typed after Fixed / Won't fix."""
    oid, status = turn.data.get("obs"), turn.data.get("status")
    if not isinstance(oid, int) or status not in (FIXED, WONT_FIX):
        await turn.clear_state()
        turn.say("expired_button")
        return
    await _resolve(turn, oid, str(status), turn.inbound.text)


async def stats_lines(
    session: AsyncSession, settings: Settings, lang: str, now: datetime
) -> list[str]:
    """/stats: open (and overdue), fixed and won't-fix observations; nothing before any walk."""
    tally = await services.counts_now(session=session, today=now.astimezone(settings.tz).date())
    if not (tally.open or tally.fixed or tally.wont_fix):
        return []
    return [
        t(
            "walk.stats",
            lang,
            open=tally.open,
            overdue=tally.overdue,
            fixed=tally.fixed,
            wont_fix=tally.wont_fix,
        )
    ]


def register(router: Router) -> None:
    """Attach /obs_followup (SMS: OPFØLGNING), its buttons and typed steps."""
    register_keyword("obs_followup", "opfølgning", "opfolgning", "followup")
    router.command("obs_followup")(followup_command)
    router.callback("wf", *PATTERNS)(followup_button)
    router.state(DUE_STATE, accepts=(TEXT,))(typed_due)
    router.state(NOTE_STATE, accepts=(TEXT,))(typed_outcome_note)
