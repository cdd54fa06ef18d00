"""Catalog entries the conversation engine itself answers with (da, en)."""

from __future__ import annotations

from bot.core.i18n import Catalog, register_texts

TEXTS: Catalog = {
    "still_stopped": {
        "da": "Du har stoppet beskeder. Skriv /start for at komme tilbage.",
        "en": "You have stopped messages. Send /start to come back.",
    },
    "coordinators_only": {
        "da": "Beklager, den kommando er kun for koordinatorer.",
        "en": "Sorry, that command is for coordinators only.",
    },
    "not_allowed": {
        "da": "Beklager, det har du ikke adgang til. Intet er ændret.",
        "en": "Sorry, you don't have access to that. Nothing was changed.",
    },
    "expired_button": {
        "da": "Den knap er udløbet. Skriv /help for at se, hvad du kan.",
        "en": "That button has expired. Send /help to see what you can do.",
    },
    # Every flow has a way out (/cancel, AFBRYD) and an end (expiry, a second unexpected answer).
    "cmd.cancel": {"da": "Afbryd det, du er i gang med", "en": "Cancel what you are doing"},
    "flow.cancelled": {
        "da": "Afbrudt. Intet er gemt eller ændret.",
        "en": "Cancelled. Nothing was saved or changed.",
    },
    "flow.nothing_to_cancel": {
        "da": "Der er ikke noget at afbryde. Skriv /help for at se, hvad du kan.",
        "en": "There is nothing to cancel. Send /help to see what you can do.",
    },
    "flow.nothing_to_cancel.sms": {
        "da": "Der er ikke noget at afbryde. Skriv HJÆLP for at se, hvad du kan.",
        "en": "There is nothing to cancel. Send HELP to see what you can do.",
    },
    "flow.expired": {
        "da": "Dit forrige trin var udløbet, så det blev afbrudt. Intet er gemt eller ændret.",
        "en": "Your earlier step had expired, so it was cancelled. Nothing was saved or changed.",
    },
    "flow.way_out": {
        "da": "(Skriv /cancel for at afbryde.)",
        "en": "(Send /cancel to stop here.)",
    },
    "flow.way_out.sms": {
        "da": "(Skriv AFBRYD for at afbryde.)",
        "en": "(Send ABORT to stop here.)",
    },
    "flow.gave_up": {
        "da": "Det forstod jeg heller ikke, så jeg har afbrudt. Intet er gemt. Skriv /help for at se, hvad du kan.",
        "en": "I didn't understand that either, so I stopped here. Nothing was saved. Send /help to see what you can do.",
    },
    "flow.gave_up.sms": {
        "da": "Det forstod jeg heller ikke, så jeg har afbrudt. Intet er gemt. Skriv HJÆLP for at se, hvad du kan.",
        "en": "I didn't understand that either, so I stopped here. Nothing was saved. Send HELP to see what you can do.",
    },
    "flow.use_buttons": {
        "da": "Det forstod jeg ikke. Vælg med knapperne ovenfor.",
        "en": "I didn't understand that. Please choose with the buttons above.",
    },
    "flow.use_buttons.sms": {
        "da": "Det forstod jeg ikke. Svar med et af numrene ovenfor.",
        "en": "I didn't understand that. Reply with one of the numbers above.",
    },
    "flow.yes_or_no": {
        "da": "Det forstod jeg ikke. Vælg med knapperne ovenfor.",
        "en": "I didn't understand that. Please choose with the buttons above.",
    },
    "flow.yes_or_no.sms": {
        "da": "Det forstod jeg ikke. Svar JA eller NEJ.",
        "en": "I didn't understand that. Reply YES or NO.",
    },
    "error": {
        "da": "Beklager, noget gik galt hos os, og din besked blev ikke gemt. Prøv igen om lidt.",
        "en": "Sorry, something went wrong on our side and your message was not saved. "
        "Please try again shortly.",
    },
    "inbound_kept": {
        "da": "Vi har modtaget din besked, men kan ikke svare lige nu. Du får svar, så snart vi kan.",
        "en": "We have received your message but cannot answer right now. "
        "You will get an answer as soon as we can.",
    },
}

register_texts(TEXTS)
