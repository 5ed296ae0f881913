"""Synthetic content: coherent names, ages, sorted numbered lists, rule-consistent scores."""

import random
from decimal import Decimal

from records.exam_rules import rules_for
from records.vocabulary import Level, Sex
from scans.content import (
    collation_key,
    make_exam_list,
    make_person,
    name_sort_key,
    plant_correction,
)


def test_names_are_coherent_with_sex() -> None:
    rng = random.Random(1)  # noqa: S311
    counts: dict[int, int] = {}
    for _ in range(2000):
        p = make_person(rng)
        middle = p.middle.split()
        if p.sex is Sex.MALE:
            assert "Thị" not in middle
        else:
            assert "Văn" not in middle
        n = len(p.full_name.split())
        counts[n] = counts.get(n, 0) + 1
        assert p.full_name == p.full_name.strip() and "  " not in p.full_name
    assert set(counts) <= {2, 3, 4, 5}
    assert counts[3] > counts[4] > counts.get(2, 0)


def test_vietnamese_alphabet_order() -> None:
    words = ["Đức", "Dũng", "Ân", "An", "Anh", "Ăn", "Ơn", "Ông", "Yến"]
    assert sorted(words, key=collation_key) == [
        "An",
        "Anh",
        "Ăn",
        "Ân",
        "Dũng",
        "Đức",
        "Ông",
        "Ơn",
        "Yến",
    ]


def test_list_is_sorted_numbered_and_consistent() -> None:
    rng = random.Random(7)  # noqa: S311
    exam = make_exam_list(rng, 1990, Level.PTTH, 120)
    rules = rules_for(1990, Level.PTTH)
    keys = [name_sort_key(c.person) for c in exam.candidates]
    assert keys == sorted(keys)
    numbers = [c.number for c in exam.candidates]
    digits = [int("".join(ch for ch in n if ch.isdigit())) for n in numbers]
    assert digits == list(range(digits[0], digits[0] + len(digits)))
    for c in exam.candidates:
        age = 1990 - c.birth.year
        assert 17 <= age <= 21
        for s in rules.subjects:
            v = c.scores[s]
            assert v is None or rules.on_step(v)
        if c.total is not None:
            assert c.total == rules.total(c.scores, c.bonus)
        assert c.passed == rules.passes(c.scores, c.bonus)
        assert (c.ranking is not None) == c.passed


def test_correction_keeps_the_true_value() -> None:
    rng = random.Random(3)  # noqa: S311
    exam = make_exam_list(rng, 2001, Level.THPT, 10)
    rules = rules_for(2001, Level.THPT)
    cand = next(c for c in exam.candidates if all(v is not None for v in c.scores.values()))
    before = dict(cand.scores)
    assert plant_correction(rng, cand, rules)
    assert cand.correction is not None
    assert cand.scores == before
    assert cand.correction.wrong != cand.scores[cand.correction.subject]
    assert rules.on_step(cand.correction.wrong) and cand.correction.wrong >= Decimal(0)
