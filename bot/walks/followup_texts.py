"""Message catalog for walk follow-up: owners, deadlines, outcomes, the walkers' news, counts."""

from __future__ import annotations

from bot.core.i18n import Catalog, register_texts

TEXTS: Catalog = {
    # Who fixes it (the keys are stored; these are the labels).
    "walk.owner.kommune_veje": {"da": "Kommunen (veje)", "en": "Municipality (roads)"},
    "walk.owner.kommune_parker": {"da": "Kommunen (parker)", "en": "Municipality (parks)"},
    "walk.owner.boligselskab": {"da": "Boligselskabet", "en": "Housing association"},
    "walk.owner.grundejerforening": {
        "da": "Grundejerforeningen",
        "en": "Homeowners' association",
    },
    "walk.owner.politi": {"da": "Politiet", "en": "Police"},
    "walk.owner.andet": {"da": "Andet", "en": "Other"},
    "walk.status.open": {"da": "Åben", "en": "Open"},
    "walk.status.fixed": {"da": "Udbedret", "en": "Fixed"},
    "walk.status.wont_fix": {"da": "Udbedres ikke", "en": "Won't fix"},
    "walk.overdue": {"da": "over fristen", "en": "overdue"},
    "walk.unset": {"da": "ikke sat", "en": "not set"},
    # /obs_followup for coordinators and representatives.
    "cmd.obs_followup": {"da": "Følg op på observationer", "en": "Follow up observations"},
    "walk.fu.list": {
        "da": "Åbne observationer fra tryghedsvandringer ({count}). Vælg én for at sætte ejer, frist eller status:",
        "en": "Open safety-walk observations ({count}). Pick one to set owner, deadline or status:",
    },
    "walk.fu.list_empty": {
        "da": "Der er ingen åbne observationer fra tryghedsvandringer.",
        "en": "There are no open safety-walk observations.",
    },
    "walk.fu.item": {"da": "#{id} {kind}: {note}", "en": "#{id} {kind}: {note}"},
    "walk.fu.detail": {
        "da": (
            "Observation #{id} fra {walk} ({date})\n{kind}: {note}\nSted: {place}\n"
            "Ejer: {owner}\nFrist: {due}\nStatus: {status}"
        ),
        "en": (
            "Observation #{id} from {walk} ({date})\n{kind}: {note}\nPlace: {place}\n"
            "Owner: {owner}\nDeadline: {due}\nStatus: {status}"
        ),
    },
    "walk.fu.btn.owner": {"da": "Ejer", "en": "Owner"},
    "walk.fu.btn.due": {"da": "Frist", "en": "Deadline"},
    "walk.fu.btn.fixed": {"da": "✅ Udbedret", "en": "✅ Fixed"},
    "walk.fu.btn.wont_fix": {"da": "Udbedres ikke", "en": "Won't fix"},
    "walk.fu.btn.reopen": {"da": "Genåbn", "en": "Reopen"},
    "walk.fu.btn.list": {"da": "◀ Alle åbne", "en": "◀ All open"},
    "walk.fu.btn.days.7": {"da": "1 uge", "en": "1 week"},
    "walk.fu.btn.days.14": {"da": "2 uger", "en": "2 weeks"},
    "walk.fu.btn.days.30": {"da": "1 måned", "en": "1 month"},
    "walk.fu.btn.no_note": {"da": "Uden note", "en": "No note"},
    "walk.fu.ask_owner": {
        "da": "Hvem skal udbedre observation #{id}?",
        "en": "Who is to fix observation #{id}?",
    },
    "walk.fu.ask_due": {
        "da": "Hvornår skal observation #{id} være udbedret? Tryk en knap, eller skriv en dato (fx 31-12-2026).",
        "en": "When is observation #{id} to be fixed? Press a button, or type a date (e.g. 31-12-2026).",
    },
    "walk.fu.bad_date": {
        "da": "Den dato kan jeg ikke bruge. Skriv en dato fra i dag og frem, fx 31-12-2026.",
        "en": "I cannot use that date. Type a date from today on, e.g. 31-12-2026.",
    },
    "walk.fu.ask_note": {
        "da": (
            "{status}: skriv en kort note om, hvad der er sket (den kommer med i protokollen "
            "og i beskeden til deltagerne), eller tryk Uden note."
        ),
        "en": (
            "{status}: type a short note on what happened (it goes into the protocol and the "
            "message to the walkers), or press No note."
        ),
    },
    "walk.fu.updated": {"da": "Gemt.", "en": "Saved."},
    # What the walkers hear.
    "walk.notice.settled": {
        "da": 'Nyt fra tryghedsvandringen "{title}" {date}: alle {count} observationer er fulgt op.\n{lines}\nTak fordi du gik med!',
        "en": 'News from the safety walk "{title}" on {date}: all {count} observations have been followed up.\n{lines}\nThank you for walking with us!',
    },
    "walk.notice.settled.sms": {
        "da": "Nabovagt: Alle {count} observationer fra tryghedsvandringen {date} er fulgt op: {fixed} udbedret, {wont_fix} udbedres ikke. Tak fordi du gik med!",
        "en": "Nabovagt: All {count} observations from the safety walk on {date} are followed up: {fixed} fixed, {wont_fix} won't be fixed. Thank you for walking!",
    },
    "walk.notice.open": {
        "da": 'Tryghedsvandringen "{title}" {date}: fristen er passeret, og {open} af {count} observationer er stadig åbne.\n{lines}\nVi følger op og skriver, når alt er afklaret.',
        "en": 'The safety walk "{title}" on {date}: the deadline has passed and {open} of {count} observations are still open.\n{lines}\nWe are following up and will write when all is settled.',
    },
    "walk.notice.open.sms": {
        "da": "Nabovagt: Fristen for tryghedsvandringen {date} er passeret; {open} af {count} observationer er stadig åbne. Vi følger op.",
        "en": "Nabovagt: The deadline for the safety walk on {date} has passed; {open} of {count} observations are still open. We are following up.",
    },
    "walk.notice.line": {
        "da": "{number}. {kind}: {note} - {status}",
        "en": "{number}. {kind}: {note} - {status}",
    },
    # /stats and the monthly report.
    "walk.stats": {
        "da": "Observationer fra tryghedsvandringer: {open} åbne ({overdue} over fristen), {fixed} udbedret, {wont_fix} udbedres ikke.",
        "en": "Safety-walk observations: {open} open ({overdue} overdue), {fixed} fixed, {wont_fix} won't fix.",
    },
    "walk.monthly": {
        "da": "Tryghedsvandringer: {recorded} nye observationer, {fixed} udbedret, {wont_fix} udbedres ikke; {open} åbne ved månedens udgang ({overdue} over fristen).",
        "en": "Safety walks: {recorded} new observations, {fixed} fixed, {wont_fix} won't fix; {open} open at the end of the month ({overdue} overdue).",
    },
    # The protocol (HTML and PDF).
    "walk.report.protocol": {"da": "Protokol", "en": "Protocol"},
    "walk.report.owner": {"da": "Ejer", "en": "Owner"},
    "walk.report.due": {"da": "Frist", "en": "Deadline"},
    "walk.report.status": {"da": "Status", "en": "Status"},
    "walk.report.resolution": {"da": "Note", "en": "Note"},
    "walk.report.summary": {
        "da": "{open} åbne ({overdue} over fristen), {fixed} udbedret, {wont_fix} udbedres ikke",
        "en": "{open} open ({overdue} overdue), {fixed} fixed, {wont_fix} won't fix",
    },
}


register_texts(TEXTS)
