"""The office's own details: what goes on invoices, and the currency new documents start in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from crm_desktop.db.models import CompanyProfile
from crm_desktop.services import money
from crm_desktop.services import validation as v
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.errors import ConflictError, PermissionDenied, ValidationError

LANGUAGES = ("", "en", "ru", "uz", "az", "ar")  # "" = the system language
T = TypeVar("T")


@dataclass(frozen=True)
class CompanyRow:
    name: str
    address: str
    tax_id: str
    bank_details: str
    phone: str
    email: str
    default_currency: str
    language: str
    version: int


def _row(p: CompanyProfile) -> CompanyRow:
    return CompanyRow(p.name, p.address, p.tax_id, p.bank_details, p.phone, p.email, p.default_currency,
                      p.language, p.version)


def get(ctx: ServiceContext) -> CompanyRow:
    with ctx.read() as s:
        return _row(s.get(CompanyProfile, 1))


def is_set_up(ctx: ServiceContext) -> bool:
    """True once the office has a name: until then the first-run dialog asks for its details."""
    return bool(get(ctx).name)


def update(ctx: ServiceContext, *, expected_version: int, **values: Any) -> CompanyRow:
    """Change some details (admins only); `expected_version` is the version the form read."""
    if not ctx.actor.is_admin:
        raise PermissionDenied("Only an administrator can change the company details.")
    out: dict[str, Any] = {}
    for key, label, limit in (("name", "The company name", 300), ("address", "The address", 2000),
                              ("tax_id", "The tax id", 100), ("bank_details", "The bank details", 2000),
                              ("phone", "The phone", 100)):
        if key in values:
            out[key] = v.text(key, values.pop(key), label, max_length=limit)
    if out.get("phone"):
        out["phone"] = v.phone("phone", out["phone"])
    if "email" in values:
        email = v.text("email", values.pop("email"), "The email", max_length=320)
        out["email"] = v.email("email", email) if email else ""  # empty: no email on invoices
    if "default_currency" in values:
        out["default_currency"] = money.currency(values.pop("default_currency"), "default_currency").code
    if "language" in values:
        language = values.pop("language") or ""
        if language not in LANGUAGES:
            choices = ", ".join(LANGUAGES[1:])
            raise ValidationError("language", f"The language must be one of {choices}, or empty for the "
                                              f"system language (got '{language}').")
        out["language"] = language
    if values:
        raise ValidationError(min(values), f"The company profile has no field '{min(values)}'.")
    return write_profile(ctx, expected_version, out, _row)


def write_profile(ctx: ServiceContext, expected_version: int, values: dict[str, Any],
                  row: Callable[[CompanyProfile], T]) -> T:
    """Store checked `values` on the profile; its details and settings share one row and one version."""
    with ctx.write() as s:
        profile = s.get(CompanyProfile, 1)
        if profile.version != expected_version:
            raise ConflictError("company profile", 1)
        for key, value in values.items():
            setattr(profile, key, value)
        s.flush()
        return row(profile)
