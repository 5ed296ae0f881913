"""Comparing extracted rows with ground truth, both in the export format.

Rows are aligned page by page in order (a dynamic-programming alignment on candidate number
and name), so one missed row does not shift every later row into "wrong".  Metrics are grouped
by any page attribute from the generator's manifest (style, degradation, ruling).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from records.export_format import flat_fields
from records.vntext import nfc

Row = Mapping[str, Any]
PageKey = tuple[str, int]


def _normal(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, str):
        return " ".join(nfc(value).split())
    return value


def _similarity(truth: Row, found: Row) -> float:
    """0..200: the share of fields read exactly (0..100) plus the names' likeness (0..100).

    A row counts as found when it is the same candidate's row, even if some of its cells
    were misread: the values' agreement decides, so a garbled name alone does not lose it.
    """
    t, f = flat_fields(truth), flat_fields(found)
    keys = [k for k in t if t[k].get("value") is not None]
    equal = sum(_normal(t[k].get("value")) == _normal(f.get(k, {}).get("value")) for k in keys)
    score = 100.0 * equal / len(keys) if keys else 0.0
    t_name = str(t.get("full_name", {}).get("value") or "")
    f_name = str(f.get("full_name", {}).get("value") or "")
    if t_name and f_name:
        score += fuzz.ratio(t_name.lower(), f_name.lower())
    return score


def align(truth: list[Row], found: list[Row], minimum: float = 50.0) -> list[tuple[int, int]]:
    """Monotonic alignment maximising total similarity; pairs below ``minimum`` are dropped."""
    n, m = len(truth), len(found)
    sim = [[_similarity(t, f) for f in found] for t in truth]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = sim[i][j] + best[i + 1][j + 1] if sim[i][j] >= minimum else -1.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if sim[i][j] >= minimum and best[i][j] == sim[i][j] + best[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


@dataclass
class Tally:
    truth_rows: int = 0
    matched_rows: int = 0
    field_total: Counter[str] = field(default_factory=Counter)
    field_right: Counter[str] = field(default_factory=Counter)
    auto_total: int = 0
    auto_right: int = 0
    review: int = 0
    judged: int = 0  # extracted fields with a status

    def row_recall(self) -> float:
        return self.matched_rows / self.truth_rows if self.truth_rows else 0.0

    def accuracy(self, name: str | None = None) -> float:
        if name is None:
            total, right = sum(self.field_total.values()), sum(self.field_right.values())
        else:
            total, right = self.field_total[name], self.field_right[name]
        return right / total if total else 0.0

    def auto_precision(self) -> float:
        return self.auto_right / self.auto_total if self.auto_total else 1.0

    def review_rate(self) -> float:
        return self.review / self.judged if self.judged else 0.0


def _by_page(rows: Iterable[Row]) -> dict[PageKey, list[Row]]:
    pages: dict[PageKey, list[Row]] = defaultdict(list)
    for row in rows:
        pages[(row["source"], row["page"])].append(row)
    for page_rows in pages.values():
        page_rows.sort(key=lambda r: r["row"])
    return pages


def compare(
    truth: Iterable[Row], found: Iterable[Row], group_of: Mapping[PageKey, str] | None = None
) -> dict[str, Tally]:
    """Tallies overall ("all") and per group (e.g. style) of every truth page."""
    truth_pages, found_pages = _by_page(truth), _by_page(found)
    tallies: dict[str, Tally] = defaultdict(Tally)
    for key, truth_rows in truth_pages.items():
        found_rows = found_pages.get(key, [])
        groups = ["all"] + ([group_of[key]] if group_of and key in group_of else [])
        pairs = dict(align(truth_rows, found_rows))
        for index, truth_row in enumerate(truth_rows):
            truth_fields = flat_fields(truth_row)
            found_fields = flat_fields(found_rows[pairs[index]]) if index in pairs else {}
            for group in groups:
                tally = tallies[group]
                tally.truth_rows += 1
                tally.matched_rows += index in pairs
                for name, truth_field in truth_fields.items():
                    expected = _normal(truth_field.get("value"))
                    got_field = found_fields.get(name, {})
                    got = _normal(got_field.get("value"))
                    right = got == expected
                    tally.field_total[name] += 1
                    tally.field_right[name] += right
                    status = got_field.get("status")
                    if status is not None:
                        tally.judged += 1
                        tally.review += status == "needs_review"
                        if status == "auto":
                            tally.auto_total += 1
                            tally.auto_right += right
    return dict(tallies)
