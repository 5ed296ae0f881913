"""Every number of the trust decision, and the reasons a reviewer reads.

The thresholds live in one frozen ``TrustPolicy`` so that they can be calibrated on the random
review sample and passed whole to ``ocr.checks.assess_row``; how they combine is explained in
``ocr.checks``.  The reasons are short Vietnamese phrases shown beside a field in the review
screen; they are constants here because the reader, the store and the tests match on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from records.vocabulary import Level

# Reasons a reviewer reads (Vietnamese, short).
LOW_CONFIDENCE = "độ tin cậy thấp"
TOTAL_MISMATCH = "tổng không khớp"
TOTAL_UNCHECKED = "không kiểm tra được tổng"
OUT_OF_SCALE = "điểm ngoài thang"
OFF_STEP = "không đúng bước điểm"
SUBJECT_NOT_IN_RULE = "môn không có trong quy chế năm thi"
RESULT_MISMATCH = "kết quả không khớp quy chế"
RESULT_UNCHECKED = "không kiểm tra được kết quả"
RANKING_MISMATCH = "xếp loại không khớp quy chế"
RANKING_UNKNOWN = "xếp loại không rõ"
RANKING_CASE = "xếp loại viết hoa không đúng"
RANKING_STRAY_MARK = "xếp loại có dấu lạ ở đầu hay cuối"
RANKING_MARKS = "xếp loại sai dấu"
BONUS_MISMATCH = "điểm cộng không khớp"
BONUS_OUT_OF_RANGE = "điểm cộng ngoài mức quy chế"
NO_RULE = "không rõ quy chế năm thi"
NO_EXAM_YEAR = "không rõ năm thi"
IMPLAUSIBLE_AGE = "tuổi không hợp lý"
CANDIDATE_SEQUENCE = "số báo danh không liên tiếp"
ROW_SEQUENCE = "số thứ tự không liên tiếp"
NAME_UNKNOWN = "tên không có trong thống kê"
NAME_TOO_SHORT = "họ tên không đủ"
NAME_CAPITALS = "tên viết hoa không đều"
PLACE_UNKNOWN = "nơi sinh có từ lạ"
PLACE_NOT_LISTED = "nơi sinh không có trong danh mục"
PLACE_CAPITALS = "nơi sinh viết hoa không đều"
PLACE_STRAY_MARK = "nơi sinh có dấu lạ ở đầu hay cuối"
DIACRITIC_DOUBT = "dấu dễ đọc nhầm"
RIVAL_READING = "có cách đọc khác"
SEX_MIDDLE_MISMATCH = "giới tính không khớp tên đệm"
SEX_GIVEN_MISMATCH = "giới tính không khớp tên"
REPAIRED_FROM_TOTAL = "đã sửa theo tổng điểm"
TOTAL_FROM_SCORES = "đã sửa tổng theo các điểm"
INFERRED_FROM_TOTAL = "đã suy ra từ tổng điểm"
SAMPLED = "kiểm tra ngẫu nhiên"
# The note ``ocr.parsing`` writes for a number read without its comma ("75" for 7,5).
LOST_COMMA_PREFIX = "thiếu dấu phẩy:"


def _default_age_ranges() -> dict[str, tuple[int, int]]:
    return {
        Level.PTCS.value: (13, 25),
        Level.THCS.value: (13, 25),
        Level.PTTH.value: (16, 30),
        Level.THPT.value: (16, 30),
        Level.BTVH.value: (16, 60),
    }


@dataclass(frozen=True)
class TrustPolicy:
    """Every threshold of the trust decision; defaults are starting points to be calibrated on
    the random review sample (see ``ocr.checks`` for how they combine).

    - ``min_confidence`` 0.90: what a field needs when its checks passed but none confirms the
      value itself (names, dates, candidate numbers).  The engine's own scale; below it errors
      are frequent.
    - ``min_confidence_unchecked`` 0.95: for a field no check covers at all.  Higher because
      nothing else will catch a confident misreading (the 17%).
    - ``support_weight`` 0.75: share of the remaining doubt an arithmetic identity or rule
      agreement removes.  Chosen so that a supported score passes from 0.60: below that the
      engine is close to guessing, and a guessed digit that happens to balance the total is the
      residual risk we accept.
    - ``failed_check_factor`` 0.25: confidence reported for a field a check contradicts.
    - ``repair_below`` 0.90: cells read below this are doubtful and may be repaired; confident
      cells are never changed (they are flagged instead).
    - ``repair_anchor_confidence`` 0.90: the total must be read at least this well to repair a
      score from it.
    - ``repair_rival_confidence`` 0.25: a cell read above ``repair_below`` is still doubtful
      (may be repaired) when the engine rates another reading of it at least this high.
    - ``repair_confusions``: digit pairs a print or a photocopy turns into each other.
    - ``repair_lost_half``: a ",5" may be lost (7,5 read 7).
    - ``alternative_min_confidence`` 0.05: engine alternatives below this are noise.
    - ``age_ranges``: plausible age at the exam per level code (exam year − birth year).
    - ``candidate_number_max_gap`` 20: a larger jump in candidate numbers is as suspect as a
      decrease (a misread digit makes one jump and one fall).
    - ``given_name_sex_min_count`` / ``given_name_sex_max_share``: a given name counted at least
      this often, whose other sex holds at most this share, marks the sex.
    - ``scores_need_total`` True: scores that no total can confirm (a sheet without a total
      column, an unreadable total) go to review rather than being judged on confidence alone.
    - ``unknown_place_word_fails`` True: a birthplace word that is neither in a known place name
      nor a known name syllable sends the birthplace to review (else it is merely unchecked).
    - ``sample_rate`` 0.02: share of ``auto`` fields sent to review to measure precision.
    """

    min_confidence: float = 0.90
    min_confidence_unchecked: float = 0.95
    support_weight: float = 0.75
    failed_check_factor: float = 0.25
    repair_below: float = 0.90
    repair_anchor_confidence: float = 0.90
    repair_rival_confidence: float = 0.25
    repair_confusions: tuple[tuple[str, str], ...] = (
        ("1", "7"),
        ("3", "8"),
        ("5", "6"),
        ("0", "8"),
        ("3", "5"),
    )
    repair_lost_half: bool = True
    alternative_min_confidence: float = 0.05
    age_ranges: Mapping[str, tuple[int, int]] = field(default_factory=_default_age_ranges)
    candidate_number_max_gap: int = 20
    given_name_sex_min_count: int = 100
    given_name_sex_max_share: float = 0.02
    scores_need_total: bool = True
    unknown_place_word_fails: bool = True
    sample_rate: float = 0.02
    # A name syllable must be at least this share of the syllables spelled alike but for
    # their marks (Khôi/Khối/Khởi) to be trusted without a person.
    diacritic_dominance: float = 0.75
    # An alternative reading at least this confident keeps an unconfirmed field for a person.
    rival_confidence: float = 0.05
    # A doubted name syllable is respelled (for the reviewer; the name stays in review) when
    # another spelling with the same letters is at least this many times likelier: its frequency
    # at that position over the read one's (the smaller ratio of the two name tables) times what
    # the engine says of it (``ocr.name_spelling``).  On the 60 generated pages no respelling at
    # 10 or more was wrong; at 5 a real surname "Vù" became "Vũ" and a given name "Đinh" "Định"
    # (the engine had offered those, at 0.27 and 0.80).
    name_spelling_min_odds: float = 10.0
    # How likely the engine misread a mark *without* offering the right spelling among its
    # alternatives, relative to reading it right.  With the odds above, a spelling the engine
    # did not propose must be 100 times as frequent as the read one at that position in both
    # tables.  On the generated pages the first wrong respelling appears at 0.2 (a real surname
    # "Lồ" made "Lò", 56 times as frequent); 0.1 keeps a factor of 2 from it.
    name_spelling_unseen_likelihood: float = 0.1

    def __post_init__(self) -> None:
        for name in (
            "min_confidence",
            "min_confidence_unchecked",
            "support_weight",
            "failed_check_factor",
            "repair_below",
            "repair_anchor_confidence",
            "repair_rival_confidence",
            "alternative_min_confidence",
            "given_name_sex_max_share",
            "sample_rate",
            "name_spelling_unseen_likelihood",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"TrustPolicy.{name} must be within 0..1, not {value}")
        for level, (low, high) in self.age_ranges.items():
            if low > high:
                raise ValueError(f"TrustPolicy.age_ranges[{level}]: {low} > {high}")

    @property
    def supported_floor(self) -> float:
        """The lowest engine confidence at which a strongly supported field is accepted."""
        if self.support_weight >= 1.0:
            return 0.0
        return max(0.0, (self.min_confidence - self.support_weight) / (1 - self.support_weight))

    def doubtful_reading(self, confidence: float, runner_up: float) -> bool:
        """A reading the checks may repair (and a second model may read again): below
        ``repair_below``, or with a runner-up the engine rates at ``repair_rival_confidence``
        or more (a typewriter's 7 read as 1 at 0.99 with 7 at 0.8: the character's confidence
        hides a close call)."""
        return confidence < self.repair_below or runner_up >= self.repair_rival_confidence

    def age_range(self, level: Level | str | None) -> tuple[int, int]:
        """The plausible ages for ``level``; the widest configured when the level is unknown."""
        if level is not None and str(level) in self.age_ranges:
            return self.age_ranges[str(level)]
        ranges = list(self.age_ranges.values()) or [(0, 200)]
        return min(r[0] for r in ranges), max(r[1] for r in ranges)


DEFAULT_POLICY = TrustPolicy()
