"""Local stand-ins for the Telegram Bot API and Twilio, used by tests and the demo."""
