"""The office's own details: what goes on invoices, and the currency new documents start in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crm_desktop.db.models import CompanyProfile
from crm_desktop.services import money
from crm_desktop.services import validation as v
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.errors import ConflictError, PermissionDenied, ValidationError

LANGUAGES = ("", "en", "ru", "uz", "az", "ar")  # "" = the system language


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
    return bool(get(ctx).name)


def update(ctx: ServiceContext, *, expected_version: int, **values: Any) -> CompanyRow:
    if not ctx.actor.is_admin:
        raise PermissionDenied("Only an administrator can change the company details.")
    out: dict[str, Any] = {}
    for key, label, limit in (("name", "The company name", 300), ("address", "The address", 2000),
                              ("tax_id", "The tax id", 100), ("bank_details", "The bank details", 2000),
                              ("phone", "The phone", 100)):
        if key in values:
            out[key] = v.text(key, values.pop(key), label, max_length=limit)
    if "email" in values:
        email = values.pop("email").strip()
        out["email"] = v.email("email", email) if email else ""
    if "default_currency" in values:
        out["default_currency"] = money.currency(values.pop("default_currency"), "default_currency").code
    if "language" in values:
        out["language"] = v.choice("language", values.pop("language") or "", LANGUAGES, "The language")
    if values:
        raise ValidationError(sorted(values)[0], f"The company profile has no field '{sorted(values)[0]}'.")
    with ctx.write() as s:
        profile = s.get(CompanyProfile, 1)
        if profile.version != expected_version:
            raise ConflictError("company profile", 1)
        for key, value in out.items():
            setattr(profile, key, value)
        s.flush()
        return _row(profile)
