"""The dashboard's texts (login, navigation, overview, exports): Danish first, English second."""

from __future__ import annotations

from bot.core.i18n import Catalog, register_texts

TEXTS: Catalog = {
    # The bot side: /dashboard and WEB
    "cmd.dashboard": {"da": "Link til webpanelet", "en": "Link to the web dashboard"},
    "dash.link": {
        "da": "Her er dit link til Nabovagts webpanel. Det virker én gang i 10 minutter:\n{url}",
        "en": "Here is your link to the Nabovagt dashboard. It works once, for 10 minutes:\n{url}",
    },
    "dash.link.sms": {
        "da": "Dit link til Nabovagts webpanel (virker én gang i 10 min): {url}",
        "en": "Your link to the Nabovagt dashboard (works once, 10 min): {url}",
    },
    "dash.staff_only": {
        "da": "Webpanelet er for kommunens koordinatorer og områdernes repræsentanter. "
        "Du får stadig alle beskeder her, og du kan altid sende et tip med /tip.",
        "en": "The dashboard is for the municipality's coordinators and area representatives. "
        "You still get every message here, and you can always send a tip with /tip.",
    },
    "dash.staff_only.sms": {
        "da": "Webpanelet er kun for koordinatorer og repræsentanter. Send TIP for at give et tip.",
        "en": "The dashboard is only for coordinators and representatives. Send TIP to give a tip.",
    },
    "dash.no_public_url": {
        "da": "Webpanelet er ikke sat op endnu: PUBLIC_URL mangler i indstillingerne.",
        "en": "The dashboard is not set up yet: PUBLIC_URL is missing from the settings.",
    },
    # Page frame
    "dash.title": {"da": "Nabovagt – webpanel", "en": "Nabovagt – dashboard"},
    "dash.skip": {"da": "Spring til indholdet", "en": "Skip to content"},
    "dash.nav.label": {"da": "Hovedmenu", "en": "Main menu"},
    "dash.nav.overview": {"da": "Overblik", "en": "Overview"},
    "dash.nav.map": {"da": "Kort", "en": "Map"},
    "dash.nav.inbox": {"da": "Tips", "en": "Tips"},
    "dash.nav.composer": {"da": "Ny besked", "en": "New message"},
    "dash.nav.events": {"da": "Arrangementer", "en": "Events"},
    "dash.logout": {"da": "Log ud", "en": "Log out"},
    "dash.role.coordinator": {"da": "Koordinator", "en": "Coordinator"},
    "dash.role.representative": {"da": "Repræsentant", "en": "Representative"},
    # Login page
    "dash.login.title": {"da": "Log ind via Nabovagt-botten", "en": "Log in through the bot"},
    "dash.login.how": {
        "da": "Send /dashboard til Nabovagt i Telegram (eller WEB på SMS) for at få et "
        "login-link. Linket virker én gang i 10 minutter.",
        "en": "Send /dashboard to Nabovagt in Telegram (or WEB by SMS) to get a login link. "
        "The link works once, for 10 minutes.",
    },
    "dash.login.missing": {"da": "Du er ikke logget ind.", "en": "You are not logged in."},
    "dash.login.unknown": {
        "da": "Det link kender vi ikke. Bed botten om et nyt.",
        "en": "We do not know that link. Ask the bot for a new one.",
    },
    "dash.login.used": {
        "da": "Det link er allerede brugt. Hvert link virker kun én gang – bed botten om et nyt.",
        "en": "That link has been used already. Each link works once – ask the bot for a new one.",
    },
    "dash.login.expired": {
        "da": "Linket er udløbet (det virker i 10 minutter). Bed botten om et nyt.",
        "en": "The link has expired (it works for 10 minutes). Ask the bot for a new one.",
    },
    "dash.login.not_staff": {
        "da": "Webpanelet er kun for koordinatorer og repræsentanter.",
        "en": "The dashboard is only for coordinators and representatives.",
    },
    "dash.login.logged_out": {"da": "Du er logget ud.", "en": "You are logged out."},
    "dash.login.preview": {
        "da": "Åbn linket i din browser for at logge ind.",
        "en": "Open the link in your browser to log in.",
    },
    # Overview
    "dash.overview.title": {"da": "Overblik", "en": "Overview"},
    "dash.overview.month": {"da": "Tal for {month}", "en": "Numbers for {month}"},
    "dash.helpers.title": {"da": "Nabohjælpere", "en": "Neighbour helpers"},
    "dash.helpers.area": {"da": "Område", "en": "Area"},
    "dash.helpers.active": {"da": "Aktive", "en": "Active"},
    "dash.helpers.new": {"da": "Nye i måneden", "en": "New this month"},
    "dash.helpers.stopped": {"da": "Stoppet", "en": "Stopped"},
    "dash.helpers.total": {"da": "I alt", "en": "Total"},
    "dash.helpers.total_note": {
        "da": "I alt tæller hver person én gang, også med flere områder.",
        "en": "The total counts each person once, even with several areas.",
    },
    "dash.trend.title": {
        "da": "Nabohjælpere ved hver måneds udgang",
        "en": "Neighbour helpers at the end of each month",
    },
    "dash.trend.month": {"da": "Måned", "en": "Month"},
    "dash.trend.helpers": {"da": "Hjælpere", "en": "Helpers"},
    "dash.tips.title": {"da": "Tips", "en": "Tips"},
    "dash.tips.category": {"da": "Kategori", "en": "Category"},
    "dash.tips.count": {"da": "Antal", "en": "Count"},
    "dash.tips.open": {"da": "Åbne", "en": "Open"},
    "dash.tips.by_category": {
        "da": "Tips pr. kategori i {month}",
        "en": "Tips per category in {month}",
    },
    "dash.tips.none": {"da": "Ingen tips i måneden.", "en": "No tips this month."},
    "dash.reaction.title": {
        "da": "Tid til kvittering (median)",
        "en": "Time to acknowledgement (median)",
    },
    "dash.reaction.month": {"da": "Måned", "en": "Month"},
    "dash.reaction.tips": {"da": "Tips", "en": "Tips"},
    "dash.reaction.acked": {"da": "Kvitteret", "en": "Acknowledged"},
    "dash.reaction.median": {"da": "Median", "en": "Median"},
    "dash.reaction.minutes": {"da": "{minutes} min", "en": "{minutes} min"},
    "dash.broadcasts.title": {"da": "Seneste udsendelser", "en": "Latest broadcasts"},
    "dash.broadcasts.when": {"da": "Sendt", "en": "Sent"},
    "dash.broadcasts.kind": {"da": "Slags", "en": "Kind"},
    "dash.broadcasts.areas": {"da": "Områder", "en": "Areas"},
    "dash.broadcasts.channel": {"da": "Kanal", "en": "Channel"},
    "dash.broadcasts.delivered": {"da": "Leveret", "en": "Delivered"},
    "dash.broadcasts.failed": {"da": "Fejlet", "en": "Failed"},
    "dash.broadcasts.pending": {"da": "Undervejs", "en": "Pending"},
    "dash.broadcasts.all_areas": {"da": "Alle områder", "en": "All areas"},
    "dash.broadcasts.none": {"da": "Ingen udsendelser endnu.", "en": "No broadcasts yet."},
    "dash.channel.telegram": {"da": "Telegram", "en": "Telegram"},
    "dash.channel.sms": {"da": "SMS", "en": "SMS"},
    "dash.upcoming.title": {"da": "Kommende arrangementer", "en": "Upcoming events"},
    "dash.upcoming.when": {"da": "Tid", "en": "When"},
    "dash.upcoming.name": {"da": "Arrangement", "en": "Event"},
    "dash.upcoming.invited": {"da": "Inviteret", "en": "Invited"},
    "dash.upcoming.coming": {"da": "Kommer", "en": "Coming"},
    "dash.upcoming.not_coming": {"da": "Kommer ikke", "en": "Not coming"},
    "dash.upcoming.waiting": {"da": "Venteliste", "en": "Waiting"},
    "dash.upcoming.none": {"da": "Ingen kommende arrangementer.", "en": "No upcoming events."},
    "dash.walks.title": {"da": "Observationer fra vandringer", "en": "Walk observations"},
    "dash.walks.walk": {"da": "Vandring", "en": "Walk"},
    "dash.walks.observations": {"da": "Observationer", "en": "Observations"},
    "dash.walks.open": {
        "da": "Observationer i alt: {count}; {open} åbne, heraf {overdue} over fristen, og "
        "{settled} afsluttet. Ansvarlig og frist sættes i chatten med /obs_followup eller med "
        "'nabovagt walks assign'; hver vandrings protokol viser dem.",
        "en": "Observations in total: {count}; {open} open, {overdue} of them past the deadline, "
        "and {settled} settled. Owner and deadline are set in the chat with /obs_followup or with "
        "'nabovagt walks assign'; each walk's protocol shows them.",
    },
    "dash.walks.open_col": {"da": "Åbne", "en": "Open"},
    "dash.walks.overdue_col": {"da": "Over fristen", "en": "Past deadline"},
    "dash.walks.settled_col": {"da": "Afsluttet", "en": "Settled"},
    "dash.walks.none": {"da": "Ingen observationer endnu.", "en": "No observations yet."},
    "dash.exports.title": {"da": "Eksport (CSV)", "en": "Export (CSV)"},
    "dash.exports.overview": {"da": "Overblikkets tal", "en": "The overview's numbers"},
    "dash.exports.tips": {
        "da": "Tips (uden kontaktdata, som 'tips export')",
        "en": "Tips (without contact data, like 'tips export')",
    },
    "dash.scope.areas": {"da": "Du ser: {areas}", "en": "You see: {areas}"},
    "dash.scope.all": {"da": "Du ser alle områder.", "en": "You see every area."},
}

register_texts(TEXTS)
