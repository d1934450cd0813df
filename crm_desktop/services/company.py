"""The office's own details: what goes on invoices, and the currency new documents start in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from crm_desktop import i18n
from crm_desktop.db.models import CompanyProfile, User
from crm_desktop.i18n import N_
from crm_desktop.services import amount_words, money, numbering, pipelines, workflows
from crm_desktop.services import validation as v
from crm_desktop.services.context import OWNER, ServiceContext, check_version, company_profile
from crm_desktop.services.errors import PermissionDenied, ValidationError

LANGUAGES = ("", "en", "ru", "uz", "az", "ar")  # "" = the system language
DEFAULT_CURRENCY = "USD"  # the stored default (db.models) until the office chooses its own
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
    invoice_number_pattern: str = "INV-{year}-{seq:05d}"
    quote_number_pattern: str = "QUO-{year}-{seq:05d}"
    credit_note_number_pattern: str = "CN-{year}-{seq:05d}"
    amount_words_language: str = ""  # "" none, or one of amount_words.LANGUAGES
    logo: bytes | None = None  # PNG or JPEG; read with logo=True only, it can be large


MAX_LOGO_BYTES = 1_000_000


def _row(p: CompanyProfile, *, logo: bool = False) -> CompanyRow:
    return CompanyRow(
        p.name,
        p.address,
        p.tax_id,
        p.bank_details,
        p.phone,
        p.email,
        p.default_currency,
        p.language,
        p.version,
        p.invoice_number_pattern,
        p.quote_number_pattern,
        p.credit_note_number_pattern,
        p.amount_words_language,
        p.logo if logo else None,
    )


def get(ctx: ServiceContext, *, logo: bool = False) -> CompanyRow:
    with ctx.read() as s:
        return _row(company_profile(s), logo=logo)


def is_set_up(ctx: ServiceContext) -> bool:
    """True once the office has a name: until then the first-run dialog asks for its details."""
    return bool(get(ctx).name)


def update(ctx: ServiceContext, *, expected_version: int, **values: Any) -> CompanyRow:
    """Change some details (admins only); `expected_version` is the version the form read."""
    if not ctx.actor.is_admin:
        raise PermissionDenied("Only an administrator can change the company details.")
    out: dict[str, Any] = {}
    for key, label, limit in (
        ("name", N_("The company name"), 300),
        ("address", N_("The address"), 2000),
        ("tax_id", N_("The tax id"), 100),
        ("bank_details", N_("The bank details"), 2000),
        ("phone", N_("The phone"), 100),
    ):
        if key in values:
            out[key] = v.text(key, values.pop(key), label, max_length=limit)
    if out.get("phone"):
        out["phone"] = v.phone("phone", out["phone"])
    if "email" in values:
        email = v.text("email", values.pop("email"), N_("The email"), max_length=320)
        out["email"] = v.email("email", email) if email else ""  # empty: no email on invoices
    if "default_currency" in values:
        out["default_currency"] = money.currency(values.pop("default_currency"), "default_currency").code
    if "language" in values:
        language = values.pop("language") or ""
        if language not in LANGUAGES:
            raise ValidationError(
                "language",
                "The language must be one of {choices}, or empty for the system language (got '{language}').",
                choices=", ".join(LANGUAGES[1:]),
                language=language,
            )
        out["language"] = language
    if "amount_words_language" in values:
        words = values.pop("amount_words_language") or ""
        if words and words not in amount_words.LANGUAGES:
            raise ValidationError(
                "amount_words_language",
                "The amount in words is written in {languages}, or not at all (got '{words}').",
                languages=", ".join(amount_words.LANGUAGES),
                words=words,
            )
        out["amount_words_language"] = words
    for key in numbering.PATTERN_FIELDS:
        if key in values:  # numbers already given stay as they are
            out[key] = numbering.check_pattern(key, values.pop(key))
    if "logo" in values:
        out["logo"] = _check_logo(values.pop("logo"))
    if values:
        raise ValidationError(min(values), "The company profile has no field '{field}'.", field=min(values))
    return write_profile(ctx, expected_version, out, _row)


def _check_logo(data: object) -> bytes | None:
    if not data:
        return None  # no logo
    if not isinstance(data, bytes):
        raise ValidationError("logo", "The logo is the picture file's content (PNG or JPEG), not its name.")
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(
            "logo",
            "The logo is {size} KB; use a picture under {limit} MB "
            "(a logo needs no more than 600 pixels wide).",
            size=len(data) // 1000,
            limit=MAX_LOGO_BYTES // 1_000_000,
        )
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        raise ValidationError(
            "logo", "The logo must be a PNG or JPEG picture. Save it as one and choose it again."
        )
    from io import BytesIO

    from reportlab.lib.utils import ImageReader

    try:
        ImageReader(BytesIO(data)).getSize()
    except Exception as exc:  # noqa: BLE001 - any decoder error means the same to the user
        raise ValidationError(
            "logo", "The logo picture is damaged or cannot be read. Choose another file."
        ) from exc
    return data


def write_profile(
    ctx: ServiceContext, expected_version: int, values: dict[str, Any], row: Callable[[CompanyProfile], T]
) -> T:
    """Store checked `values` on the profile; its details and settings share one row and one version.
    A new office language takes along the starting names nobody has edited (starting_names_in)."""
    with ctx.write() as s:
        profile = company_profile(s)
        check_version(profile, expected_version, N_("company profile"))
        spoke, was_set_up = profile.language, bool(profile.name.strip())
        for key, value in values.items():
            setattr(profile, key, value)
        s.flush()
        if profile.language != spoke:
            starting_names_in(s, spoke, profile.language)
        done = row(profile)
        language = profile.language or "en"
    # The office just set up (it has a name now): its starter workflows, in its language.
    if not was_set_up and str(values.get("name", "")).strip() and ctx.actor.role in ("admin", "manager"):
        workflows.add_starters(ctx, language)
    return done


def starting_names_in(s: Session, before: str, after: str) -> list[tuple[str, int]]:
    """The office's language went from `before` to `after` ("" is the system's: the language of the PC
    saving it), in the caller's unit of work: what the office started with and nobody has renamed yet
    follows it — the starting pipeline and its stages (pipelines.STARTING_STAGES) and the first user's
    name — while a name someone typed stays. Each rename is logged like any change. Returns the
    (table, id) renamed."""
    language, previous = after or i18n.current(), before or i18n.current()
    renamed = pipelines.starting_names_in(s, language, [previous])
    owner = s.get(User, OWNER.user_id)
    if owner is not None:
        as_shipped = {_owner_name(i18n.SOURCE_LANGUAGE), _owner_name(previous)}
        if owner.display_name in as_shipped and owner.display_name != _owner_name(language):
            owner.display_name = _owner_name(language)
            renamed.append((User.__tablename__, owner.id))
            s.flush()
    return renamed


def _owner_name(language: str) -> str:
    # translators: the name of the office's first user (who owns everything) until they give their own
    return i18n.pgettext("the first user", "Owner", language)
