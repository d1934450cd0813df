"""Client search meets names across scripts: the stored search text is folded again.

Revision ID: 0008_search_across_scripts
Revises: 0007_more_system_entries

The search text of a client (client_search.terms) is now one Latin skeleton for Latin and Cyrillic,
with a second spelling for names whose letters a plain keyboard lacks (services/textnorm.py,
docs/search.md). Every client's row is computed again by the app's own search.build_terms, a batch of
clients at a time; SQLite's FTS5 triggers and PostgreSQL's trigram index follow the rows, and are then
merged (FTS5 'optimize', gin_clean_pending_list) so that searches right after the upgrade are as fast as
on a new database (100,000 clients: about 12 s on SQLite, the backup included).

On a server, crm_find_clients learns that one pattern may hold a typed word's spellings separated
by '|', any of which may match ("Rəşad" looks for rashad or resad). The function is recreated from
its own stored definition with that one statement changed, as 0007 does, so everything else in it
stays (owner, search_path, SECURITY DEFINER, rights); each spelling is still quoted with %L.

Downgrading puts back 0007's search text (folded words, without the skeleton) and function.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from alembic import op

from crm_desktop.db.search_index import PG_TRGM_INDEX, SQLITE_FTS_TABLE

revision = "0008_search_across_scripts"
down_revision = "0007_more_system_entries"
branch_labels = None
depends_on = None

BATCH = 2_000  # clients read and written at a time: a million-client office never sits in memory

CLIENTS = sa.table(
    "clients",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("emails", sa.JSON),
    sa.column("phones", sa.JSON),
)
SEARCH = sa.table("client_search", sa.column("client_id", sa.Integer), sa.column("terms", sa.Text))

ONE_PATTERN = "likes := likes || format(' AND s.terms LIKE %L', patterns[i]);"
SPELLINGS = (
    "likes := likes || ' AND (false' || coalesce((SELECT string_agg(format(' OR s.terms LIKE %L', p), '') "
    "FROM unnest(string_to_array(patterns[i], '|')) AS p), '') || ')';"
)


def upgrade() -> None:
    from crm_desktop.services.search import build_terms

    _refold(build_terms)
    _swap(ONE_PATTERN, SPELLINGS)


def downgrade() -> None:
    _swap(SPELLINGS, ONE_PATTERN)
    _refold(_terms_0007)


def _refold(terms_of: Callable[[str, Iterable[str], Iterable[str]], str]) -> None:
    bind = op.get_bind()
    write = (
        SEARCH.update()
        .where(SEARCH.c.client_id == sa.bindparam("for_client"))
        .values(terms=sa.bindparam("new_terms"))
    )
    last = 0
    while True:
        batch = bind.execute(
            sa.select(CLIENTS.c.id, CLIENTS.c.name, CLIENTS.c.emails, CLIENTS.c.phones)
            .where(CLIENTS.c.id > last)
            .order_by(CLIENTS.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            break
        bind.execute(
            write,
            [
                {"for_client": id_, "new_terms": terms_of(name, emails or [], phones or [])}
                for id_, name, emails, phones in batch
            ],
        )
        last = batch[-1].id
    if bind.dialect.name == "sqlite":
        # Each row rewritten left its old entry behind in the FTS5 index as a tombstone: twice the size and
        # searches 2–3× slower (100,000 clients), until merged, which takes about a second.
        bind.execute(sa.text(f"INSERT INTO {SQLITE_FTS_TABLE}({SQLITE_FTS_TABLE}) VALUES ('optimize')"))
    else:
        # The trigram index took the new rows into its pending list, which every search reads through until
        # a vacuum: merged now, so the first searches after the upgrade are not the slow ones.
        bind.execute(sa.text(f"SELECT pg_catalog.gin_clean_pending_list('{PG_TRGM_INDEX}'::regclass)"))


def _swap(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    definition = bind.execute(
        sa.text(
            "SELECT pg_catalog.pg_get_functiondef(p.oid) FROM pg_catalog.pg_proc p "
            "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND p.proname = 'crm_find_clients'"
        )
    ).scalar_one()
    assert old in definition, f"crm_find_clients does not hold {old}"
    # Straight to the driver, without parameters: the definition holds % signs that are none.
    bind.connection.dbapi_connection.cursor().execute(definition.replace(old, new))


# --- 0007's search text, for a downgrade (frozen here: the app's folding has moved on) -----------------

_LETTERS_0007 = str.maketrans(
    {"ə": "e", "ı": "i", "ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ى": "ي", "ة": "ه", "ـ": None}
    | dict.fromkeys("ʻʼ'`’‘")
)
_WORD_0007 = re.compile(r"[^\W_]+")


def _words_0007(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_LETTERS_0007)
    return _WORD_0007.findall(text)


def _terms_0007(name: str, emails: Iterable[str], phones: Iterable[str]) -> str:
    digits = ["".join(str(unicodedata.digit(ch)) for ch in p if re.match(r"\d", ch)) for p in phones]
    parts = [" ".join(_words_0007(name)), *(" ".join(_words_0007(e)) for e in emails), *digits]
    return " " + " | ".join(p for p in parts if p) + " "
