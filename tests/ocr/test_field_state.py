"""What the checks work on: a reading's confidence is validated, and the rule is found from
the subject columns when the header leaves the year or the level unread."""

from __future__ import annotations

import pytest

from ocr.field_state import Reading, rule_by_subjects
from records.exam_rules import rules_for
from records.vocabulary import Level


def test_reading_confidence_is_validated() -> None:
    with pytest.raises(ValueError):
        Reading("7", 1.2)


def test_rule_by_subjects_only_when_one_rule_fits() -> None:
    ptth_1980s = set(rules_for(1988, Level.PTTH).subjects)
    assert rule_by_subjects(Level.PTTH, ptth_1980s) == rules_for(1988, Level.PTTH)
    assert rule_by_subjects(Level.PTTH, ptth_1980s - {"biology"}) is None
    assert rule_by_subjects(None, ptth_1980s) is None  # neither level nor year
    # the level unread: in 1988 only PTTH examines these six subjects
    assert rule_by_subjects(None, ptth_1980s, 1988) == rules_for(1988, Level.PTTH)
    assert rule_by_subjects(None, ptth_1980s, 1995) is None
