"""Texts of the dashboard's map, tip inbox, composer and events pages (da, en)."""

from __future__ import annotations

from bot.core.i18n import Catalog, register_texts

# The pages also reuse the features' own keys (tipc.*, bc.*, walk.report.*, event.kind.*), so a
# button or message reads the same on the page as in the chat.
TEXTS: Catalog = {
    # --- map ---
    "dash.map.title": {"da": "Kort", "en": "Map"},
    "dash.map.intro": {
        "da": "Indbrud i {month} indtil nu, sammenlignet med hvert områdes eget gennemsnit for de 12 måneder før.",
        "en": "Burglaries in {month} so far, compared with each area's own average over the 12 months before.",
    },
    "dash.map.svg_label": {
        "da": "Kort over områderne farvet efter indbrud",
        "en": "Map of the areas coloured by burglaries",
    },
    "dash.map.legend": {"da": "Forklaring", "en": "Legend"},
    "dash.map.level.hot": {
        "da": "Brændpunkt: klart over eget gennemsnit",
        "en": "Hotspot: clearly above its own average",
    },
    "dash.map.level.above": {"da": "Over eget gennemsnit", "en": "Above its own average"},
    "dash.map.level.normal": {
        "da": "På eller under eget gennemsnit",
        "en": "At or below its own average",
    },
    "dash.map.level.none": {"da": "Ingen indbrud registreret", "en": "No burglaries recorded"},
    "dash.map.point.tip": {"da": "Tip med position", "en": "Tip with a location"},
    "dash.map.point.observation": {
        "da": "Observation fra tryghedsvandring",
        "en": "Safety walk observation",
    },
    "dash.map.area_hint": {
        "da": "{area}: {count} indbrud (gennemsnit {average})",
        "en": "{area}: {count} burglaries (average {average})",
    },
    "dash.map.tip_hint": {"da": "Tip {reference}: {category}", "en": "Tip {reference}: {category}"},
    "dash.map.observation_hint": {
        "da": "{walk}: {kind}",
        "en": "{walk}: {kind}",
    },
    "dash.map.table": {"da": "Tallene bag kortet", "en": "The figures behind the map"},
    "dash.map.col.area": {"da": "Område", "en": "Area"},
    "dash.map.col.month": {"da": "Denne måned", "en": "This month"},
    "dash.map.col.average": {"da": "Gennemsnit pr. måned", "en": "Average per month"},
    "dash.map.col.level": {"da": "Vurdering", "en": "Assessment"},
    "dash.map.no_shapes": {
        "da": "Ingen områder med en gemt afgrænsning.",
        "en": "No areas with a stored boundary.",
    },
    "dash.map.points": {
        "da": "{tips} tip og {observations} observationer med position.",
        "en": "{tips} tips and {observations} observations with a location.",
    },
    # --- tip inbox ---
    "dash.inbox.title": {"da": "Tip", "en": "Tips"},
    "dash.inbox.filter": {"da": "Filtrér", "en": "Filter"},
    "dash.inbox.area": {"da": "Område", "en": "Area"},
    "dash.inbox.category": {"da": "Kategori", "en": "Category"},
    "dash.inbox.status": {"da": "Status", "en": "Status"},
    "dash.inbox.any": {"da": "Alle", "en": "All"},
    "dash.inbox.open": {"da": "Åbne", "en": "Open"},
    "dash.inbox.apply": {"da": "Vis", "en": "Show"},
    "dash.inbox.count.one": {"da": "{count} tip", "en": "{count} tip"},
    "dash.inbox.count.other": {"da": "{count} tip", "en": "{count} tips"},
    "dash.inbox.empty": {"da": "Ingen tip matcher.", "en": "No tips match."},
    "dash.inbox.col.reference": {"da": "Reference", "en": "Reference"},
    "dash.inbox.col.received": {"da": "Modtaget", "en": "Received"},
    "dash.inbox.col.age": {"da": "Alder", "en": "Age"},
    "dash.inbox.col.area": {"da": "Område", "en": "Area"},
    "dash.inbox.col.category": {"da": "Kategori", "en": "Category"},
    "dash.inbox.col.status": {"da": "Status", "en": "Status"},
    "dash.inbox.urgent": {"da": "Muligvis akut", "en": "Possibly urgent"},
    "dash.inbox.anonymised": {
        "da": "Anonymiseret efter opbevaringsperioden.",
        "en": "Anonymised after the retention period.",
    },
    "dash.inbox.truncated": {
        "da": "Viser de nyeste {shown}. Indsnævr filteret for at se flere.",
        "en": "Showing the newest {shown}. Narrow the filter to see more.",
    },
    # --- one tip ---
    "dash.tip.back": {"da": "Tilbage til tip", "en": "Back to tips"},
    "dash.tip.heading": {"da": "Tip {reference}", "en": "Tip {reference}"},
    "dash.tip.as_sent": {"da": "Som det ses i Telegram", "en": "As shown in Telegram"},
    "dash.tip.photos": {"da": "Billeder", "en": "Photos"},
    "dash.tip.photo_alt": {
        "da": "{reference}, billede {number}",
        "en": "{reference}, photo {number}",
    },
    "dash.tip.place": {"da": "Sted", "en": "Place"},
    "dash.tip.no_place": {"da": "Ingen position angivet.", "en": "No location given."},
    "dash.tip.open_map": {"da": "Åbn i OpenStreetMap", "en": "Open in OpenStreetMap"},
    "dash.tip.actions": {"da": "Behandling", "en": "Handling"},
    "dash.tip.relayed": {
        "da": "Borgeren får besked på sin egen kanal, uden dit navn.",
        "en": "The tipster is told on their own channel, without your name.",
    },
    "dash.tip.target": {"da": "Videresend til", "en": "Forward to"},
    "dash.tip.note": {
        "da": "Intern note (borgeren ser den ikke)",
        "en": "Internal note (the tipster won't see it)",
    },
    "dash.tip.answer": {"da": "Svar til borgeren", "en": "Answer to the tipster"},
    "dash.tip.no_answer": {
        "da": "Borgeren kan ikke nås (anonymt uden kontakt, eller data slettet).",
        "en": "The tipster cannot be reached (anonymous without contact, or data deleted).",
    },
    "dash.tip.empty_answer": {"da": "Skriv et svar først.", "en": "Write an answer first."},
    "dash.tip.log": {"da": "Historik", "en": "History"},
    "dash.tip.log.created": {"da": "modtaget", "en": "received"},
    "dash.tip.log.notified": {"da": "sendt til behandlere", "en": "sent to handlers"},
    "dash.tip.log.viewed": {"da": "set", "en": "viewed"},
    "dash.tip.log.acknowledged": {"da": "kvitteret", "en": "acknowledged"},
    "dash.tip.log.forwarded": {"da": "videresendt", "en": "forwarded"},
    "dash.tip.log.resolved": {"da": "løst", "en": "resolved"},
    "dash.tip.log.answered": {"da": "besvaret", "en": "answered"},
    "dash.tip.log.categorised": {"da": "kategori ændret", "en": "category changed"},
    "dash.tip.log.kept": {"da": "beholdt til statistik", "en": "kept for statistics"},
    "dash.tip.log.anonymised": {"da": "anonymiseret", "en": "anonymised"},
    # --- composer ---
    "dash.compose.title": {"da": "Send besked", "en": "Send a message"},
    "dash.compose.kind": {"da": "Slags", "en": "Kind"},
    "dash.compose.kind.alert": {"da": "Indbrudsalarm", "en": "Burglary alert"},
    "dash.compose.kind.tip": {"da": "Godt råd", "en": "Prevention tip"},
    "dash.compose.kind.announcement": {"da": "Meddelelse", "en": "Announcement"},
    "dash.compose.areas": {"da": "Områder", "en": "Areas"},
    "dash.compose.priority": {
        "da": "Prioritet (kun alarmer)",
        "en": "Priority (alerts only)",
    },
    "dash.compose.text": {"da": "Tekst", "en": "Text"},
    "dash.compose.preview": {"da": "Se forhåndsvisning", "en": "Preview"},
    "dash.compose.preview_title": {"da": "Forhåndsvisning", "en": "Preview"},
    "dash.compose.channel.telegram": {"da": "I Telegram", "en": "In Telegram"},
    "dash.compose.channel.sms": {"da": "Som SMS", "en": "As SMS"},
    "dash.compose.reach": {"da": "Modtagere og pris", "en": "Recipients and cost"},
    "dash.compose.warnings": {"da": "Om ordlyden", "en": "About the wording"},
    "dash.compose.calm": {
        "da": "Ordlyden er rolig - ingen bemærkninger.",
        "en": "The wording is calm - no remarks.",
    },
    "dash.compose.areas_chosen": {"da": "Til: {areas}", "en": "To: {areas}"},
    "dash.compose.too_long": {
        "da": "Teksten er for lang (højst {max} tegn).",
        "en": "The text is too long (at most {max} characters).",
    },
    "dash.compose.stale": {
        "da": "Formularen kunne ikke sendes. Se forhåndsvisningen igen, og tryk så Send.",
        "en": "The form could not be sent. Preview it again, then press Send.",
    },
    # --- progress ---
    "dash.progress.title": {"da": "Udsendelse nr. {id}", "en": "Broadcast no. {id}"},
    "dash.progress.sending": {
        "da": "Sendes nu. Siden opdateres af sig selv.",
        "en": "Sending now. This page updates by itself.",
    },
    "dash.progress.finished": {"da": "Færdig.", "en": "Finished."},
    "dash.progress.text": {"da": "Teksten", "en": "The text"},
    "dash.progress.new": {"da": "Send en ny besked", "en": "Send another message"},
    # --- events ---
    "dash.events.title": {"da": "Arrangementer", "en": "Events"},
    "dash.events.upcoming": {"da": "Kommende", "en": "Upcoming"},
    "dash.events.past": {"da": "Afholdte", "en": "Held"},
    "dash.events.show_past": {"da": "Vis også afholdte", "en": "Show held ones too"},
    "dash.events.hide_past": {"da": "Kun kommende", "en": "Upcoming only"},
    "dash.events.empty": {"da": "Ingen arrangementer.", "en": "No events."},
    "dash.events.col.event": {"da": "Arrangement", "en": "Event"},
    "dash.events.col.when": {"da": "Tidspunkt", "en": "When"},
    "dash.events.col.areas": {"da": "Områder", "en": "Areas"},
    "dash.events.col.invited": {"da": "Inviteret", "en": "Invited"},
    "dash.events.col.yes": {"da": "Kommer", "en": "Coming"},
    "dash.events.col.no": {"da": "Kommer ikke", "en": "Not coming"},
    "dash.events.col.waiting": {"da": "Venteliste", "en": "Waiting"},
    "dash.events.col.unanswered": {"da": "Ikke svaret", "en": "No answer"},
    "dash.events.capacity": {"da": "højst {capacity}", "en": "at most {capacity}"},
    "dash.events.cancelled": {"da": "aflyst", "en": "cancelled"},
    "dash.events.protocol": {"da": "Protokol", "en": "Protocol"},
    # --- walk protocol ---
    "dash.walk.back": {"da": "Tilbage til arrangementer", "en": "Back to events"},
    "dash.walk.printable": {"da": "Udskriftsvenlig rapport", "en": "Printable report"},
    "dash.walk.not_a_walk": {
        "da": "Det arrangement er ikke en tryghedsvandring.",
        "en": "That event is not a safety walk.",
    },
    # --- shared ---
    "dash.not_found": {"da": "Findes ikke.", "en": "Not found."},
    "dash.forbidden": {
        "da": "Det hører ikke til dine områder.",
        "en": "That is not one of your areas.",
    },
}

register_texts(TEXTS)
