"""The duplicate check and fuzzy search: blocking keys, scoring and finding candidates.

Two halves:

* Pure functions, no database: `normalise`, `keys_for_person`, `keys_for_query`,
  `weigh` and `score` (a Fellegi–Sunter-style match weight, and it on 0–1).
  The demo generator and the benchmarks call them directly.
* Lookups: `find_matches` (the live duplicate check) and `search` (the people
  list) read candidates through the `MatchKey` inverted index and the access
  rules (once, over the candidate ids), rank them here in Python from light rows,
  and read full Person rows only for what is shown. Both databases find the same
  candidates with the same plain comparisons on the same keys, and rank them with
  the same code, so SQLite and PostgreSQL give the same results.

A key is a short prefixed string, e.g. `ln:SMITH` (surname), `lp:SM0` (the
surname's sound), `fr:ROBERT` (first name's nickname root), `dob:1980-05-12`.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, overload

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
    "weigh",
]

# A candidate at or above this score is shown to the worker. The score is the match
# weight on a logistic curve with MATCH_WEIGHT (below) at this point, so the line sits
# where the weights say: both names agreeing, or one name and a date of birth. Checked
# on the pairs in tests/people/test_matching.py and the demo's seeded near-duplicates
# (bench/shared_record.py), where recall and precision stay flat from 0.75 to 0.85.
MATCH_THRESHOLD = 0.75
# The key lookup ranks people by how many keys they share with the query and keeps
# this many; the access rules then run once over them.
KEY_CANDIDATES = 1000
# Of those the user may see, at most this many are scored per check (from light rows;
# only the few shown are read in full). A true duplicate shares most keys (names,
# sounds, nickname root, dates), so it ranks first.
CANDIDATE_CAP = 100
# Search reads more, so a date or a common surname still pages through its matches.
SEARCH_CAP = 200
# Search drops what only shares a weak key (a similar-sounding first name, say).
SEARCH_MIN_SCORE = 0.5
# Search scores at most SEARCH_CAP people the user sees in full: twice as many ids
# leave room for those they may not see, without sending a thousand ids to the
# database and back for a broad search such as the start of a surname.
SEARCH_KEY_CANDIDATES = 2 * SEARCH_CAP
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


@lru_cache(maxsize=65536)
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
    gender: str = ""
    nationality: str = ""

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
            gender=person.gender or "",
            nationality=person.nationality or "",
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
#
# A Fellegi–Sunter-style score: each field (surname, first name, date of birth) is
# compared to an agreement level, and each level carries a weight, roughly
# log2(m/u): how much more often that level is seen between two records of the same
# person (m) than between two different people (u). Agreement adds, disagreement
# subtracts, and a field missing on either side adds nothing: it neither counts for
# nor against, so a record without a date of birth is still found on its names, but
# only when the names themselves agree well. The total is then mapped onto 0–1 with
# a logistic curve, placed so that MATCH_WEIGHT lands on MATCH_THRESHOLD.

# The total weight shown as MATCH_THRESHOLD: both names agreeing (even with a slip
# in one) is enough; one name on its own is not; a plainly different first name
# or surname is not, unless a date of birth agrees too.
MATCH_WEIGHT = 6.0
# How fast the 0–1 score moves with the weight (weight units per logistic unit).
WEIGHT_SCALE = 2.0

SURNAME_WEIGHTS = {
    "same": 4.5,
    "part": 3.5,  # one half of a double surname, or its halves the other way round
    "similar": 3.5,  # one slip of the keyboard, or sounds the same
    "close": 1.5,  # spelt much alike, more than one slip
    "unlike": -2.0,  # some likeness, but a different name (Green / Greenwood)
    "different": -5.0,
}
FIRST_WEIGHTS = {
    "same": 4.0,
    "nickname": 3.5,  # one is a short form of the other (Bob / Robert)
    "forms": 3.2,  # both forms of the same name (Stevie / Steven)
    "similar": 3.0,  # one slip, or sounds the same
    "close": 1.0,  # spelt much alike, or the start of the other
    "initial": 0.5,  # only an initial on one side
    "unlike": -2.0,  # some likeness, but a different name (Christian / Christopher, Paul / Paula)
    "different": -6.0,
}
# Two people may share a known-as ("Jock", "Scouse"); two first names that plainly
# differ are not rescued by it: the shared known-as then adds only this much to the
# first names' own (negative) weight.
SHARED_KNOWN_AS_BONUS = 2.0
# A date of birth agreeing exactly is strong evidence; a plainly different one is
# strong evidence against.
DOB_WEIGHTS = {
    "same": 6.0,
    "swapped": 5.0,  # day and month the other way round
    "one_slip": 3.0,  # one digit (or the day's two digits) differs
    "same_month": 0.5,  # same month and year, another day
    "same_birthday": -2.5,  # same day and month, another year
    "same_year": -3.5,  # same year, month and day both differ
    "different": -6.0,
    "partial_same": 4.0,  # month and year agree, the day not recorded
    "year_same": 2.5,  # only the year recorded on one side, and it agrees
    "year_near": -1.0,  # only the year recorded, one apart
    "partial_month_differs": -3.5,
    "partial_different": -5.0,
    "age_fits": 1.0,  # an estimated age within a few years: weak, estimates are often out
    "age_close": 0.0,
    "age_loose": -1.0,  # an estimate this far out happens, but rarely
    "age_different": -5.0,
}
# Years an estimated age may be out, each side estimated adding its own error.
AGE_FITS, AGE_CLOSE, AGE_LOOSE = 3, 6, 10
# Gender and nationality agreeing says little (most people share them with many
# others), but both recorded and differing says a good deal: a man and a woman of the
# same name, or a Sudanese and an Afghan Abdul Mohammed, are rarely one person. Not
# never: a record can be wrong or out of date, so a strong name and date of birth
# still carry it.
GENDER_DIFFERS = -3.0
GENDER_UNLIKE = -1.0  # man or woman on one side, another gender on the other
NATIONALITY_DIFFERS = -3.0
GENDERS = {
    "man": "man",
    "male": "man",
    "m": "man",
    "trans man": "man",
    "woman": "woman",
    "female": "woman",
    "f": "woman",
    "trans woman": "woman",
}
NOT_SAID = frozenset({"", "prefers not to say", "prefer not to say", "not known", "unknown"})


@dataclass(frozen=True)
class _Name:
    """One name a person goes by: a first word and a surname, and where it comes from."""

    first: str
    surname: str
    parts: tuple[str, ...]
    first_from: str  # "first name", "known-as" or "another name they have used"
    surname_from: str  # "surname" or "another name they have used"


@dataclass
class _Profile:
    names: list[_Name] = field(default_factory=list)
    formal_firsts: list[str] = field(default_factory=list)  # first names proper (not known-as)
    known_as: str = ""
    birth: BirthDate = field(default_factory=BirthDate)
    gender: str = ""  # "man", "woman", another gender as written, or "" when not said
    nationality: str = ""


def _other_names_of(obj: Any) -> list[tuple[str, str]]:
    if isinstance(obj, (MatchQuery, _Row)):
        return list(obj.other_names)
    cache = getattr(obj, "_prefetched_objects_cache", {})
    if "other_names" in cache:
        return list(_other_name_pairs(cache["other_names"]))
    if getattr(obj, "pk", None) is None:
        return []
    return list(_other_name_pairs(obj.other_names.all()))


def _first_word(name: str) -> str:
    tokens = _tokens(name)
    return tokens[0] if tokens else ""


def _gender(text: str) -> str:
    value = " ".join(text.lower().split())
    return "" if value in NOT_SAID else GENDERS.get(value, value)


def _identity_weight(q: _Profile, c: _Profile) -> float:
    """What gender and nationality add: nothing when they agree or either is not recorded."""
    total = 0.0
    if q.gender and c.gender and q.gender != c.gender:
        binary = {q.gender, c.gender} <= {"man", "woman"}
        total += GENDER_DIFFERS if binary else GENDER_UNLIKE
    if q.nationality and c.nationality and q.nationality != c.nationality:
        total += NATIONALITY_DIFFERS
    return total


def _profile(obj: Any) -> _Profile:
    """The names a person goes by, each a first word paired with a surname, and their birth date.

    A known-as goes with their surname; another name used without a surname takes
    theirs, and one without a first name takes their first name (as the keys do).
    """
    profile = _Profile(
        birth=birth_date_of(obj),
        gender=_gender(getattr(obj, "gender", "") or ""),
        nationality=normalise(getattr(obj, "nationality", "") or ""),
    )
    first = _first_word(obj.first_name or "")
    known = _first_word(obj.known_as or "")
    whole, parts = _surname_forms(obj.last_name or "")
    if first:
        profile.formal_firsts.append(first)
    if first or not known:
        profile.names.append(_Name(first, whole, tuple(parts), "first name", "surname"))
    if known and known != first:
        # With no first name, the known-as is the name they go by: no name pairs the
        # surname with a blank first name, which would agree with anyone of that surname.
        profile.names.append(_Name(known, whole, tuple(parts), "known-as", "surname"))
    profile.known_as = known
    for other_first, other_last in _other_names_of(obj):
        other = _first_word(other_first)
        if other:
            profile.formal_firsts.append(other)
        other_whole, other_parts = _surname_forms(other_last)
        if not other_whole:
            other_whole, other_parts = whole, parts
        profile.names.append(
            _Name(
                other or first,
                other_whole,
                tuple(other_parts),
                "another name they have used" if other else "first name",
                "another name they have used" if _compact(other_last) else "surname",
            )
        )
    return profile


def _title(word: str) -> str:
    return word[:1] + word[1:].lower()


def _sounds_alike(a: str, b: str) -> bool:
    """Same metaphone, and not by chance: spelt somewhat alike and starting alike, or spelt much alike.

    Metaphone drops vowels, so on its own it pairs Riaz with Rees and Gosia with Kasia.
    """
    sound_a, sound_b = _phonetic(a), _phonetic(b)
    if not sound_a or sound_a != sound_b:
        return False
    sim = JaroWinkler.normalized_similarity(a, b)
    return sim >= 0.8 or (a[0] == b[0] and sim >= 0.65)


def _surname_level(a: str, a_parts: tuple[str, ...], b: str, b_parts: tuple[str, ...]) -> tuple[str, str]:
    """How two surnames (each whole, and its parts when double) agree, and why in words."""
    if a == b:
        return "same", "same surname"
    shared = ({a, *a_parts} & {b, *b_parts}) - PARTICLES
    if shared:
        return "part", f"shares part of a double surname ({_title(sorted(shared)[0])})"
    if _sounds_alike(a, b):
        return "similar", "surname sounds alike"
    if DamerauLevenshtein.distance(a, b) == 1 and len(min(a, b, key=len)) >= 4:
        return "similar", "surname spelt similarly"
    sim = JaroWinkler.normalized_similarity(a, b)
    if sim >= 0.9 and DamerauLevenshtein.distance(a, b) <= 2:
        return "close", "surname spelt similarly"
    if sim >= 0.8:
        return "unlike", ""
    return "different", ""


def _known_name(name: str) -> bool:
    return name in _nickname_table()


def _first_level(a: str, b: str) -> tuple[str, str]:
    """How two first names agree, and why in words.

    Two names that are each a given name in their own right and not forms of one
    another (Mary / Mark, Christian / Christopher) are different names however alike
    they are spelt; so are a name and its feminine form (Paul / Paula, Daniel / Daniela).
    """
    if a == b:
        return "same", "same first name"
    shared = nickname_roots(a) & nickname_roots(b)
    if shared:
        root = sorted(shared)[0]
        other = b if root == a else a
        if root in (a, b):
            return "nickname", f"{_title(other)} is a nickname of {_title(root)}"
        return "forms", f"{_title(a)} and {_title(b)} are both forms of {_title(root)}"
    if len(a) == 1 or len(b) == 1:
        return ("initial", "same initial") if a[0] == b[0] else ("different", "")
    short, long_ = sorted((a, b), key=len)
    sim = JaroWinkler.normalized_similarity(a, b)
    if long_ in (short + "A", short + "E"):
        return "unlike", ""
    if _known_name(a) and _known_name(b):
        # Two distinct given names: only a same sound makes them one (Leigh / Lee).
        if _sounds_alike(a, b):
            return "similar", "first name sounds alike"
        return ("unlike", "") if sim >= 0.8 else ("different", "")
    if DamerauLevenshtein.distance(a, b) == 1 and len(short) >= 3:
        return "similar", "first name spelt similarly"
    if _sounds_alike(a, b):
        return "similar", "first name sounds alike"
    if len(short) >= 3 and long_.startswith(short):
        return "close", "first name is the start of the other"
    if sim >= 0.9 and DamerauLevenshtein.distance(a, b) <= 2:
        return "close", "first name spelt similarly"
    if sim >= 0.8:
        return "unlike", ""
    return "different", ""


def _one_digit_apart(a: int, b: int, width: int) -> bool:
    x, y = f"{a:0{width}d}", f"{b:0{width}d}"
    return sum(c != d for c, d in zip(x, y, strict=True)) == 1


def _birth_year(birth: BirthDate) -> float:
    """The (fractional) year someone was born in, as near as the record says."""
    if birth.precision == "estimated":
        assert birth.estimated_age is not None
        on = birth.estimated_on or date.today()
        return on.year + (on.timetuple().tm_yday - 1) / 365.25 - birth.estimated_age
    assert birth.value is not None
    if birth.precision == "year":
        return birth.value.year + 0.5
    if birth.precision == "month":
        return birth.value.year + (birth.value.month - 0.5) / 12
    return birth.value.year + (birth.value.timetuple().tm_yday - 1) / 365.25


def _dob_level(a: BirthDate, b: BirthDate) -> tuple[str | None, str]:
    """How two dates of birth agree, as far as each is known; None when either is not known."""
    if not a.known or not b.known:
        return None, "no date of birth recorded" if (a.known or b.known) else "no date of birth on either"
    if a.precision == "estimated" or b.precision == "estimated":
        # Each estimate brings its own error: two estimates may be further apart.
        slack = 1.5 if a.precision == b.precision == "estimated" else 1.0
        gap = abs(_birth_year(a) - _birth_year(b))
        if gap <= AGE_FITS * slack:
            return "age_fits", "age fits the estimate"
        if gap <= AGE_CLOSE * slack:
            return "age_close", "age close to the estimate"
        if gap <= AGE_LOOSE * slack:
            return "age_loose", ""
        return "age_different", ""
    assert a.value is not None and b.value is not None
    x, y = a.value, b.value
    if a.precision == "exact" and b.precision == "exact":
        if x == y:
            return "same", "same date of birth"
        if x.year == y.year and x.day == y.month and x.month == y.day:
            return "swapped", "day and month swapped"
        if x.year == y.year and x.month == y.month:
            if _one_digit_apart(x.day, y.day, 2) or f"{x.day:02d}" == f"{y.day:02d}"[::-1]:
                return "one_slip", "date of birth differs by one digit"
            return "same_month", "same month and year of birth"
        if x.month == y.month and x.day == y.day:
            if _one_digit_apart(x.year, y.year, 4) or abs(x.year - y.year) == 1:
                return "one_slip", "same birthday, year differs by one digit"
            return "same_birthday", ""
        if x.year == y.year and x.day == y.day and _one_digit_apart(x.month, y.month, 2):
            return "one_slip", "date of birth differs by one digit"
        if x.year == y.year:
            return "same_year", ""
        return "different", ""
    if "year" in (a.precision, b.precision):
        if x.year == y.year:
            return "year_same", "same year of birth (only the year recorded)"
        return ("year_near", "") if abs(x.year - y.year) == 1 else ("partial_different", "")
    # At least one has month and year only.
    if (x.year, x.month) == (y.year, y.month):
        return "partial_same", "same month and year of birth (day not recorded)"
    if x.year == y.year:
        return "partial_month_differs", ""
    return "partial_different", ""


def _dob_similarity(a: BirthDate, b: BirthDate) -> tuple[float | None, str]:
    """How well two dates of birth agree on 0–1, for search: None when either is not known."""
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


def _first_weight(q: _Profile, qn: _Name, c: _Profile, cn: _Name) -> tuple[float, str, str]:
    """The weight of two names' first words, why, and the level; nothing when either has none."""
    if not qn.first or not cn.first:
        return 0.0, "", ""
    level, reason = _first_level(qn.first, cn.first)
    weight = FIRST_WEIGHTS[level]
    if (
        weight > 0
        and "known-as" in (qn.first_from, cn.first_from)
        and q.known_as
        and c.known_as
        and q.formal_firsts
        and c.formal_firsts
    ):
        # Both have a first name and a known-as: a known-as in common (Jock, Scouse) or
        # one's known-as fitting the other's first name does not make two plainly
        # different first names one. (With no known-as of its own, a side's first name
        # may well be what they are called, so it is not held to this.)
        formal = max(FIRST_WEIGHTS[_first_level(a, b)[0]] for a in q.formal_firsts for b in c.formal_firsts)
        if formal < 0:
            weight = min(weight, formal + SHARED_KNOWN_AS_BONUS)
    return weight, reason, level


def _name_reasons(qn: _Name, cn: _Name, surname: tuple[float, str], first: tuple[float, str, str]) -> list[str]:
    reasons = []
    if surname[0] > 0 and surname[1]:
        other = "another name they have used" in (qn.surname_from, cn.surname_from)
        reasons.append(surname[1] + (" (another name they have used)" if other else ""))
    if first[0] > 0 and first[1]:
        if "known-as" in (qn.first_from, cn.first_from):
            reasons.append("known-as matches" if first[2] == "same" else f"known-as: {first[1]}")
        elif "another name they have used" in (qn.first_from, cn.first_from):
            reasons.append(f"{first[1]} (another name they have used)")
        else:
            reasons.append(first[1])
    return reasons


def weigh(query: Any, candidate: Any) -> tuple[float, list[str]]:
    """The match weight of `candidate` for `query` (log-odds, roughly in bits) and why in words.

    The names are compared pair by pair: each name the query goes by (first name,
    known-as, other names used) against each of the candidate's, and the best pair
    counts, so a first name is never matched with a surname from another name.
    """
    q, c = _profile(query), _profile(candidate)
    best: tuple[float, list[str], bool] | None = None
    for qn in q.names:
        for cn in c.names:
            surname: tuple[float, str] = (0.0, "")
            if qn.surname and cn.surname:
                level, reason = _surname_level(qn.surname, qn.parts, cn.surname, cn.parts)
                surname = (SURNAME_WEIGHTS[level], reason)
            first = _first_weight(q, qn, c, cn)
            total = surname[0] + first[0]
            if best is None or total > best[0]:
                best = (total, _name_reasons(qn, cn, surname, first), surname[0] > 0 or first[0] > 0)
    assert best is not None  # every profile has its own name, even an empty one
    total, reasons, names_agree = best

    dob_level, dob_reason = _dob_level(q.birth, c.birth)
    if dob_level is not None:
        total += DOB_WEIGHTS[dob_level]
    if dob_reason:
        reasons.append(dob_reason)
    total += _identity_weight(q, c)
    if not names_agree:
        # A date of birth alone is never a match: some name must agree too.
        total = min(total, MATCH_WEIGHT - WEIGHT_SCALE)
    return total, reasons


def score(query: Any, candidate: Any) -> tuple[float, list[str]]:
    """How likely `candidate` is the person `query` describes, 0 to 1, and why in words.

    Both are a MatchQuery or a Person. The match weight (`weigh`) on a logistic
    curve: MATCH_WEIGHT is MATCH_THRESHOLD; every WEIGHT_SCALE more or less moves
    the odds by e. Names and date of birth each count when both sides have them;
    a missing one counts neither for nor against. Gender and nationality count
    only against, when both are recorded and differ.
    """
    total, reasons = weigh(query, candidate)
    odds = (total - MATCH_WEIGHT) / WEIGHT_SCALE + math.log(MATCH_THRESHOLD / (1 - MATCH_THRESHOLD))
    return round(1 / (1 + math.exp(-odds)), 3), reasons


# --- candidates -------------------------------------------------------------------


@dataclass
class Candidate:
    """A possible existing record, as the checking user may see it.

    For a protected record seen as `EXISTS`, show only `contacts` ("a record may
    already exist — contact …"): never the name, date of birth or reasons.
    """

    person: Any
    score: float | None
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


def _ranked_ids(
    area_id: int, keys: set[str], prefixes: Iterable[str], exclude: Iterable[int], limit: int = KEY_CANDIDATES
) -> list[int]:
    """People sharing most keys with the query, best first, at most `limit`.

    A surname key (`ln:`, `lp:`) counts twice: a surname agreeing says more than a
    first name or a year, so among many who share only a common first name, those
    sharing the surname come first. One query on the match-key index alone (no
    join): cheap whatever the area's size.
    """
    from django.db.models import Case, IntegerField, Sum, Value, When

    from waymark.people.models import MatchKey

    if not keys and not prefixes:
        return []
    rows = MatchKey.objects.filter(area_id=area_id).filter(_key_filter(keys, prefixes))
    exclude = list(exclude)
    if exclude:
        rows = rows.exclude(person_id__in=exclude)
    # A range, as in _key_filter: "l" holds exactly the surname keys (ln:, lp:).
    weight = Case(When(key__gte="l", key__lt="m", then=Value(2)), default=Value(1), output_field=IntegerField())
    ranked = rows.values("person_id").annotate(hits=Sum(weight)).order_by("-hits", "person_id")[:limit]
    return [row["person_id"] for row in ranked]


# What scoring reads of a candidate: one light row, not a model instance.
ROW_FIELDS = (
    "first_name",
    "last_name",
    "known_as",
    "date_of_birth",
    "birth_date_precision",
    "estimated_age",
    "age_estimated_on",
    "gender",
    "nationality",
)


@dataclass
class _Row:
    """A candidate as scoring sees it: names, birth fields, other names and whether it is seen in full.

    Scoring a hundred candidates reads these from plain tuples; only the few shown
    are then read as Person rows.
    """

    pk: int
    first_name: str
    last_name: str
    known_as: str
    date_of_birth: date | None
    birth_date_precision: str
    estimated_age: int | None
    age_estimated_on: date | None
    gender: str
    nationality: str
    full_access: bool = True
    other_names: list[tuple[str, str]] = field(default_factory=list)


def _seen_by(user: Any, ctx: Any, *, full_only: bool) -> Any:
    """The people `user` may see (in full only, if asked), with `full_access` annotated."""
    from django.db.models import Value

    from waymark.people.models import Person

    if ctx.is_area_admin:
        # Every record of the area, in full: no per-row rules to run.
        return Person.objects.filter(area_id=ctx.area_id).annotate(full_access=Value(True))
    seen = Person.objects.visible_to(user).with_full_access(user)
    return seen.filter(full_access=True) if full_only else seen


def _candidate_rows(seen: Any, ids: list[int], cap: int) -> list[_Row]:
    """Of `ids` (best first), the first `cap` of those in `seen`, as light rows with their other names.

    Two queries: the access rules run once, over the candidate ids only, and bring
    the fields scoring needs with them; then the kept candidates' other names.
    """
    from waymark.people.models import OtherName

    if not ids:
        return []
    rows = {
        values[0]: _Row(**dict(zip(("pk", *ROW_FIELDS), (values[0], *values[2:]), strict=True)), full_access=values[1])
        for values in seen.filter(pk__in=ids).order_by().values_list("pk", "full_access", *ROW_FIELDS)
    }
    keep = [rows[pk] for pk in ids if pk in rows][:cap]
    by_pk = {row.pk: row for row in keep}
    names = OtherName.objects.filter(person_id__in=list(by_pk)).order_by("pk")
    for person_id, first, last in names.values_list("person_id", "first_name", "last_name"):
        by_pk[person_id].other_names.append((first, last))
    return keep


def _people_rows(ids: list[int], full_access: dict[int, bool], select: tuple[str, ...]) -> list[Any]:
    """The Person rows of `ids`, in that order, with `full_access` set.

    The ids were checked against the access rules in this request; this reads only
    the few to show.
    """
    from waymark.people.models import Person

    if not ids:
        return []
    people = Person.objects.filter(pk__in=ids).select_related(*select).in_bulk()
    ordered = [people[pk] for pk in ids if pk in people]
    for person in ordered:
        person.full_access = full_access[person.pk]
    return ordered


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


def _rank(query: MatchQuery, rows: Iterable[_Row], limit: int, threshold: float) -> list[tuple[_Row, float, list[str]]]:
    # A protected record the user may only know exists is judged on the names alone:
    # were the date of birth to count, stepping through dates until it appeared (or
    # scored higher) would tell a stranger the refuge resident's birthday.
    # Gender and nationality likewise.
    without_birth = dataclasses.replace(
        query,
        date_of_birth=None,
        birth_date_precision="unknown",
        estimated_age=None,
        age_estimated_on=None,
        gender="",
        nationality="",
    )
    scored = []
    for row in rows:
        value, reasons = score(query if row.full_access else without_birth, row)
        if value >= threshold:
            scored.append((row, value, reasons))
    scored.sort(key=lambda item: (-item[1], normalise(item[0].last_name), normalise(item[0].first_name), item[0].pk))
    return scored[:limit]


def _candidates(ranked: list[tuple[_Row, float, list[str]]], select: tuple[str, ...]) -> list[Candidate]:
    people = _people_rows([row.pk for row, _, _ in ranked], {row.pk: row.full_access for row, _, _ in ranked}, select)
    by_pk = {person.pk: person for person in people}
    limited = [person for person in people if not person.full_access]
    contacts = _contacts_for(limited)
    return [
        Candidate(
            person=by_pk[row.pk],
            # No score for a protected record: it would hint at how closely it matched.
            score=value if row.full_access else None,
            reasons=reasons if row.full_access else [],
            visibility=Visibility.FULL if row.full_access else Visibility.EXISTS,
            contacts=contacts.get(row.pk, []) if not row.full_access else [],
        )
        for row, value, reasons in ranked
        if row.pk in by_pk
    ]


def find_matches(
    user: Any, query: MatchQuery, limit: int = 5, *, threshold: float = MATCH_THRESHOLD, exclude: Iterable[int] = ()
) -> list[Candidate]:
    """Possible existing records of the person described, best first, as `user` may see them.

    Candidates come only from the people the user may know exist: those seen in
    full come with name and reasons; protected ones seen as "exists" come with
    whom to contact only; hidden people never appear. A bounded number of queries:
    one on `matchkey_area_key` for the candidates, one for which of them the user
    may see (the access rules, once, over those ids) with what scoring needs, one
    for their other names, one for the rows of the few shown and one for whom to
    contact about protected ones among them.
    """
    from waymark.access import rules

    ctx = rules.context_for(user)
    if ctx.area_id is None or not ctx.is_authenticated or ctx.is_analyst_only:
        return []
    ids = _ranked_ids(ctx.area_id, keys_for_query(query), (), exclude)
    rows = _candidate_rows(_seen_by(user, ctx, full_only=False), ids, CANDIDATE_CAP)
    return _candidates(_rank(query, rows, limit, threshold), ("registered_by_service__organisation",))


def find_matches_in_area(
    area: Any, query: MatchQuery, limit: int = 5, *, threshold: float = MATCH_THRESHOLD, exclude: Iterable[int] = ()
) -> list[Candidate]:
    """The duplicate check over a whole area, as an area admin sees it (every record in full).

    For the demo's accuracy benchmark and batch tools, never for a page: it skips
    the per-user access rules. `threshold=0` returns the top `limit` whatever their score.
    """
    from django.db.models import Value

    from waymark.people.models import Person

    area_id = getattr(area, "pk", area)
    ids = _ranked_ids(area_id, keys_for_query(query), (), exclude)
    everyone = Person.objects.filter(area_id=area_id).annotate(full_access=Value(True))
    rows = _candidate_rows(everyone, ids, CANDIDATE_CAP)
    return _candidates(_rank(query, rows, limit, threshold), ("registered_by_service__organisation",))


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
            if d := _valid_date(int(m[2]), int(m[1]), 1):
                dates.append(BirthDate(d, "month"))
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


class _RankedPeople(Sequence[Any]):
    """Search results, best first, read as Person rows only for the part a page shows.

    Each person carries `full_access` and `search_score`. Slicing reads one query
    for the slice (with the registering service and its organisation: whom to
    contact about someone no service works with now); a whole list is only read
    when asked for.
    """

    def __init__(self, ranked: list[tuple[_Row, float]]) -> None:
        self._ranked = ranked
        self._read: dict[int, Any] = {}

    def __len__(self) -> int:
        return len(self._ranked)

    def _people(self, part: list[tuple[_Row, float]]) -> list[Any]:
        wanted = [row.pk for row, _ in part if row.pk not in self._read]
        full = {row.pk: row.full_access for row, _ in part}
        for person in _people_rows(wanted, full, ("registered_by_service__organisation",)):
            self._read[person.pk] = person
        people = []
        for row, value in part:
            person = self._read.get(row.pk)
            if person is not None:
                person.search_score = value
                people.append(person)
        return people

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return self._people(self._ranked[index])
        [person] = self._people([self._ranked[index]])
        return person

    def __iter__(self) -> Iterator[Any]:
        return iter(self._people(self._ranked))


@dataclass
class SearchResult:
    """People found for a search, best first: `people` carry `full_access` and `search_score`."""

    query: SearchQuery
    people: Sequence[Any]


def search(user: Any, text: str) -> SearchResult:
    """People the user may see that fit the search text, ranked, at most SEARCH_CAP.

    Names and dates of birth find only records the user sees in full; a
    protected record seen as "exists" is found by its exact reference only.
    Queries: one for a reference; otherwise one on the match keys, one for which
    candidates the user may see (with the fields ranking needs), one for their
    other names, and one for the Person rows of each page of results read.
    """
    from waymark.access import rules
    from waymark.people.models import Person

    query = parse_search(text)
    ctx = rules.context_for(user)
    if query.is_empty or ctx.area_id is None:
        return SearchResult(query, [])
    if query.reference:
        found = list(
            Person.objects.visible_to(user)
            .with_full_access(user)
            .select_related("registered_by_service__organisation")
            .filter(reference=query.reference)
        )
        for person in found:
            person.search_score = 1.0
        return SearchResult(query, found)
    keys, prefixes = _search_keys(query)
    ids = _ranked_ids(ctx.area_id, keys, prefixes, (), SEARCH_KEY_CANDIDATES)
    ranked = []
    for row in _candidate_rows(_seen_by(user, ctx, full_only=True), ids, SEARCH_CAP):
        value = search_score(query, row)
        if value >= SEARCH_MIN_SCORE:
            ranked.append((row, value))
    ranked.sort(key=lambda item: (-item[1], normalise(item[0].last_name), normalise(item[0].first_name), item[0].pk))
    return SearchResult(query, _RankedPeople(ranked))
