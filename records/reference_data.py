"""Reference data: Vietnamese name statistics and place names, loaded once and typed.

Two users need them: the sample-scan generator (to draw realistic names and birthplaces) and OCR
validation (to ask "is this token a known surname / given name?").  So the loaders return plain
token -> count tables rather than anything generator-specific.

Sources (see ``records/data/names/README.md`` and ``records/data/places/README.md``):
- name counts from the national exam lists of 2016–2017, with a ``born_1950_1990`` restriction
  that is the closest proxy for people who sat exams in 1975–2005 (preferred where present);
- the GSO unit lists 2004–2021 of Bà Rịa–Vũng Tàu;
- a curated list, typed in below, of the 1975–2005 place names that those lists do not cover.
  Every entry of ``HISTORICAL_PLACES`` comes from DOMAIN.md §2 (or, for the pre-1975 and
  post-1975 provinces of origin, from common knowledge of the era); the dates are unverified.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from importlib.abc import Traversable


def _data(*parts: str) -> Traversable:
    node = resources.files("records").joinpath("data")
    for part in parts:
        node = node.joinpath(part)
    return node


def _read_tsv(*parts: str) -> list[dict[str, str]]:
    with _data(*parts).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


# ---------------------------------------------------------------------------------------------
# Names


class NamePeriod(StrEnum):
    """Which population the counts describe."""

    BORN_1950_1990 = "born_1950_1990"  # older free candidates: closest to the 1975–2005 sheets
    ALL_2016_2017 = "all_2016_2017"  # every candidate of 2016–2017


@dataclass(frozen=True)
class GivenNameCounts:
    """How often a given name occurs, and how often with each sex (2016 lists only)."""

    count: int
    male: int
    female: int

    @property
    def female_share(self) -> float | None:
        """Share of women among the rows whose sex is known; None when none is known."""
        known = self.male + self.female
        return self.female / known if known else None


@dataclass(frozen=True)
class NameStatistics:
    """Token tables in UPPER CASE NFC, as in the source lists.

    ``middles`` maps a whole middle part ("THỊ THU") to its count; ``token_counts`` maps the
    number of tokens of a full name (2, 3, 4 ...) to its count.
    """

    period: NamePeriod
    surnames: dict[str, int]
    middles: dict[str, int]
    given: dict[str, GivenNameCounts]
    token_counts: dict[int, int]

    def syllables(self) -> Iterator[tuple[str, int]]:
        """Every syllable of the tables with its count: surnames, each syllable of the middle
        parts, given names (a syllable may come more than once, from different tables)."""
        yield from self.surnames.items()
        for part, count in self.middles.items():
            for token in part.split():
                yield token, count
        for name, counts in self.given.items():
            yield name, counts.count

    def is_surname(self, token: str) -> bool:
        return token.upper() in self.surnames

    def is_given_name(self, token: str) -> bool:
        return token.upper() in self.given

    def is_middle_token(self, token: str) -> bool:
        return token.upper() in _middle_tokens(self.period)


def _given_counts(rows: list[dict[str, str]]) -> dict[str, GivenNameCounts]:
    out: dict[str, GivenNameCounts] = {}
    for row in rows:
        # the full file names its sex columns count_nam_2016 / count_nu_2016, the born_1950_1990
        # file nam_2016 / nu_2016
        male = row.get("count_nam_2016", row.get("nam_2016", "0")) or "0"
        female = row.get("count_nu_2016", row.get("nu_2016", "0")) or "0"
        out[row["given_name"]] = GivenNameCounts(int(row["count"]), int(male), int(female))
    return out


def _has(*parts: str) -> bool:
    return _data(*parts).is_file()


@cache
def name_statistics(period: NamePeriod = NamePeriod.BORN_1950_1990) -> NameStatistics:
    """Load the name tables of ``period``; a table missing for that period falls back to the
    full 2016–2017 one (there is no born_1950_1990 middle-part table)."""

    def pick(stem: str) -> str:
        if period is NamePeriod.BORN_1950_1990 and _has("names", f"born_1950_1990_{stem}"):
            return f"born_1950_1990_{stem}"
        return stem

    surnames = {
        r["surname"]: int(r["count"]) for r in _read_tsv("names", pick("surname_counts.tsv"))
    }
    given = _given_counts(_read_tsv("names", pick("given_name_counts.tsv")))
    middles = {
        r["middle_part"]: int(r["count"])
        for r in _read_tsv("names", "middle_name_counts_top2000.tsv")
    }
    with _data("names", "name_statistics_2016_2017.json").open(encoding="utf-8") as handle:
        summary = json.load(handle)
    token_counts = {int(k): int(v) for k, v in summary["name_token_count_distribution"].items()}
    return NameStatistics(period, surnames, middles, given, token_counts)


@cache
def _middle_tokens(period: NamePeriod) -> frozenset[str]:
    stats = name_statistics(period)
    return frozenset(t for part in stats.middles for t in part.split(" "))


# ---------------------------------------------------------------------------------------------
# Places


@dataclass(frozen=True)
class PlaceUnit:
    """One administrative unit of Bà Rịa–Vũng Tàu in the GSO lists 2004–2021."""

    level: int  # 1 province, 2 district, 3 commune
    gso_path: str
    parents: tuple[str, ...]  # latest names of the parent units, province first
    names: tuple[str, ...]  # names over time, oldest first ("Thị xã Bà Rịa", "Thành phố Bà Rịa")
    status: str  # "", "Moved" or "Deleted"

    @property
    def name(self) -> str:
        """The latest name."""
        return self.names[-1]


_UNIT_PREFIXES = (
    "Thành phố ",
    "Thị xã ",
    "Thị trấn ",
    "Huyện ",
    "Tỉnh ",
    "Phường ",
    "Xã ",
)


def short_place_name(name: str) -> str:
    """Drop the unit type as sheets usually do: "Huyện Long Điền" -> "Long Điền".

    Numbered wards keep their type ("Phường 7"): the number alone is no place name.
    """
    for prefix in _UNIT_PREFIXES:
        if name.startswith(prefix):
            rest = name[len(prefix) :]
            return name if rest.isdigit() else rest
    return name


@cache
def brvt_units() -> tuple[PlaceUnit, ...]:
    """All units of Bà Rịa–Vũng Tàu seen in the GSO lists 2004–2021."""
    units: list[PlaceUnit] = []
    with _data("places", "bariavungtau_units_2004_2021.tsv").open(encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader)
        for row in reader:
            if not row or not row[0].strip():
                continue
            row = [*row, "", "", "", "", ""][:5]
            level, path, parents, names, status = row
            units.append(
                PlaceUnit(
                    level=int(level),
                    gso_path=path,
                    parents=tuple(p.strip() for p in parents.split("|") if p.strip()),
                    names=tuple(n.strip() for n in names.split("||") if n.strip()),
                    status=status.strip(),
                )
            )
    return tuple(units)


@cache
def provinces_2004_2021() -> tuple[tuple[str, ...], ...]:
    """Province-level names 2004–2021, each with its names over time (oldest first)."""
    text = _data("places", "provinces_2004_2021.txt").read_text(encoding="utf-8")
    return tuple(
        tuple(n.strip() for n in line.split("||") if n.strip())
        for line in text.splitlines()
        if line.strip()
    )


class PlaceKind(StrEnum):
    PROVINCE = "province"
    DISTRICT = "district"
    SPECIAL_ZONE = "special_zone"  # đặc khu
    TOWN = "town"


@dataclass(frozen=True)
class HistoricalPlace:
    """A place name as written in 1956–2005, with the years it was in official use.

    ``local`` marks units of today's Bà Rịa–Vũng Tàu area (births there are the common case).
    """

    name: str
    kind: PlaceKind
    valid_from: int
    valid_to: int  # last year in use (inclusive)
    local: bool
    note: str = ""

    def valid_in(self, year: int) -> bool:
        return self.valid_from <= year <= self.valid_to


# From DOMAIN.md §2 (unverified history: configuration-like data, kept in one place).
_P, _D, _Z, _T = PlaceKind.PROVINCE, PlaceKind.DISTRICT, PlaceKind.SPECIAL_ZONE, PlaceKind.TOWN
HISTORICAL_PLACES: tuple[HistoricalPlace, ...] = (
    # the area itself
    HistoricalPlace("Phước Tuy", _P, 1956, 1975, True, "Bà Rịa area before 1975"),
    HistoricalPlace("Bà Rịa", _T, 1956, 2005, True, "town; written at every date"),
    HistoricalPlace("Long Điền", _D, 1956, 1978, True, "district before Long Đất; again 2003"),
    HistoricalPlace("Long Điền", _D, 2003, 2005, True, "split from Long Đất 2003"),
    HistoricalPlace("Đất Đỏ", _D, 1956, 1978, True, "district before Long Đất; again 2003"),
    HistoricalPlace("Đất Đỏ", _D, 2003, 2005, True, "split from Long Đất 2003"),
    HistoricalPlace("Xuyên Mộc", _D, 1956, 2005, True),
    HistoricalPlace("Đồng Nai", _P, 1976, 2005, False, "Bà Rịa area was in Đồng Nai 1976–1991"),
    HistoricalPlace("Châu Thành", _D, 1976, 1994, True, "in Đồng Nai until 1991; split 1994"),
    HistoricalPlace("Long Đất", _D, 1978, 2003, True, "from Long Điền and Đất Đỏ; split 2003"),
    HistoricalPlace("Vũng Tàu", _T, 1956, 2005, True),
    HistoricalPlace("Côn Đảo", _D, 1956, 2005, True, "in Hậu Giang 1976–1979"),
    HistoricalPlace("Long Sơn", _T, 1956, 2005, True),
    HistoricalPlace("Vũng Tàu - Côn Đảo", _Z, 1979, 1991, True, "Đặc khu 30/5/1979–12/8/1991"),
    HistoricalPlace("Bà Rịa - Vũng Tàu", _P, 1991, 2005, True, "province from 12/8/1991"),
    HistoricalPlace("Châu Đức", _D, 1994, 2005, True, "from Châu Thành 1994"),
    HistoricalPlace("Tân Thành", _D, 1994, 2005, True, "from Châu Thành 1994"),
    # provinces of 1975/76–2003 that no longer exist (DOMAIN.md §2)
    HistoricalPlace("Nghĩa Bình", _P, 1976, 1989, False),
    HistoricalPlace("Phú Khánh", _P, 1976, 1989, False),
    HistoricalPlace("Thuận Hải", _P, 1976, 1991, False),
    HistoricalPlace("Hậu Giang", _P, 1976, 1991, False),
    HistoricalPlace("Cửu Long", _P, 1976, 1991, False),
    HistoricalPlace("Minh Hải", _P, 1976, 1996, False),
    HistoricalPlace("Sông Bé", _P, 1976, 1996, False),
    HistoricalPlace("Hà Nam Ninh", _P, 1975, 1991, False),
    HistoricalPlace("Hải Hưng", _P, 1968, 1996, False),
    HistoricalPlace("Hà Bắc", _P, 1962, 1996, False),
    HistoricalPlace("Nghệ Tĩnh", _P, 1976, 1991, False),
    HistoricalPlace("Bình Trị Thiên", _P, 1976, 1989, False),
    HistoricalPlace("Hà Sơn Bình", _P, 1975, 1991, False),
    HistoricalPlace("Vĩnh Phú", _P, 1968, 1996, False),
    HistoricalPlace("Bắc Thái", _P, 1965, 1996, False),
    HistoricalPlace("Quảng Nam - Đà Nẵng", _P, 1976, 1996, False),
    HistoricalPlace("Gia Lai - Kon Tum", _P, 1976, 1991, False),
    HistoricalPlace("Hoàng Liên Sơn", _P, 1976, 1991, False),
    # provinces whose names lasted through the period (births elsewhere, common on local lists)
    HistoricalPlace("Sài Gòn", _T, 1956, 1976, False, "before the 1976 renaming"),
    HistoricalPlace("TP. Hồ Chí Minh", _T, 1976, 2005, False),
    HistoricalPlace("Biên Hòa", _T, 1956, 2005, False),
    HistoricalPlace("Long An", _P, 1976, 2005, False),
    HistoricalPlace("Tiền Giang", _P, 1976, 2005, False),
    HistoricalPlace("Bình Định", _P, 1956, 1975, False),
    HistoricalPlace("Quảng Ngãi", _P, 1956, 1975, False),
    HistoricalPlace("Thừa Thiên", _P, 1956, 1975, False),
    HistoricalPlace("Bình Thuận", _P, 1956, 1975, False),
    HistoricalPlace("Hà Nội", _T, 1956, 2005, False),
    HistoricalPlace("Hải Phòng", _T, 1956, 2005, False),
    HistoricalPlace("Thanh Hóa", _P, 1956, 2005, False),
    HistoricalPlace("Thái Bình", _P, 1956, 2005, False),
    HistoricalPlace("Bình Định", _P, 1989, 2005, False, "again after Nghĩa Bình"),
    HistoricalPlace("Quảng Ngãi", _P, 1989, 2005, False, "again after Nghĩa Bình"),
    HistoricalPlace("Bình Thuận", _P, 1992, 2005, False, "again after Thuận Hải"),
    HistoricalPlace("Nghệ An", _P, 1991, 2005, False, "again after Nghệ Tĩnh"),
    HistoricalPlace("Nam Định", _P, 1996, 2005, False),
    HistoricalPlace("Bình Dương", _P, 1997, 2005, False, "from Sông Bé"),
)


def historical_places(year: int, *, local: bool | None = None) -> tuple[HistoricalPlace, ...]:
    """Place names in use in ``year``; ``local`` filters to (or away from) the BR–VT area."""
    return tuple(
        p for p in HISTORICAL_PLACES if p.valid_in(year) and (local is None or p.local == local)
    )
