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
    # The rule the prompts state: photos, position and description in any order; Gem saves.
    "walk.ask_details": {
        "da": (
            "{kind}: send nu billeder, din position og en kort beskrivelse af hvad og hvor, "
            "i den rækkefølge du vil. Observationen gemmes, når du trykker Gem."
        ),
        "en": (
            "{kind}: now send photos, your location and a short description of what and where, "
            "in any order. The observation is saved when you press Save."
        ),
    },
    "walk.ask_details.sms": {
        "da": "{kind}: beskriv kort, hvad du har set. Observationen gemmes, når du svarer GEM.",
        "en": "{kind}: describe briefly what you noticed. It is saved when you reply SAVE.",
    },
    "walk.ack": {
        "da": "{said} Observationen har nu {holds}. Send mere, eller tryk Gem.",
        "en": "{said} The observation now has {holds}. Send more, or press Save.",
    },
    "walk.ack.sms": {
        "da": "{said} Observationen har nu {holds}. Svar GEM for at gemme den, eller skriv mere.",
        "en": "{said} The observation now has {holds}. Reply SAVE to save it, or write more.",
    },
    "walk.ack_ask_place": {
        "da": "{said} Skriv evt. stedet (fx 'stien bag skolen'), eller svar GEM for at gemme.",
        "en": "{said} Add the place if you like (e.g. 'the path behind the school'), or reply SAVE.",
    },
    "walk.kind_changed": {
        "da": "Ændret til {kind}. Observationen har nu {holds}. Send mere, eller tryk Gem.",
        "en": "Changed to {kind}. The observation now has {holds}. Send more, or press Save.",
    },
    "walk.got_photo": {"da": "Foto {number} modtaget.", "en": "Photo {number} received."},
    "walk.got_location": {"da": "Position modtaget.", "en": "Location received."},
    "walk.got_note": {"da": "Beskrivelse modtaget.", "en": "Description received."},
    "walk.note_added": {"da": "Tilføjet til beskrivelsen.", "en": "Added to the description."},
    "walk.got_place": {"da": "Sted modtaget.", "en": "Place received."},
    "walk.photo_failed": {
        "da": "Et billede kunne ikke hentes; send det gerne igen.",
        "en": "A photo could not be fetched; please send it again.",
    },
    "walk.too_many_photos": {
        "da": "Højst {count} billeder pr. observation.",
        "en": "At most {count} photos per observation.",
    },
    "walk.holds.photos.one": {"da": "{count} foto", "en": "{count} photo"},
    "walk.holds.photos.other": {"da": "{count} fotos", "en": "{count} photos"},
    "walk.holds.location": {"da": "en position", "en": "a location"},
    "walk.holds.place": {"da": "et sted", "en": "a place"},
    "walk.holds.note": {"da": "en beskrivelse", "en": "a description"},
    "walk.holds.nothing": {"da": "intet indhold endnu", "en": "nothing yet"},
    "walk.nothing_yet": {
        "da": "Send først en beskrivelse, et billede eller din position, og tryk så Gem.",
        "en": "First send a description, a photo or your location, then press Save.",
    },
    "walk.nothing_yet.sms": {
        "da": "Skriv først kort, hvad du har set, og svar så GEM.",
        "en": "First write briefly what you noticed, then reply SAVE.",
    },
    "walk.btn.save": {"da": "✅ Gem", "en": "✅ Save"},
    "walk.btn.drop": {"da": "Kassér", "en": "Discard"},
    "walk.saved": {
        "da": "Tak! Observationen er gemt til protokollen ({holds}). Send /obs for at tilføje flere.",
        "en": "Thank you! The observation is saved for the protocol ({holds}). Send /obs to add more.",
    },
    "walk.saved.sms": {
        "da": "Tak! Observationen er gemt. Skriv OBS for at tilføje flere.",
        "en": "Thank you! The observation is saved. Send OBS to add more.",
    },
    "walk.saved_previous": {
        "da": "Din forrige observation er gemt ({holds}).",
        "en": "Your previous observation is saved ({holds}).",
    },
    "walk.walk_over": {
        "da": "Tryghedsvandringen er slut, så observationen ({holds}) kunne ikke gemmes.",
        "en": "The safety walk is over, so the observation ({holds}) could not be saved.",
    },
    "walk.saved_on_expiry": {
        "da": "Din observation fra tidligere ({holds}) blev ikke gemt med Gem, så den er gemt nu.",
        "en": "Your earlier observation ({holds}) was never saved with Save, so it is saved now.",
    },
    "walk.dropped": {
        "da": "Observationen er kasseret. Send /obs for at begynde forfra.",
        "en": "The observation is discarded. Send /obs to start again.",
    },
    "walk.dropped.sms": {
        "da": "Observationen er kasseret. Skriv OBS for at begynde forfra.",
        "en": "The observation is discarded. Send OBS to start again.",
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
