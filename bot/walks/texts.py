"""Message catalog for safety walks: observations in the chat and the report (Danish first)."""

from __future__ import annotations

from bot.core.i18n import Catalog, register_texts

TEXTS: Catalog = {
    # Observations sent during a walk.
    "walk.no_walk": {
        "da": "Der er ingen tryghedsvandring i gang lige nu, som du er inviteret til.",
        "en": "There is no safety walk going on right now that you are invited to.",
    },
    "walk.not_participant": {
        "da": "Observationer kan kun sendes af deltagere i en tryghedsvandring, mens den foregår.",
        "en": "Only participants can send observations, and only while the safety walk is on.",
    },
    "walk.ask_kind": {
        "da": "Tryghedsvandring: hvad har du set?",
        "en": "Safety walk: what did you notice?",
    },
    "walk.ask_kind.sms": {
        "da": "Tryghedsvandring: hvad har du set? Svar med nummeret:",
        "en": "Safety walk: what did you notice? Reply with the number:",
    },
    "walk.kind.belysning": {"da": "Dårlig belysning", "en": "Poor lighting"},
    "walk.kind.beplantning": {"da": "Skjulesteder/beplantning", "en": "Hiding places/plants"},
    "walk.kind.laase": {"da": "Dårlige låse/døre", "en": "Poor locks/doors"},
    "walk.kind.haervaerk": {"da": "Hærværk", "en": "Vandalism"},
    "walk.kind.andet": {"da": "Andet", "en": "Other"},
    "walk.ask_note": {
        "da": "Beskriv kort, hvad og hvor (send evt. et billede eller din position først):",
        "en": "Describe briefly what and where (you may send a photo or your location first):",
    },
    "walk.ask_note.sms": {
        "da": "Beskriv kort, hvad og hvor:",
        "en": "Describe briefly what and where:",
    },
    "walk.location_noted": {
        "da": "Position gemt. Skriv nu en kort beskrivelse:",
        "en": "Location saved. Now type a short description:",
    },
    "walk.saved": {
        "da": "Tak! Observationen er gemt til rapporten. Send /obs for at tilføje flere.",
        "en": "Thank you! The observation is saved for the report. Send /obs to add more.",
    },
    "walk.saved.sms": {
        "da": "Tak! Observationen er gemt. Skriv OBS for at tilføje flere.",
        "en": "Thank you! The observation is saved. Send OBS to add more.",
    },
    "cmd.obs": {"da": "Observation på tryghedsvandring", "en": "Safety walk observation"},
    # The report for the homeowners' association (HTML and PDF).
    "walk.report.title": {"da": "Tryghedsvandring: {title}", "en": "Safety walk: {title}"},
    "walk.report.heading": {
        "da": "Rapport fra tryghedsvandring: {title}",
        "en": "Report from the safety walk: {title}",
    },
    "walk.report.date": {"da": "Dato", "en": "Date"},
    "walk.report.place": {"da": "Sted", "en": "Place"},
    "walk.report.area": {"da": "Område", "en": "Area"},
    "walk.report.all_areas": {"da": "alle områder", "en": "all areas"},
    "walk.report.participants": {"da": "Deltagere", "en": "Participants"},
    "walk.report.observations": {"da": "Observationer", "en": "Observations"},
    "walk.report.map": {"da": "Kort over observationerne", "en": "Map of the observations"},
    "walk.report.position": {"da": "Position", "en": "Position"},
    "walk.report.map_link": {"da": "kort", "en": "map"},
    "walk.report.photo": {"da": "foto", "en": "photo"},
    "walk.report.follow_up": {"da": "Forslag til opfølgning", "en": "Suggested follow-up"},
    "walk.report.follow_up_short": {"da": "Opfølgning", "en": "Follow-up"},
    "walk.report.none": {
        "da": "Der blev ikke registreret observationer.",
        "en": "No observations were recorded.",
    },
    "walk.follow_up.belysning": {
        "da": "Bed kommunen/grundejerforeningen om bedre eller tændt belysning; tjek lyskilder.",
        "en": "Ask the municipality/homeowners' association for better or working lighting; check the lamps.",
    },
    "walk.follow_up.beplantning": {
        "da": "Beskær buske og hække, så indgange og stier kan ses fra vej og naboer.",
        "en": "Trim bushes and hedges so entrances and paths can be seen from the road and by neighbours.",
    },
    "walk.follow_up.laase": {
        "da": "Anbefal godkendte låse og dørbeslag; del forebyggelsestips med beboerne.",
        "en": "Recommend approved locks and door fittings; share prevention tips with the residents.",
    },
    "walk.follow_up.haervaerk": {
        "da": "Anmeld hærværk til politiet på 114 og udbedr hurtigt, så stedet ser passet ud.",
        "en": "Report vandalism to the police on 114 and repair it quickly, so the place looks cared for.",
    },
    "walk.follow_up.andet": {
        "da": "Drøft på næste møde, hvem der følger op.",
        "en": "Discuss at the next meeting who follows up.",
    },
}


register_texts(TEXTS)
