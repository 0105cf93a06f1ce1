"""Stored files and the rows that point at them.

A file is removed only when its row is deleted, and then by a Celery task after the
transaction commits (a rolled-back delete keeps its file). ``delete_files_with_rows`` wires this
for a model's file fields. ``file_store_check`` compares the store with the rows: files no row
points at (orphans) and rows whose file is missing.
"""

import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from celery import shared_task
from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import models, transaction
from django.db.models.signals import post_delete

log = logging.getLogger(__name__)


@shared_task(ignore_result=True, acks_late=True)
def delete_stored_files(names: list[str]) -> None:
    """Remove these files from the store; a file already gone is not an error (a retry)."""
    for name in names:
        if default_storage.exists(name):
            default_storage.delete(name)
            log.info("Deleted stored file %s (its row was deleted)", name)


def _file_names(instance: models.Model) -> list[str]:
    names = []
    for model_field in instance._meta.concrete_fields:
        if isinstance(model_field, models.FileField):
            stored = getattr(instance, model_field.attname)
            if stored:
                names.append(str(stored))
    return names


def _queue_file_deletion(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    names = _file_names(instance)
    if names:
        transaction.on_commit(partial(delete_stored_files.delay, names))


def delete_files_with_rows(*model_classes: type[models.Model]) -> None:
    """When a row of these models is deleted, remove its files after commit, by a task."""
    for model in model_classes:
        post_delete.connect(
            _queue_file_deletion,
            sender=model,
            weak=False,
            dispatch_uid=f"files-{model._meta.label}",
        )


# --- the weekly check ---------------------------------------------------------------------------


@dataclass
class FileStoreCheck:
    """What the store holds that no row names, and what rows name that the store lacks."""

    files_stored: int = 0
    orphaned: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # "app.Model #pk field: name"

    @property
    def is_clean(self) -> bool:
        return not self.orphaned and not self.missing


def stored_names(storage: Storage, path: str = "") -> set[str]:
    """Every file in the store, by its name (walking the folders)."""
    folders, files = storage.listdir(path)
    names = {f"{path}/{name}" if path else name for name in files}
    for folder in folders:
        names |= stored_names(storage, f"{path}/{folder}" if path else folder)
    return names


def file_store_check(storage: Storage | None = None) -> FileStoreCheck:
    """Compare the file store with every file field of every model (one query per field)."""
    storage = storage or default_storage
    try:
        stored = stored_names(storage)
    except FileNotFoundError:  # no file was ever stored
        stored = set()
    referenced: set[str] = set()
    check = FileStoreCheck(files_stored=len(stored))
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if not isinstance(model_field, models.FileField):
                continue
            rows = model._default_manager.exclude(**{model_field.name: ""}).exclude(
                **{f"{model_field.name}__isnull": True}
            )
            for pk, name in rows.values_list("pk", model_field.name).iterator():
                referenced.add(name)
                if name not in stored:
                    check.missing.append(f"{model._meta.label} #{pk} {model_field.name}: {name}")
    check.orphaned = sorted(stored - referenced)
    return check
