"""Texts for tips from residents and their triage, Danish first then English."""

from __future__ import annotations

from bot.core.i18n import Catalog, register_texts

# Built-in categories, from the strategy's own list; coordinators add more (storage TipCategory).
CATEGORIES = (
    "youth",
    "noise",
    "moped",
    "dogs",
    "lighting",
    "vandalism",
    "suspicious",
    "other",
)
OTHER = "other"

TEXTS: Catalog = {
    "tipcat.youth": {"da": "Unge i grupper / tilråb", "en": "Youths in groups / catcalling"},
    # The SMS labels are short so the receipt with its numbered list fits one segment.
    "tipcat.youth.sms": {"da": "Unge", "en": "Youths"},
    "tipcat.noise": {
        "da": "Højlydte personer i opgange eller på fællesarealer",
        "en": "Loud people in stairwells or shared areas",
    },
    "tipcat.noise.sms": {"da": "Larm", "en": "Noise"},
    "tipcat.moped": {"da": "Knallertkørsel på stier", "en": "Mopeds on footpaths"},
    "tipcat.moped.sms": {"da": "Knallert på sti", "en": "Mopeds on paths"},
    "tipcat.dogs": {"da": "Løse hunde", "en": "Dogs off the lead"},
    "tipcat.dogs.sms": {"da": "Løse hunde", "en": "Loose dogs"},
    "tipcat.lighting": {
        "da": "Dårlig belysning eller dårlige oversigtsforhold",
        "en": "Poor lighting or poor visibility",
    },
    "tipcat.lighting.sms": {"da": "Lys", "en": "Lighting"},
    "tipcat.vandalism": {
        "da": "Hærværk på bænke, skure, containere m.m.",
        "en": "Vandalism of benches, sheds, containers etc.",
    },
    "tipcat.vandalism.sms": {"da": "Hærværk", "en": "Vandalism"},
    "tipcat.suspicious": {
        "da": "Mistænkelig adfærd / muligt indbrud",
        "en": "Suspicious behaviour / possible burglary",
    },
    "tipcat.suspicious.sms": {"da": "Mistænkeligt", "en": "Suspicious"},
    "tipcat.other": {"da": "Andet", "en": "Other"},
    "tip.urgent": {
        "da": "Ved akut fare: ring 112. Politiet: 114.",
        "en": "Ved akut fare: ring 112. Politiet: 114. (In an emergency call 112. Police: 114.)",
    },
    "tip.not_registered": {
        "da": "Tip kræver, at du er tilmeldt. Skriv /start for at blive nabohjælper.",
        "en": "Tips need you to be signed up. Send /start to become a neighbour helper.",
    },
    "tip.not_registered.sms": {
        "da": "Tilmeld dig først: skriv TILMELD og dit område, fx TILMELD FARUM. Akut: 112",
        "en": "Sign up first: send JOIN and your area, e.g. JOIN FARUM. Emergency: 112",
    },
    "tip.too_many": {
        "da": "Du har sendt mange tip den seneste time. Prøv igen lidt senere - dine tidligere tip er modtaget.",
        "en": "You have sent many tips in the last hour. Please try again later - your earlier tips were received.",
    },
    "tip.usage.sms": {
        "da": "Skriv TIP og hvad der gør dig utryg, fx: TIP knallerter kører stærkt på stien ved Farum Sø",
        "en": "Send TIP and what makes you feel unsafe, e.g.: TIP mopeds speeding on the path by the lake",
    },
    "tip.choose_category": {
        "da": "Tip kommunen om noget, der gør dig utryg. Hvad handler det om?",
        "en": "Tell the municipality about something that makes you feel unsafe. What is it about?",
    },
    "tip.ask_text": {
        "da": (
            "Skriv kort, hvad der skete - hvor og hvornår. Beskriv situationen, "
            "ikke navne på personer. (Højst 2000 tegn.)"
        ),
        "en": (
            "Briefly write what happened - where and when. Describe the situation, "
            "not people's names. (At most 2,000 characters.)"
        ),
    },
    "tip.too_long": {
        "da": "Teksten er for lang ({length} tegn). Skriv højst 2000 tegn.",
        "en": "The text is too long ({length} characters). Please write at most 2,000.",
    },
    "tip.extras": {
        "da": (
            "Tilføj gerne op til 5 billeder og din position (📎 → Position). "
            "Område: {area}. Tryk Videre, når du er klar."
        ),
        "en": (
            "You may add up to 5 photos and your location (📎 → Location). "
            "Area: {area}. Press Next when you are ready."
        ),
    },
    "tip.photo_added": {
        "da": "Billede {count} af højst 5 modtaget.",
        "en": "Photo {count} of at most 5 received.",
    },
    "tip.too_many_photos": {
        "da": "Du kan højst vedhæfte 5 billeder - de første 5 er gemt.",
        "en": "You can attach at most 5 photos - the first 5 are kept.",
    },
    "tip.photo_failed": {
        "da": "Billedet kunne ikke hentes. Prøv at sende det igen.",
        "en": "The photo could not be fetched. Please try sending it again.",
    },
    "tip.location_added": {
        "da": "Position modtaget. Område: {area}.",
        "en": "Location received. Area: {area}.",
    },
    "tip.no_area": {"da": "intet område", "en": "no area"},
    "tip.ask_contact": {
        "da": "Må kommunen kontakte dig om tippet? Svar fra kommunen kommer altid her gennem Nabovagt.",
        "en": "May the municipality contact you about the tip? Answers always reach you here through Nabovagt.",
    },
    "tip.summary": {
        "da": "Dit tip:\nKategori: {category}\nOmråde: {area}\n{text}\nBilleder: {photos}. Position: {location}.\nKontakt: {contact}\n\nSend tippet?",
        "en": "Your tip:\nCategory: {category}\nArea: {area}\n{text}\nPhotos: {photos}. Location: {location}.\nContact: {contact}\n\nSend the tip?",
    },
    "tip.yes": {"da": "ja", "en": "yes"},
    "tip.no": {"da": "nej", "en": "no"},
    "tip.contact.anonymous": {
        "da": "Anonymt, ingen opdateringer",
        "en": "Anonymous, no updates",
    },
    "tip.contact.updates": {
        "da": "Anonymt, men send mig opdateringer",
        "en": "Anonymous, but send me updates",
    },
    "tip.contact.open": {
        "da": "Kommunen må kontakte mig",
        "en": "The municipality may contact me",
    },
    "tip.cancelled": {
        "da": "Tippet er annulleret. Intet er gemt.",
        "en": "Tip cancelled. Nothing was stored.",
    },
    "tip.thanks": {
        "da": "Tak for dit tip! Reference: {reference}. Kommunen ser på det hurtigst muligt.",
        "en": "Thank you for your tip! Reference: {reference}. The municipality will look at it as soon as possible.",
    },
    "tip.thanks.sms": {
        "da": "Tak! Tip {reference} modtaget. Hvad handler det om? Svar med nr.:",
        "en": "Thanks! Tip {reference} received. What is it about? Reply:",
    },
    "tip.category_set": {
        "da": "Tak. Tip {reference}: {category}.",
        "en": "Thanks. Tip {reference}: {category}.",
    },
    "tip.left_filed": {
        "da": "OK. Dit tip er gemt som Andet.",
        "en": "OK. Your tip is filed as Other.",
    },
    "tip.category_late": {
        "da": "Tip {reference} er gemt som Andet.",
        "en": "Tip {reference} is filed as Other.",
    },
    "btn.tip": {"da": "💡 Tip kommunen", "en": "💡 Tip the municipality"},
    "btn.tip_next": {"da": "Videre ▶", "en": "Next ▶"},
    "btn.tip_send": {"da": "Send tip", "en": "Send tip"},
    "btn.tip_ack": {"da": "Modtaget", "en": "Received"},
    "btn.tip_forward": {"da": "Videresendt", "en": "Forwarded"},
    "btn.tip_resolve": {"da": "Løst", "en": "Resolved"},
    "btn.tip_answer": {"da": "Svar", "en": "Reply"},
    "btn.tip_view": {"da": "Vis {reference}", "en": "Show {reference}"},
    "btn.tip_no_note": {"da": "Løs uden note", "en": "Resolve without note"},
    "cmd.tip": {"da": "Tip kommunen", "en": "Tip the municipality"},
    "cmd.inbox": {"da": "Åbne tip", "en": "Open tips"},
    # Coordinator side
    "tipc.new": {
        "da": "{urgent}Nyt tip {reference} · {area}\nKategori: {category}\n\n{text}\n\n{extras}Kanal: {channel}. {contact}",
        "en": "{urgent}New tip {reference} · {area}\nCategory: {category}\n\n{text}\n\n{extras}Channel: {channel}. {contact}",
    },
    "tipc.urgent_flag": {"da": "⚠️ MULIGVIS AKUT · ", "en": "⚠️ POSSIBLY URGENT · "},
    "tipc.photos": {"da": "Billeder: {count}\n", "en": "Photos: {count}\n"},
    "tipc.location": {
        "da": "Position: https://www.openstreetmap.org/?mlat={lat}&mlon={lon}\n",
        "en": "Location: https://www.openstreetmap.org/?mlat={lat}&mlon={lon}\n",
    },
    "tipc.anonymous": {
        "da": "Anonym - svar via knappen Svar.",
        "en": "Anonymous - answer with the Reply button.",
    },
    "tipc.contact": {"da": "Må kontaktes: {who}", "en": "May be contacted: {who}"},
    "tipc.photo_caption": {
        "da": "{reference} · billede {number}",
        "en": "{reference} · photo {number}",
    },
    "tipc.not_allowed": {
        "da": "Beklager, kun koordinatorer og områdets repræsentanter kan behandle tip.",
        "en": "Sorry, only coordinators and the area's representatives can handle tips.",
    },
    "tipc.unknown_tip": {"da": "Tippet findes ikke længere.", "en": "That tip no longer exists."},
    "tipc.acknowledged": {
        "da": "{reference} er markeret som modtaget.",
        "en": "{reference} is marked as received.",
    },
    "tipc.already_acknowledged": {
        "da": "{reference} var allerede modtaget.",
        "en": "{reference} was already received.",
    },
    "tipc.choose_target": {
        "da": "Hvem er {reference} sendt videre til?",
        "en": "Who was {reference} forwarded to?",
    },
    "tipc.forwarded": {
        "da": "{reference} er markeret som videresendt til {target}.",
        "en": "{reference} is marked as forwarded to {target}.",
    },
    "tipc.ask_note": {
        "da": "Skriv en kort intern note om løsningen af {reference} (borgeren ser den ikke).",
        "en": "Write a short internal note on how {reference} was resolved (the tipster won't see it).",
    },
    "tipc.resolved": {
        "da": "{reference} er markeret som løst.",
        "en": "{reference} is marked as resolved.",
    },
    "tipc.ask_answer": {
        "da": "Skriv dit svar til borgeren om {reference}. Nabovagt sender det uden dit navn.",
        "en": "Write your answer to the tipster about {reference}. Nabovagt sends it without your name.",
    },
    "tipc.answered": {
        "da": "Svaret er sendt til borgeren bag {reference}.",
        "en": "The answer was sent to the tipster behind {reference}.",
    },
    "tipc.unreachable": {
        "da": "Borgeren bag {reference} kan ikke længere nås (data slettet).",
        "en": "The tipster behind {reference} can no longer be reached (data deleted).",
    },
    "tipc.inbox": {"da": "Åbne tip ({count}):\n{rows}", "en": "Open tips ({count}):\n{rows}"},
    "tipc.inbox_empty": {"da": "Ingen åbne tip. 👍", "en": "No open tips. 👍"},
    "tipc.inbox_row": {
        "da": "{reference} · {area} · {category} · {age} · {status}",
        "en": "{reference} · {area} · {category} · {age} · {status}",
    },
    "tipc.detail": {
        "da": "{reference} · {area} · {status}\nKategori: {category}\nModtaget for {age} siden\n\n{text}\n\n{extras}{contact}",
        "en": "{reference} · {area} · {status}\nCategory: {category}\nReceived {age} ago\n\n{text}\n\n{extras}{contact}",
    },
    "tipstatus.new": {"da": "ny", "en": "new"},
    "tipstatus.acknowledged": {"da": "modtaget", "en": "received"},
    "tipstatus.forwarded": {"da": "videresendt", "en": "forwarded"},
    "tipstatus.resolved": {"da": "løst", "en": "resolved"},
    # To the tipster
    "tipr.answer": {
        "da": "Svar fra kommunen på dit tip {reference}:\n{answer}",
        "en": "Answer from the municipality about your tip {reference}:\n{answer}",
    },
    "tipr.acknowledged": {
        "da": "Dit tip {reference} er modtaget af kommunen.",
        "en": "Your tip {reference} has been received by the municipality.",
    },
    "tipr.forwarded": {
        "da": "Dit tip {reference} er sendt videre til {target}.",
        "en": "Your tip {reference} has been forwarded to {target}.",
    },
    "tipr.resolved": {
        "da": "Dit tip {reference} er markeret som løst. Tak for hjælpen!",
        "en": "Your tip {reference} is marked as resolved. Thank you for your help!",
    },
    # Short ages in the inbox, the detail view and /stats.
    "tip.age.minutes": {"da": "{m} min", "en": "{m} min"},
    "tip.age.hours": {"da": "{h} t {m} min", "en": "{h} h {m} min"},
    "tip.age.days": {"da": "{d} d {h} t", "en": "{d} d {h} h"},
    "tip.stats": {
        "da": "Tip {month}: {count}, kvitteret {acked}, median tid til kvittering: {median}",
        "en": "Tips {month}: {count}, acknowledged {acked}, median time to acknowledgement: {median}",
    },
}

register_texts(TEXTS)
