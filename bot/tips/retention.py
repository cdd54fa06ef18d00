"""Tip retention: anonymise tips older than TIP_RETENTION_DAYS, and the stored notices about them."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.settings import Settings
from bot.tips.services import delete_media
from storage import redaction
from storage import tips as tip_store
from storage.db import Database
from storage.tip_models import Tip

log = logging.getLogger(__name__)


async def anonymise_expired_tips(db: Database, settings: Settings, now: datetime) -> int:
    """Anonymise every tip created before now - TIP_RETENTION_DAYS; return how many."""
    before = now - timedelta(days=settings.tip_retention_days)
    async with db.session() as session:
        expired = await tip_store.expired_tips(session=session, before=before)
        paths: list[str] = []
        for tip in expired:
            paths += await tip_store.anonymise(session=session, tip=tip, now=now)
        # The triagers' stored notices quote the tip (text, place, maybe who sent it).
        notices = [f"tip:{tip.reference}" for tip in expired if tip.reference]
        await redaction.clear_texts(session=session, created_by=notices)
    # Files go only after the rows are committed, so a failed run leaves nothing dangling.
    await asyncio.to_thread(delete_media, settings.media_dir, paths)
    if expired:
        log.info("anonymised %d tips older than %d days", len(expired), settings.tip_retention_days)
    return len(expired)


async def keep_tip(*, session: AsyncSession, reference: str, actor: str) -> Tip | None:
    """Keep a tip's text for statistics after retention; None when no tip has that reference."""
    tip = await tip_store.find_by_reference(session=session, reference=reference)
    if tip is not None:
        await tip_store.keep_for_stats(session=session, tip=tip, actor=actor)
    return tip
