"""Demo people: registered by the area's services, in bulk, with seeded near-duplicates.

Each person gets what a worker would really have recorded: often an exact
date of birth, sometimes only the month or the year, an estimated age for
someone met on the street, nothing at all for others; gender as they
describe it, pronouns, nationality and immigration status (and whether they
have recourse to public funds), languages and whether an interpreter is
needed, a phone, an email or a safe way to reach them for some, a last
settled address and a local connection. Some have used other names.

A share of people are registered twice, as a second service would have
registered them without finding the first record: a typo, another spelling,
a nickname, one half of a double surname, day and month swapped, the date
of birth missing or only its year, only the name they are known by. The
pairs and what differs go to `ctx.near_duplicates`, which `manage.py demo`
writes to the truth file the duplicate-check benchmark reads.

Refuge residents are protected and the people of the service whose work is
hidden are hidden, as the access model expects. References are drawn from a
seeded permutation of the reference space, so they are unique without a
lookup per person and repeat with the seed.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone

from waymark.access.constants import Restriction, ServiceKind
from waymark.access.models import District, Service
from waymark.core.demo import HOSTEL_SERVICE, OUTREACH_SERVICE, DemoContext, Step, batched, stable_seed
from waymark.people.demo_names import MORE_NAMES
from waymark.people.models import REFERENCE_ALPHABET, BirthDatePrecision, ImmigrationStatus, MatchKey, OtherName, Person

REFERENCE_DIGITS = 5
REFERENCE_SPACE = len(REFERENCE_ALPHABET) ** REFERENCE_DIGITS  # 32**5 == 2**25
_MASK = REFERENCE_SPACE - 1

# How many people each kind of service registers, relative to the others.
REGISTERS = {
    ServiceKind.OUTREACH: 6,
    ServiceKind.HOSTEL: 4,
    ServiceKind.DROP_IN: 3,
    ServiceKind.HOUSING_OPTIONS: 3,
    ServiceKind.FLOATING_SUPPORT: 2,
    ServiceKind.HEALTH_CASE_MANAGEMENT: 2,
    ServiceKind.REFUGE: 1,
    ServiceKind.OTHER: 1,
}
# The demo logins' services get more, so their pages are full at every scale.
FEATURED = {OUTREACH_SERVICE: 4, HOSTEL_SERVICE: 3}

DESCRIPTIONS = [
    "green sleeping bag",
    "usually by the station entrance",
    "Scottish accent",
    "has a brown lurcher",
    "red rucksack",
    "sleeps near the canal",
    "walks with a stick",
    "Polish speaker",
    "wears a flat cap",
    "sits outside the supermarket",
]
NICKNAMES = ["Jock", "Taff", "Scouse", "Geordie", "Red", "Lofty", "Sparky", "Tiny", "Doc", "Smudge", "Chalky"]

# Share of people registered a second time by another service, and the least at any scale.
NEAR_DUPLICATE_SHARE = 0.025
NEAR_DUPLICATE_MIN = 12

# --- who people are ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """A nationality as recorded, with the names, languages and statuses that go with it."""

    nationality: str
    weight: float
    men: tuple[str, ...] = ()
    women: tuple[str, ...] = ()
    surnames: tuple[str, ...] = ()
    language: str = "English"
    # (status, weight) pairs; statuses from ImmigrationStatus.
    statuses: tuple[tuple[str, float], ...] = ()
    # Share who need an interpreter.
    interpreter: float = 0.0
    # A Faker locale with this origin's names in Latin script, for the long tail of names
    # beyond the common ones above; without it, only the common ones are used.
    locale: str = ""
    # The language whose feminine surnames women take ("pl": Kowalska; "lt": Kazlauskienė).
    feminine: str = ""


S = ImmigrationStatus
EU = ((S.SETTLED, 5), (S.PRE_SETTLED, 3), (S.NO_STATUS, 1.5), (S.UNKNOWN, 1))
REFUGE_ROUTE = ((S.ASYLUM_SEEKER, 3), (S.REFUGEE, 4), (S.NO_STATUS, 1.5), (S.UNKNOWN, 1))
ORIGINS = [
    # British people take their names from Faker's en_GB pools (empty tuples here).
    Origin("British", 74, statuses=((S.BRITISH_IRISH, 1),)),
    Origin(
        "Irish",
        3,
        ("Sean", "Patrick", "Liam", "Declan", "Ciaran", "Padraig", "Eoin", "Cormac"),
        ("Siobhan", "Niamh", "Aoife", "Roisin", "Sinead", "Mairead"),
        ("Murphy", "Kelly", "O'Brien", "Byrne", "Ryan", "O'Sullivan", "McCarthy", "Doyle", "Walsh", "O'Neill"),
        statuses=((S.BRITISH_IRISH, 1),),
        locale="en_IE",
    ),
    Origin(
        "Polish",
        4,
        (
            "Piotr",
            "Tomasz",
            "Krzysztof",
            "Marek",
            "Paweł",
            "Michał",
            "Andrzej",
            "Jakub",
            "Łukasz",
            "Grzegorz",
            "Wojciech",
            "Mariusz",
            "Dariusz",
            "Rafał",
            "Sebastian",
            "Adam",
            "Kamil",
            "Artur",
        ),
        ("Anna", "Katarzyna", "Agnieszka", "Magdalena", "Joanna", "Ewa", "Małgorzata", "Monika", "Aleksandra", "Beata"),
        (
            "Nowak",
            "Kowalski",
            "Wiśniewski",
            "Wójcik",
            "Kamiński",
            "Lewandowski",
            "Zieliński",
            "Szymański",
            "Woźniak",
            "Dąbrowski",
            "Kozłowski",
            "Jankowski",
            "Mazur",
            "Kwiatkowski",
            "Krawczyk",
            "Piotrowski",
            "Grabowski",
            "Pawlak",
        ),
        "Polish",
        EU,
        0.35,
        locale="pl_PL",
        feminine="pl",
    ),
    Origin(
        "Romanian",
        3.5,
        (
            "Ion",
            "Andrei",
            "Mihai",
            "Gheorghe",
            "Constantin",
            "Florin",
            "Marius",
            "Vasile",
            "Alexandru",
            "Adrian",
            "Cristian",
            "Daniel",
            "Ionuț",
            "Nicolae",
            "Stefan",
            "Valentin",
        ),
        ("Maria", "Elena", "Ioana", "Andreea", "Mihaela"),
        (
            "Popescu",
            "Ionescu",
            "Popa",
            "Dumitru",
            "Stan",
            "Stoica",
            "Rusu",
            "Munteanu",
            "Lungu",
            "Constantin",
            "Matei",
            "Ciobanu",
            "Moldovan",
            "Marin",
            "Tudor",
            "Florea",
            "Sandu",
            "Dinu",
        ),
        "Romanian",
        EU,
        0.45,
        locale="ro_RO",
    ),
    Origin(
        "Lithuanian",
        1,
        ("Tomas", "Mindaugas", "Darius", "Andrius", "Vytautas", "Saulius"),
        ("Rūta", "Jurgita", "Asta", "Kristina"),
        ("Kazlauskas", "Jankauskas", "Petrauskas", "Stankevičius", "Vasiliauskas"),
        "Lithuanian",
        EU,
        0.3,
        feminine="lt",
    ),
    Origin(
        "Eritrean",
        2,
        (
            "Yonas",
            "Dawit",
            "Tesfaye",
            "Samuel",
            "Filmon",
            "Mohammed",
            "Ibrahim",
            "Robel",
            "Merhawi",
            "Habtom",
            "Kibrom",
            "Semere",
            "Yohannes",
            "Aman",
            "Biniam",
            "Mulugeta",
            "Tedros",
            "Henok",
        ),
        ("Selam", "Helen", "Senait", "Yordanos", "Hiwet", "Saba", "Luwam", "Eden", "Rahel", "Feven", "Winta", "Ruta"),
        (
            "Tesfamariam",
            "Ghebremedhin",
            "Haile",
            "Berhe",
            "Kidane",
            "Woldemichael",
            "Gebru",
            "Tekle",
            "Tesfay",
            "Mehari",
            "Gebreyesus",
            "Asmerom",
            "Habte",
            "Andemariam",
            "Kahsay",
            "Weldu",
            "Zerai",
            "Negash",
        ),
        "Tigrinya",
        REFUGE_ROUTE,
        0.7,
    ),
    Origin(
        "Sudanese",
        1.5,
        (
            "Mohammed",
            "Ahmed",
            "Osman",
            "Abdelrahman",
            "Yousif",
            "Hamza",
            "Mustafa",
            "Abdalla",
            "Elsadig",
            "Khalid",
            "Adil",
            "Hassan",
            "Idris",
            "Musa",
        ),
        ("Amna", "Fatima", "Hawa", "Sara"),
        (
            "Osman",
            "Adam",
            "Abdalla",
            "Ibrahim",
            "Elhassan",
            "Mohamed",
            "Abakar",
            "Ishag",
            "Yagoub",
            "Elamin",
            "Babiker",
            "Hamid",
            "Suliman",
            "Elnour",
        ),
        "Arabic",
        REFUGE_ROUTE,
        0.6,
    ),
    Origin(
        "Iranian",
        1.5,
        (
            "Reza",
            "Ali",
            "Hossein",
            "Mohammad",
            "Amir",
            "Farid",
            "Omid",
            "Behnam",
            "Saeed",
            "Mehdi",
            "Hamid",
            "Arash",
            "Babak",
            "Kaveh",
        ),
        ("Zahra", "Maryam", "Fatemeh", "Leila"),
        (
            "Ahmadi",
            "Hosseini",
            "Karimi",
            "Rahimi",
            "Mohammadi",
            "Rezaei",
            "Jafari",
            "Moradi",
            "Ghorbani",
            "Sadeghi",
            "Hashemi",
            "Kazemi",
            "Rostami",
            "Akbari",
            "Sharifi",
            "Azizi",
        ),
        "Farsi",
        REFUGE_ROUTE,
        0.6,
    ),
    Origin(
        "Afghan",
        1.2,
        (
            "Ahmad",
            "Mohammad",
            "Abdul",
            "Farhad",
            "Jawad",
            "Naveed",
            "Hamid",
            "Rahmatullah",
            "Sayed",
            "Najib",
            "Wahid",
            "Sharif",
            "Habib",
            "Zabihullah",
        ),
        ("Zainab", "Fariba", "Shabnam", "Mariam", "Nilofar", "Parwana", "Freshta"),
        (
            "Noori",
            "Safi",
            "Popal",
            "Stanikzai",
            "Amiri",
            "Wardak",
            "Rahimi",
            "Sultani",
            "Hakimi",
            "Karimi",
            "Haidari",
            "Mohammadi",
            "Sadat",
            "Nazari",
            "Yousufzai",
        ),
        "Dari",
        REFUGE_ROUTE,
        0.7,
    ),
    Origin(
        "Syrian",
        0.8,
        ("Ahmad", "Khaled", "Mahmoud", "Omar", "Hassan", "Yaser"),
        ("Rana", "Fatima", "Lama", "Nour"),
        ("Al-Hassan", "Al-Ahmad", "Haddad", "Khalil", "Al-Khatib", "Darwish"),
        "Arabic",
        REFUGE_ROUTE,
        0.6,
    ),
    Origin(
        "Albanian",
        1,
        ("Arben", "Besnik", "Ermal", "Klodian", "Gentian", "Erion"),
        ("Elira", "Blerta", "Anila"),
        ("Hoxha", "Shehu", "Krasniqi", "Gashi", "Berisha", "Dervishi"),
        "Albanian",
        ((S.ASYLUM_SEEKER, 3), (S.NO_STATUS, 3), (S.REFUGEE, 1), (S.UNKNOWN, 1)),
        0.5,
    ),
    Origin(
        "Vietnamese",
        0.6,
        ("Minh", "Duc", "Thanh", "Hung", "Tuan", "Quang"),
        ("Lan", "Hoa", "Linh", "Thu"),
        ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu"),
        "Vietnamese",
        ((S.ASYLUM_SEEKER, 2), (S.NO_STATUS, 3), (S.UNKNOWN, 1)),
        0.8,
    ),
    Origin(
        "Nigerian",
        1.2,
        ("Chinedu", "Emeka", "Oluwaseun", "Tunde", "Adewale", "Ikechukwu", "Samuel"),
        ("Ngozi", "Funmilayo", "Chiamaka", "Blessing", "Adaeze"),
        ("Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Nwosu", "Adebayo", "Ogunleye"),
        "English",
        ((S.LIMITED_LEAVE, 3), (S.NO_STATUS, 2), (S.SETTLED, 2), (S.ASYLUM_SEEKER, 1), (S.UNKNOWN, 1)),
        0.0,
        locale="yo_NG",
    ),
    Origin(
        "Somali",
        0.8,
        ("Abdi", "Mohamed", "Abdirahman", "Ahmed", "Yusuf", "Hassan"),
        ("Amina", "Fadumo", "Hodan", "Asha"),
        ("Abdullahi", "Hassan", "Ali", "Mohamud", "Farah", "Warsame", "Jama"),
        "Somali",
        ((S.REFUGEE, 3), (S.SETTLED, 2), (S.ASYLUM_SEEKER, 1), (S.UNKNOWN, 1)),
        0.4,
    ),
    Origin(
        "Pakistani",
        1,
        (
            "Mohammed",
            "Imran",
            "Asif",
            "Tariq",
            "Bilal",
            "Usman",
            "Zeeshan",
            "Kamran",
            "Adnan",
            "Faisal",
            "Shahid",
            "Nadeem",
            "Waqas",
            "Sajid",
        ),
        ("Aisha", "Shabana", "Nazia", "Saima", "Sana", "Rubina", "Farzana", "Samina"),
        (
            "Khan",
            "Hussain",
            "Ahmed",
            "Iqbal",
            "Akhtar",
            "Malik",
            "Butt",
            "Raza",
            "Mahmood",
            "Shah",
            "Javed",
            "Rashid",
            "Aslam",
            "Riaz",
            "Anwar",
            "Chaudhry",
        ),
        "Urdu",
        ((S.LIMITED_LEAVE, 2), (S.SETTLED, 2), (S.NO_STATUS, 1), (S.UNKNOWN, 1)),
        0.3,
    ),
    Origin(
        "Portuguese",
        0.7,
        ("João", "Carlos", "Miguel", "Rui", "Paulo", "Nuno"),
        ("Ana", "Catarina", "Sofia"),
        ("Pereira Santos", "Da Silva", "Ferreira Costa", "Oliveira", "Rodrigues Alves", "Gomes", "Martins"),
        "Portuguese",
        EU,
        0.3,
        locale="pt_PT",
    ),
    # Not recorded: the worker did not ask or was not told.
    Origin("", 6, statuses=((S.UNKNOWN, 1),)),
]
ORIGIN_WEIGHTS = [origin.weight for origin in ORIGINS]
# Whether they can get help from public funds follows mostly from the status.
NRPF = {
    S.BRITISH_IRISH: (0.0, 0.02),  # (chance of NRPF, chance of "not known")
    S.SETTLED: (0.0, 0.1),
    S.PRE_SETTLED: (0.35, 0.25),
    S.REFUGEE: (0.0, 0.1),
    S.ASYLUM_SEEKER: (0.9, 0.05),
    S.LIMITED_LEAVE: (0.8, 0.1),
    S.NO_STATUS: (0.95, 0.05),
    S.UNKNOWN: (0.1, 0.8),
}

# Gender as they describe it; a worker often writes "Male" or "Female".
MEN = [("Man", 55), ("Male", 35), ("Trans man", 1.5), ("", 8)]
WOMEN = [("Woman", 55), ("Female", 35), ("Trans woman", 1.5), ("", 8)]
OTHER_GENDERS = [("Non-binary", 5), ("Genderfluid", 1), ("Prefers not to say", 2)]
PRONOUNS = {"man": "he/him", "woman": "she/her", "other": "they/them"}

SAFE_CONTACT = [
    "Text only, do not leave voicemails",
    "Leave a message with hostel reception",
    "Via their key worker at the day centre",
    "Phone after 6pm only; phone is shared",
    "Mornings at the drop-in, Tuesdays and Thursdays",
    "Through their GP surgery",
    "Email only: phone is often out of credit",
    "Via their probation officer",
]
SAFE_CONTACT_RESTRICTED = [
    "Only through refuge staff. Do not contact at the previous address",
    "Via the refuge office phone; never name the refuge in a message",
    "Through the IDVA only. Perpetrator may monitor their phone",
]
STREETS = [
    "Church Street", "Victoria Road", "Station Road", "Mill Lane", "Park Avenue", "Grange Road", "Oldham Road",
    "Stockport Road", "Rochdale Road", "Chapel Street", "Hyde Road", "Wilmslow Road", "Ashton Old Road",
    "Bury New Road", "Moss Lane", "Princess Road", "Langworthy Road", "King Street", "Queens Road", "Cross Lane",
    "Albert Road", "Beech Grove", "Elm Close", "Hawthorn Way", "Willow Court", "Brook Street", "New Street",
]  # fmt: skip
POSTCODE_AREAS = {
    "Greater Manchester": ["M1", "M4", "M8", "M11", "M13", "M14", "M15", "M16", "M40", "M6", "M30", "SK4", "BL1"],
    "London": ["E1", "E2", "E15", "N1", "N7", "N17", "SE1", "SE5", "SE15", "SW2", "SW9", "W10", "NW1", "NW10"],
}
ADDRESS_KINDS = ["", "", "", "Flat {n}, ", "Room {n}, "]
OTHER_NAME_NOTES = ["maiden name", "previous married name", "street name", "alias", "another spelling", ""]

# --- ways a second record of the same person differs ------------------------------------------

# Formal names and the nicknames people give instead (both ways round).
NICKNAME_GROUPS = [
    ("Robert", "Bob", "Rob", "Bobby", "Robbie"),
    ("Elizabeth", "Liz", "Beth", "Lizzie", "Betty"),
    ("Mohammed", "Mo"),
    ("Mohammad", "Mo"),
    ("Muhammad", "Mo"),
    ("William", "Bill", "Will", "Billy"),
    ("James", "Jim", "Jimmy", "Jamie"),
    ("Michael", "Mick", "Mike", "Micky"),
    ("Margaret", "Maggie", "Peggy", "Meg"),
    ("Catherine", "Cath", "Kate", "Katie"),
    ("Katherine", "Kath", "Kate", "Katie"),
    ("Thomas", "Tom", "Tommy"),
    ("Richard", "Rich", "Dick", "Ricky"),
    ("Anthony", "Tony", "Ant"),
    ("Stephen", "Steve", "Stevie"),
    ("Steven", "Steve", "Stevie"),
    ("Christopher", "Chris", "Kit"),
    ("Daniel", "Dan", "Danny"),
    ("David", "Dave", "Davy"),
    ("Joseph", "Joe", "Joey"),
    ("Patrick", "Pat", "Paddy"),
    ("Alexander", "Alex", "Sandy"),
    ("Alexandra", "Alex", "Sandra"),
    ("Jennifer", "Jen", "Jenny"),
    ("Rebecca", "Becky", "Becca"),
    ("Samantha", "Sam", "Sammy"),
    ("Samuel", "Sam", "Sammy"),
    ("Susan", "Sue", "Suzy"),
    ("Deborah", "Debbie", "Deb"),
    ("Edward", "Ed", "Eddie", "Ted"),
    ("Andrew", "Andy", "Drew"),
    ("Matthew", "Matt"),
    ("Nicholas", "Nick", "Nicky"),
    ("Peter", "Pete"),
    ("Victoria", "Vicky", "Tori"),
    ("Kenneth", "Ken", "Kenny"),
    ("Charles", "Charlie", "Chas"),
    ("Gregory", "Greg"),
    ("Jonathan", "Jon", "Jonny"),
    ("Benjamin", "Ben", "Benny"),
    ("Timothy", "Tim", "Timmy"),
    ("Philip", "Phil"),
    ("Gerald", "Gerry"),
    ("Terence", "Terry"),
    ("Lawrence", "Larry", "Laurie"),
    ("Raymond", "Ray"),
    ("Ronald", "Ron", "Ronnie"),
    ("Donald", "Don", "Donny"),
    ("Frederick", "Fred", "Freddie"),
    ("Josephine", "Jo", "Josie"),
    ("Joanne", "Jo"),
    ("Jacqueline", "Jackie"),
    ("Kimberley", "Kim"),
    ("Pamela", "Pam"),
    ("Patricia", "Pat", "Trish"),
    ("Christine", "Chris", "Tina"),
    ("Abdullah", "Abdul"),
    ("Abdelrahman", "Abdul"),
    ("Abdirahman", "Abdi"),
    ("Oluwaseun", "Seun"),
    ("Adewale", "Wale"),
    ("Ikechukwu", "Ike"),
    ("Chiamaka", "Amaka"),
    ("Aleksander", "Olek"),
    ("Krzysztof", "Krzys"),
    ("Tomasz", "Tomek"),
    ("Katarzyna", "Kasia"),
    ("Małgorzata", "Gosia"),
]
NICKNAMES_OF: dict[str, list[str]] = {}
for group in NICKNAME_GROUPS:
    formal, *short = group
    NICKNAMES_OF.setdefault(formal, []).extend(short)
    for nick in short:
        NICKNAMES_OF.setdefault(nick, []).append(formal)

# Names spelt more than one way and said the same.
SPELLING_GROUPS = [
    ("Stephen", "Steven"),
    ("Catherine", "Katherine", "Kathryn", "Cathryn"),
    ("Sean", "Shaun", "Shawn"),
    ("Mohammed", "Muhammad", "Mohamed", "Mohammad", "Mohamad"),
    ("Ahmed", "Ahmad"),
    ("Jon", "John"),
    ("Philip", "Phillip"),
    ("Geoffrey", "Jeffrey", "Jeffery"),
    ("Clare", "Claire"),
    ("Ann", "Anne"),
    ("Sara", "Sarah"),
    ("Rachael", "Rachel"),
    ("Lee", "Leigh"),
    ("Alan", "Allan", "Allen"),
    ("Brian", "Bryan"),
    ("Neil", "Neal"),
    ("Carl", "Karl"),
    ("Mark", "Marc"),
    ("Louise", "Luise"),
    ("Zoe", "Zoey"),
    ("Debra", "Deborah"),
    ("Mathew", "Matthew"),
    ("Vicky", "Vikki", "Vicki"),
    ("Yusuf", "Yousef", "Yousif", "Yusef"),
    ("Osman", "Usman", "Othman"),
    ("Smith", "Smyth"),
    ("Thompson", "Thomson", "Tomson"),
    ("Davies", "Davis"),
    ("Phillips", "Philips"),
    ("Reid", "Reed", "Read"),
    ("Clark", "Clarke"),
    ("Brown", "Browne"),
    ("Matthews", "Mathews"),
    ("Macdonald", "McDonald", "MacDonald"),
    ("Stevens", "Stephens"),
    ("Gray", "Grey"),
    ("White", "Whyte"),
    ("Mohamed", "Mohammed", "Muhammed"),
    ("Nowak", "Novak"),
    ("Kowalski", "Kovalski"),
    ("Hussain", "Hussein", "Husain"),
    ("Nguyen", "Nguyễn"),
    ("O'Brien", "O Brien", "OBrien"),
    ("O'Neill", "O'Neil", "ONeill"),
]
SPELLINGS_OF: dict[str, list[str]] = {}
for group in SPELLING_GROUPS:
    for name in group:
        SPELLINGS_OF.setdefault(name, []).extend(other for other in group if other != name)
# Spelling rules for names not in the table: each turns a written form into one said the same.
SOUND_RULES = [
    ("ph", "f"),
    ("ck", "k"),
    ("ie", "y"),
    ("ey", "ie"),
    ("ll", "l"),
    ("tt", "t"),
    ("nn", "n"),
    ("ss", "s"),
    ("ou", "ow"),
    ("ee", "ea"),
    ("ai", "ay"),
    ("z", "s"),
    ("son", "sen"),
    ("ks", "x"),
    ("c", "k"),
    ("y", "i"),
]
# Keys near each other on a keyboard, for realistic slips.
NEIGHBOURS = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo",
    "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "r": "et", "s": "ad",
    "t": "ry", "u": "yi", "v": "cb", "w": "qe", "y": "tu", "z": "x",
}  # fmt: skip


def typo(name: str, rng: random.Random) -> str:
    """One slip of the keyboard: two letters swapped, one dropped, doubled or hit next to."""
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)  # the first letter is usually right
    how = rng.choice(["swap", "drop", "double", "neighbour"])
    if how == "swap" and name[i] != name[i + 1]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if how == "drop":
        return name[:i] + name[i + 1 :]
    if how == "double":
        return name[:i] + name[i] + name[i:]
    near = NEIGHBOURS.get(name[i].lower())
    if near:
        return name[:i] + rng.choice(near) + name[i + 1 :]
    return name[:i] + name[i + 1 :]


def sound_alike(name: str, rng: random.Random) -> str:
    """Another spelling said the same: from the table, else by one spelling rule."""
    if name in SPELLINGS_OF:
        return rng.choice(SPELLINGS_OF[name])
    lower = name.lower()
    rules = [(a, b) for a, b in SOUND_RULES if a in lower[1:]]
    if not rules:
        return name
    a, b = rng.choice(rules)
    at = lower.index(a, 1)
    changed = lower[:at] + b + lower[at + len(a) :]
    return changed[0].upper() + changed[1:]


@dataclass
class Seed:
    """What a second record is made from: the first record's details."""

    reference: str
    first_name: str
    last_name: str
    known_as: str
    date_of_birth: datetime.date | None
    precision: str
    gender: str
    pronouns: str
    nationality: str
    woman: bool
    service_id: int
    estimated_age: int | None = None
    age_estimated_on: datetime.date | None = None


@dataclass
class Variant:
    """The second record's name and date of birth, and what differs from the first."""

    first_name: str
    last_name: str
    known_as: str
    date_of_birth: datetime.date | None
    precision: str
    kinds: list[str] = field(default_factory=list)


# The primary ways a second record differs, with how often each is seeded.
VARIATIONS = {
    "typo": 20,
    "phonetic": 15,
    "nickname": 15,
    "double_surname": 10,
    "day_month_swapped": 10,
    "dob_missing": 10,
    "dob_year_only": 10,
    "known_as_only": 10,
}
# Kinds that fit almost anyone; the others choose first.
PLENTIFUL = {"typo", "phonetic", "known_as_only", "dob_missing"}


def vary(seed: Seed, kind: str, rng: random.Random) -> Variant | None:
    """The second record of `seed` differing by `kind`, or None when `kind` cannot apply to it."""
    v = Variant(seed.first_name, seed.last_name, seed.known_as, seed.date_of_birth, seed.precision, [kind])
    exact = seed.precision == BirthDatePrecision.EXACT and seed.date_of_birth is not None
    if kind == "typo":
        if rng.random() < 0.55 and len(seed.last_name) >= 4:
            v.last_name = typo(seed.last_name, rng)
        else:
            v.first_name = typo(seed.first_name, rng)
    elif kind == "phonetic":
        if rng.random() < 0.5 and sound_alike(seed.last_name, rng) != seed.last_name:
            v.last_name = sound_alike(seed.last_name, rng)
        else:
            v.first_name = sound_alike(seed.first_name, rng)
    elif kind == "nickname":
        if seed.first_name not in NICKNAMES_OF:
            return None
        v.first_name = rng.choice(NICKNAMES_OF[seed.first_name])
    elif kind == "double_surname":
        parts = seed.last_name.replace("-", " ").split()
        if len(parts) < 2:
            return None
        how = rng.random()
        if how < 0.6:
            v.last_name = rng.choice(parts)
        elif how < 0.8:
            v.last_name = " ".join(parts) if "-" in seed.last_name else "-".join(parts)
        else:
            v.last_name = "-".join(reversed(parts))
    elif kind == "day_month_swapped":
        dob = seed.date_of_birth
        if not exact or dob is None or dob.day > 12 or dob.day == dob.month:
            return None
        v.date_of_birth = dob.replace(day=dob.month, month=dob.day)
    elif kind == "dob_missing":
        if seed.date_of_birth is None:
            return None
        v.date_of_birth, v.precision = None, BirthDatePrecision.UNKNOWN
    elif kind == "dob_year_only":
        if not exact or seed.date_of_birth is None:
            return None
        v.date_of_birth, v.precision = seed.date_of_birth.replace(month=1, day=1), BirthDatePrecision.YEAR
    elif kind == "known_as_only":
        name = seed.known_as or rng.choice(NICKNAMES_OF.get(seed.first_name, [seed.first_name]))
        v.first_name, v.known_as = "", name
    if (v.first_name, v.last_name, v.known_as, v.date_of_birth) == (
        seed.first_name,
        seed.last_name,
        seed.known_as,
        seed.date_of_birth,
    ):
        return None
    # A second service often has a worse date of birth as well as a different name.
    if kind in {"typo", "phonetic", "nickname", "double_surname"} and seed.date_of_birth and rng.random() < 0.25:
        if rng.random() < 0.5:
            v.date_of_birth, v.precision = None, BirthDatePrecision.UNKNOWN
            v.kinds.append("dob_missing")
        elif exact:
            v.date_of_birth, v.precision = seed.date_of_birth.replace(month=1, day=1), BirthDatePrecision.YEAR
            v.kinds.append("dob_year_only")
    return v


# --- building ---------------------------------------------------------------------------------


def references(seed: int, taken: set[str] | frozenset[str] = frozenset()) -> Iterator[str]:
    """Unique references in a seeded, scrambled order; skips any already taken.

    An affine map then xorshift-multiply rounds, all bijections on 25 bits,
    so index i → reference is one-to-one and needs no memory.
    """
    mixer = stable_seed(seed, "people.references")
    a, b, c = (mixer | 1) & _MASK, (mixer >> 25) & _MASK, ((mixer >> 50) | 1) & _MASK
    for i in range(REFERENCE_SPACE):
        x = (a * i + b) & _MASK
        x ^= x >> 13
        x = (x * c) & _MASK
        x ^= x >> 11
        chars = []
        for _ in range(REFERENCE_DIGITS):
            x, digit = divmod(x, len(REFERENCE_ALPHABET))
            chars.append(REFERENCE_ALPHABET[digit])
        reference = "WM-" + "".join(chars)
        if reference not in taken:
            yield reference


def name_pool(values: Iterator[str], size: int) -> list[str]:
    """Distinct values in the order first seen: a seeded pool to draw from quickly."""
    pool: dict[str, None] = {}
    for value in values:
        pool.setdefault(value, None)
        if len(pool) >= size:
            break
    return list(pool)


# The share of names drawn from an origin's common names rather than the wider pool:
# real names are many, but the common ones are common.
COMMON_SHARE = 0.5
# The share of British names drawn from Faker's en_GB pools (the most common in Britain);
# the rest come from wider English-language pools, for the long tail.
BRITISH_COMMON_SHARE = 0.6
WIDE_POOL = 1500


def feminine(surname: str, language: str) -> str:
    """A surname's feminine form: Polish Kowalski becomes Kowalska, Lithuanian Kazlauskas
    the married Kazlauskienė; others stay as they are."""
    if language == "pl" and surname.endswith(("ski", "cki", "dzki")):
        return surname[:-1] + "a"
    if language == "lt" and surname.endswith(("as", "is", "ys", "us")):
        return surname[:-2] + "ienė"
    return surname


@dataclass
class Names:
    """The first names and surnames of one origin: common ones, and a wider pool drawn from a
    Faker locale so that, as in life, most people do not share their full name with another."""

    common: tuple[list[str], list[str], list[str]]  # men, women, surnames
    wide: tuple[list[str], list[str], list[str], list[str]]  # men, women, men's and women's surnames
    common_share: float
    feminine: str = ""

    @classmethod
    def of(cls, ctx: DemoContext, origin: Origin) -> Names:
        """Pools for `origin`, seeded from the run (drawing from pools is far faster than a
        Faker call per person)."""
        if origin.nationality == "British":
            gb = ctx.faker("people.names.en_GB")
            wide = [ctx.faker(f"people.names.{locale}", locale) for locale in ("en_US", "en_IE")]
            common = (
                name_pool((gb.first_name_male() for _ in range(5000)), 400),
                name_pool((gb.first_name_female() for _ in range(5000)), 400),
                name_pool((gb.last_name() for _ in range(5000)), 500),
            )
            men = name_pool((f.first_name_male() for f in wide for _ in range(3000)), WIDE_POOL)
            women = name_pool((f.first_name_female() for f in wide for _ in range(3000)), WIDE_POOL)
            last = name_pool((f.last_name() for f in wide for _ in range(5000)), 3 * WIDE_POOL)
            return cls(common, (men, women, last, last), BRITISH_COMMON_SHARE)
        common = (list(origin.men), list(origin.women), list(origin.surnames))
        if origin.nationality in MORE_NAMES:
            men, women, last = (list(names) for names in MORE_NAMES[origin.nationality])
            return cls(common, (men, women, last, last), COMMON_SHARE, origin.feminine)
        if not origin.locale:
            return cls(common, ([], [], [], []), 1.0, origin.feminine)
        fake = ctx.faker(f"people.names.{origin.locale}", origin.locale)
        wide = (
            name_pool((fake.first_name_male() for _ in range(3000)), WIDE_POOL),
            name_pool((fake.first_name_female() for _ in range(3000)), WIDE_POOL),
            name_pool((fake.last_name_male() for _ in range(5000)), WIDE_POOL),
            name_pool((fake.last_name_female() for _ in range(5000)), WIDE_POOL),
        )
        return cls(common, wide, COMMON_SHARE, origin.feminine)

    def first_name(self, rng: random.Random, woman: bool) -> str:
        """A first name: from the common ones most of the time, or the wider pool."""
        common, wide = self.common[1 if woman else 0], self.wide[1 if woman else 0]
        return self._draw(rng, common, wide)

    def surname(self, rng: random.Random, woman: bool) -> str:
        """A surname, in its feminine form for a woman where the language has one."""
        common, wide = self.common[2], self.wide[3 if woman else 2]
        name = self._draw(rng, common, wide)
        return feminine(name, self.feminine) if woman else name

    def _draw(self, rng: random.Random, common: list[str], wide: list[str]) -> str:
        if common and (not wide or rng.random() < self.common_share):
            return rng.choice(common)
        return rng.choice(wide) if wide else ""


def weighted(rng: random.Random, pairs: list[tuple[str, float]] | tuple[tuple[str, float], ...]) -> str:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


class Details:
    """Fills in the optional details of a person, as workers record them."""

    def __init__(self, ctx: DemoContext, rng: random.Random, districts: list[int]) -> None:
        self.rng = rng
        self.today = timezone.localdate()
        self.districts = districts
        # The first districts are the big cities: most local connections are there.
        self.district_weights = [1 / (i + 1) ** 0.6 for i in range(len(districts))]
        postcodes = POSTCODE_AREAS.get(ctx.scale.area, ["NE1", "LS2", "B12", "S3", "NG7", "L8", "BS5", "CV1"])
        self.addresses = [
            f"{rng.choice(ADDRESS_KINDS).format(n=rng.randrange(1, 40))}{rng.randrange(1, 300)}"
            f"{'a' if rng.random() < 0.05 else ''} "
            f"{rng.choice(STREETS)}, {rng.choice(postcodes)} {rng.randrange(1, 10)}"
            f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            for _ in range(2000)
        ]

    def birth(self, person: Person) -> None:
        """A date of birth as precise as the person gave it."""
        rng = self.rng
        age_days = int(rng.triangular(18, 75, 36) * 365.25)
        dob = self.today - datetime.timedelta(days=age_days)
        roll = rng.random()
        if roll < 0.64:
            person.date_of_birth, person.birth_date_precision = dob, BirthDatePrecision.EXACT
        elif roll < 0.70:
            person.date_of_birth, person.birth_date_precision = dob.replace(day=1), BirthDatePrecision.MONTH
        elif roll < 0.78:
            person.date_of_birth, person.birth_date_precision = dob.replace(month=1, day=1), BirthDatePrecision.YEAR
        elif roll < 0.88:
            self.estimate(person, age_days)
        else:
            person.birth_date_precision = BirthDatePrecision.UNKNOWN

    def estimate(self, person: Person, age_days: int) -> None:
        """An age a worker guessed on a day in the last three years, rounded as people guess."""
        rng = self.rng
        on = self.today - datetime.timedelta(days=rng.randrange(0, 3 * 365))
        age = (age_days - (self.today - on).days) / 365.25 + rng.gauss(0, 4)
        person.estimated_age = max(16, int(round(age / 5) * 5 if rng.random() < 0.6 else round(age)))
        person.age_estimated_on = on
        person.birth_date_precision = BirthDatePrecision.ESTIMATED

    def identity(self, person: Person, woman: bool, origin: Origin) -> None:
        """Gender, pronouns, nationality, status, languages."""
        rng = self.rng
        if rng.random() < 0.012:
            person.gender, pronouns = weighted(rng, OTHER_GENDERS), PRONOUNS["other"]
        else:
            person.gender = weighted(rng, WOMEN if woman else MEN)
            pronouns = PRONOUNS["woman" if woman else "man"]
        if rng.random() < 0.55:
            person.pronouns = pronouns
        person.nationality = origin.nationality
        person.immigration_status = weighted(rng, origin.statuses)
        nrpf, unknown = NRPF[ImmigrationStatus(person.immigration_status)]
        roll = rng.random()
        person.no_recourse_to_public_funds = None if roll < unknown else roll < unknown + nrpf * (1 - unknown)
        if origin.language != "English":
            if rng.random() < 0.8:
                person.languages = origin.language + rng.choice(["", ", some English", ", English"])
            person.interpreter_needed = rng.random() < origin.interpreter
        elif rng.random() < 0.5:
            person.languages = "English"

    def contact(self, person: Person, restricted: bool, fake_phone: str) -> None:
        """Phone, email, safe contact, last settled address and local connection, for some."""
        rng = self.rng
        if rng.random() < 0.45:
            person.phone = fake_phone
        if rng.random() < 0.14 and person.first_name and person.last_name:
            local = f"{person.first_name}.{person.last_name}".lower().replace(" ", "").replace("'", "")
            local = local.encode("ascii", "ignore").decode() or "contact"
            person.email = f"{local}{rng.randrange(1, 99)}@example.com"
        if restricted:
            person.safe_contact = rng.choice(SAFE_CONTACT_RESTRICTED)
        elif rng.random() < 0.12:
            person.safe_contact = rng.choice(SAFE_CONTACT)
        if rng.random() < 0.4:
            person.last_settled_address = rng.choice(self.addresses)
        if self.districts and rng.random() < 0.7:
            person.local_connection_id = rng.choices(self.districts, weights=self.district_weights)[0]


def build_people(ctx: DemoContext) -> None:
    """People at the scale's count, each registered by one of the area's services; a share of
    them a second time by another service, as a near-duplicate."""
    rng = ctx.random("people.people")
    services = list(
        Service.objects.filter(organisation__area=ctx.area)
        .order_by("pk")
        .values_list("pk", "name", "kind", "restricted", "hidden_work")
    )
    weights = [
        (1.5 if hidden else REGISTERS[ServiceKind(kind)]) * FEATURED.get(name, 1)
        for _, name, kind, _, hidden in services
    ]
    restriction_of = {
        pk: Restriction.HIDDEN if hidden else Restriction.PROTECTED if restricted else Restriction.NONE
        for pk, _, _, restricted, hidden in services
    }
    women_only = {pk for pk, _, kind, _, _ in services if kind == ServiceKind.REFUGE}
    mostly_women = {pk for pk, *_, hidden in services if hidden}
    # Only street-facing services meet people before they give a name.
    street = {pk for pk, _, kind, _, _ in services if kind in (ServiceKind.OUTREACH, ServiceKind.DROP_IN)}
    # Second records come from open-door services, where the duplicate check shows the first.
    ordinary = [pk for pk, *_ in services if restriction_of[pk] == Restriction.NONE]
    districts = list(District.objects.filter(area=ctx.area).order_by("pk").values_list("pk", flat=True))
    british = Names.of(ctx, ORIGINS[0])
    # People of another origin or none recorded without names of their own take British ones.
    names = {o.nationality: Names.of(ctx, o) if o.men else british for o in ORIGINS}
    surnames = british.common[2]  # for other names used and double-barrelled surnames
    phones = [f"07{rng.randrange(100, 1000)} {rng.randrange(100000, 1000000)}" for _ in range(5000)]
    taken = set(Person.objects.values_list("reference", flat=True)) if Person.objects.exists() else set()
    refs = references(ctx.seed, taken)
    details = Details(ctx, rng, districts)
    count = ctx.scale.people
    duplicates = max(NEAR_DUPLICATE_MIN, round(count * NEAR_DUPLICATE_SHARE))
    firsts = count - duplicates
    # People to copy: drawn as the first records are made, three times as many as needed
    # because not every variation fits every person.
    seeds: list[Seed] = []
    seed_chance = min(1.0, 3 * duplicates / firsts)
    other_names: list[tuple[str, str, str, str]] = []  # (reference, first, last, note)

    def surname(origin: Origin, woman: bool) -> str:
        name = names[origin.nationality].surname(rng, woman)
        if not origin.surnames and rng.random() < 0.04:  # a double-barrelled surname
            name = f"{name}-{rng.choice(surnames)}" if rng.random() < 0.7 else f"{name} {rng.choice(surnames)}"
        return name

    def first_records() -> Iterator[Person]:
        for service_id in rng.choices([pk for pk, *_ in services], weights=weights, k=firsts):
            woman = service_id in women_only or rng.random() < (0.8 if service_id in mostly_women else 0.28)
            restriction = restriction_of[service_id]
            person = Person(
                reference=next(refs),
                public_id=ctx.uuid(rng),
                restriction=restriction,
                registered_by_service_id=service_id,
                area_id=ctx.area.pk,
            )
            origin = rng.choices(ORIGINS, weights=ORIGIN_WEIGHTS)[0]
            if service_id in street and rng.random() < 0.15:
                # Not yet identified: outreach records a description until a name is given.
                age = rng.randrange(20, 66)
                person.description = f"{'Woman' if woman else 'Man'}, {age // 10 * 10}s, {rng.choice(DESCRIPTIONS)}"
                if rng.random() < 0.6:
                    details.estimate(person, int(age * 365.25))
                person.gender = "Woman" if woman else "Man"
                yield person
                continue
            person.first_name = names[origin.nationality].first_name(rng, woman)
            person.last_name = surname(origin, woman)
            if rng.random() < 0.08 and not woman:
                person.known_as = rng.choice(NICKNAMES)
            elif rng.random() < 0.1 and person.first_name in NICKNAMES_OF:
                person.known_as = rng.choice(NICKNAMES_OF[person.first_name])
            details.birth(person)
            details.identity(person, woman, origin)
            details.contact(person, restriction != Restriction.NONE, rng.choice(phones))
            roll = rng.random()
            if roll < 0.09:
                # Another name they have used: a maiden name, an alias, another spelling.
                note = rng.choice(OTHER_NAME_NOTES)
                if note in {"maiden name", "previous married name"}:
                    other = (person.first_name, surname(origin, woman))
                elif note == "another spelling":
                    other = (sound_alike(person.first_name, rng), person.last_name)
                else:
                    other = (names[origin.nationality].first_name(rng, woman), rng.choice(surnames))
                other_names.append((person.reference, *other, note))
                if roll < 0.012:
                    alias = names[origin.nationality].first_name(rng, woman)
                    other_names.append((person.reference, alias, person.last_name, "alias"))
            if restriction == Restriction.NONE and rng.random() < seed_chance:
                seeds.append(
                    Seed(
                        person.reference,
                        person.first_name,
                        person.last_name,
                        person.known_as,
                        person.date_of_birth,
                        person.birth_date_precision,
                        person.gender,
                        person.pronouns,
                        person.nationality,
                        woman,
                        service_id,
                        person.estimated_age,
                        person.age_estimated_on,
                    )
                )
            yield person

    def variants() -> list[tuple[Seed, Variant]]:
        """Each variation its share of the second records: the scarce kinds (a double surname,
        a nickname) pick first from the people they can apply to; typos make up any shortfall."""
        rng.shuffle(seeds)
        total_weight = sum(VARIATIONS.values())
        quota = {kind: round(duplicates * weight / total_weight) for kind, weight in VARIATIONS.items()}
        chosen: list[tuple[Seed, Variant]] = []
        used: set[str] = set()
        for kind in [*sorted(VARIATIONS, key=lambda k: (k in PLENTIFUL, k)), "typo"]:
            want = duplicates - len(chosen) if kind == "typo" else quota[kind]
            for seed in seeds:
                if want <= 0 or len(chosen) >= duplicates:
                    break
                if seed.reference in used:
                    continue
                variant = vary(seed, kind, rng)
                if variant:
                    chosen.append((seed, variant))
                    used.add(seed.reference)
                    want -= 1
        rng.shuffle(chosen)
        return chosen

    def second_records() -> Iterator[Person]:
        for seed, variant in variants():
            service_id = rng.choice([pk for pk in ordinary if pk != seed.service_id] or ordinary)
            person = Person(
                reference=next(refs),
                public_id=ctx.uuid(rng),
                restriction=Restriction.NONE,
                registered_by_service_id=service_id,
                area_id=ctx.area.pk,
                first_name=variant.first_name,
                last_name=variant.last_name,
                known_as=variant.known_as,
                date_of_birth=variant.date_of_birth,
                birth_date_precision=variant.precision,
                # What the second service asked about differs; identity mostly holds.
                gender=seed.gender if rng.random() < 0.8 else "",
                pronouns=seed.pronouns if rng.random() < 0.5 else "",
                nationality=seed.nationality if rng.random() < 0.7 else "",
            )
            if variant.precision == BirthDatePrecision.ESTIMATED:
                # The same guess would not be made twice: another worker's estimate.
                person.estimated_age = max(16, (seed.estimated_age or 40) + rng.choice((-5, -2, 0, 0, 3, 5)))
                person.age_estimated_on = details.today - datetime.timedelta(days=rng.randrange(0, 365))
            elif person.date_of_birth is None and rng.random() < 0.5 and seed.date_of_birth:
                details.estimate(person, (details.today - seed.date_of_birth).days)
            details.contact(person, False, rng.choice(phones))
            ctx.near_duplicates.append(
                {
                    "original": seed.reference,
                    "duplicate": person.reference,
                    "variations": variant.kinds,
                    "original_name": " ".join(p for p in (seed.first_name, seed.last_name) if p),
                    "duplicate_name": person.display_name,
                }
            )
            yield person

    ctx.bulk_create(Person, first_records(), total=firsts, desc="people")
    ctx.bulk_create(Person, second_records(), total=duplicates, desc="near-duplicates")

    pk_of: dict[str, int] = {}
    for chunk in batched(sorted({reference for reference, *_ in other_names}), 2000):
        pk_of.update(Person.objects.filter(reference__in=chunk).values_list("reference", "pk"))
    ctx.bulk_create(
        OtherName,
        (
            OtherName(person_id=pk_of[reference], first_name=first, last_name=last, note=note, public_id=ctx.uuid(rng))
            for reference, first, last, note in other_names
        ),
        total=len(other_names),
        desc="other names",
    )


def build_match_keys(ctx: DemoContext) -> None:
    """The duplicate check's blocking keys for every person, from `people.matching`."""
    from waymark.people.matching import keys_for_person

    people = Person.objects.filter(area=ctx.area).order_by("pk")
    total = people.count()
    area_id = ctx.area.pk

    def rows() -> Iterator[tuple[int, int, str]]:
        for chunk in batched(people.iterator(chunk_size=ctx.batch_size), ctx.batch_size):
            names: dict[int, list[OtherName]] = {}
            for other in OtherName.objects.filter(person_id__in=[p.pk for p in chunk]).order_by("pk"):
                names.setdefault(other.person_id, []).append(other)
            for person in chunk:
                for key in sorted(set(keys_for_person(person, names.get(person.pk, [])))):
                    yield person.pk, area_id, key

    ctx.insert_rows(MatchKey, ["person_id", "area_id", "key"], rows(), desc=f"match keys of {total:,} people")


STEPS = [
    Step("people.people", 30, build_people, "People registered by the area's services, and near-duplicates"),
    Step("people.match_keys", 35, build_match_keys, "Blocking keys for the duplicate check"),
]
