"""Catalog entries for broadcasts, previews, progress, reports and topic choices (da, en)."""

from __future__ import annotations

from bot.core.i18n import Catalog, register_texts

TEXTS: Catalog = {
    "bc.header.alert": {"da": "🚨 Nabovagt - {areas}", "en": "🚨 Nabovagt - {areas}"},
    "bc.header.tip": {"da": "💡 Nabovagt - godt råd", "en": "💡 Nabovagt - prevention tip"},
    "bc.header.announcement": {
        "da": "📣 Nabovagt - nyt fra kommunen",
        "en": "📣 Nabovagt - news from the municipality",
    },
    # Short, so a usual alert still fits one SMS (160 GSM-7 characters with header and text).
    "bc.footer.alert": {
        "da": "Akut: ring 112. Set noget? Ring 114.",
        "en": "Emergency: call 112. Seen something? Call 114.",
    },
    "bc.all_areas": {"da": "alle områder", "en": "all areas"},
    "bc.kind.alert": {"da": "indbrudsalarm", "en": "burglary alert"},
    "bc.kind.tip": {"da": "godt råd", "en": "prevention tip"},
    "bc.kind.announcement": {"da": "meddelelse", "en": "announcement"},
    # "din"/"dit" follows the noun's gender: din indbrudsalarm, dit gode råd, din meddelelse.
    "bc.your.alert": {"da": "din indbrudsalarm", "en": "your burglary alert"},
    "bc.your.tip": {"da": "dit gode råd", "en": "your prevention tip"},
    "bc.your.announcement": {"da": "din meddelelse", "en": "your announcement"},
    "bc.choose_priority": {
        "da": "Ny indbrudsalarm. Er det akut (igangværende eller lige sket)?",
        "en": "New burglary alert. Is it urgent (ongoing or just happened)?",
    },
    "bc.btn.urgent": {"da": "Akut", "en": "Urgent"},
    "bc.btn.normal": {"da": "Normal", "en": "Normal"},
    "bc.btn.all": {"da": "Alle områder", "en": "All areas"},
    "bc.btn.send": {"da": "Send", "en": "Send"},
    "bc.btn.edit": {"da": "Ret teksten", "en": "Edit text"},
    "bc.choose_areas": {
        "da": "Hvilke områder skal have {your}? Vælg et eller flere, og tryk Færdig.",
        "en": "Which areas should get {your}? Pick one or more, then press Done.",
    },
    "bc.no_areas_allowed": {
        "da": "Du er ikke repræsentant for noget område endnu. Spørg en koordinator.",
        "en": "You do not represent any area yet. Ask a coordinator.",
    },
    "bc.not_allowed": {
        "da": "Kun koordinatorer og områderepræsentanter kan sende beskeder til nabohjælperne.",
        "en": "Only coordinators and area representatives can message the neighbour helpers.",
    },
    "bc.ask_text.alert": {
        "da": (
            "Skriv alarmen i rolige ord: hvad er sket, hvor (vej, ikke husnummer), hvornår, og "
            "hvad naboerne kan gøre - fx lås døre, notér nummerplader, ring 114."
        ),
        "en": (
            "Write the alert in calm words: what happened, where (street, not house number), "
            "when, and what neighbours can do - e.g. lock up, note licence plates, call 114."
        ),
    },
    "bc.ask_text": {
        "da": "Skriv teksten til {your}.",
        "en": "Write the text of {your}.",
    },
    "bc.preview": {
        "da": "Sådan ser {your} ud på Telegram:\n\n{body}\n\n———\n{sms}\n\n———\n{summary}",
        "en": "This is how {your} looks on Telegram:\n\n{body}\n\n———\n{sms}\n\n———\n{summary}",
    },
    "bc.preview.sms.one": {
        "da": "Og som SMS ({count} del):\n\n{body}",
        "en": "And as an SMS ({count} segment):\n\n{body}",
    },
    "bc.preview.sms.other": {
        "da": "Og som SMS ({count} dele):\n\n{body}",
        "en": "And as an SMS ({count} segments):\n\n{body}",
    },
    "bc.summary.recipients": {
        "da": "Modtagere: {total} · Telegram {telegram} · SMS {sms}",
        "en": "Recipients: {total} · Telegram {telegram} · SMS {sms}",
    },
    "bc.summary.sms.one": {
        "da": "SMS: {count} del pr. besked, ca. {cost} i alt",
        "en": "SMS: {count} segment each, about {cost} in total",
    },
    "bc.summary.sms.other": {
        "da": "SMS: {count} dele pr. besked, ca. {cost} i alt",
        "en": "SMS: {count} segments each, about {cost} in total",
    },
    "bc.warn.caps": {
        "da": "⚠ Meget tekst med STORE BOGSTAVER virker alarmerende. Skriv roligt.",
        "en": "⚠ A lot of CAPITAL LETTERS reads as alarming. Write calmly.",
    },
    "bc.warn.exclaim": {
        "da": "⚠ Mange udråbstegn skaber uro. Et punktum er nok.",
        "en": "⚠ Many exclamation marks spread unease. A full stop is enough.",
    },
    "bc.warn.words": {
        "da": "⚠ Ord som »{words}« kan skabe utryghed. Beskriv hvad der er sket, og hvad man kan gøre.",
        "en": "⚠ Words like '{words}' can spread insecurity. Say what happened and what to do.",
    },
    "bc.warn.quiet": {
        "da": "Bemærk: sendes ikke i stille timer ({quiet}) - venter til morgen.",
        "en": "Note: not sent during quiet hours ({quiet}) - waits until morning.",
    },
    "bc.empty_text": {
        "da": "Teksten er tom. Skriv beskeden.",
        "en": "The text is empty. Write the message.",
    },
    "bc.cancelled": {"da": "Annulleret - intet er sendt.", "en": "Cancelled - nothing was sent."},
    "bc.queued": {
        "da": "Sender til {total} modtagere (nr. {id}). Du får løbende status her.",
        "en": "Sending to {total} recipients (no. {id}). Progress follows here.",
    },
    "bc.no_recipients": {
        "da": "Ingen nabohjælpere i de valgte områder - intet er sendt.",
        "en": "No neighbour helpers in the chosen areas - nothing was sent.",
    },
    "bc.progress": {
        "da": "Sendt {done} af {total} · Telegram {telegram} · SMS {sms}",
        "en": "Sent {done} of {total} · Telegram {telegram} · SMS {sms}",
    },
    "bc.report": {
        "da": "Færdig: {kind} nr. {id} til {areas}\n{rows}",
        "en": "Done: {kind} no. {id} to {areas}\n{rows}",
    },
    "bc.report.row": {
        "da": "{channel}: {delivered} leveret, {failed} ikke leveret{reasons}",
        "en": "{channel}: {delivered} delivered, {failed} not delivered{reasons}",
    },
    "topics.choose": {
        "da": "Hvad vil du have beskeder om? Tryk for at slå til eller fra.",
        "en": "What do you want messages about? Press to switch on or off.",
    },
    "topics.choose.sms": {
        "da": "Svar med nummeret for at slå til eller fra:",
        "en": "Reply with the number to switch on or off:",
    },
    "topic.alerts": {"da": "Indbrudsalarmer", "en": "Burglary alerts"},
    "topic.tips": {"da": "Gode råd", "en": "Prevention tips"},
    "topic.announcements": {"da": "Nyt fra kommunen", "en": "Municipal news"},
    "topic.meetings": {"da": "Møder og vandringer", "en": "Meetings and walks"},
    "topic.weekly_tip": {"da": "Ugens gode råd (mandag)", "en": "Weekly tip (Monday)"},
    "topic.on": {"da": "til", "en": "on"},
    "topic.off": {"da": "fra", "en": "off"},
    "topics.saved": {
        "da": "Gemt: {topic} er nu {state}. STOP stopper stadig alt.",
        "en": "Saved: {topic} is now {state}. STOP still stops everything.",
    },
    "cmd.alert": {"da": "Send indbrudsalarm", "en": "Send burglary alert"},
    "cmd.announce": {"da": "Send meddelelse", "en": "Send announcement"},
    "cmd.tip_send": {"da": "Send godt råd", "en": "Send prevention tip"},
    "cmd.topics": {"da": "Vælg emner", "en": "Choose topics"},
}

register_texts(TEXTS)
