"""Regenerate the README's dashboard screenshots (docs/screenshots/*.png) from demo data.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

The real app runs on the local stand-ins for Telegram and Twilio with a fresh SQLite database,
fills it with the same demo data the browser tests use (tests/browser_helpers.py), logs in the
way a coordinator does (/dashboard in Telegram) and photographs overview, map, tip inbox and a
composer preview in Debian's headless chromium at 1280x800. Install Debian's
fonts-noto-color-emoji first, or the alert's 🚨 shows as an empty box.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a plain script: the repository's packages (bot, storage, sandbox, tests) come from here.
sys.path.insert(0, str(ROOT))

from bot.core.settings import Settings  # noqa: E402
from sandbox.telegram_fake import FakeTelegram  # noqa: E402
from sandbox.twilio_fake import TwilioFake  # noqa: E402
from storage.db import Database  # noqa: E402
from tests.browser_helpers import headless_chromium, seed_scene, take_screenshots  # noqa: E402
from tests.conftest import TELEGRAM_TOKEN, running_app  # noqa: E402


async def main(out: Path) -> list[Path]:
    with tempfile.TemporaryDirectory(prefix="nabovagt-shots-") as tmp:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'shots.db'}",
            http_port=0,
            media_dir=str(Path(tmp) / "media"),
            quiet_hours="00:00-00:00",
        )
        db = Database(settings.database_url)
        # The demo's helpers never wrote to the fake bot first; let their invitations arrive.
        telegram = FakeTelegram(TELEGRAM_TOKEN)
        telegram.allow_unknown_chats = True
        twilio = TwilioFake()
        await telegram.start()
        await twilio.start()
        try:
            async with running_app(db, settings, telegram=telegram, twilio=twilio):
                await seed_scene(db, settings)
                async with headless_chromium() as browser:
                    return await take_screenshots(browser, telegram, out)
        finally:
            await db.dispose()
            await telegram.stop()
            await twilio.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    arguments = parser.parse_args()
    for written in asyncio.run(main(arguments.out)):
        print(written.relative_to(ROOT) if written.is_relative_to(ROOT) else written)
