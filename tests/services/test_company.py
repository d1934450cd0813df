"""The office's own details: admins edit them, every change is logged, bad values are explained."""

from __future__ import annotations

import pytest

from crm_desktop.services import company
from crm_desktop.services.errors import ConflictError, PermissionDenied, ValidationError


def test_a_new_database_is_not_set_up_until_the_office_has_a_name(ctx):
    profile = company.get(ctx)
    assert (profile.name, profile.default_currency, profile.language) == ("", "USD", "")
    assert not company.is_set_up(ctx)
    company.update(ctx, expected_version=profile.version, name="   ")
    assert not company.is_set_up(ctx)  # blanks are not a name
    company.update(ctx, expected_version=company.get(ctx).version, name="  Ipak Yoʻli Services ")
    assert company.is_set_up(ctx) and company.get(ctx).name == "Ipak Yoʻli Services"


def test_admin_updates_the_details_and_the_audit_log_keeps_old_and_new(ctx, audit_rows):
    before = company.get(ctx)
    after = company.update(
        ctx,
        expected_version=before.version,
        name="Bakı Hüquq Bürosu",
        address="Nizami küç. 10, Bakı",
        tax_id="1700123456",
        bank_details="Kapital Bank, AZ21NABZ00000000137010001944",
        phone="+994 12 555 01 02",
        email="office@hüquq.az",
        default_currency="azn",
        language="az",
    )
    assert after == company.CompanyRow(
        "Bakı Hüquq Bürosu",
        "Nizami küç. 10, Bakı",
        "1700123456",
        "Kapital Bank, AZ21NABZ00000000137010001944",
        "+994 12 555 01 02",
        "office@hüquq.az",
        "AZN",
        "az",
        before.version + 1,
        "INV-{year}-{seq:05d}",
        "QUO-{year}-{seq:05d}",
        "CN-{year}-{seq:05d}",
        "",
        None,
    )
    assert company.get(ctx) == after
    action, changes = audit_rows("company_profile", 1)[-1]
    assert action == "update"
    assert (changes["default_currency"], changes["language"], changes["name"]) == (
        ["USD", "AZN"],
        ["", "az"],
        ["", "Bakı Hüquq Bürosu"],
    )
    cleared = company.update(ctx, expected_version=after.version, email="", language="")
    assert (cleared.email, cleared.language) == ("", "")


@pytest.mark.parametrize(
    "values, field, message",
    [
        (
            {"default_currency": "SOM"},
            "default_currency",
            "Unknown currency 'SOM'. Use a 3-letter code such as USD, EUR, UZS.",
        ),
        (
            {"email": "office.example.com"},
            "email",
            "'office.example.com' is not an email address: it has no '@'. Example: name@example.com",
        ),
        (
            {"language": "fr"},
            "language",
            "The language must be one of en, ru, uz, az, ar, or empty for the system language (got 'fr').",
        ),
        (
            {"phone": "call us"},
            "phone",
            "'call us' is not a phone number: use digits, spaces, '+', '-', '(' and ')' only.",
        ),
        ({"name": "x" * 301}, "name", "The company name is too long (301 characters); keep it under 300."),
        ({"website": "example.com"}, "website", "The company profile has no field 'website'."),
    ],
)
def test_bad_values_are_refused_with_the_field_named(ctx, values, field, message):
    before = company.get(ctx)
    with pytest.raises(ValidationError) as err:
        company.update(ctx, expected_version=before.version, **{"tax_id": "not saved either", **values})
    assert (err.value.field, err.value.message) == (field, message)
    assert company.get(ctx) == before


def test_only_an_admin_may_change_the_details(ctx, staff, audit_rows):
    before = company.get(ctx)
    for colleague in (staff["rashad"], staff["manager"]):
        assert company.get(colleague) == before  # everyone reads them (they are on every invoice)
        with pytest.raises(PermissionDenied, match="Only an administrator"):
            company.update(colleague, expected_version=before.version, name="Mine now")
    assert company.get(ctx) == before
    assert [a for a, _ in audit_rows("company_profile", 1) if a == "update"] == []


def test_a_stale_form_cannot_overwrite_a_newer_save(ctx):
    form = company.get(ctx)
    company.update(ctx, expected_version=form.version, name="Saved first on another PC")
    with pytest.raises(ConflictError, match="changed by someone else"):
        company.update(ctx, expected_version=form.version, name="Saved second from an old form")
    assert company.get(ctx).name == "Saved first on another PC"


def test_company_profile(ctx, staff, audit_rows):
    profile = company.get(ctx)
    assert not company.is_set_up(ctx) and profile.default_currency == "USD"
    updated = company.update(
        ctx,
        expected_version=profile.version,
        name="Ipak Yoʻli Services",
        default_currency="uzs",
        language="uz",
        email="",
    )
    assert (updated.name, updated.default_currency, updated.language) == ("Ipak Yoʻli Services", "UZS", "uz")
    assert company.is_set_up(ctx)
    assert audit_rows("company_profile", 1)[-1][1]["default_currency"] == ["USD", "UZS"]
    with pytest.raises(ConflictError):
        company.update(ctx, expected_version=profile.version, name="stale")
    with pytest.raises(ValidationError, match="Unknown currency"):
        company.update(ctx, expected_version=updated.version, default_currency="SOM")
    with pytest.raises(PermissionDenied):
        company.update(staff["rashad"], expected_version=updated.version, name="Mine now")


def _png(width: int = 4, height: int = 2) -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (width, height), "navy").save(out, "PNG")
    return out.getvalue()


def test_a_logo_is_kept_as_given_and_logged_without_its_bytes(ctx, audit_rows):
    before = company.get(ctx)
    logo = _png()
    after = company.update(ctx, expected_version=before.version, logo=logo, amount_words_language="uz")
    assert after.amount_words_language == "uz" and after.logo is None  # not read unless asked for
    assert company.get(ctx, logo=True).logo == logo
    action, changes = audit_rows("company_profile", 1)[-1]
    assert changes["logo"][0] is None and changes["logo"][1].startswith(f"{len(logo)} bytes, sha256 ")
    removed = company.update(ctx, expected_version=after.version, logo=None)
    assert company.get(ctx, logo=True).logo is None and removed.version == after.version + 1


@pytest.mark.parametrize(
    "data, words",
    [
        (b"GIF89a....", "PNG or JPEG"),
        (b"\x89PNG\r\n\x1a\n" + b"broken" * 10, "damaged"),
        (b"\xff\xd8\xff" + bytes(1_000_001), "under 1 MB"),
    ],
)
def test_a_logo_that_is_no_usable_picture_is_refused(ctx, data, words):
    with pytest.raises(ValidationError, match=words):
        company.update(ctx, expected_version=company.get(ctx).version, logo=data)
    assert company.get(ctx, logo=True).logo is None


def test_the_amount_in_words_language_is_checked(ctx):
    with pytest.raises(ValidationError, match="en, ru, uz, az, ar, or not at all"):
        company.update(ctx, expected_version=company.get(ctx).version, amount_words_language="fr")


def test_the_first_users_name_follows_the_office_language_until_someone_gives_their_own(
    ctx, audit_rows, monkeypatch
):
    import gettext

    from crm_desktop import i18n
    from crm_desktop.services import users

    assert users.get(ctx, 1).display_name == "Owner"  # as migration 0001 ships it
    profile = company.update(ctx, expected_version=company.get(ctx).version, language="ru")
    assert users.get(ctx, 1).display_name == i18n.pgettext("the first user", "Owner", "ru")
    profile = company.update(ctx, expected_version=profile.version, language="en")
    assert users.get(ctx, 1).display_name == "Owner"

    class Russian(gettext.NullTranslations):  # whatever the shipped catalogue holds yet
        def pgettext(self, context: str, message: str) -> str:
            return "Владелец" if (context, message) == ("the first user", "Owner") else message

    monkeypatch.setitem(i18n._catalogues, "ru", Russian())
    profile = company.update(ctx, expected_version=profile.version, language="ru")
    assert users.get(ctx, 1).display_name == "Владелец"
    assert audit_rows("users", 1)[-1] == ("update", {"display_name": ["Owner", "Владелец"]})
    profile = company.update(ctx, expected_version=profile.version, language="en")
    assert users.get(ctx, 1).display_name == "Owner"
    users.update(ctx, 1, expected_version=users.get(ctx, 1).version, display_name="Aziz Karimov")
    company.update(ctx, expected_version=profile.version, language="ru")
    assert users.get(ctx, 1).display_name == "Aziz Karimov"
