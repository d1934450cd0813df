"""The few exceptions services raise. Every message is a sentence a user can act on.

A message is given as its English template and the fields it is filled in with —
`ValidationError("amount", "{label} must be a number (got '{value}').", label=..., value=...)` — and
put into words when it is read (`error.message`), in the reader's language (crm_desktop/i18n.py). The
template is the catalogue's message id; a finished English sentence would stay English everywhere.
"""

from __future__ import annotations

from typing import Any

from crm_desktop.i18n import Message, SaidError


class ServiceError(SaidError):
    """Base of the errors a user can do something about."""

    def __str__(self) -> str:
        return self.said.render("en")  # logs and tracebacks are read by us, in English


class ValidationError(ServiceError):
    """Input a user can fix; `field` names the form field the message belongs next to."""

    def __init__(self, field: str, message: str | Message, /, **params: Any):
        super().__init__(message, **params)
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {super().__str__()}"


class NotFound(ServiceError):
    pass


class PermissionDenied(ServiceError):
    pass


class ConflictError(ServiceError):
    """Someone else saved the record since it was read; reload it and apply the change again."""

    def __init__(
        self, entity: str, entity_id: int | None, message: str | Message | None = None, /, **params: Any
    ):
        super().__init__(
            message
            or Message(
                "This {entity} was changed by someone else while you were editing it. "
                "Reload it to see their changes, then apply yours again.",
                entity=entity,
            ),
            **params,
        )
        self.entity = entity
        self.entity_id = entity_id
