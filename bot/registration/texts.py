"""Catalog entries for joining, areas, stop, my data, forget, language, help and /stats (da, en)."""

from __future__ import annotations

from bot.core.i18n import Catalog, register_texts

TEXTS: Catalog = {
    "welcome": {
        "da": (
            "Velkommen til Nabovagt - nabohjælp mod indbrud i dit lokalområde.\n\n"
            "Som nabohjælper får du korte beskeder om indbrud og mistænkelig adfærd nær dig, "
            "gode råd om forebyggelse og invitationer til borgermøder og tryghedsvandringer.\n\n"
            "Vi gemmer: dit navn, dit {channel_id}, de områder du vælger og dit sprog - kun for at "
            "sende dig beskeder om dine områder. Intet deles med andre.\n"
            "Du kan se alt med /mydata og slette alt med /forget.\n\n"
            "Vil du være nabohjælper?"
        ),
        "en": (
            "Welcome to Nabovagt - neighbour help against burglary in your local area.\n\n"
            "As a neighbour helper you get short messages about burglaries and suspicious "
            "activity near you, prevention tips and invitations to citizen meetings and safety "
            "walks.\n\n"
            "We store: your name, your {channel_id}, the areas you choose and your language - only "
            "to send you messages about your areas. Nothing is shared.\n"
            "See everything with /mydata and delete everything with /forget.\n\n"
            "Do you want to be a neighbour helper?"
        ),
    },
    "channel_id.telegram": {"da": "Telegram-id", "en": "Telegram id"},
    "channel_id.sms": {"da": "telefonnummer", "en": "phone number"},
    "btn.accept": {"da": "Ja, tilmeld mig", "en": "Yes, sign me up"},
    "btn.decline": {"da": "Nej tak", "en": "No thanks"},
    "btn.done": {"da": "Færdig", "en": "Done"},
    "btn.prev": {"da": "◀ Forrige", "en": "◀ Previous"},
    "btn.next": {"da": "Næste ▶", "en": "Next ▶"},
    "btn.forget_yes": {"da": "Ja, slet alt", "en": "Yes, delete everything"},
    "btn.cancel": {"da": "Annuller", "en": "Cancel"},
    "declined": {
        "da": "Helt i orden - vi har ikke gemt noget. Skriv /start hvis du skifter mening.",
        "en": "No problem - nothing was stored. Send /start if you change your mind.",
    },
    "choose_areas": {
        "da": (
            "Vælg dit lokalområde (du kan vælge flere), og tryk Færdig.\n"
            "Du kan også dele din position eller skrive dit postnummer eller områdets navn."
        ),
        "en": (
            "Choose your local area (you can pick several), then press Done.\n"
            "You can also share your location or type your postcode or the area's name."
        ),
    },
    "choose_areas.sms": {
        "da": "Svar med nummeret på dit område (flere: 1 3):",
        "en": "Reply with your area's number (several: 1 3):",  # with Furesø's 8: one SMS
    },
    # What the person typed is echoed at most 40 characters long ("{query:.40}"); an SMS does
    # not echo it at all, so a long or foreign-script text cannot cost extra segments.
    "choose_candidates": {
        "da": 'Flere områder passer på "{query:.40}". Hvilket mener du?',
        "en": 'Several areas match "{query:.40}". Which one do you mean?',
    },
    "choose_candidates.sms": {
        "da": "Flere områder passer. Svar med nummeret:",
        "en": "Several areas match. Reply with the number:",
    },
    # Typed at the area list: one pointer (the engine adds the way out), never the list again.
    "area_not_found": {
        "da": 'Jeg kender ikke området "{query:.40}". Tryk på et område ovenfor, eller skriv et postnummer.',
        "en": 'I don\'t know the area "{query:.40}". Press an area above, or type a postcode.',
    },
    "area_not_found.sms": {
        "da": "Det område kender jeg ikke. Svar med et nummer fra listen ovenfor.",
        "en": "I don't know that area. Reply with a number from the list above.",
    },
    "area_photo": {
        "da": "Et billede kan ikke vælge et område. Tryk på et område ovenfor, eller skriv et postnummer.",
        "en": "A photo cannot choose an area. Press an area above, or type a postcode.",
    },
    "area_photo.sms": {
        "da": "Et billede kan ikke vælge et område. Svar med et nummer fra listen ovenfor.",
        "en": "A photo cannot choose an area. Reply with a number from the list above.",
    },
    # TILMELD with an area no one knows: the list follows, once.
    "area_unknown": {
        "da": 'Jeg kender ikke området "{query:.40}". Vælg fra listen.',
        "en": 'I don\'t know the area "{query:.40}". Please choose from the list.',
    },
    "area_unknown.sms": {
        "da": "Det område kender jeg ikke.",
        "en": "I don't know that area.",
    },
    "change_areas": {
        "da": (
            "Du får nu beskeder for: {areas}.\n"
            "Tryk på et område for at til- eller fravælge det, og tryk Færdig."
        ),
        "en": (
            "You now get messages for: {areas}.\n"
            "Press an area to add or remove it, then press Done."
        ),
    },
    # SMS numbers are the areas wanted: they replace the current ones, and the prompt says so.
    "change_areas.sms": {
        "da": "Du har nu: {areas}. Svar med numrene på de områder, du vil have (fx 1 3). De erstatter dem, du har:",
        "en": "You have: {areas}. Reply with the numbers of the areas you want (e.g. 1 3). They replace the ones you have:",
    },
    "areas_now": {
        "da": "Dine områder er nu: {areas}.",
        "en": "Your areas are now: {areas}.",
    },
    "area_added": {
        "da": "{area} er tilføjet. Dine områder er nu: {areas}.",
        "en": "{area} has been added. Your areas are now: {areas}.",
    },
    "areas_kept": {
        "da": "OK. Dine områder er uændret: {areas}.",
        "en": "OK. Your areas are unchanged: {areas}.",
    },
    # Leaving the area list (cancel, expiry, a second unexpected answer): nothing changed.
    "areas_left.cancelled": {
        "da": "Afbrudt. Dine områder er uændret: {areas}.",
        "en": "Cancelled. Your areas are unchanged: {areas}.",
    },
    "areas_left.expired": {
        "da": "Dit forrige trin var udløbet. Dine områder er uændret: {areas}.",
        "en": "Your earlier step had expired. Your areas are unchanged: {areas}.",
    },
    "areas_left.gave_up": {
        "da": "Det forstod jeg heller ikke, så jeg har afbrudt. Dine områder er uændret: {areas}.",
        "en": "I didn't understand that either, so I stopped here. Your areas are unchanged: {areas}.",
    },
    "areas_left_none.cancelled": {
        "da": "Afbrudt. Du har ikke valgt et område endnu. Skriv /areas, når du vil vælge.",
        "en": "Cancelled. You have not chosen an area yet. Send /areas when you want to choose.",
    },
    "areas_left_none.cancelled.sms": {
        "da": "Afbrudt. Du har ikke valgt et område endnu. Skriv OMRÅDER, når du vil vælge.",
        "en": "Cancelled. You have not chosen an area yet. Send AREAS when you want to choose.",
    },
    "areas_left_none.expired": {
        "da": "Dit forrige trin var udløbet. Du har ikke valgt et område endnu. Skriv /areas, når du vil vælge.",
        "en": "Your earlier step had expired. You have not chosen an area yet. Send /areas to choose.",
    },
    "areas_left_none.expired.sms": {
        "da": "Dit forrige trin var udløbet. Du har ikke valgt et område endnu. Skriv OMRÅDER for at vælge.",
        "en": "Your earlier step had expired. You have not chosen an area yet. Send AREAS to choose.",
    },
    "areas_left_none.gave_up": {
        "da": "Det forstod jeg heller ikke, så jeg har afbrudt. Du har ikke valgt et område endnu. Skriv /areas, når du vil vælge.",
        "en": "I didn't understand that either, so I stopped here. You have not chosen an area yet. Send /areas to choose.",
    },
    "areas_left_none.gave_up.sms": {
        "da": "Det forstod jeg heller ikke, så jeg har afbrudt. Du har ikke valgt et område endnu. Skriv OMRÅDER for at vælge.",
        "en": "I didn't understand that either, so I stopped here. You have not chosen an area yet. Send AREAS to choose.",
    },
    "location_outside": {
        "da": "Din position ligger uden for vores lokalområder. Vælg et område fra listen.",
        "en": "Your location is outside our local areas. Please choose an area from the list.",
    },
    "location_outside_idle": {
        "da": "Din position ligger uden for vores lokalområder, så intet er ændret.",
        "en": "Your location is outside our local areas, so nothing was changed.",
    },
    "location_ticked": {
        "da": "Du delte en placering i {area}; det er nu valgt. Tryk Færdig for at gemme, eller vælg flere.",
        "en": "You shared a location in {area}; it is now ticked. Press Done to save, or pick more.",
    },
    # A location with nothing open: an offer, never a change by itself.
    "location_offer": {
        "da": "Du delte en placering i {area}. Vil du også have beskeder for {area}?",
        "en": "You shared a location in {area}. Do you also want messages for {area}?",
    },
    "location_already": {
        "da": (
            "Du delte en placering i {area}, og du får allerede beskeder derfra. Intet er ændret."
            " En placering hører ellers til et tip (/tip) eller en observation (/obs)."
        ),
        "en": (
            "You shared a location in {area}, and you already get messages from there. Nothing"
            " was changed. A location otherwise belongs to a tip (/tip) or an observation (/obs)."
        ),
    },
    "btn.location_add": {"da": "Ja, tilføj", "en": "Yes, add it"},
    "btn.location_keep": {"da": "Nej tak", "en": "No thanks"},
    "photo_no_flow": {
        "da": (
            "Billedet er ikke gemt: et billede hører til et tip (/tip) eller en observation på en"
            " tryghedsvandring (/obs). Start et af dem, og send billedet igen."
        ),
        "en": (
            "The photo was not saved: a photo belongs to a tip (/tip) or an observation on a"
            " safety walk (/obs). Start one of them and send the photo again."
        ),
    },
    "photo_no_flow.sms": {
        "da": "Billedet er ikke gemt. Skriv TIP først, og send så billedet med dit tip.",
        "en": "The photo was not saved. Send TIP first, then send the photo with your tip.",
    },
    "number_no_flow": {
        "da": "Et tal alene forstår jeg kun som svar på en liste, og der er ingen åben. Intet er ændret. Skriv /areas for at vælge områder.",
        "en": "A number alone is only an answer to a list, and none is open. Nothing was changed. Send /areas to choose areas.",
    },
    "number_no_flow.sms": {
        "da": "Et tal alene forstår jeg kun som svar på en liste, og der er ingen åben. Intet er ændret. Skriv OMRÅDER for at vælge områder.",
        "en": "A number alone is only an answer to a list, and none is open. Nothing was changed. Send AREAS to choose areas.",
    },
    "pick_at_least_one": {
        "da": "Vælg mindst ét område først.",
        "en": "Please choose at least one area first.",
    },
    "registered": {
        "da": "Tak! Du er nu nabohjælper i: {areas}.\nSkriv /help for at se, hvad du kan.",
        "en": "Thank you! You are now a neighbour helper in: {areas}.\nSend /help to see what you can do.",
    },
    "registered.sms": {
        "da": "Tak! Du er nabohjælper i {areas}. Vi gemmer dit nummer og område. SLET sletter alt. STOP stopper.",
        "en": "Thanks! You are a neighbour helper in {areas}. We store your number and area. DELETE erases. STOP stops.",
    },
    "welcome_back": {
        "da": "Velkommen tilbage! Du får igen beskeder for: {areas}.",
        "en": "Welcome back! You will again get messages for: {areas}.",
    },
    "already_registered": {
        "da": "Du er allerede nabohjælper i: {areas}. Skriv /areas for at ændre, /help for hjælp.",
        "en": "You are already a neighbour helper in: {areas}. Send /areas to change, /help for help.",
    },
    "already_registered.sms": {
        "da": "Du er allerede nabohjælper i: {areas}. Skriv OMRÅDER for at ændre, HJÆLP for hjælp.",
        "en": "You are already a neighbour helper in: {areas}. Send AREAS to change, HELP for help.",
    },
    "no_areas": {"da": "ingen områder", "en": "no areas"},
    "stopped": {
        "da": "Du får ikke flere beskeder fra Nabovagt. Skriv /start for at komme tilbage.",
        "en": "You will get no more messages from Nabovagt. Send /start to come back.",
    },
    "stopped.sms": {
        "da": "Du er afmeldt og får ikke flere SMS fra Nabovagt. Skriv START for at komme tilbage.",
        "en": "You are unsubscribed and get no more texts from Nabovagt. Send START to come back.",
    },
    "mydata": {
        "da": (
            "Det har vi gemt om dig:\n"
            "Navn: {name}\nAdresser: {contacts}\nOmråder: {areas}\nSprog: {language}\n"
            "Samtykke givet: {consent}\nStatus: {status}{roles}\nEmner: {topics}\n"
            "Tip du har sendt: {tips}\nSvar på invitationer: {answers}\n"
            "Observationer på tryghedsvandringer: {observations}\n\n"
            "Slet alt med /forget."
        ),
        "en": (
            "This is what we store about you:\n"
            "Name: {name}\nAddresses: {contacts}\nAreas: {areas}\nLanguage: {language}\n"
            "Consent given: {consent}\nStatus: {status}{roles}\nTopics: {topics}\n"
            "Tips you sent: {tips}\nAnswers to invitations: {answers}\n"
            "Observations on safety walks: {observations}\n\n"
            "Delete everything with /forget."
        ),
    },
    "mydata.sms": {
        "da": (
            "Gemt om dig: {numbers}; {areas}; {language}; samtykke {consent_day}; {status}{roles}."
            " {tip_count}, {answer_count}, {observation_count}. Slet alt: SLET"
        ),
        "en": (
            "Stored about you: {numbers}; {areas}; {language}; consent {consent_day}; {status}"
            "{roles}. {tip_count}, {answer_count}, {observation_count}. Delete all: DELETE"
        ),
    },
    "mydata.nothing": {"da": "ingen", "en": "none"},
    "mydata.left_areas": {"da": " (tidligere: {areas})", "en": " (earlier: {areas})"},
    "mydata.left_area": {"da": "{area} til {date}", "en": "{area} until {date}"},
    "mydata.address.telegram": {"da": "Telegram", "en": "Telegram"},
    "mydata.more.one": {"da": " og {count} mere", "en": " and {count} more"},
    "mydata.more.other": {"da": " og {count} flere", "en": " and {count} more"},
    "mydata.topic": {"da": "{topic} {state}", "en": "{topic} {state}"},
    "mydata.topic.on": {"da": "til", "en": "on"},
    "mydata.topic.off": {"da": "fra", "en": "off"},
    "mydata.topic.alerts": {"da": "indbrudsalarmer", "en": "burglary alerts"},
    "mydata.topic.tips": {"da": "gode råd", "en": "prevention tips"},
    "mydata.topic.announcements": {"da": "nyt fra kommunen", "en": "municipal news"},
    "mydata.topic.meetings": {"da": "møder og vandringer", "en": "meetings and walks"},
    "mydata.topic.weekly_tip": {"da": "ugens gode råd", "en": "weekly tip"},
    "mydata.tip": {"da": "{reference} ({date}, {status})", "en": "{reference} ({date}, {status})"},
    "mydata.tipstatus.new": {"da": "ny", "en": "new"},
    "mydata.tipstatus.acknowledged": {"da": "modtaget", "en": "received"},
    "mydata.tipstatus.forwarded": {"da": "videresendt", "en": "forwarded"},
    "mydata.tipstatus.resolved": {"da": "løst", "en": "resolved"},
    "mydata.answer": {"da": "{title} {date}: {answer}", "en": "{title} {date}: {answer}"},
    "mydata.answer.invited": {"da": "ikke svaret", "en": "not answered"},
    "mydata.answer.yes": {"da": "ja", "en": "yes"},
    "mydata.answer.no": {"da": "nej", "en": "no"},
    "mydata.answer.waiting": {"da": "på venteliste", "en": "on the waiting list"},
    "mydata.answer.listed": {
        "da": " (navn på deltagerlisten)",
        "en": " (name on the attendee list)",
    },
    "mydata.observations.one": {"da": "{count} observation", "en": "{count} observation"},
    "mydata.observations.other": {"da": "{count} observationer", "en": "{count} observations"},
    "mydata.tips.one": {"da": "{count} tip", "en": "{count} tip"},
    "mydata.tips.other": {"da": "{count} tip", "en": "{count} tips"},
    "mydata.answers.one": {"da": "{count} mødesvar", "en": "{count} event answer"},
    "mydata.answers.other": {"da": "{count} mødesvar", "en": "{count} event answers"},
    "mydata.none": {
        "da": "Vi har intet gemt om dig. Skriv /start for at blive nabohjælper.",
        "en": "We store nothing about you. Send /start to become a neighbour helper.",
    },
    "mydata.none.sms": {
        "da": "Vi har intet gemt om dig. Skriv TILMELD og dit område, fx TILMELD FARUM.",
        "en": "We store nothing about you. Send JOIN and your area, e.g. JOIN FARUM.",
    },
    "status.active": {"da": "modtager beskeder", "en": "receiving messages"},
    "status.stopped": {"da": "stoppet", "en": "stopped"},
    "mydata.roles": {"da": "\nRoller: {roles}", "en": "\nRoles: {roles}"},
    # A second, explicit step naming the consequence.
    "forget_confirm": {
        "da": (
            "Vil du slette alle dine oplysninger hos Nabovagt? Dit navn, dine adresser, områder"
            " og mødesvar slettes, og du får ingen beskeder mere. Tip og observationer gemmes"
            " kun uden navn. Det kan ikke fortrydes."
        ),
        "en": (
            "Delete all your data at Nabovagt? Your name, addresses, areas and event answers are"
            " deleted and you get no more messages. Tips and observations are kept only without"
            " your name. This cannot be undone."
        ),
    },
    "forget_confirm.sms": {
        "da": (
            "Vil du slette alle dine oplysninger hos Nabovagt? Du får ingen SMS mere, og det kan"
            " ikke fortrydes. Svar JA for at slette, NEJ for at beholde dem."
        ),
        "en": (
            "Delete all your data at Nabovagt? You get no more texts, and it cannot be undone."
            " Reply YES to delete, NO to keep it."
        ),
    },
    "forgotten": {
        "da": (
            "Alle dine oplysninger er slettet. Tip og observationer, du har sendt, gemmes kun"
            " uden navn og nummer. Tak for din hjælp!"
        ),
        "en": (
            "All your data has been deleted. Tips and observations you sent are kept only"
            " without your name and number. Thank you for your help!"
        ),
    },
    # Stands in stored texts where a forgotten person's name or address was.
    "forget.redacted": {"da": "[slettet]", "en": "[deleted]"},
    "forget_cancelled": {"da": "OK, intet er slettet.", "en": "OK, nothing was deleted."},
    "choose_language": {"da": "Vælg sprog:", "en": "Choose language:"},
    "language_set": {"da": "Sproget er nu dansk.", "en": "Language is now English."},
    "help": {
        "da": "Det kan du med Nabovagt:\n{commands}\n\nVed akut fare: ring 112. Politiet: 114.",
        "en": "What you can do with Nabovagt:\n{commands}\n\nIn an emergency: call 112. Police: 114.",
    },
    "help.sms": {
        "da": (
            "Nabovagt: TILMELD <område> - bliv nabohjælper. OMRÅDER - vælg område. STOP - afmeld. "
            "START - igen. SLET - slet data. SPROG EN - English. Akut: 112"
        ),
        "en": (
            "Nabovagt: JOIN <area> - become a helper. AREAS - choose area. STOP - unsubscribe. "
            "START - again. DELETE - erase data. LANGUAGE DA - dansk. Emergency: 112"
        ),
    },
    # After /start on Telegram, for coordinators and representatives: their tools, from the menu.
    "start.staff": {
        "da": "\n\nSom koordinator eller områderepræsentant har du også:\n{commands}",
        "en": "\n\nAs a coordinator or area representative you also have:\n{commands}",
    },
    "help.coordinator": {
        "da": "\n\nFor koordinatorer og områderepræsentanter:\n{commands}",
        "en": "\n\nFor coordinators and area representatives:\n{commands}",
    },
    "unknown": {
        "da": "Det forstod jeg ikke. Skriv /help for at se, hvad jeg kan.",
        "en": "I didn't understand that. Send /help to see what I can do.",
    },
    # Whatever was not understood (a mistyped STOP among it), the answer says how to stop.
    "unknown.sms": {
        "da": "Det forstod jeg ikke. Skriv HJÆLP for en liste over kommandoer. STOP stopper beskeder.",
        "en": "I didn't understand that. Send HELP for a list of commands. STOP stops messages.",
    },
    "unknown_unregistered.sms": {
        "da": "Velkommen til Nabovagt. Skriv TILMELD og dit område, fx TILMELD FARUM. Hjælp: HJÆLP",
        "en": "Welcome to Nabovagt. Send JOIN and your area, e.g. JOIN FARUM. Help: HELP",
    },
    "not_registered": {
        "da": "Du er ikke tilmeldt endnu. Skriv /start for at blive nabohjælper.",
        "en": "You are not signed up yet. Send /start to become a neighbour helper.",
    },
    "not_registered.sms": {
        "da": "Du er ikke tilmeldt. Skriv TILMELD og dit område, fx TILMELD FARUM.",
        "en": "You are not signed up. Send JOIN and your area, e.g. JOIN FARUM.",
    },
    "stats": {
        "da": "Nabohjælpere pr. område ({month}):\n{rows}\n\nI alt: {total}, {new} i måneden, {stopped} stoppet.",
        "en": "Neighbour helpers per area ({month}):\n{rows}\n\nTotal: {total}, {new} this month, {stopped} stopped.",
    },
    "stats.active.one": {"da": "{count} aktiv", "en": "{count} active"},
    "stats.active.other": {"da": "{count} aktive", "en": "{count} active"},
    "stats.new.one": {"da": "{count} ny", "en": "{count} new"},
    "stats.new.other": {"da": "{count} nye", "en": "{count} new"},
    "stats.row.one": {
        "da": "{area}: {active} (+{count} ny, {stopped} stoppet)",
        "en": "{area}: {active} (+{count} new, {stopped} stopped)",
    },
    "stats.row.other": {
        "da": "{area}: {active} (+{count} nye, {stopped} stoppet)",
        "en": "{area}: {active} (+{count} new, {stopped} stopped)",
    },
    "mydata.consent": {"da": "{date} kl. {time}", "en": "{date} at {time}"},
    "cmd.start": {"da": "Bliv nabohjælper", "en": "Become a neighbour helper"},
    "cmd.areas": {"da": "Skift områder", "en": "Change areas"},
    "cmd.mydata": {"da": "Se dine data", "en": "See your data"},
    "cmd.language": {"da": "Skift sprog", "en": "Change language"},
    "cmd.stop": {"da": "Stop alle beskeder", "en": "Stop all messages"},
    "cmd.forget": {"da": "Slet alle dine data", "en": "Delete all your data"},
    "cmd.help": {"da": "Hjælp", "en": "Help"},
    "cmd.stats": {"da": "Nabohjælpere pr. område", "en": "Neighbour helpers per area"},
}

register_texts(TEXTS)
