"""A living demo office: people and companies from Tashkent to Baku, Moscow, Dubai and London.

Used by `crm-desktop --demo`, `crm-desktop demo-data` and the benchmarks. Everything is generated from
one seed, so the same seed gives the same office. Rows are written with Core bulk inserts in one
transaction, with the derived columns (sort_name, search terms, created/updated/version) computed
here, since the ORM unit of work that fills them would take minutes for 100,000 clients (this takes
~15 s on SQLite; the FTS triggers keep the search index in step). For the same reason the whole
generation is one audit entry ("demo" / "generate" with the counts) instead of one per row: the rows
were typed by nobody, and hundreds of thousands of "create" entries would only bury the real history.

The office speaks one language (`generate(language=...)`, else the one it was set up in, else the one the
app speaks): its deals, tasks, notes and invoice lines are written in it, it is stored as the office's
language, and the starting pipeline follows it as when an office chooses its language. The clients are
of every country, each named as their own country names people.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.orm import Session

from crm_desktop import i18n
from crm_desktop.db.engine import Database
from crm_desktop.db.models import (
    Activity,
    AuditEntry,
    Base,
    Client,
    ClientSearch,
    ClientTag,
    CompanyProfile,
    Deal,
    DealStageChange,
    Document,
    DocumentLine,
    Holiday,
    Job,
    JobStage,
    NumberSeries,
    Payment,
    Pipeline,
    Stage,
    Task,
    User,
)
from crm_desktop.i18n import N_, Message
from crm_desktop.services import (
    approvals,
    capacity,
    company,
    follow_ups,
    invoices,
    job_stages,
    jobs,
    money,
    numbering,
    time_tracking,
    visits,
    work_billing,
    work_calendar,
    workflows,
)
from crm_desktop.services.context import FixedClock, ServiceContext, company_profile
from crm_desktop.services.errors import ServiceError
from crm_desktop.services.search import build_terms
from crm_desktop.services.textnorm import sort_key

CHUNK = 5_000

# (native spelling, Latin spelling for emails); FEMALE lists the first names that take a feminine surname
FEMALE = {
    "Dilnoza",
    "Oʻgʻiloy",
    "Gulnora",
    "Nodira",
    "Moʻmina",
    "Zarina",
    "Leyla",
    "Günay",
    "Aygün",
    "Nərmin",
    "Səbinə",
    "Ольга",
    "Мария",
    "Екатерина",
    "Анна",
    "Наталья",
    "Emily",
    "Sophie",
    "Grace",
    "Hannah",
}
FIRST_NAMES = {
    "uz": [
        ("Dilnoza", "dilnoza"),
        ("Oʻgʻiloy", "ogiloy"),
        ("Aziz", "aziz"),
        ("Shoxruh", "shoxruh"),
        ("Gulnora", "gulnora"),
        ("Bekzod", "bekzod"),
        ("Nodira", "nodira"),
        ("Jasur", "jasur"),
        ("Moʻmina", "momina"),
        ("Sardor", "sardor"),
        ("Zarina", "zarina"),
        ("Oybek", "oybek"),
    ],
    "az": [
        ("Rəşad", "rashad"),
        ("Leyla", "leyla"),
        ("Əli", "ali"),
        ("Günay", "gunay"),
        ("Tural", "tural"),
        ("Aygün", "aygun"),
        ("Elşən", "elshan"),
        ("Nərmin", "narmin"),
        ("Orxan", "orxan"),
        ("Səbinə", "sabina"),
    ],
    "ru": [
        ("Ольга", "olga"),
        ("Дмитрий", "dmitry"),
        ("Мария", "maria"),
        ("Алексей", "alexey"),
        ("Екатерина", "ekaterina"),
        ("Сергей", "sergey"),
        ("Анна", "anna"),
        ("Иван", "ivan"),
        ("Наталья", "natalya"),
        ("Пётр", "petr"),
    ],
    "ar": [
        ("محمد", "mohammed"),
        ("فاطمة", "fatima"),
        ("أحمد", "ahmed"),
        ("مريم", "maryam"),
        ("خالد", "khalid"),
        ("نور", "noor"),
        ("يوسف", "yousef"),
        ("ليلى", "layla"),
        ("عمر", "omar"),
        ("سارة", "sara"),
    ],
    "en": [
        ("James", "james"),
        ("Emily", "emily"),
        ("Oliver", "oliver"),
        ("Sophie", "sophie"),
        ("Daniel", "daniel"),
        ("Grace", "grace"),
        ("Thomas", "thomas"),
        ("Hannah", "hannah"),
    ],
}
LAST_NAMES = {
    # masculine forms; feminine ones add "a" (Karimov → Karimova, Ёлкин → Ёлкина)
    "uz": [
        ("Karimov", "karimov"),
        ("Rahimov", "rahimov"),
        ("Toʻxtayev", "tokhtayev"),
        ("Yusupov", "yusupov"),
        ("Gʻofurov", "gofurov"),
        ("Ismoilov", "ismoilov"),
        ("Qodirov", "qodirov"),
        ("Ergashev", "ergashev"),
    ],
    "az": [
        ("Əliyev", "aliyev"),
        ("Həsənov", "hasanov"),
        ("Məmmədov", "mammadov"),
        ("Quliyev", "quliyev"),
        ("İsmayılov", "ismayilov"),
        ("Şükürov", "shukurov"),
        ("Cəfərov", "jafarov"),
    ],
    "ru": [
        ("Петров", "petrov"),
        ("Смирнов", "smirnov"),
        ("Ёлкин", "yolkin"),
        ("Кузнецов", "kuznetsov"),
        ("Соколов", "sokolov"),
        ("Волков", "volkov"),
        ("Морозов", "morozov"),
    ],
    "ar": [
        ("العلي", "alali"),
        ("الحسن", "alhassan"),
        ("المنصوري", "almansoori"),
        ("الزهراني", "alzahrani"),
        ("القحطاني", "alqahtani"),
        ("الشامسي", "alshamsi"),
    ],
    "en": [
        ("Smith", "smith"),
        ("Johnson", "johnson"),
        ("Brown", "brown"),
        ("Taylor", "taylor"),
        ("Wilson", "wilson"),
        ("Clarke", "clarke"),
    ],
}
COMPANY_NAMES = {
    "uz": [
        "Toshkent Print MChJ",
        "Samarqand Travel",
        "Ipak Yoʻli Logistika",
        "Navroʻz Qurilish",
        "Fargʻona Mebel",
    ],
    "az": ["Bakı Tikinti MMC", "Xəzər Logistika", "Qafqaz Təmir", "Gəncə Dizayn Studiyası"],
    "ru": ["ООО «СеверСтрой»", "Клининг Плюс", "ИП Ёлкин и партнёры", "Юридическое бюро «Право»"],
    "ar": ["شركة النور للتجارة", "مؤسسة الأمل للخدمات", "الخليج للصيانة", "مكتب الريادة للاستشارات"],
    "en": ["Greenline Cleaning Ltd", "Brightside Consulting", "Northway Repairs", "Oak & Ash Legal"],
}
LANGUAGES = ("uz", "az", "ru", "ar", "en")
LANGUAGE_WEIGHTS = (40, 20, 20, 12, 8)
EMAIL_DOMAINS = {
    "uz": ["mail.uz", "gmail.com", "inbox.uz"],
    "az": ["mail.az", "gmail.com"],
    "ru": ["yandex.ru", "mail.ru", "gmail.com"],
    "ar": ["gmail.com", "outlook.com"],
    "en": ["gmail.com", "outlook.com", "btinternet.com"],
}
CITIES = {
    "uz": ["Toshkent, Chilonzor 7", "Samarqand, Registon 12", "Fargʻona, Mustaqillik 3"],
    "az": ["Bakı, Nizami 5", "Gəncə, Atatürk 21"],
    "ru": ["Москва, ул. Ленина 10", "Казань, ул. Баумана 4"],
    "ar": ["دبي، شارع الشيخ زايد", "الرياض، طريق الملك فهد"],
    "en": ["London, 12 Baker Street", "Leeds, 4 Park Row"],
}
# What the office writes, in English (the catalogue's ids): put into the office's language as it is written.
SOURCES = [
    "Instagram",
    "Telegram",
    # translators: where a demo client came from
    N_("Referral"),
    N_("Website"),
    N_("Walk-in"),
    N_("Phone call"),
    N_("Exhibition"),
]
TAGS = [
    # translators: a tag on a demo client (short, lower case, as people tag)
    N_("vip"),
    N_("wholesale"),
    N_("repeat"),
    N_("new-build"),
    N_("urgent"),
    N_("corporate"),
    N_("government"),
]
STATUSES = (("lead", 30), ("prospect", 20), ("customer", 40), ("inactive", 10))
DEAL_TITLES = [
    # translators: the title of a demo deal
    N_("Office cleaning contract"),
    N_("Website redesign"),
    N_("Kitchen renovation"),
    N_("Legal consultation"),
    N_("Annual maintenance"),
    N_("Logo and branding"),
    N_("Air conditioner repair"),
    N_("Tax filing support"),
    N_("Event catering"),
    N_("Warehouse fit-out"),
    N_("Window replacement"),
    N_("Staff training"),
]
LOST_REASONS = [
    # translators: why a demo deal was lost
    N_("Price too high"),
    N_("Chose a competitor"),
    N_("Project postponed"),
    N_("No budget this year"),
]
NOTES = [
    # translators: a note on a demo client's timeline
    N_("Asked for a price list"),
    N_("Wants a visit next week"),
    N_("Prefers Telegram to calls"),
    N_("Paid the last invoice late"),
    N_("Interested in a yearly contract"),
    N_("Recommended by a friend"),
]
TASK_TITLES = [
    # translators: the title of a demo task
    N_("Call back about the offer"),
    N_("Send the contract"),
    N_("Visit the site"),
    N_("Prepare the quote"),
    N_("Follow up on payment"),
    N_("Confirm the appointment"),
    N_("Collect documents"),
]
NEXT_STEPS = [
    # translators: the next step planned on a demo deal (a task's title)
    N_("Send the proposal"),
    N_("Call to agree the terms"),
    N_("Meet on site"),
    N_("Send the revised quote"),
    N_("Ask for the decision"),
]
# translators: the title of the demo task whose reminder pops up two minutes after the demo opens
FIRST_CALL = N_("Call back about the quote")
SERVICES = [  # (description, unit, price in UZS) of an invoice line
    # translators: a line of a demo invoice; the units are short, as on an invoice (h: hours, pcs: pieces)
    (N_("Cleaning, hours"), N_("h"), "150000"),
    (N_("Consultation"), N_("h"), "350000"),
    (N_("Materials"), N_("pcs"), "45000.50"),
    (N_("Repair work"), N_("job"), "1200000"),
    (N_("Delivery"), "", "80000"),
    (N_("Design work"), N_("h"), "500000"),
]
PAYMENT_METHODS = (N_("bank transfer"), N_("cash"), N_("card"))  # as the payment form offers them
# translators: the payment terms on a demo invoice
TERMS = N_("Payment within 14 days by bank transfer.")
# translators: the demo office's bank details, as on its invoices (MFO: the bank's code in Uzbekistan)
BANK_DETAILS = N_("{bank}, account {account}, MFO {mfo}")
STAGE_WEIGHTS = (25, 20, 15, 12, 15, 13)  # of the starting pipeline's stages, in order


@dataclass(frozen=True)
class DemoSummary:
    users: int
    clients: int
    companies: int
    activities: int
    deals: int
    tasks: int
    invoices: int
    quotes: int
    payments: int


def say_in(language: str, text: str) -> str:
    return i18n.gettext(text, language)


def _phone(rng: random.Random, lang: str) -> str:
    """A number written the way people of that country write it (search must see through the format)."""
    d = f"{rng.randrange(10_000_000):07d}"  # one draw per number: 100,000 clients stay fast
    if lang == "uz":
        return f"+998 {rng.choice(('90', '91', '93', '94', '97', '99'))} {d[:3]}-{d[3:5]}-{d[5:]}"
    if lang == "az":
        return f"+994 {rng.choice(('50', '51', '55', '70'))} {d[:3]} {d[3:5]} {d[5:]}"
    if lang == "ru":
        return f"+7 9{rng.randrange(100):02d} {d[:3]}-{d[3:5]}-{d[5:]}"
    if lang == "ar":
        return f"+971 5{rng.choice('02568')} {d[:3]} {d[3:]}"
    if rng.random() < 0.5:
        return f"+1 ({rng.choice(('212', '415', '646', '718'))}) {d[:3]}-{d[3:]}"
    return f"+44 20 {d[:3]}{rng.randrange(10)} {d[3:]}"


class _Ids:
    """Next free id per table: rows are inserted with their ids so they can be linked without RETURNING."""

    def __init__(self, session):
        self.session = session
        self.next: dict[str, int] = {}

    def take(self, model, n: int = 1) -> int:
        name = model.__tablename__
        if name not in self.next:
            self.next[name] = (self.session.scalar(select(func.max(model.id))) or 0) + 1
        first = self.next[name]
        self.next[name] += n
        return first


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), CHUNK):
        yield rows[i : i + CHUNK]


def _table(model: type[Any]) -> Table:
    """A mapped class's table, for Core inserts (typed as a FromClause on the class)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _stage_path(rng: random.Random, stages: Sequence[Any], stage: Any) -> list[int]:
    """Stage ids a deal went through to reach `stage`, starting at the first one."""
    open_ids = [st.id for st in stages if not (st.is_won or st.is_lost)]
    if stage.is_won:
        return [*open_ids, stage.id]
    if stage.is_lost:
        return [*open_ids[: rng.randint(1, len(open_ids))], stage.id]
    return open_ids[: open_ids.index(stage.id) + 1]


def _staff(s: Session, ids: _Ids, stamp: dict[str, Any]) -> list[int]:
    """Olga manages Dilnoza and Rashad; users who already exist (an office set up without clients) are
    kept."""
    existing: dict[str, int] = {name: user_id for name, user_id in s.execute(select(User.username, User.id))}
    wanted = [
        ("olga", "Olga Petrova", "manager", None),
        ("dilnoza", "Dilnoza Rahimova", "staff", "olga"),
        ("rashad", "Rashad Aliyev", "staff", "olga"),
    ]
    for username, display_name, role, manager in wanted:
        if username not in existing:
            existing[username] = ids.take(User)
            s.execute(
                insert(_table(User)),
                [
                    {
                        "id": existing[username],
                        "username": username,
                        "display_name": display_name,
                        "email": f"{username}@ipakyoli.uz",
                        "role": role,
                        "manager_id": existing[manager] if manager else None,
                        "active": True,
                        **stamp,
                    }
                ],
            )
    return [existing[w[0]] for w in wanted]


def generate(
    db: Database,
    *,
    clients: int = 500,
    seed: int = 1,
    now: datetime | None = None,
    language: str | None = None,
) -> DemoSummary:
    """A demo office of `clients` clients in `language` (default: the office's, else the app's)."""
    if clients < 1:
        raise ServiceError("Ask for at least one demo client.")
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    today = now.date()
    with db.write() as s:
        if s.scalar(select(func.count()).select_from(Client)):
            raise ServiceError("The database already has clients; demo data goes into an empty database.")
        spoke = s.scalar(select(CompanyProfile.language).where(CompanyProfile.id == 1)) or ""
        language = i18n.choose(language, spoke, i18n.current())

        def say(text: str) -> str:
            return i18n.gettext(text, language) if text else text

        if db.is_sqlite:
            # With the default 2 MB page cache the index and FTS inserts of 100,000 rows spill to disk
            # and back; a roomier cache for this one transaction saves a tenth of the time.
            cache_size = int(s.scalar(text("PRAGMA cache_size")))
            s.execute(text("PRAGMA cache_size=-262144"))
        else:
            # One audit entry for the whole office (below), not a row per generated record; the server
            # honours this only for its owner, never for a CRM login (migration 0006).
            s.execute(text("SELECT set_config('crm.bulk_load', 'on', true)"))
        ids = _Ids(s)
        stamp = {"created_at": now, "updated_at": now, "version": 1}

        def bulk(model, rows: list[dict[str, Any]]) -> None:
            table: Table = model.__table__
            for chunk in _chunks(rows):
                s.execute(insert(table), chunk)

        # --- the office ---
        s.execute(
            update(CompanyProfile)
            .where(CompanyProfile.id == 1)
            .values(
                name="Ipak Yoʻli Services",
                address="Toshkent, Amir Temur shoh koʻchasi 108",
                tax_id="305 123 456",
                bank_details=Message(
                    BANK_DETAILS, bank="Kapitalbank", account="2020 8000 9051 2345 6001", mfo="01018"
                ).render(language),
                phone="+998 71 200-10-20",
                email="office@ipakyoli.uz",
                default_currency="UZS",
                language=language,
                holiday_country="UZ",
                updated_at=now,
                version=CompanyProfile.version + 1,
            )
        )
        s.execute(
            update(User)
            .where(User.id == 1)
            .values(display_name="Aziz Karimov", updated_at=now, version=User.version + 1)
        )
        # The office keeps Uzbekistan's days off; Azerbaijan's are there to choose (Settings).
        bulk(
            Holiday,
            [
                {"country": country, "day": day, "name": name[:200], **stamp}
                for country in ("UZ", "AZ")
                for day, name in work_calendar.public_holidays(country, today.year, language)
            ],
        )
        staff_ids = [1] + _staff(s, ids, stamp)
        if language != spoke:  # the office chose its language: the starting pipeline follows, as it would
            # (in this transaction, logged by the one entry below; stamped as a unit of work would)
            for table, row_id in company.starting_names_in(s, spoke, language):
                renamed = Base.metadata.tables[table]
                s.execute(update(renamed).where(renamed.c.id == row_id).values(updated_at=now))
        sources = [say(x) for x in SOURCES]

        # --- clients ---
        first_id = ids.take(Client, clients)
        client_rows, search_rows, tag_rows, client_info = [], [], [], []
        company_ids: list[int] = []
        sort_names: dict[str, str] = {}  # a few hundred distinct names: fold each once
        for n in range(clients):
            cid = first_id + n
            lang = rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
            is_company = rng.random() < 0.15
            if is_company:
                base = rng.choice(COMPANY_NAMES[lang])
                name = base if n < 200 else f"{base} {rng.randrange(2, 999)}"
                latin = "office"
                company_ids.append(cid)
            else:
                first, first_l = rng.choice(FIRST_NAMES[lang])
                last, last_l = rng.choice(LAST_NAMES[lang])
                if first in FEMALE and lang in ("uz", "az", "ru"):
                    last, last_l = last + "а" if lang == "ru" else last + "a", last_l + "a"
                name = f"{first} {last}" if lang != "ru" or rng.random() < 0.5 else f"{last} {first}"
                latin = f"{first_l}.{last_l}"
            phones = [_phone(rng, lang) for _ in range(1 if rng.random() < 0.8 else 2)]
            emails = [
                f"{latin}{rng.randrange(100) if rng.random() < 0.6 else ''}@{rng.choice(EMAIL_DOMAINS[lang])}"
            ]
            if rng.random() < 0.1:
                emails = []
            owner = rng.choice(staff_ids)
            status = rng.choices([s_ for s_, _ in STATUSES], [w for _, w in STATUSES])[0]
            created = now - timedelta(days=rng.randrange(1, 720), minutes=rng.randrange(1440))
            if name not in sort_names:
                sort_names[name] = sort_key(name)
            client_rows.append(
                {
                    "id": cid,
                    "kind": "company" if is_company else "person",
                    "name": name,
                    "sort_name": sort_names[name],
                    "company_id": rng.choice(company_ids)
                    if company_ids and not is_company and rng.random() < 0.3
                    else None,
                    "phones": phones,
                    "emails": emails,
                    "address": rng.choice(CITIES[lang]),
                    "source": rng.choice(sources),
                    "status": status,
                    "owner_id": owner,
                    "private": rng.random() < 0.05,
                    "notes": "",
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                }
            )
            search_rows.append({"client_id": cid, "terms": build_terms(name, emails, phones)})
            for tag in dict.fromkeys(say(x) for x in rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2)))):
                tag_rows.append({"client_id": cid, "tag": tag})
            client_info.append((cid, owner, status, created))
        bulk(Client, client_rows)
        bulk(ClientSearch, search_rows)
        bulk(ClientTag, tag_rows)

        # --- timelines ---
        activity_rows = []
        for cid, owner, status, created in rng.sample(client_info, min(clients, max(1, clients // 3), 2000)):
            for _ in range(rng.randint(1, 4)):
                kind = rng.choice(("note", "call", "call", "meeting", "email"))
                at = created + timedelta(
                    hours=rng.randrange(1, max(2, int((now - created).total_seconds() // 3600)))
                )
                activity_rows.append(
                    {
                        "client_id": cid,
                        "deal_id": None,
                        "kind": kind,
                        "body": say(rng.choice(NOTES)),
                        "occurred_at": min(at, now),
                        "author_id": owner,
                        **stamp,
                    }
                )
            if status != "lead":
                activity_rows.append(
                    {
                        "client_id": cid,
                        "deal_id": None,
                        "kind": "status_change",
                        "body": f"lead → {status}",
                        "occurred_at": created + timedelta(days=1),
                        "author_id": owner,
                        **stamp,
                    }
                )
        first_activity = ids.take(Activity, len(activity_rows))
        bulk(Activity, [{"id": first_activity + i, **row} for i, row in enumerate(activity_rows)])

        # --- deals over the first pipeline (the starting one, unless the office removed it) ---
        pipeline_id = s.scalar(select(Pipeline.id).order_by(Pipeline.position, Pipeline.id).limit(1))
        stages = s.execute(
            select(Stage.id, Stage.probability, Stage.is_won, Stage.is_lost)
            .where(Stage.pipeline_id == pipeline_id)
            .order_by(Stage.position)
        ).all()
        # the starting stages' share of the deals; stages the office changed get an even one
        weights = STAGE_WEIGHTS if len(stages) == len(STAGE_WEIGHTS) else None
        deal_count = max(1, min(clients // 5, 300))
        deal_clients = [rng.choice(client_info) for _ in range(deal_count)]
        first_deal = ids.take(Deal, deal_count)
        deal_rows: list[dict[str, Any]] = []
        change_rows: list[dict[str, Any]] = []
        deals_by_client: dict[int, list[tuple[int, Decimal, str, str]]] = {}
        for n, (cid, owner, _status, created) in enumerate(deal_clients):
            did = first_deal + n
            stage = rng.choices(stages, weights)[0]
            currency = "UZS" if rng.random() < 0.8 else "USD"
            amount = (
                Decimal(rng.randrange(5, 500) * 100_000)
                if currency == "UZS"
                else Decimal(rng.randrange(2, 300) * 50)
            )
            # Opened after the client came in and before now; the history walks the stages in order
            # (a lost deal drops out from wherever it got to), each move later than the one before.
            opened = min(created + timedelta(days=rng.randrange(0, 10)), now - timedelta(hours=2))
            path = _stage_path(rng, stages, stage)
            closed = (
                min(opened + timedelta(days=rng.randrange(3, 60)), now)
                if stage.is_won or stage.is_lost
                else None
            )
            span = ((closed or now) - opened) / len(path)
            outcome = "won" if stage.is_won else "lost" if stage.is_lost else "open"
            deal_rows.append(
                {
                    "id": did,
                    "client_id": cid,
                    "pipeline_id": pipeline_id,
                    "stage_id": stage.id,
                    "title": say(rng.choice(DEAL_TITLES)),
                    "amount": amount,
                    "currency": currency,
                    "expected_close": today + timedelta(days=rng.randrange(-20, 90)),
                    "owner_id": owner,
                    "outcome": outcome,
                    "lost_reason": say(rng.choice(LOST_REASONS)) if stage.is_lost else "",
                    "closed_at": closed,
                    **stamp,
                    "created_at": opened,  # (the funnel and the dashboard count deals by when they came)
                    "stage_entered_at": opened + span * (len(path) - 1),
                }
            )
            for step, (before, after) in enumerate(zip([None, *path], path, strict=False)):
                change_rows.append(
                    {
                        "deal_id": did,
                        "from_stage_id": before,
                        "to_stage_id": after,
                        "changed_at": opened + span * step,
                        "user_id": owner,
                    }
                )
            deals_by_client.setdefault(cid, []).append((did, amount, currency, outcome))
        bulk(Deal, deal_rows)
        bulk(DealStageChange, change_rows)

        # --- tasks: some overdue, some with reminders, some done ---
        task_count = max(1, min(clients // 5, 300))
        task_rows: list[dict[str, Any]] = []
        for _ in range(task_count):
            cid, owner, _status, _created = rng.choice(client_info)
            due = (now + timedelta(days=rng.randrange(-10, 30))).replace(
                hour=rng.randrange(4, 14), minute=rng.choice((0, 15, 30, 45))
            )
            done = due < now and rng.random() < 0.5
            deal = (
                rng.choice(deals_by_client[cid])[0] if cid in deals_by_client and rng.random() < 0.5 else None
            )
            task_rows.append(
                {
                    "title": say(rng.choice(TASK_TITLES)),
                    "description": "",
                    "due_at": due,
                    "duration_minutes": rng.choice((15, 30, 30, 60, 90)),
                    "assignee_id": owner,
                    "client_id": cid,
                    "deal_id": deal,
                    "priority": rng.choice(("low", "normal", "normal", "high")),
                    "status": "done" if done else "open",
                    "remind_at": due - timedelta(minutes=15) if not done and rng.random() < 0.4 else None,
                    "recurrence": "FREQ=WEEKLY;BYDAY=MO" if rng.random() < 0.05 else "",
                    "completed_at": due if done else None,
                    **stamp,
                }
            )
        # Most open deals have their next step planned, as in an office that works them; the rest show
        # "No next activity", the mark the board and the filter exist for.
        next_steps = [
            (did, cid)
            for cid, found in deals_by_client.items()
            for did, _amount, _currency, outcome in found
            if outcome == "open" and rng.random() < 0.7
        ]
        owner_of = {cid: owner for cid, owner, *_ in client_info}
        for did, cid in next_steps:
            due = (now + timedelta(days=rng.randrange(0, 15))).replace(
                hour=rng.randrange(4, 14), minute=rng.choice((0, 15, 30, 45))
            )
            task_rows.append(
                {
                    "title": say(rng.choice(NEXT_STEPS)),
                    "description": "",
                    "due_at": max(due, now + timedelta(hours=1)),
                    "duration_minutes": 30,
                    "assignee_id": owner_of[cid],
                    "client_id": cid,
                    "deal_id": did,
                    "priority": "normal",
                    "status": "open",
                    "remind_at": None,
                    "recurrence": "",
                    "completed_at": None,
                    **stamp,
                }
            )
        for row in task_rows:  # reminders still ahead are pending, as tasks.create would leave them
            row["alert_at"] = row["remind_at"] if row["remind_at"] and row["remind_at"] > now else None
        # One call comes up two minutes after the demo opens, so a newcomer sees a reminder pop up.
        soon = now + timedelta(minutes=2)
        task_rows[0].update(
            title=say(FIRST_CALL),
            due_at=soon + timedelta(minutes=15),
            status="open",
            remind_at=soon,
            alert_at=soon,
            completed_at=None,
            recurrence="",
        )
        first_task = ids.take(Task, len(task_rows))
        bulk(Task, [{"id": first_task + i, **row} for i, row in enumerate(task_rows)])

        # --- quotes, invoices and payments ---
        doc_count = max(1, min(clients // 10, 150))
        docs: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        payments: list[dict[str, Any]] = []
        first_doc = ids.take(Document, doc_count)
        for n in range(doc_count):
            doc_id = first_doc + n
            cid = (
                rng.choice(list(deals_by_client))
                if deals_by_client and rng.random() < 0.7
                else rng.choice(client_info)[0]
            )
            doc_deal = rng.choice(deals_by_client[cid]) if cid in deals_by_client else None
            kind = "quote" if rng.random() < 0.2 else "invoice"
            issue = today - timedelta(days=rng.randrange(0, 90))
            currency = doc_deal[2] if doc_deal else "UZS"
            doc_lines: list[dict[str, Any]] = []
            for pos in range(rng.randint(1, 5)):
                desc, unit, uzs_price = rng.choice(SERVICES)
                price = (
                    Decimal(uzs_price)
                    if currency == "UZS"
                    else (Decimal(uzs_price) / 12000).quantize(Decimal("0.01"))
                )
                doc_lines.append(
                    {
                        "document_id": doc_id,
                        "position": pos,
                        "description": say(desc),
                        "quantity": Decimal(rng.randint(1, 12)),
                        "unit": say(unit),
                        "unit_price": price,
                        "discount_percent": Decimal(rng.choice((0, 0, 0, 5, 10))),
                        "tax_rate": Decimal(rng.choice((12, 12, 0))),
                        **stamp,
                    }
                )
            totals = money.compute_totals(
                (
                    money.LineInput(x["quantity"], x["unit_price"], x["discount_percent"], x["tax_rate"])
                    for x in doc_lines
                ),
                currency,
            )
            lines += doc_lines
            state = rng.choices(("draft", "issued", "partly_paid", "paid", "overdue"), (15, 20, 20, 30, 15))[
                0
            ]
            if kind == "quote":
                state = rng.choice(("draft", "issued"))
            paid = Decimal(0)
            due_on = issue + timedelta(days=14)
            if state == "overdue":
                issue = today - timedelta(days=rng.randrange(20, 120))
                due_on = issue + timedelta(days=14)
            if state in ("partly_paid", "paid"):
                paid = (
                    totals.total
                    if state == "paid"
                    else money.quantize(totals.total * Decimal("0.4"), currency)
                )
                payments.append(
                    {
                        "document_id": doc_id,
                        "amount": paid,
                        "paid_on": min(due_on, today),
                        "method": say(rng.choice(PAYMENT_METHODS)),
                        "note": "",
                        **stamp,
                    }
                )
            docs.append(
                {
                    "id": doc_id,
                    "kind": kind,
                    "status": "issued" if state == "overdue" else state,
                    "number": None,
                    "client_id": cid,
                    "deal_id": doc_deal[0] if doc_deal else None,
                    "related_id": None,
                    "currency": currency,
                    "issue_date": issue,
                    "due_date": due_on if kind == "invoice" else issue + timedelta(days=30),
                    "notes": "",
                    "terms": say(TERMS),
                    **invoices.stored_totals(totals),
                    "paid_total": paid,
                    "credited_total": Decimal(0),
                    "cancel_reason": "",
                    **stamp,
                }
            )
        # Numbers follow the issue dates, one series per kind and year, as issuing would have given them.
        profile = company_profile(s)
        series: dict[tuple[str, int], int] = {}
        for doc in sorted(docs, key=lambda d: (d["issue_date"], d["id"])):
            if doc["status"] != "draft":
                key = (doc["kind"], doc["issue_date"].year)
                series[key] = series.get(key, 0) + 1
                pattern = (
                    profile.invoice_number_pattern
                    if doc["kind"] == "invoice"
                    else profile.quote_number_pattern
                )
                doc["number"] = numbering.format_number(pattern, key[1], series[key])
        bulk(Document, docs)
        # The counters go on from there, so the next document issued in the demo gets the next number.
        # (A small office may have issued nothing yet: an INSERT given no rows would add one of NULLs.)
        counters = [
            {"kind": kind, "year": year, "next_seq": last + 1} for (kind, year), last in series.items()
        ]
        if counters:
            s.execute(insert(_table(NumberSeries)), counters)
        bulk(DocumentLine, lines)
        bulk(Payment, payments)

        summary = DemoSummary(
            users=len(staff_ids),
            clients=clients,
            companies=len(company_ids),
            activities=len(activity_rows),
            deals=deal_count,
            tasks=len(task_rows),
            invoices=sum(d["kind"] == "invoice" for d in docs),
            quotes=sum(d["kind"] == "quote" for d in docs),
            payments=len(payments),
        )
        s.execute(
            insert(_table(AuditEntry)),
            [
                {
                    "at": now,
                    "user_id": 1,
                    "entity": "demo",
                    "entity_id": None,
                    "action": "generate",
                    "changes": asdict(summary),
                }
            ],
        )
        if db.is_sqlite:
            s.execute(text(f"PRAGMA cache_size={cache_size}"))  # the pooled connection goes back to normal
        else:
            # explicit ids do not move the identity sequences
            for table in ("users", "clients", "activities", "deals", "tasks", "documents"):
                s.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    workflows.add_starters(ServiceContext(db, clock=FixedClock(now)), language)  # as at an office's set-up
    _jobs_under_way(db, rng, now, language)
    _team_time(db, now, language)
    _rules_applied(db, rng, now)
    return summary


SKILLS = (N_("Electrician"), N_("Plumber"), N_("Designer"))
CONTRACT = (N_("Office cleaning"), (N_("Floors mopped"), N_("Bins emptied"), N_("Windows wiped")))
RATES = {"UZS": (250_000, 150_000, 180_000), "USD": (25, 15, 18)}  # an hour of Olga's, Dilnoza's, Rashad's


def _team_time(db: Database, now: datetime, language: str) -> None:
    """The team's skills, Rashad's short Fridays and Dilnoza's vacation next week, for the workload; the
    rates of their hours, a client's cleaning contract and the time spent on the stages under way this
    week and last."""
    ctx = ServiceContext(db, clock=FixedClock(now))
    with db.read() as s:
        people = dict(s.execute(select(User.username, User.id)).all())
    if not {"olga", "dilnoza", "rashad"} <= people.keys():
        return
    electrician, plumber, designer = (say_in(language, skill) for skill in SKILLS)
    capacity.set_skills(ctx, people["rashad"], [electrician, plumber])
    capacity.set_skills(ctx, people["dilnoza"], [designer])
    capacity.set_week(ctx, people["rashad"], [9, 9, 9, 9, 5, 0, 0])
    today = ctx.today()
    monday = today + timedelta(days=7 - today.weekday())
    capacity.add_absence(ctx, people["dilnoza"], "vacation", monday, monday + timedelta(days=2))
    currency = company.get(ctx).default_currency
    for username, rate in zip(("olga", "dilnoza", "rashad"), RATES.get(currency, (25, 15, 18)), strict=True):
        work_billing.set_rate(ctx, user_id=people[username], amount=rate, currency=currency)
    with db.read() as s:
        under_way = s.execute(
            select(JobStage.id, JobStage.responsible_id)
            .join(Job, Job.id == JobStage.job_id)
            .where(Job.status == "in_progress", JobStage.status == "in_progress")
            .order_by(JobStage.id)
        ).all()
    with db.read() as s:
        first_client = s.scalar(select(Client.id).order_by(Client.id).limit(1))
    if first_client is not None:  # a service contract: cleaning twice a week, Rashad's
        title, checklist = CONTRACT
        contract = visits.SeriesValues(
            say_in(language, title),
            "FREQ=WEEKLY;BYDAY=MO,TH",
            today,
            at_time="08:00",
            duration_minutes=90,
            assignee_id=people["rashad"],
            checklist=tuple(say_in(language, item) for item in checklist),
        )
        visits.create(ctx, first_client, contract)
    last_monday = today - timedelta(days=today.weekday() + 7)
    for k, (stage_id, doer) in enumerate(under_way):
        for day in range(0, (today - last_monday).days + 1, 1 + k % 3):
            worked = last_monday + timedelta(days=day)
            if worked.weekday() < 5 and doer is not None:
                time_tracking.add_entry(
                    ctx, day=worked, minutes=30 * (1 + (k + day) % 6), stage_id=stage_id, user_id=doer
                )


DEMO_JOBS = 24


def _jobs_under_way(db: Database, rng: random.Random, now: datetime, language: str) -> None:
    """Jobs of the last weeks from the starter templates, made as the office made them: started on their
    day, stages done as the work went (some late), one on hold, one blocked, one waiting for the
    owner's approval, a few done — so the jobs board and the client timelines have a history."""
    at = lambda moment: ServiceContext(db, clock=FixedClock(moment))  # noqa: E731
    with db.read() as s:
        people = list(s.scalars(select(User.id).where(User.active).order_by(User.id)))
        won = dict(
            s.execute(select(Deal.client_id, Deal.id).where(Deal.outcome == "won").order_by(Deal.id)).all()
        )
        others = s.scalars(
            select(Client.id).where(Client.id.not_in(won)).order_by(Client.id).limit(DEMO_JOBS)
        )
        chosen = [*won, *others][:DEMO_JOBS]
    templates = workflows.list_templates(at(now))
    for n, client_id in enumerate(chosen):
        template = templates[n % len(templates)]
        kind = n % 8
        begins = now - timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 6))
        if kind == 4:  # planned: the work starts next week
            begins = now + timedelta(days=rng.randint(3, 9))
        manager = people[0] if kind == 7 else people[n % len(people)]  # the owner approves in the pop-up
        job = jobs.start(
            at(min(begins, now)),
            client_id,
            template.id,
            deal_id=won.get(client_id),
            starts=begins,
            responsible_id=manager,
        )
        finished = begins
        for stage in job.stages:
            finished = stage.planned_due + timedelta(hours=rng.choice((-3, 0, 2, 20, 50)))
            if finished >= now or rng.random() < 0.15:
                if stage.planned_start < now:
                    job_stages.start_stage(at(max(stage.planned_start, begins)), stage.id)
                break
            for item in range(len(stage.checklist)):
                job_stages.tick(at(finished), stage.id, item, True)
            job_stages.complete_stage(at(finished), stage.id)
        else:
            jobs.set_status(at(finished), job.id, "done")
            continue
        if kind == 5:
            jobs.set_status(
                at(now), job.id, "on_hold", reason=say_in(language, N_("The client asked to wait"))
            )
        elif kind == 6:
            open_stage = next((g for g in jobs.get(at(now), job.id).stages if g.status != "done"), None)
            if open_stage is not None and open_stage.needs_approval is False:
                job_stages.block(
                    at(now), open_stage.id, say_in(language, N_("Waiting for the client's materials"))
                )
        elif kind == 7:
            ask = next(
                (g for g in jobs.get(at(now), job.id).stages if g.needs_approval and g.status != "done"), None
            )
            if ask is not None:
                reason = say_in(language, N_("Agreed by phone"))
                approvals.request(at(now - timedelta(hours=2)), ask.id, override_reason=reason)


RULE_TASKS_DUE_AT_START = 3  # with the call two minutes in: a handful at the first start, not dozens


def _rules_applied(db: Database, rng: random.Random, now: datetime) -> None:
    """The follow-up rules' tasks as an office that uses the app has them: made when their record
    needed them, so spread over the coming working days, and only a few of them reminding now."""
    follow_ups.run(ServiceContext(db, clock=FixedClock(now)))
    with db.write() as s:
        made = list(s.scalars(select(Task.id).where(Task.origin.is_not(None)).order_by(Task.id)))
        rng.shuffle(made)
        for n, task_id in enumerate(made[RULE_TASKS_DUE_AT_START:]):
            due = (now + timedelta(days=1 + n % 7)).replace(hour=5 + n % 8, minute=0)  # 10–17 h in Tashkent
            s.execute(
                update(Task)
                .where(Task.id == task_id)
                .values(
                    due_at=due, remind_at=due - timedelta(minutes=15), alert_at=due - timedelta(minutes=15)
                )
            )
