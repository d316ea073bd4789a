"""The duplicate check and fuzzy search: blocking keys, scoring and finding candidates.

Two halves:

* Pure functions, no database: `normalise`, `keys_for_person`, `keys_for_query`,
  `score`. The demo generator and the benchmarks call them directly.
* Lookups: `find_matches` (the live duplicate check) and `search` (the people
  list) read candidates through the `MatchKey` inverted index and the access
  rules, then rank them here in Python. Both databases find the same candidates
  with the same plain comparisons on the same keys, and rank them with the same
  code, so SQLite and PostgreSQL give the same results.

A key is a short prefixed string, e.g. `ln:SMITH` (surname), `lp:SM0` (the
surname's sound), `fr:ROBERT` (first name's nickname root), `dob:1980-05-12`.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import jellyfish
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from waymark.access.constants import Visibility

__all__ = [
    "CANDIDATE_CAP",
    "MATCH_THRESHOLD",
    "BirthDate",
    "Candidate",
    "MatchQuery",
    "SearchQuery",
    "SearchResult",
    "find_matches",
    "find_matches_in_area",
    "keys_for_person",
    "keys_for_query",
    "normalise",
    "parse_search",
    "refresh_keys",
    "score",
    "search",
]

# A candidate at or above this score is shown to the worker. Tuned on the pairs in
# tests/people/test_matching.py (and measured on the demo's seeded near-duplicates).
MATCH_THRESHOLD = 0.75
# The key lookup ranks people by how many keys they share with the query and keeps
# this many; the access rules then run once over them.
KEY_CANDIDATES = 1000
# Of those the user may see, at most this many are read and scored per check. A true
# duplicate shares most keys (names, sounds, nickname root, dates), so it ranks first.
CANDIDATE_CAP = 100
# Search reads more, so a date or a common surname still pages through its matches.
SEARCH_CAP = 200
# Search drops what only shares a weak key (a similar-sounding first name, say).
SEARCH_MIN_SCORE = 0.5
# Longer name parts are cut, so every key fits MatchKey.key (80 characters).
PART_MAX = 40

# Words that start a surname but say nothing about who someone is: "Van der Berg"
# is keyed as VANDERBERG and BERG, never VAN.
PARTICLES = frozenset(
    {"VAN", "VON", "DER", "DEN", "DE", "DEL", "DELA", "DA", "DI", "DU", "DOS", "DAS", "LA", "LE", "LOS", "ST"}
    | {"SAINT", "AL", "EL", "BIN", "BEN", "BINT", "ABU", "MAC", "MC", "O"}
)
# Letters NFKD does not take apart.
SPECIAL_LETTERS = str.maketrans(
    dict(
        zip(
            "ßæÆøØłŁđĐþÞœŒıðÐ",
            ["ss", "ae", "AE", "o", "O", "l", "L", "d", "D", "th", "TH", "oe", "OE", "i", "d", "D"],
            strict=True,
        )
    )
)
APOSTROPHES = re.compile(r"['’‘`´ʼ]")
NOT_WORD = re.compile(r"[^\w]+|_")


# --- normalising ------------------------------------------------------------------


@lru_cache(maxsize=65536)
def normalise(name: str) -> str:
    """A name for comparing: upper case, accents dropped, punctuation to spaces, spaces single.

    O'Brien → OBRIEN, Zoë → ZOE, Smith-Jones → SMITH JONES. Letters of other
    scripts are kept as they are (upper-cased where they have case).
    """
    if not name:
        return ""
    text = unicodedata.normalize("NFKD", name.translate(SPECIAL_LETTERS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = APOSTROPHES.sub("", text)
    return " ".join(NOT_WORD.sub(" ", text).upper().split())


def _tokens(name: str) -> list[str]:
    return [token[:PART_MAX] for token in normalise(name).split()]


def _compact(name: str) -> str:
    return "".join(normalise(name).split())[:PART_MAX]


def _surname_forms(name: str) -> tuple[str, list[str]]:
    """A surname as one word, and its meaningful parts when it has several (Smith-Jones, Van der Berg)."""
    tokens = _tokens(name)
    if not tokens:
        return "", []
    whole = "".join(tokens)[:PART_MAX]
    # McDonald and MacDonald are the same name.
    if whole.startswith("MAC") and len(whole) > 5:
        whole = "MC" + whole[3:]
    parts = [t for t in tokens if t not in PARTICLES and len(t) > 1] if len(tokens) > 1 else []
    return whole, [p for p in parts if p != whole]


@lru_cache(maxsize=65536)
def _phonetic(word: str) -> str:
    """The word's sound (metaphone), for Latin letters only; '' when it has none."""
    if not word or not word.isascii() or not word.isalpha():
        return ""
    return jellyfish.metaphone(word)[:PART_MAX]


@lru_cache(maxsize=1)
def _nickname_table() -> dict[str, frozenset[str]]:
    """Each known given name (normalised) → the roots of the groups it belongs to."""
    table: dict[str, set[str]] = defaultdict(set)
    path = Path(__file__).with_name("data") / "nicknames.csv"
    with path.open(encoding="utf-8") as handle:
        rows = csv.reader(line for line in handle if line.strip() and not line.startswith("#"))
        next(rows)  # the header
        for row in rows:
            names = [_compact(cell) for cell in row if cell.strip()]
            root = names[0]
            for name in names:
                table[name].add(root)
    return {name: frozenset(roots) for name, roots in table.items()}


def nickname_roots(first_name: str) -> frozenset[str]:
    """The roots of the nickname groups a first name belongs to (BOB → {ROBERT}); itself if none."""
    name = _compact(first_name)
    if not name:
        return frozenset()
    return _nickname_table().get(name, frozenset({name}))


# --- dates of birth ---------------------------------------------------------------


@dataclass(frozen=True)
class BirthDate:
    """A date of birth as far as it is known, as stored on a Person.

    A partial date is its first day plus a precision (`exact`, `month`, `year`);
    an estimated age is the age and the day it was estimated.
    """

    value: date | None = None
    precision: str = "unknown"
    estimated_age: int | None = None
    estimated_on: date | None = None

    @property
    def known(self) -> bool:
        if self.precision == "estimated":
            return self.estimated_age is not None
        return self.value is not None and self.precision in ("exact", "month", "year")

    def years(self) -> tuple[int, ...]:
        """Years they could have been born in: one, or a spread around an estimate."""
        if not self.known:
            return ()
        if self.precision == "estimated":
            assert self.estimated_age is not None
            centre = (self.estimated_on or date.today()).year - self.estimated_age
            return tuple(range(centre - 2, centre + 3))
        assert self.value is not None
        return (self.value.year,)

    def describe(self) -> str:
        if not self.known:
            return "Not known"
        if self.precision == "estimated":
            return f"About {self.estimated_age}"
        assert self.value is not None
        if self.precision == "year":
            return str(self.value.year)
        if self.precision == "month":
            return self.value.strftime("%B %Y")
        return f"{self.value.day} {self.value:%B %Y}"


def birth_date_of(obj: Any) -> BirthDate:
    return BirthDate(
        value=getattr(obj, "date_of_birth", None),
        precision=getattr(obj, "birth_date_precision", "")
        or ("exact" if getattr(obj, "date_of_birth", None) else "unknown"),
        estimated_age=getattr(obj, "estimated_age", None),
        estimated_on=getattr(obj, "age_estimated_on", None),
    )


def _dob_keys(birth: BirthDate) -> set[str]:
    keys: set[str] = set()
    if not birth.known or birth.value is None:
        return keys
    d = birth.value
    if birth.precision == "exact":
        keys.add(f"dob:{d:%Y-%m-%d}")
        if d.day <= 12 and d.day != d.month:
            # The same key as someone whose day and month were written the other way round.
            keys.add(f"dob:{d.year:04d}-{d.day:02d}-{d.month:02d}")
        keys.add(f"dx:{d:%Y-%m}")
    elif birth.precision == "month":
        keys.add(f"dm:{d:%Y-%m}")
    if birth.precision in ("exact", "month", "year"):
        keys.add(f"by:{d.year:04d}")
    return keys


# --- keys -------------------------------------------------------------------------


def _name_keys(first: str, last: str, years: tuple[int, ...]) -> set[str]:
    keys: set[str] = set()
    whole, parts = _surname_forms(last)
    initials = set()
    for surname in filter(None, [whole, *parts]):
        keys.add(f"ln:{surname}")
        if sound := _phonetic(surname):
            keys.add(f"lp:{sound}")
        initials.add(surname[0])
    firsts = _tokens(first)[:1]
    for given in firsts:
        keys.add(f"fn:{given}")
        for root in nickname_roots(given):
            keys.add(f"fr:{root}")
            keys.update(f"fi:{root}:{initial}" for initial in initials)
        if sound := _phonetic(given):
            keys.update(f"fy:{sound}:{year}" for year in years)
    return keys


def _other_name_pairs(other_names: Iterable[Any]) -> Iterator[tuple[str, str]]:
    for other in other_names:
        if isinstance(other, (tuple, list)):
            yield str(other[0] or ""), str(other[1] or "")
        else:
            yield other.first_name or "", other.last_name or ""


def keys_for_person(person: Any, other_names: Iterable[Any] = ()) -> set[str]:
    """The blocking keys of a person (or anything with a person's name and birth fields).

    `other_names` are OtherName rows or (first, last) pairs. A first name given
    without a surname still gets keys; so does a known-as on its own.
    """
    birth = birth_date_of(person)
    years = birth.years()
    last = person.last_name or ""
    keys = _name_keys(person.first_name or "", last, years)
    known_as = _compact(person.known_as or "")
    if known_as:
        keys.add(f"ka:{known_as}")
        # A known-as is usually what they are called: key it as a first name too.
        keys |= _name_keys(_tokens(person.known_as)[0], last, years)
    for first, other_last in _other_name_pairs(other_names):
        keys |= _name_keys(first, other_last or last, years)
    keys |= _dob_keys(birth)
    return {key[:80] for key in keys}


@dataclass(frozen=True)
class MatchQuery:
    """What a worker has typed so far about the person they are registering."""

    first_name: str = ""
    last_name: str = ""
    known_as: str = ""
    other_names: tuple[tuple[str, str], ...] = ()
    date_of_birth: date | None = None
    birth_date_precision: str = "unknown"
    estimated_age: int | None = None
    age_estimated_on: date | None = None

    @classmethod
    def from_person(cls, person: Any, other_names: Iterable[Any] = ()) -> MatchQuery:
        """A query from a person's own details (the demo's accuracy benchmark uses it)."""
        return cls(
            first_name=person.first_name or "",
            last_name=person.last_name or "",
            known_as=person.known_as or "",
            other_names=tuple(_other_name_pairs(other_names)),
            date_of_birth=person.date_of_birth,
            birth_date_precision=person.birth_date_precision or "unknown",
            estimated_age=person.estimated_age,
            age_estimated_on=person.age_estimated_on,
        )

    @property
    def has_name(self) -> bool:
        return bool(_compact(self.first_name) or _compact(self.last_name) or _compact(self.known_as))

    @property
    def birth(self) -> BirthDate:
        return birth_date_of(self)


def keys_for_query(query: MatchQuery) -> set[str]:
    """The keys to look up for a duplicate check: the query's own keys, as if it were a person."""
    keys = keys_for_person(query, query.other_names)
    # Year-only dates block too broadly to look up alone; they still count in fy: keys.
    return {key for key in keys if not key.startswith("by:")}


# --- scoring ----------------------------------------------------------------------


@dataclass
class _Profile:
    firsts: list[tuple[str, str]] = field(default_factory=list)  # (normalised first name, where from)
    surnames: list[tuple[str, list[str], str]] = field(default_factory=list)  # (whole, parts, where from)
    birth: BirthDate = field(default_factory=BirthDate)


def _other_names_of(obj: Any) -> list[tuple[str, str]]:
    if isinstance(obj, MatchQuery):
        return list(obj.other_names)
    cache = getattr(obj, "_prefetched_objects_cache", {})
    if "other_names" in cache:
        return list(_other_name_pairs(cache["other_names"]))
    if getattr(obj, "pk", None) is None:
        return []
    return list(_other_name_pairs(obj.other_names.all()))


def _profile(obj: Any) -> _Profile:
    profile = _Profile(birth=birth_date_of(obj))
    first = _tokens(obj.first_name or "")
    if first:
        profile.firsts.append((first[0], "first name"))
    known = _tokens(obj.known_as or "")
    if known:
        profile.firsts.append((known[0], "known-as"))
    whole, parts = _surname_forms(obj.last_name or "")
    if whole:
        profile.surnames.append((whole, parts, "surname"))
    for other_first, other_last in _other_names_of(obj):
        tokens = _tokens(other_first)
        if tokens:
            profile.firsts.append((tokens[0], "another name they have used"))
        whole, parts = _surname_forms(other_last)
        if whole:
            profile.surnames.append((whole, parts, "another name they have used"))
    return profile


def _title(word: str) -> str:
    return word[:1] + word[1:].lower()


def _surname_similarity(a: str, a_parts: list[str], b: str, b_parts: list[str]) -> tuple[float, str]:
    if a == b:
        return 1.0, "same surname"
    shared = ({a, *a_parts} & {b, *b_parts}) - PARTICLES
    if shared:
        return 0.92, f"shares part of a double surname ({_title(sorted(shared)[0])})"
    sim = JaroWinkler.normalized_similarity(a, b)
    reason = ""
    if sim >= 0.9:
        reason = "surname spelt similarly"
    if DamerauLevenshtein.distance(a, b) == 1 and len(min(a, b, key=len)) >= 4:
        sim, reason = max(sim, 0.92), "surname spelt similarly"
    sound_a, sound_b = _phonetic(a), _phonetic(b)
    if sound_a and sound_a == sound_b:
        sim, reason = max(sim, 0.9), "surname sounds alike"
    return sim, reason


def _first_similarity(a: str, b: str) -> tuple[float, str]:
    if a == b:
        return 1.0, "same first name"
    shared = nickname_roots(a) & nickname_roots(b)
    if shared:
        root = sorted(shared)[0]
        other = b if root == a else a
        if root in (a, b):
            return 0.93, f"{_title(other)} is a nickname of {_title(root)}"
        return 0.9, f"{_title(a)} and {_title(b)} are both forms of {_title(root)}"
    if len(a) == 1 or len(b) == 1:
        return (0.75, "same initial") if a[0] == b[0] else (0.0, "")
    sim = JaroWinkler.normalized_similarity(a, b)
    reason = "first name spelt similarly" if sim >= 0.9 else ""
    if DamerauLevenshtein.distance(a, b) == 1 and len(min(a, b, key=len)) >= 3:
        sim, reason = max(sim, 0.9), "first name spelt similarly"
    sound_a, sound_b = _phonetic(a), _phonetic(b)
    if sound_a and sound_a == sound_b:
        sim, reason = max(sim, 0.9), "first name sounds alike"
    if min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a)) and sim < 0.88:
        sim, reason = 0.88, "first name is the start of the other"
    return sim, reason


def _one_digit_apart(a: int, b: int, width: int) -> bool:
    x, y = f"{a:0{width}d}", f"{b:0{width}d}"
    return sum(c != d for c, d in zip(x, y, strict=True)) == 1


def _dob_similarity(a: BirthDate, b: BirthDate) -> tuple[float | None, str]:
    """How well two dates of birth agree: None when either is not known."""
    if not a.known or not b.known:
        return None, "no date of birth recorded" if (a.known or b.known) else "no date of birth on either"
    if a.precision == "estimated" or b.precision == "estimated":
        years_a, years_b = set(a.years()), set(b.years())
        if years_a & years_b:
            return 0.65, "age fits the estimate"
        gap = min(abs(x - y) for x in years_a for y in years_b)
        return (0.35, "age close to the estimate") if gap <= 2 else (0.0, "age does not fit")
    assert a.value is not None and b.value is not None
    x, y = a.value, b.value
    if a.precision == "exact" and b.precision == "exact":
        if x == y:
            return 1.0, "same date of birth"
        if x.year == y.year and x.day == y.month and x.month == y.day:
            return 0.9, "day and month swapped"
        if x.year == y.year and x.month == y.month:
            if _one_digit_apart(x.day, y.day, 2):
                return 0.8, "date of birth differs by one digit"
            return 0.45, "same month and year of birth"
        if x.month == y.month and x.day == y.day:
            if _one_digit_apart(x.year, y.year, 4) or abs(x.year - y.year) == 1:
                return 0.8, "same birthday, year differs by one digit"
            return 0.25, "same birthday, different year"
        if x.year == y.year and x.day == y.day and _one_digit_apart(x.month, y.month, 2):
            return 0.75, "date of birth differs by one digit"
        if x.year == y.year:
            return 0.2, "same year of birth"
        return 0.0, "different date of birth"
    if "year" in (a.precision, b.precision):
        if x.year == y.year:
            return 0.8, "same year of birth (only the year recorded)"
        return (0.4, "year of birth one apart") if abs(x.year - y.year) == 1 else (0.0, "different year of birth")
    # At least one has month and year only.
    if (x.year, x.month) == (y.year, y.month):
        return 0.85, "same month and year of birth (day not recorded)"
    if x.year == y.year:
        return 0.3, "same year of birth"
    return 0.0, "different date of birth"


def _best(pairs: Iterable[tuple[float, str, str, str]]) -> tuple[float, str, str, str] | None:
    best = None
    for item in pairs:
        if best is None or item[0] > best[0]:
            best = item
    return best


def score(query: Any, candidate: Any) -> tuple[float, list[str]]:
    """How likely `candidate` is the person `query` describes, 0 to 1, and why in words.

    Both are a MatchQuery or a Person. Names and date of birth each count when
    both sides have them; evidence that is missing lowers confidence rather than
    counting against, so a record without a date of birth can still be found.
    """
    q, c = _profile(query), _profile(candidate)
    parts: list[tuple[float, float]] = []
    reasons: list[str] = []

    surname = _best(
        (*_surname_similarity(a, ap, b, bp), wa, wb) for a, ap, wa in q.surnames for b, bp, wb in c.surnames
    )
    if surname is not None:
        parts.append((0.35, surname[0]))
        if surname[1] and surname[0] >= 0.75:
            where = {surname[2], surname[3]} - {"surname"}
            reasons.append(surname[1] + (f" ({next(iter(where))})" if where else ""))

    first = _best((*_first_similarity(a, b), wa, wb) for a, wa in q.firsts for b, wb in c.firsts)
    if first is not None:
        parts.append((0.25, first[0]))
        if first[1] and first[0] >= 0.75:
            if "known-as" in (first[2], first[3]):
                reasons.append("known-as matches" if first[0] == 1.0 else f"known-as: {first[1]}")
            elif "another name they have used" in (first[2], first[3]):
                reasons.append(f"{first[1]} (another name they have used)")
            else:
                reasons.append(first[1])

    dob, dob_reason = _dob_similarity(q.birth, c.birth)
    if dob is not None:
        parts.append((0.40, dob))
    if dob_reason and (dob is None or dob >= 0.2):
        reasons.append(dob_reason)

    if not parts:
        return 0.0, []
    raw = sum(w * s for w, s in parts) / sum(w for w, _ in parts)
    if len(parts) == 3:
        confidence = 1.0
    elif len(parts) == 2:
        confidence = 0.92 if dob is None else 0.9
    else:
        confidence = 0.6
    # Same names on both sides but plainly different dates of birth: two people.
    if dob is not None and dob == 0.0:
        confidence *= 0.9
    return round(raw * confidence, 3), reasons


# --- candidates -------------------------------------------------------------------


@dataclass
class Candidate:
    """A possible existing record, as the checking user may see it.

    For a protected record seen as `EXISTS`, show only `contacts` ("a record may
    already exist — contact …"): never the name, date of birth or reasons.
    """

    person: Any
    score: float
    reasons: list[str]
    visibility: Visibility
    contacts: list[Any] = field(default_factory=list)

    @property
    def is_full(self) -> bool:
        return self.visibility == Visibility.FULL

    @property
    def birth(self) -> str:
        """The date of birth in words, only for a candidate seen in full."""
        return birth_date_of(self.person).describe() if self.is_full else ""


def _key_filter(keys: Iterable[str], prefixes: Iterable[str] = ()) -> Any:
    from django.db.models import Q

    condition = Q(key__in=sorted(set(keys)))
    for prefix in sorted(set(prefixes)):
        # A range, not LIKE: the same byte order on both databases (the key column
        # is collated "C" on PostgreSQL), and it walks the index.
        condition |= Q(key__gte=prefix, key__lt=prefix + "~")
    return condition


def _ranked_ids(area_id: int, keys: set[str], prefixes: Iterable[str], exclude: Iterable[int]) -> list[int]:
    """People sharing most keys with the query, best first, at most KEY_CANDIDATES.

    One query on the match-key index alone (no join): cheap whatever the area's size.
    """
    from django.db.models import Count

    from waymark.people.models import MatchKey

    if not keys and not prefixes:
        return []
    rows = MatchKey.objects.filter(area_id=area_id).filter(_key_filter(keys, prefixes))
    exclude = list(exclude)
    if exclude:
        rows = rows.exclude(person_id__in=exclude)
    ranked = rows.values("person_id").annotate(hits=Count("id")).order_by("-hits", "person_id")[:KEY_CANDIDATES]
    return [row["person_id"] for row in ranked]


def _visible_people(
    user: Any, ctx: Any, ids: list[int], cap: int, *, full_only: bool, select: tuple[str, ...]
) -> list[Any]:
    """Of `ids` (best first), the first `cap` people the user may see, with `full_access` set.

    The access rules run once, in one query over the candidate ids; the rows are
    then read by primary key (they were just checked in this request) with their
    other names.
    """
    from waymark.people.models import Person

    if not ids:
        return []
    if ctx.is_area_admin:
        allowed = dict.fromkeys(ids, True)  # every record of the area, in full (ids are of the area)
    else:
        allowed = dict(
            Person.objects.visible_to(user).with_full_access(user).filter(pk__in=ids).values_list("pk", "full_access")
        )
    keep = [pk for pk in ids if pk in allowed and (allowed[pk] or not full_only)][:cap]
    if not keep:
        return []
    people = list(Person.objects.filter(pk__in=keep).select_related(*select).prefetch_related("other_names"))
    for person in people:
        person.full_access = allowed[person.pk]
    return people


def _contacts_for(people: list[Any]) -> dict[int, list[Any]]:
    """Whom to contact about each person: services working with them, else the registering one."""
    from waymark.casework.models import Episode

    contacts: dict[int, list[Any]] = defaultdict(list)
    if not people:
        return contacts
    episodes = (
        Episode.objects.of_opened_people(people)
        .open()
        .select_related("service__organisation")
        .order_by("started_on", "id")
    )
    for episode in episodes:
        contacts[episode.person_id].append(episode.service)
    for person in people:
        contacts[person.pk] = contacts.get(person.pk) or [person.registered_by_service]
    return contacts


def _rank(query: MatchQuery, people: Iterable[Any], limit: int, threshold: float) -> list[tuple[Any, float, list[str]]]:
    scored = []
    for person in people:
        value, reasons = score(query, person)
        if value >= threshold:
            scored.append((person, value, reasons))
    scored.sort(key=lambda row: (-row[1], normalise(row[0].last_name), normalise(row[0].first_name), row[0].pk))
    return scored[:limit]


def find_matches(
    user: Any, query: MatchQuery, limit: int = 5, *, threshold: float = MATCH_THRESHOLD, exclude: Iterable[int] = ()
) -> list[Candidate]:
    """Possible existing records of the person described, best first, as `user` may see them.

    Candidates come only from the people the user may know exist: those seen in
    full come with name and reasons; protected ones seen as "exists" come with
    whom to contact only; hidden people never appear. A bounded number of queries:
    one on `matchkey_area_key` for the candidates, one for which of them the user
    may see (the access rules, once), one for their rows, one for their other
    names and one for whom to contact about protected ones.
    """
    from waymark.access import rules

    ctx = rules.context_for(user)
    if ctx.area_id is None or not ctx.is_authenticated or ctx.is_analyst_only:
        return []
    ids = _ranked_ids(ctx.area_id, keys_for_query(query), (), exclude)
    people = _visible_people(
        user, ctx, ids, CANDIDATE_CAP, full_only=False, select=("registered_by_service__organisation",)
    )
    ranked = _rank(query, people, limit, threshold)
    limited = [person for person, _, _ in ranked if not person.full_access]
    contacts = _contacts_for(limited)
    return [
        Candidate(
            person=person,
            score=value,
            reasons=reasons if person.full_access else [],
            visibility=Visibility.FULL if person.full_access else Visibility.EXISTS,
            contacts=contacts.get(person.pk, []) if not person.full_access else [],
        )
        for person, value, reasons in ranked
    ]


def find_matches_in_area(
    area: Any, query: MatchQuery, limit: int = 5, *, threshold: float = MATCH_THRESHOLD, exclude: Iterable[int] = ()
) -> list[Candidate]:
    """The duplicate check over a whole area, as an area admin sees it (every record in full).

    For the demo's accuracy benchmark and batch tools, never for a page: it skips
    the per-user access rules. `threshold=0` returns the top `limit` whatever their score.
    """
    from waymark.people.models import Person

    area_id = getattr(area, "pk", area)
    ids = _ranked_ids(area_id, keys_for_query(query), (), exclude)[:CANDIDATE_CAP]
    if not ids:
        return []
    people = (
        Person.objects.filter(area_id=area_id, pk__in=ids)
        .select_related("registered_by_service__organisation")
        .prefetch_related("other_names")
    )
    return [
        Candidate(person=person, score=value, reasons=reasons, visibility=Visibility.FULL)
        for person, value, reasons in _rank(query, people, limit, threshold)
    ]


# --- keeping keys -----------------------------------------------------------------


def refresh_keys(person: Any) -> None:
    """Rewrite a person's MatchKey rows from their current details and other names.

    Called by the register and edit services and whenever a person is saved with
    name or birth fields (`Person.save`). Unchanged keys are left alone.
    """
    from waymark.people.models import MatchKey

    wanted = keys_for_person(person, list(person.other_names.all()))
    existing = set(MatchKey.objects.filter(person=person).values_list("key", flat=True))
    stale = existing - wanted
    if stale:
        MatchKey.objects.filter(person=person, key__in=stale).delete()
    new = wanted - existing
    if new:
        MatchKey.objects.bulk_create(
            [MatchKey(person=person, area_id=person.area_id, key=key) for key in sorted(new)], ignore_conflicts=True
        )


# --- search -----------------------------------------------------------------------

REFERENCE = re.compile(r"^WM-?[23456789A-HJ-NP-Z]{5}$", re.IGNORECASE)
UK_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
MONTH_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
YEAR = re.compile(r"^(19|20)\d{2}$")


@dataclass(frozen=True)
class SearchQuery:
    """Free search text, read as a reference, dates of birth and name words."""

    text: str = ""
    reference: str = ""
    dates: tuple[BirthDate, ...] = ()
    words: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.reference or self.dates or self.words)


def _valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_search(text: str) -> SearchQuery:
    """Read 'Dan Moss 12/05/1980' as words and a date; 'WM-7K3Q9' as a reference.

    Dates: 12/05/1980 (day first, as written in the UK), 1980-05-12, 05/1980, 1980.
    """
    text = (text or "").strip()[:200]
    if REFERENCE.match(text):
        ref = text.upper()
        return SearchQuery(text=text, reference=ref if "-" in ref else f"WM-{ref[2:]}")
    dates: list[BirthDate] = []
    rest: list[str] = []
    for token in text.split():
        token = token.strip(",;")
        if m := UK_DATE.match(token):
            # Day first; a date that only makes sense month first (05/13/1980) is read so.
            d = _valid_date(int(m[3]), int(m[2]), int(m[1])) or _valid_date(int(m[3]), int(m[1]), int(m[2]))
            if d:
                dates.append(BirthDate(d, "exact"))
            continue
        if m := ISO_DATE.match(token):
            if d := _valid_date(int(m[1]), int(m[2]), int(m[3])):
                dates.append(BirthDate(d, "exact"))
            continue
        if m := MONTH_YEAR.match(token):
            if 1 <= int(m[1]) <= 12:
                dates.append(BirthDate(date(int(m[2]), int(m[1]), 1), "month"))
            continue
        if YEAR.match(token):
            dates.append(BirthDate(date(int(token), 1, 1), "year"))
            continue
        rest.append(token)
    words = tuple(dict.fromkeys(_tokens(" ".join(rest))))[:8]
    return SearchQuery(text=text, dates=tuple(dates[:3]), words=words)


def _search_keys(query: SearchQuery) -> tuple[set[str], set[str]]:
    """Exact keys and key prefixes for a search: each word as a first name or a surname."""
    keys: set[str] = set()
    prefixes: set[str] = set()
    for word in query.words:
        keys.add(f"ln:{word}")
        keys.add(f"fn:{word}")
        keys.add(f"ka:{word}")
        keys.update(f"fr:{root}" for root in nickname_roots(word))
        if sound := _phonetic(word):
            keys.add(f"lp:{sound}")
        if len(word) >= 3:
            # Part of a name: "Mos" finds Moss and Mosley.
            prefixes.add(f"ln:{word}")
            prefixes.add(f"fn:{word}")
    if len(query.words) > 1:
        keys.add(f"ln:{''.join(query.words)[:PART_MAX]}")
        keys.add(f"ka:{''.join(query.words)[:PART_MAX]}")
    for birth in query.dates:
        d = birth.value
        assert d is not None
        if birth.precision == "exact":
            keys |= {f"dob:{d:%Y-%m-%d}", f"dm:{d:%Y-%m}"}
            if not query.words:
                keys.add(f"by:{d.year:04d}")
        elif birth.precision == "month":
            keys |= {f"dm:{d:%Y-%m}", f"dx:{d:%Y-%m}", f"by:{d.year:04d}"}
        else:
            keys.add(f"by:{d.year:04d}")
    return keys, prefixes


def _word_similarity(word: str, names: list[str]) -> float:
    """How well one search word fits the best of a person's names.

    Exact beats a nickname, which beats a name that sounds the same, which beats
    the start of a longer name; other spellings count a little less than Jaro-Winkler says.
    """
    best = 0.0
    for name in names:
        if word == name:
            return 1.0
        sim = JaroWinkler.normalized_similarity(word, name) * 0.95
        if nickname_roots(word) & nickname_roots(name):
            sim = max(sim, 0.9)
        sound = _phonetic(word)
        if sound and sound == _phonetic(name):
            sim = max(sim, 0.88)
        if len(word) >= 3 and name.startswith(word):
            sim = max(sim, 0.85)
        best = max(best, sim)
    return best


def search_score(query: SearchQuery, person: Any) -> float:
    """How well a person fits free search text, 0 to 1."""
    values: list[tuple[float, float]] = []
    if query.words:
        names: list[str] = []
        for value in (person.first_name, person.last_name, person.known_as):
            names.extend(_tokens(value or ""))
        whole, _ = _surname_forms(person.last_name or "")
        if whole:
            names.append(whole)
        for first, last in _other_names_of(person):
            names.extend(_tokens(first) + _tokens(last))
        name_score = sum(_word_similarity(word, names) for word in query.words) / len(query.words)
        values.append((0.6, name_score))
    if query.dates:
        birth = birth_date_of(person)
        dob = max((_dob_similarity(d, birth)[0] or 0.0) for d in query.dates)
        values.append((0.4, dob))
    if not values:
        return 0.0
    return round(sum(w * s for w, s in values) / sum(w for w, _ in values), 3)


@dataclass
class SearchResult:
    """People found for a search, best first: `people` carry `full_access` and `search_score`."""

    query: SearchQuery
    people: list[Any]


def search(user: Any, text: str) -> SearchResult:
    """People the user may see that fit the search text, ranked, at most SEARCH_CAP.

    Names and dates of birth find only records the user sees in full; a
    protected record seen as "exists" is found by its exact reference only.
    Queries: one for a reference; otherwise one on the match keys, one for which
    candidates the user may see, one for their rows and one for their other names.
    """
    from waymark.access import rules
    from waymark.people.models import Person

    query = parse_search(text)
    ctx = rules.context_for(user)
    if query.is_empty or ctx.area_id is None:
        return SearchResult(query, [])
    people = Person.objects.visible_to(user).with_full_access(user).select_related("registered_by_service")
    if query.reference:
        found = list(people.filter(reference=query.reference))
        for person in found:
            person.search_score = 1.0
        return SearchResult(query, found)
    keys, prefixes = _search_keys(query)
    ids = _ranked_ids(ctx.area_id, keys, prefixes, ())
    ranked = []
    for person in _visible_people(user, ctx, ids, SEARCH_CAP, full_only=True, select=("registered_by_service",)):
        person.search_score = search_score(query, person)
        if person.search_score >= SEARCH_MIN_SCORE:
            ranked.append(person)
    ranked.sort(key=lambda p: (-p.search_score, normalise(p.last_name), normalise(p.first_name), p.pk))
    return SearchResult(query, ranked)
