"""Two people saved the same record: a three-way merge of what the form read (the base), what this
user typed (mine) and what is stored now (theirs, saved meanwhile).

A field only one side changed takes that side's value without asking; a field both changed to
different values is a conflict, for the user to decide (keep mine, take the stored one, or edit).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from crm_desktop.i18n import Message
from crm_desktop.services.errors import ConflictError
from crm_desktop.services.validation import label_of


@dataclass(frozen=True)
class FieldConflict:
    base: Any
    mine: Any
    stored: Any


@dataclass(frozen=True)
class Merged:
    changes: dict[str, Any]  # what to write over the stored record: my changes only
    conflicts: dict[str, FieldConflict]


def fields_of(record: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a stored record or a row read for a form: a merge's base or stored side."""
    return {name: getattr(record, name) for name in names}


def three_way(base: Mapping[str, Any], mine: Mapping[str, Any], stored: Mapping[str, Any]) -> Merged:
    changes: dict[str, Any] = {}
    conflicts: dict[str, FieldConflict] = {}
    for key, value in mine.items():
        if key not in base or value == base[key]:
            continue  # not changed by me: the stored value stands (changed meanwhile or not)
        if stored.get(key) == base[key] or stored.get(key) == value:
            changes[key] = value  # only I changed it, or we both made the same change
        else:
            conflicts[key] = FieldConflict(base[key], value, stored.get(key))
    return Merged(changes, conflicts)


class MergeConflict(ConflictError):
    """Someone saved the same fields meanwhile; `conflicts` says, per field, base, mine and stored."""

    def __init__(
        self,
        entity: str,
        entity_id: int,
        conflicts: dict[str, FieldConflict],
        stored_version: int,
        stored: Mapping[str, Any],
    ):
        super().__init__(
            entity,
            entity_id,
            Message.counted(
                "Someone else changed this {entity} while you were editing it, in the same field as you: "
                "{fields}. Choose which value to keep.",
                "Someone else changed this {entity} while you were editing it, in the same fields as you: "
                "{fields}. Choose which values to keep.",
                len(conflicts),
                entity=label_of(entity),
                fields=", ".join(conflicts),
            ),
        )
        self.conflicts = conflicts
        self.stored_version = stored_version
        self.stored = dict(stored)


def stale(entity: str, entity_id: int | None) -> ConflictError:
    """The error for a save from a copy someone else changed since it was read. `entity` names the kind
    of record in English ("client", marked N_() where it is written), put into the reader's language."""
    return ConflictError(
        entity,
        entity_id,
        Message(
            "This {entity} was changed by someone else while you were editing it. "
            "Reload it to see their changes, then apply yours again.",
            entity=label_of(entity),
        ),
    )


def resolve(
    entity: str,
    entity_id: int,
    version: int,
    expected_version: int,
    base: Mapping[str, Any] | None,
    mine: dict[str, Any],
    stored: Callable[[], Mapping[str, Any]],
    decided: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The values to write: all of `mine` when nobody saved meanwhile, else the merge (or a conflict).

    `stored` reads the record's fields as stored now, only when a merge needs them. `decided` holds the
    user's answers to an earlier MergeConflict: the value to keep per field.
    """
    if version == expected_version:
        return mine
    if base is None:
        raise stale(entity, entity_id)
    now_stored = stored()
    merged = three_way(base, mine, now_stored)
    decided = decided or {}
    open_conflicts = {key: c for key, c in merged.conflicts.items() if key not in decided}
    if open_conflicts:
        raise MergeConflict(entity, entity_id, open_conflicts, version, now_stored)
    return {**merged.changes, **{key: decided[key] for key in merged.conflicts}}
