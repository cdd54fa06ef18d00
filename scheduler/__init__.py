"""Time: outbox dispatcher, reminders and periodic jobs."""
