"""Rows written in as few statements as the database takes: one INSERT for all of them.

Django 5.2 splits a `bulk_create` on SQLite into statements of at most 999 variables (SQLite's default
before 3.32), so the rows of a month opened for 1,000 people took 24 statements for the reviews alone
(23 columns a row: 43 rows a statement), and the statements grew with the head count. The SQLite
library in use says its own limit (`SQLITE_LIMIT_VARIABLE_NUMBER`: 32,766 since 3.32, 250,000 in
Debian's build), which Django 6.0 reads; `insert_all` writes within that limit. PostgreSQL has no
limit Django counts when it binds the parameters itself, its default (one statement for all the rows).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Model

M = TypeVar("M", bound=Model)

# ids in one `pk__in` of an UPDATE: within SQLite's variable limit since 3.32 (32,766) and PostgreSQL's
# 65,535 parameters bound by the server, so that a step on 1,000 reviews takes the statements 100 take
IDS_A_STATEMENT = 10_000


def insert_all(model: type[M], rows: Sequence[M]) -> list[M]:
    """`model.objects.bulk_create(rows)` in one statement, or on SQLite in as few as its variable limit
    allows (one per ~10,000 reviews with Debian's build; Django's 999 where the library's limit is that)."""
    if not rows:
        return []
    manager = model._default_manager
    connection = connections[manager.db]
    if connection.vendor != "sqlite":
        if connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
            # PostgreSQL's protocol takes 65,535 parameters a statement bound by the server (Django binds
            # them in the client unless told otherwise, with no limit)
            columns = len([f for f in model._meta.concrete_fields if not f.primary_key])
            return manager.bulk_create(rows, batch_size=max(1, 65_535 // max(columns, 1)))
        return manager.bulk_create(rows)
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    features: Any = connection.features
    own = "max_query_params" in vars(features)
    before = features.max_query_params
    features.max_query_params = max(limit, before)
    try:
        return manager.bulk_create(rows)
    finally:
        if own:
            features.max_query_params = before
        else:
            del features.max_query_params
