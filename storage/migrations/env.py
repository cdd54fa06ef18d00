"""Alembic environment: runs on the connection handed in by storage.db.Database.upgrade."""

from __future__ import annotations

import importlib
import pkgutil

from alembic import context
from sqlmodel import SQLModel

import storage

# Every storage module named models or *_models registers its tables on the metadata.
for module in pkgutil.iter_modules(storage.__path__):
    if module.name == "models" or module.name.endswith("_models"):
        importlib.import_module(f"storage.{module.name}")

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `nabovagt db upgrade`")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
