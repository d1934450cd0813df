"""As-you-type client search over an index built for it (never LIKE '%x%' over the client table).

What is indexed (`client_search.terms`) and what is typed are folded the same way, to one Latin
skeleton for every script (textnorm.spellings; docs/search.md):
    " rashad aliev | resad yeliev | rashad mail az | 994507654321 "
A name with letters a plain keyboard lacks is indexed in both its spellings, as written ("Rəşad
Əliyev": rashad aliev, which "Рашад Алиев" and "Rashad Aliyev" also fold to) and as typed without
them (resad yeliev); a typed word looks for both of its own spellings, any of which may match.
Every word starts after a space, so a typed word becomes the pattern '% word%' (a word or its
beginning); a typed run of 4+ digits becomes '%digits%' (any part of a phone, however formatted).
Words never hold LIKE wildcards (textnorm drops '_' and '%'), nor '|', which separates a typed word's
spellings on their way to PostgreSQL, so nothing needs escaping, which keeps the patterns plain
enough for SQLite's FTS5 to answer as phrases from its index.
Patterns of 3+ characters use the trigram index on both databases (SQLite FTS5 trigram, pg_trgm).
On PostgreSQL the index is read by crm_find_clients (migrations 0006, 0008), which applies the
clients' visibility rule itself: behind row-level security the planner may not use the index for LIKE.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# The generic ARRAY, not sqlalchemy.dialects.postgresql's: importing that package costs a SQLite start ~35 ms
# (it loads every PostgreSQL driver module), and PostgreSQL renders the generic type as its own.
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    String,
    TableValuedAlias,
    and_,
    column,
    func,
    literal,
    or_,
    select,
    table,
)

from crm_desktop.db.models import Client, ClientSearch
from crm_desktop.services.textnorm import digits, fold, spellings, words

_PHONE_QUERY = re.compile(r"^[\d\s()+\-./]+$")
_FTS = table("client_search_fts", column("rowid"), column("terms"))

# One typed word's LIKE patterns, any of which may match (its spellings: "Rəşad" looks for
# '% rashad%' or '% resad%'); a search's words must all match.
Pattern = tuple[str, ...]


def build_terms(name: str, emails: Iterable[str], phones: Iterable[str]) -> str:
    parts = [" ".join(spelled) for spelled in spellings(name)]
    parts += [" ".join(spelled) for e in emails for spelled in spellings(e)]
    parts += [digits(p) for p in phones]
    return " " + " | ".join(p for p in parts if p) + " "


def patterns(query: str) -> list[Pattern]:
    """The patterns of the typed words, which must all match; empty when nothing searchable was typed."""
    query = query.strip()
    if _PHONE_QUERY.match(query) and len(digits(query)) >= 4:
        return [(f"%{digits(query)}%",)]
    out: list[Pattern] = []
    for token in query.split():
        spelled = spellings(token)
        if not spelled:
            continue
        if len(spelled) == 1 and len(spelled[0]) == 1 and spelled[0][0].isdigit() and len(spelled[0][0]) >= 4:
            out.append((f"%{spelled[0][0]}%",))
        else:
            out.append(tuple(f"% {' '.join(token_words)}%" for token_words in spelled))
    return out


def _by_first_letter(query: str) -> bool:
    """One letter is too short for a trigram: the first letter of the sorted name is what a person means
    by it, and the sort_name index answers that at once. (What was typed decides, not its search
    skeleton, which may be longer: 'ш' is 'sh'.)"""
    typed = words(query)
    return len(typed) == 1 and len(typed[0]) == 1 and not typed[0].isdigit()


def _short(pat: Pattern) -> bool:
    """FTS5's trigram index answers patterns of 3+ characters (and returns nothing, not everything, for
    shorter ones)."""
    return any(len(p.strip("%")) < 3 for p in pat)


def _like(pat: Pattern) -> ColumnElement[bool]:
    return or_(*(ClientSearch.terms.like(p) for p in pat))


def client_filter(dialect: str, query: str) -> ColumnElement[bool] | None:
    """A WHERE clause on Client for `query`, or None when it has nothing searchable."""
    if _by_first_letter(query):
        first = fold(query.strip())[:1]
        return and_(Client.sort_name >= first, Client.sort_name < first + "\uffff")
    pats = patterns(query)
    if not pats:
        return None
    if dialect != "sqlite":
        return Client.id.in_(select(_found(pats)))
    # Short words like "и" in "ИП Ёлкин и партнёры" are checked on the rows the index found.
    indexed = [p for p in pats if not _short(p)]
    short = [p for p in pats if _short(p)]
    if not indexed:
        return Client.id.in_(select(ClientSearch.client_id).where(*(_like(p) for p in short)))
    matches = select(_FTS.c.rowid).where(_FTS.c.terms.match(_fts_query(indexed)))
    if short:
        matches = select(ClientSearch.client_id).where(
            ClientSearch.client_id.in_(matches), *(_like(p) for p in short)
        )
    return Client.id.in_(matches)


def index_query(dialect: str, query: str) -> str | None:
    """SQLite: the FTS5 query (of client_search_fts) that finds what `query` finds, when the trigram
    index answers it by itself (every typed word 3+ characters); otherwise None."""
    pats = patterns(query)
    if dialect != "sqlite" or not pats or _by_first_letter(query) or any(_short(p) for p in pats):
        return None
    return _fts_query(pats)


def _fts_query(pats: list[Pattern]) -> str:
    """The LIKE patterns as one FTS5 query: each pattern's text as a phrase, which the trigram index
    matches as a substring, exactly as LIKE would, but from the index alone (a LIKE re-checks every row
    found against its stored terms: 60–110 ms instead of 2–15 ms for a word's first letters on 1,000,000
    clients); a word's spellings as phrases joined by OR."""

    def phrase(p: str) -> str:
        return '"' + p.strip("%").replace('"', '""') + '"'

    return " AND ".join(
        phrase(pat[0]) if len(pat) == 1 else "(" + " OR ".join(map(phrase, pat)) + ")" for pat in pats
    )


def first_by_name(dialect: str, query: str, rows: int) -> TableValuedAlias | None:
    """PostgreSQL: (id, n) of the first `rows` visible clients by name that `query` finds, n their
    place in name order — or None where client_filter is the way (SQLite, one letter, nothing typed)."""
    pats = patterns(query)
    if dialect == "sqlite" or not pats or _by_first_letter(query):
        return None
    return _found(pats, rows).table_valued("id", with_ordinality="n").render_derived()


def _found(pats: list[Pattern], first_rows: int | None = None):
    """crm_find_clients (PostgreSQL, migrations 0006 and 0008): the visible clients whose terms match
    all `pats` (with `first_rows`, the first that many by name); a word's patterns go as one element,
    separated by '|', any of which may match."""
    return func.crm_find_clients(literal(["|".join(p) for p in pats], ARRAY(String)), first_rows)
