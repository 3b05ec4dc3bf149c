"""Uploads waiting for their import job, shared with every machine through the batch store.

A web server keeps an upload under `<home>/import-uploads/<job>/<file>` (`import_jobs`). When the batch
store is not this home's own folder (SHOPKPI_STORE_URL: object storage, or a folder every machine
mounts), the upload is also put into the store as `import-uploads/<job>/<file>`, so that a worker on
another machine, with a home of its own, fetches it from there; it is removed from the store with the
local copy, and swept by its age and its job's state like the local ones. With the default store (the
home's `warehouse/` folder) nothing is shared: the web server and its workers share the home.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Mapping
from pathlib import Path

from shopkpi.data.warehouse.batch_store import BatchStore, LocalStore, open_store

FOLDER = "import-uploads"


def shared_store(home: Path) -> BatchStore | None:
    """The store uploads are shared through; None with the home's own folder."""
    store = open_store(home)
    if isinstance(store, LocalStore) and store.root == home / "warehouse":
        return None
    return store


def key(job_id: str, name: str) -> str:
    return f"{FOLDER}/{job_id}/{name}"


def share(home: Path, path: Path) -> None:
    """Put a saved upload (`<home>/import-uploads/<job>/<file>`) into the shared store, if there is one."""
    store = shared_store(home)
    if store is None:
        return
    copy = path.with_name(f".{path.name}.sharing")
    shutil.copyfile(path, copy)
    try:
        store.put(copy, key(path.parent.name, path.name))
    finally:
        copy.unlink(missing_ok=True)


def fetched(home: Path, path: Path) -> bool:
    """Whether the upload `path` is here, fetched from the shared store when another machine saved it."""
    if path.is_file():
        return True
    store = shared_store(home)
    if store is None or not store.present([key(path.parent.name, path.name)]):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.fetching")
    store.get(key(path.parent.name, path.name), partial)
    partial.replace(path)
    return True


def present(home: Path, path: Path) -> bool:
    """Whether the upload is here or in the shared store (without fetching it)."""
    if path.is_file():
        return True
    store = shared_store(home)
    return store is not None and bool(store.present([key(path.parent.name, path.name)]))


def remove(home: Path, job_id: str, name: str) -> None:
    store = shared_store(home)
    if store is not None:
        store.remove(key(job_id, name))


def sweep(home: Path, states: Mapping[str, str], kept_for: Mapping[str | None, float]) -> None:
    """Remove shared uploads no job waits for, by their age (seconds kept by the job's state; None: no
    job) — as the local sweep does, whichever machine left them."""
    store = shared_store(home)
    if store is None:
        return
    now = time.time()
    for relative, modified in store.aged(FOLDER):
        job_id = relative.split("/")[1] if relative.count("/") >= 2 else ""
        state = states.get(job_id)
        kept = kept_for.get(state, kept_for[None])
        if kept >= 0 and now - modified > kept:
            store.remove(relative)
