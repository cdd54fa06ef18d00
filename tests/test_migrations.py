"""Every table change has its Alembic migration: the migrated schema equals the models."""

from __future__ import annotations

import importlib
import pkgutil

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlmodel import SQLModel

import storage
from storage.db import Database


async def test_migrations_create_exactly_the_tables_the_models_describe(db: Database) -> None:
    for module in pkgutil.iter_modules(storage.__path__):
        if module.name == "models" or module.name.endswith("_models"):
            importlib.import_module(f"storage.{module.name}")

    def differences(conn: Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(conn), SQLModel.metadata))

    async with db.engine.connect() as conn:
        assert await conn.run_sync(differences) == []
