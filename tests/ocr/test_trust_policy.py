"""The trust policy refuses thresholds outside their range rather than misjudge every row."""

from __future__ import annotations

import pytest

from ocr.trust_policy import TrustPolicy


@pytest.mark.parametrize("bad", [{"min_confidence": 1.5}, {"sample_rate": -0.1}])
def test_policy_is_validated(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        TrustPolicy(**bad)  # type: ignore[arg-type]
