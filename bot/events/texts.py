"""Message catalog for events, invitations, answers and reminders (Danish first)."""

from __future__ import annotations

from bot.core.i18n import Catalog, register_texts

TEXTS: Catalog = {
    "event.kind.borgermøde": {"da": "Borgermøde", "en": "Citizen meeting"},
    "event.kind.miniborgermøde": {"da": "Miniborgermøde", "en": "Local citizen meeting"},
    "event.kind.tryghedsvandring": {"da": "Tryghedsvandring", "en": "Safety walk"},
    "event.kind.tryghedsdag": {"da": "Tryghedsdag", "en": "Safety day"},
    "event.kind.andet": {"da": "Arrangement", "en": "Event"},
    # A CLDR pattern for an event's local start: "torsdag 3. december kl. 19:00".
    "event.when_format": {"da": "EEEE d. MMMM 'kl.' HH:mm", "en": "EEEE d MMMM 'at' HH:mm"},
    "event.invitation": {
        "da": "Invitation - {kind}: {title}\n{when}\nSted: {place}{description}\n\nKommer du?",
        "en": "Invitation - {kind}: {title}\n{when}\nPlace: {place}{description}\n\nWill you come?",
    },
    "event.invitation.sms": {
        "da": "Nabovagt inviterer - {kind}: {title}, {when}, {place}. Svar JA hvis du kommer, NEJ hvis ikke.",
        "en": "Nabovagt invites you - {kind}: {title}, {when}, {place}. Reply YES if you come, NO if not.",
    },
    "btn.event_yes": {"da": "Jeg kommer", "en": "I'm coming"},
    "btn.event_no": {"da": "Jeg kommer ikke", "en": "I'm not coming"},
    "btn.event_ics": {"da": "📅 Kalenderfil", "en": "📅 Calendar file"},
    "btn.event_share_name": {
        "da": "Vis mit navn på deltagerlisten",
        "en": "Show my name on the attendee list",
    },
    "event.rsvp_yes": {
        "da": "Tak! Du er tilmeldt {title}, {when}. Vi minder dig om det.",
        "en": "Thank you! You are signed up for {title}, {when}. We will remind you.",
    },
    "event.rsvp_no": {
        "da": "Tak for svaret. Du er ikke tilmeldt {title}.",
        "en": "Thanks for answering. You are not signed up for {title}.",
    },
    "event.rsvp_waiting": {
        "da": "{title} er fuldt booket. Du står på venteliste som nr. {position} og får besked, hvis der bliver plads.",
        "en": "{title} is fully booked. You are number {position} on the waiting list and will hear from us if a place opens.",
    },
    "event.promoted": {
        "da": "Der er blevet plads! Du er nu tilmeldt {title}, {when}.",
        "en": "A place opened up! You are now signed up for {title}, {when}.",
    },
    "event.name_shared": {
        "da": "Dit navn står nu på deltagerlisten for {title}.",
        "en": "Your name is now on the attendee list for {title}.",
    },
    "event.rsvp_pick": {
        "da": "Du er inviteret til flere arrangementer. Hvilket gælder dit svar?",
        "en": "You are invited to several events. Which one is your answer for?",
    },
    "event.rsvp_pick.sms": {
        "da": "Du er inviteret til flere arrangementer. Svar med nummeret:",
        "en": "You are invited to several events. Reply with the number:",
    },
    "event.not_invited": {
        "da": "Du er ikke inviteret til det arrangement, så du kan ikke svare på det.",
        "en": "You are not invited to that event, so you cannot answer it.",
    },
    "event.not_your_area": {
        "da": "Det arrangement hører til områder, du ikke repræsenterer. Intet er ændret.",
        "en": "That event belongs to areas you don't represent. Nothing was changed.",
    },
    "event.areas_not_yours": {
        "da": "Du kan kun invitere i de områder, du repræsenterer. Intet er sendt.",
        "en": "You can only invite in the areas you represent. Nothing was sent.",
    },
    "event.no_open": {
        "da": "Du har ingen invitationer at svare på lige nu.",
        "en": "You have no invitations to answer right now.",
    },
    "event.gone": {
        "da": "Det arrangement er aflyst eller allerede begyndt.",
        "en": "That event is cancelled or has already begun.",
    },
    "event.cancelled": {
        "da": "AFLYST: {title}, {when}, er aflyst. Vi beklager.",
        "en": "CANCELLED: {title}, {when}, is cancelled. We are sorry.",
    },
    "event.reminder.attending": {
        "da": "Påmindelse: {title}, {when}, {place}. Vi ses!",
        "en": "Reminder: {title}, {when}, {place}. See you there!",
    },
    "event.reminder.unanswered": {
        "da": "Husk at svare: {title}, {when}, {place}. Kommer du?",
        "en": "Please answer: {title}, {when}, {place}. Will you come?",
    },
    "event.reminder.unanswered.sms": {
        "da": "Husk at svare: {title}, {when}, {place}. Svar JA eller NEJ.",
        "en": "Please answer: {title}, {when}, {place}. Reply YES or NO.",
    },
    "event.ics_caption": {"da": "Kalenderfil til {title}", "en": "Calendar file for {title}"},
    # The coordinator's /event flow.
    "event.menu": {
        "da": "Arrangementer. Vælg et for at se tilmeldinger, eller opret et nyt:",
        "en": "Events. Choose one to see attendance, or create a new one:",
    },
    "btn.event_new": {"da": "➕ Nyt arrangement", "en": "➕ New event"},
    "event.ask_kind": {"da": "Hvilken slags arrangement?", "en": "What kind of event?"},
    "event.ask_title": {"da": "Skriv en titel:", "en": "Type a title:"},
    "event.ask_time": {
        "da": "Hvornår? Skriv dag og klokkeslæt, fx »10. december kl. 19«, »torsdag 19:30« eller »10/12 19:00«.",
        "en": "When? Type the day and time, e.g. »10 December 7pm«, »Thursday 19:30« or »10/12 19:00«.",
    },
    "event.bad_time": {
        "da": "Det kunne jeg ikke læse som en dag og et klokkeslæt i fremtiden. Skriv fx »10. december kl. 19« eller »i morgen kl. 19«.",
        "en": "I couldn't read that as a future day and time. Type e.g. »10 December 7pm« or »tomorrow 7pm«.",
    },
    # The parsed time, echoed for a yes before it is used ("Torsdag 10. december 2026 kl. 19:00").
    "event.confirm_format": {"da": "EEEE d. MMMM y 'kl.' HH:mm", "en": "EEEE d MMMM y 'at' HH:mm"},
    "event.confirm_time": {
        "da": "{when} - er det rigtigt?",
        "en": "{when} - is that right?",
    },
    "event.confirm_time.sms": {
        "da": "{when} - er det rigtigt? Svar JA, eller skriv tidspunktet igen.",
        "en": "{when} - is that right? Reply YES, or type the time again.",
    },
    "btn.event_time_ok": {"da": "Ja", "en": "Yes"},
    "btn.event_time_fix": {"da": "Ret", "en": "Change"},
    "event.ask_place": {"da": "Hvor foregår det?", "en": "Where does it take place?"},
    "event.ask_areas": {
        "da": "Hvilke områder inviteres?",
        "en": "Which areas are invited?",
    },
    "btn.event_all_areas": {"da": "Alle områder", "en": "All areas"},
    "event.ask_capacity": {
        "da": "Hvor mange pladser? Skriv et tal, eller 0 for ubegrænset.",
        "en": "How many places? Type a number, or 0 for unlimited.",
    },
    "event.preview": {
        "da": "Forhåndsvisning:\n\n{invitation}\n\nInviterer: {areas}\nModtagere: {recipients}\nPladser: {capacity}\nPåmindelser: {reminders}{warning}\n\nSend invitationen?",
        "en": "Preview:\n\n{invitation}\n\nInviting: {areas}\nRecipients: {recipients}\nPlaces: {capacity}\nReminders: {reminders}{warning}\n\nSend the invitation?",
    },
    "event.recipients.one": {"da": "{count} nabohjælper", "en": "{count} neighbour helper"},
    "event.recipients.other": {"da": "{count} nabohjælpere", "en": "{count} neighbour helpers"},
    "event.recipients_on": {"da": "{count} på {channel}", "en": "{count} on {channel}"},
    "event.channel.telegram": {"da": "Telegram", "en": "Telegram"},
    "event.channel.sms": {"da": "SMS", "en": "SMS"},
    "event.no_recipients": {
        "da": "\nBemærk: ingen nabohjælpere i de valgte områder får invitationen.",
        "en": "\nNote: no neighbour helper in the chosen areas will get the invitation.",
    },
    "event.reminders_all_past": {
        "da": "\nBemærk: alle påmindelser ({past} før) ligger allerede før nu, så ingen påmindelse bliver sendt.",
        "en": "\nNote: every reminder ({past} before) is already in the past, so no reminder will be sent.",
    },
    "event.reminders_some_past": {
        "da": " ({past} før ligger allerede før nu og sendes ikke)",
        "en": " ({past} before is already past and will not be sent)",
    },
    "btn.event_send": {"da": "Send invitation", "en": "Send invitation"},
    "btn.event_abort": {"da": "Annullér", "en": "Cancel"},
    "btn.event_cancel_event": {"da": "Aflys arrangementet", "en": "Cancel the event"},
    "event.aborted": {"da": "OK, intet er sendt.", "en": "OK, nothing was sent."},
    "event.created": {
        "da": "Invitationen til {title} er sendt til {count} nabohjælpere.",
        "en": "The invitation to {title} was sent to {count} neighbour helpers.",
    },
    "event.cancel_confirm.one": {
        "da": "Aflys {title}, {when}? {count} inviteret får besked om aflysningen, og påmindelserne stopper.",
        "en": "Cancel {title}, {when}? {count} invited person will be told, and the reminders stop.",
    },
    "event.cancel_confirm.other": {
        "da": "Aflys {title}, {when}? {count} inviterede får besked om aflysningen, og påmindelserne stopper.",
        "en": "Cancel {title}, {when}? {count} invited people will be told, and the reminders stop.",
    },
    "event.cancel_confirm.sms.one": {
        "da": "Aflys {title}, {when}? {count} inviteret får besked om aflysningen. Svar JA for at aflyse, NEJ for at beholde.",
        "en": "Cancel {title}, {when}? {count} invited person will be told. Reply YES to cancel, NO to keep it.",
    },
    "event.cancel_confirm.sms.other": {
        "da": "Aflys {title}, {when}? {count} inviterede får besked om aflysningen. Svar JA for at aflyse, NEJ for at beholde.",
        "en": "Cancel {title}, {when}? {count} invited people will be told. Reply YES to cancel, NO to keep it.",
    },
    "btn.event_cancel_yes": {"da": "Ja, aflys", "en": "Yes, cancel it"},
    "btn.event_cancel_keep": {"da": "Nej, behold", "en": "No, keep it"},
    "event.cancel_kept": {
        "da": "OK, {title} er ikke aflyst. Ingen har fået besked.",
        "en": "OK, {title} is not cancelled. Nobody was told anything.",
    },
    "event.cancel_left": {
        "da": "Afbrudt. Arrangementet er ikke aflyst, og ingen har fået besked.",
        "en": "Cancelled. The event is not cancelled, and nobody was told anything.",
    },
    "event.cancel_done": {
        "da": "{title} er aflyst. {count} inviterede får besked; påmindelser er stoppet.",
        "en": "{title} is cancelled. {count} invited get notice; reminders are stopped.",
    },
    "event.unlimited": {"da": "ubegrænset", "en": "unlimited"},
    "event.all_areas": {"da": "alle områder", "en": "all areas"},
    "event.details": {
        "da": (
            "{kind}: {title}\n{when}\nSted: {place}\nInviteret: {invited}\n"
            "Kommer: {yes}{capacity}\nVenteliste: {waiting}\nKommer ikke: {no}\n"
            "Ikke svaret: {unanswered}\nDeltagere (som har sagt ja til at blive vist): {names}"
        ),
        "en": (
            "{kind}: {title}\n{when}\nPlace: {place}\nInvited: {invited}\n"
            "Coming: {yes}{capacity}\nWaiting list: {waiting}\nNot coming: {no}\n"
            "No answer: {unanswered}\nAttendees (who agreed to be listed): {names}"
        ),
    },
    "event.none": {"da": "ingen", "en": "none"},
    "event.cancelled_mark": {"da": " (AFLYST)", "en": " (CANCELLED)"},
    "cmd.event": {"da": "Arrangementer og invitationer", "en": "Events and invitations"},
    "event.help.coordinator": {
        "da": "\n/event - arrangementer, invitationer og tilmeldinger",
        "en": "\n/event - events, invitations and attendance",
    },
}


register_texts(TEXTS)
