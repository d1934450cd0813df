"""The few exceptions services raise. Every message is a sentence a user can act on."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of the errors a user can do something about."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationError(ServiceError):
    """Input a user can fix; `field` names the form field the message belongs next to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class NotFound(ServiceError):
    pass


class PermissionDenied(ServiceError):
    pass


class ConflictError(ServiceError):
    """Someone else saved the record since it was read; reload it and apply the change again."""

    def __init__(self, entity: str, entity_id: int | None, message: str | None = None):
        super().__init__(
            message
            or f"This {entity} was changed by someone else while you were editing it. "
            "Reload it to see their changes, then apply yours again."
        )
        self.entity = entity
        self.entity_id = entity_id
