"""What an imported table's columns can be, per kind of record, and which column is which, guessed from
the headers people write in English, Russian, Uzbek, Azerbaijani and Arabic ("Телефон", "Telefon",
"E-mail", "Ism", "Ad", "الهاتف").

A mapping says, per column of the file, the field it fills (or nothing): guessed, then corrected by the
user, and kept by name to be used again for the next file from the same program (`Mapping.to_json`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingType
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from crm_desktop.i18n import LANGUAGES, N_, Message, gettext
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.textnorm import fold

KINDS = ("clients", "deals", "tasks", "invoices")
KIND_NAMES = {
    "clients": N_("Clients"),
    "deals": N_("Deals"),
    "tasks": N_("Tasks"),
    "invoices": N_("Invoices"),
}


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # English, marked for the catalogue: the preview's column heading
    value: str  # how its cells are read: text, list, date, datetime, number, percent, phones, emails
    required: bool = False
    # headers that mean this field as people write them, besides its label in the five languages, split by |
    synonyms: str = ""


_NAME_WORDS = (
    "name|full name|client|customer|contact|contact name|fio|имя|фио|ф и о|наименование|"
    "название|клиент|контакт|контрагент|заказчик|ism|ismi|ism familiya|f i sh|fish|mijoz|"
    "nomi|ad|adi|ad soyad|müştəri|musteri|klient|الاسم|اسم|العميل|الاسم الكامل|اسم العميل"
)

_PHONE_WORDS = (
    "phone|phones|telephone|tel|mobile|mobile phone|cell|phone number|whatsapp|телефон|"
    "телефоны|тел|моб|мобильный|мобильный телефон|номер телефона|сотовый|telefon|"
    "telefon raqami|tel raqam|mobil|mobil telefon|telefon nomresi|nömrə|nomre|الهاتف|هاتف|"
    "الجوال|جوال|رقم الهاتف|الموبايل|موبايل"
)

_EMAIL_WORDS = (
    "email|e-mail|e mail|mail|email address|e-poçt|e poçt|e-poct|epoçt|"
    "почта|эл почта|электронная почта|e-pochta|"
    "elektron pochta|elektron poçt|poçt|البريد الإلكتروني|البريد|ايميل|إيميل"
)

CLIENT_FIELDS = (
    Field("name", N_("Name"), "text", True, _NAME_WORDS),
    Field("first_name", N_("First name"), "text", False, "first name|given name|имя|ism|ad|الاسم الأول"),
    Field(
        "last_name",
        N_("Last name"),
        "text",
        False,
        "last name|surname|family name|фамилия|familiya|soyad|soyadı|اسم العائلة|الكنية",
    ),
    Field("kind", N_("Kind"), "text", False, "type|тип|вид|turi|növ|النوع"),
    Field("status", N_("Status"), "text", False, "статус|holat|holati|الحالة"),
    Field("phones", N_("Phones"), "phones", False, _PHONE_WORDS),
    Field("emails", N_("Emails"), "emails", False, _EMAIL_WORDS),
    Field(
        "company",
        N_("Company"),
        "text",
        False,
        (
            "company|organization|organisation|компания|организация|фирма|kompaniya|tashkilot|şirkət|"
            "sirket|الشركة|شركة|المؤسسة"
        ),
    ),
    Field("address", N_("Address"), "text", False, "адрес|manzil|ünvan|unvan|العنوان|عنوان"),
    Field("source", N_("Source"), "text", False, "lead source|источник|manba|mənbə|menbe|المصدر"),
    Field("tags", N_("Tags"), "list", False, "tag|labels|теги|метки|тег|teglar|teqlər|etiketlər|الوسوم|وسوم"),
    Field(
        "notes",
        N_("Notes"),
        "text",
        False,
        (
            "note|comment|comments|description|заметки|примечание|комментарий|izoh|izohlar|qeyd|"
            "qeydlər|ملاحظات|ملاحظة"
        ),
    ),
    Field(
        "owner",
        N_("Owner"),
        "text",
        False,
        ("manager|responsible|менеджер|ответственный|владелец|mas'ul|menejer|məsul|menecer|المسؤول|المدير"),
    ),
)

_CLIENT_LINK = (
    Field("client", N_("Client"), "text", True, _NAME_WORDS),
    Field("client_phone", N_("Client's phone"), "phones", False, _PHONE_WORDS),
    Field("client_email", N_("Client's email"), "emails", False, _EMAIL_WORDS),
)

DEAL_FIELDS = (
    *_CLIENT_LINK,
    Field(
        "title",
        N_("Deal"),
        "text",
        True,
        (
            "title|deal|deal name|subject|сделка|название сделки|предмет|bitim|kelishuv|sövdələşmə|"
            "sovdelesme|الصفقة|عنوان الصفقة"
        ),
    ),
    Field(
        "amount",
        N_("Amount"),
        "number",
        False,
        "value|sum|total|сумма|стоимость|бюджет|summa|miqdor|məbləğ|mebleg|المبلغ|القيمة",
    ),
    Field("currency", N_("Currency"), "text", False, "валюта|valyuta|العملة"),
    Field("stage", N_("Stage"), "text", False, "этап|стадия|bosqich|mərhələ|merhele|المرحلة"),
    Field(
        "expected_close",
        N_("Expected close"),
        "date",
        False,
        ("close date|expected close date|дата закрытия|срок|yopilish sanasi|bağlanma tarixi|تاريخ الإغلاق"),
    ),
    Field(
        "owner", N_("Owner"), "text", False, "manager|responsible|менеджер|ответственный|mas'ul|məsul|المسؤول"
    ),
)

TASK_FIELDS = (
    Field(
        "title", N_("Task"), "text", True, "title|task|subject|задача|тема|vazifa|tapşırıq|tapshiriq|المهمة"
    ),
    Field(
        "due_at",
        N_("Due date and time"),
        "datetime",
        False,
        (
            "due|due date|deadline|date|срок|дата|крайний срок|muddat|sana|müddət|tarix|الموعد|"
            "تاريخ الاستحقاق|التاريخ"
        ),
    ),
    Field("description", N_("Description"), "text", False, "notes|описание|комментарий|tavsif|təsvir|الوصف"),
    Field(
        "priority", N_("Priority"), "text", False, "приоритет|важность|muhimlik|ustuvorlik|prioritet|الأولوية"
    ),
    Field(
        "assignee",
        N_("Assignee"),
        "text",
        False,
        "assigned to|responsible|исполнитель|ответственный|ijrochi|icraçı|المنفذ|المسؤول",
    ),
    Field("client", N_("Client"), "text", False, _NAME_WORDS),
    Field("client_phone", N_("Client's phone"), "phones", False, _PHONE_WORDS),
    Field("client_email", N_("Client's email"), "emails", False, _EMAIL_WORDS),
)
# An invoice of another program comes as its lines, one per row; rows with the same number (and client)
# are one invoice. They come in as drafts: the office's own numbers are given when each is issued.
INVOICE_FIELDS = (
    *_CLIENT_LINK,
    Field(
        "number",
        N_("Number in the old program"),
        "text",
        False,
        "number|invoice|invoice number|no|№|номер|номер счета|счет|счёт|raqam|hisob raqami|hisob-faktura|"
        "nömrə|hesab|faktura|رقم|رقم الفاتورة|الفاتورة",
    ),
    Field(
        "issue_date",
        N_("Issue date"),
        "date",
        False,
        "date|invoice date|issued|дата|дата счета|sana|tarix|التاريخ|تاريخ الفاتورة",
    ),
    Field(
        "due_date",
        N_("Due date"),
        "date",
        False,
        "due|payment due|срок оплаты|оплатить до|to'lov muddati|ödəniş tarixi|تاريخ الاستحقاق",
    ),
    Field(
        "description",
        N_("Description"),
        "text",
        True,
        "item|service|product|work|описание|наименование услуги|услуга|товар|работа|xizmat|tavsif|"
        "mahsulot|xidmət|təsvir|الوصف|الخدمة|البند",
    ),
    Field(
        "quantity",
        N_("Quantity"),
        "number",
        False,
        "qty|quantity|количество|кол-во|кол во|miqdori|soni|miqdar|say|الكمية",
    ),
    Field("unit", N_("Unit"), "text", False, "ед|ед изм|единица|birlik|vahid|الوحدة"),
    Field(
        "unit_price",
        N_("Unit price"),
        "number",
        False,
        "price|rate|цена|стоимость|narx|narxi|qiymət|qiymet|السعر|سعر الوحدة",
    ),
    Field(
        "discount_percent",
        N_("Discount"),
        "percent",
        False,
        "discount|discount %|скидка|скидка %|chegirma|endirim|الخصم",
    ),
    Field(
        "tax_rate",
        N_("Tax"),
        "percent",
        False,
        "vat|tax|tax %|vat %|ндс|ндс %|налог|qqs|soliq|ədv|edv|vergi|الضريبة|ضريبة القيمة المضافة",
    ),
    Field("currency", N_("Currency"), "text", False, "валюта|valyuta|العملة"),
    Field("notes", N_("Notes"), "text", False, "comment|примечание|комментарий|izoh|qeyd|ملاحظات"),
)
FIELDS = {"clients": CLIENT_FIELDS, "deals": DEAL_FIELDS, "tasks": TASK_FIELDS, "invoices": INVOICE_FIELDS}


def fields_of(kind: str) -> tuple[Field, ...]:
    if kind not in FIELDS:
        raise ValidationError(
            "kind", "Cannot import '{kind}'; choose one of {kinds}.", kind=kind, kinds=", ".join(KINDS)
        )
    return FIELDS[kind]


def field_of(kind: str, key: str) -> Field:
    return next(f for f in fields_of(kind) if f.key == key)


def field_label(kind: str, key: str) -> Message:
    return Message(field_of(kind, key).label)


def _key(header: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", fold(header)))


def _words_for(f: Field) -> set[str]:
    translated = {gettext(f.label, language) for language in LANGUAGES}
    return {_key(w) for w in (*translated, f.key.replace("_", " "), *f.synonyms.split("|"))}


@dataclass
class Mapping:
    """Per column of the file (by its index), the field it fills; a column left out is not imported."""

    kind: str
    columns: dict[int, str] = field(default_factory=dict)

    def column_of(self, key: str) -> int | None:
        return next((c for c, k in self.columns.items() if k == key), None)

    def to_json(self, headers: Sequence[str]) -> dict[str, Any]:
        """Kept by header, not by position: the next export of the same program may add a column."""
        return {"kind": self.kind, "columns": {headers[c]: k for c, k in sorted(self.columns.items())}}

    @classmethod
    def from_json(cls, data: MappingType[str, Any], headers: Sequence[str]) -> Mapping:
        kind = str(data.get("kind", ""))
        known = {f.key for f in fields_of(kind)}
        by_header = {_key(h): n for n, h in enumerate(headers)}
        columns: dict[int, str] = {}
        for header, key in dict(data.get("columns") or {}).items():
            if key in known and (n := by_header.get(_key(str(header)))) is not None:
                columns[n] = key
        return cls(kind, columns)


def guess(kind: str, headers: Sequence[str]) -> Mapping:
    """The field each header most likely names: its exact words first, then a header that starts with
    them ("Phone (mobile)"); each field for one column only, the first that names it."""
    fields = fields_of(kind)
    words = {f.key: _words_for(f) for f in fields}
    columns: dict[int, str] = {}
    # a header under a merged group ("Contact: Phone") is named by its own part
    keys = [_key(h.rpartition(": ")[2]) for h in headers]
    for exact in (True, False):
        for n, header in enumerate(keys):
            if n in columns or not header:
                continue
            for f in fields:
                if f.key in columns.values():
                    continue
                if header in words[f.key] or (
                    not exact and any(len(w) >= 3 and header.startswith(w + " ") for w in words[f.key])
                ):
                    columns[n] = f.key
                    break
    # a file with "First name" and "Last name" but no one "Name" column: they make the name together
    chosen = set(columns.values())
    if kind == "clients" and {"name", "last_name"} <= chosen and "first_name" not in chosen:
        n = next(c for c, k in columns.items() if k == "name")
        columns[n] = "first_name"
    return Mapping(kind, columns)
