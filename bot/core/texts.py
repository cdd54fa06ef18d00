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
    "error": {
        "da": "Beklager, noget gik galt hos os. Prøv igen om lidt - intet er gået tabt.",
        "en": "Sorry, something went wrong on our side. Please try again shortly - nothing was lost.",
    },
}

register_texts(TEXTS)
