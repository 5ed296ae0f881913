"""Tests for records.vntext: the examples of DOMAIN.md section 3 plus rule-level properties."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest

from records.vntext import (
    MatchLevel,
    ToneStyle,
    casefold_vi,
    exact_key,
    fold_accents,
    folded_key,
    match_level,
    name_search_key,
    nfc,
    normalize_spacing,
    normalize_tone_placement,
    tone_key,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# Real syllables covering every placement rule: qu/gi onsets, quality-marked vowels, codas,
# open two- and three-vowel rhymes, the old/new-style rhymes oa/oe/uy, and upper case.
SYLLABLES = [
    "hoà", "thuý", "khoẻ", "hoạ", "uỷ", "nguỵ", "quý", "quỳnh", "huỳnh", "toàn", "hoàng",
    "nguyệt", "khuyết", "giữa", "già", "gì", "gìn", "giường", "người", "thuở", "khuya", "khuỷu",
    "ngoài", "xoáy", "ngoẻo", "rượu", "yêu", "tiếng", "mía", "múa", "cửa", "hài", "túi", "cứu",
    "Nguyễn", "Đặng", "Phượng", "Ánh", "Ý", "ĐOÀN", "HUỆ", "xoong", "quạu", "Thuỵ", "Khoá",
]  # fmt: skip

OLD_NEW_PAIRS = [
    ("hòa", "hoà"),
    ("thúy", "thuý"),
    ("khỏe", "khoẻ"),
    ("HÒA", "HOÀ"),
    ("Thùy", "Thuỳ"),
    ("họa", "hoạ"),
    ("ủy", "uỷ"),
    ("Thụy", "Thuỵ"),
    ("Khóa", "Khoá"),
    ("Nguyễn Thị Thủy", "Nguyễn Thị Thuỷ"),
]

# Syllables whose placement is the same in both styles.
UNCHANGED = [
    "quý", "quỳnh", "huỳnh", "toàn", "hoàng", "nguyệt", "giữa", "người", "thuở", "khuya",
    "Nguyễn", "QUỲNH", "Huỳnh", "già", "gì", "ngoài", "khuỷu", "mía", "múa", "hài", "rượu",
]  # fmt: skip

TONES = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
VOWEL_BASES = frozenset("aeiouyAEIOUY")


# --- nfc, spacing, case ---------------------------------------------------------------------------


def test_nfc_composes_decomposed_input() -> None:
    assert nfc(nfd("Nguyễn")) == "Nguyễn"
    assert len(nfc(nfd("ễ"))) == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Nguyễn  Văn   A", "Nguyễn Văn A"),
        ("  Lê\tThị\nHoa ", "Lê Thị Hoa"),
        ("Trần\u00a0Văn\u00a0Bình", "Trần Văn Bình"),
        ("", ""),
    ],
)
def test_normalize_spacing(raw: str, expected: str) -> None:
    assert normalize_spacing(raw) == expected


def test_casefold_vi_lowercases_and_composes() -> None:
    assert casefold_vi(nfd("ĐẶNG THỊ THUỶ")) == "đặng thị thuỷ"


# --- tone placement -------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), OLD_NEW_PAIRS)
def test_old_and_new_style_map_to_each_other(old: str, new: str) -> None:
    assert normalize_tone_placement(old, "new") == new
    assert normalize_tone_placement(new, "new") == new
    assert normalize_tone_placement(new, "old") == old
    assert normalize_tone_placement(old, "old") == old


@pytest.mark.parametrize(("old", "new"), OLD_NEW_PAIRS)
def test_old_and_new_style_share_tone_key(old: str, new: str) -> None:
    assert tone_key(old) == tone_key(new)
    assert exact_key(old) != exact_key(new)


@pytest.mark.parametrize("style", ["new", "old"])
@pytest.mark.parametrize("word", UNCHANGED)
def test_style_independent_syllables_unchanged(word: str, style: ToneStyle) -> None:
    assert normalize_tone_placement(word, style) == word


@pytest.mark.parametrize(
    ("misplaced", "expected"),
    [
        ("qúy", "quý"),  # qu is an onset: its u never carries the tone
        ("gìa", "già"),  # gi is an onset when another vowel follows
        ("hòan", "hoàn"),  # with a final consonant the last vowel carries it
        ("Hùynh", "Huỳnh"),
        ("trừơng", "trường"),  # ư and ơ both marked: the last marked vowel (ơ) carries it
        ("nghiã", "nghĩa"),  # ia is open: first vowel
        ("buì", "bùi"),
        ("đaò", "đào"),
    ],
)
def test_misplaced_tones_are_moved(misplaced: str, expected: str) -> None:
    assert normalize_tone_placement(misplaced) == expected


def test_case_of_every_letter_is_preserved() -> None:
    assert normalize_tone_placement("HÒA") == "HOÀ"
    assert normalize_tone_placement("hÒa") == "hOà"
    assert normalize_tone_placement("Hòa", "new") == "Hoà"
    assert normalize_tone_placement("THUÝ", "old") == "THÚY"


@pytest.mark.parametrize(
    "word",
    [
        "José",  # vowel after the "coda": not a Vietnamese syllable
        "André",
        "Müller",  # diaeresis is no tone
        "hòà",  # two tones
        "chÁư",  # mis-decoded: "aư" is no Vietnamese vowel cluster
        "ếung",  # open-only cluster with a final consonant
        "Hoa",  # no tone at all
        "ǹ",  # tone on a consonant
    ],
)
def test_non_syllables_left_alone(word: str) -> None:
    assert normalize_tone_placement(word) == nfc(word)
    assert normalize_tone_placement(word, "old") == nfc(word)


def test_text_around_words_is_untouched() -> None:
    text = "Lớp 12A, Hòa Bình (1985)  — khỏe."
    assert normalize_tone_placement(text) == "Lớp 12A, Hoà Bình (1985)  — khoẻ."


def test_decomposed_input_gives_composed_output() -> None:
    assert normalize_tone_placement(nfd("hòa")) == "hoà"
    assert normalize_tone_placement(nfd("Nguyễn")) == "Nguyễn"


# --- folding --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Nguyễn Văn Đức", "Nguyen Van Duc"),
        ("đ", "d"),
        ("Đ", "D"),
        ("ĐẶNG THỊ THUỶ", "DANG THI THUY"),
        ("người ơi", "nguoi oi"),
        ("\u00d0inh", "Dinh"),  # eth lookalike from legacy encodings
    ],
)
def test_fold_accents(raw: str, expected: str) -> None:
    assert fold_accents(raw) == expected
    assert fold_accents(nfd(raw)) == expected


# --- keys -----------------------------------------------------------------------------------------


def test_key_examples() -> None:
    assert exact_key("  NGUYỄN  Văn A ") == "nguyễn văn a"
    assert tone_key("Lê Thị Thùy") == "lê thị thuỳ"
    assert folded_key("Nguyễn Văn A") == "nguyen van a"
    assert name_search_key("Đặng  Thị Hòa") == "dang thi hoa"


@pytest.mark.parametrize("key", [exact_key, tone_key, folded_key])
@pytest.mark.parametrize("name", ["Nguyễn Thị Thùy", "Đặng Văn Hòa", "Trương Nguyệt Quỳnh"])
def test_nfd_equals_nfc_under_every_key(key: Callable[[str], str], name: str) -> None:
    assert key(nfd(name)) == key(name)


def test_folded_key_is_ascii_for_vietnamese() -> None:
    for word in SYLLABLES:
        assert folded_key(word).isascii(), word


# --- match levels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "candidate", "level"),
    [
        ("Nguyễn Văn A", "Nguyễn Văn A", MatchLevel.EXACT),
        ("nguyễn  văn a", nfd("NGUYỄN VĂN A"), MatchLevel.EXACT),
        ("Lê Thị Thùy", "Lê Thị Thuỳ", MatchLevel.TONE),
        ("Hòa", "Hoà", MatchLevel.TONE),
        ("nguyen van a", "Nguyễn Văn A", MatchLevel.FOLDED),
        ("Hoa", "Hòa", MatchLevel.FOLDED),
        ("Nam", "Năm", MatchLevel.FOLDED),
        ("An", "Ân", MatchLevel.FOLDED),
        ("Hoa", "Hoà Bình", MatchLevel.NONE),
        ("Thủy", "Thũy", MatchLevel.FOLDED),  # hỏi vs ngã is a different tone, not placement
        ("Hùng", "Hưng", MatchLevel.FOLDED),
    ],
)
def test_match_level(query: str, candidate: str, level: MatchLevel) -> None:
    assert match_level(query, candidate) is level
    assert match_level(candidate, query) is level


def test_match_levels_rank_exact_first() -> None:
    candidates = ["Hoa", "Hòa", "Hoà"]
    ranked = sorted(candidates, key=lambda c: match_level("Hòa", c), reverse=True)
    assert ranked == ["Hòa", "Hoà", "Hoa"]
    assert MatchLevel.EXACT > MatchLevel.TONE > MatchLevel.FOLDED > MatchLevel.NONE


# --- properties over real syllables ---------------------------------------------------------------


@pytest.mark.parametrize("word", SYLLABLES)
def test_tone_key_is_idempotent(word: str) -> None:
    assert tone_key(tone_key(word)) == tone_key(word)
    for style in ("new", "old"):
        once = normalize_tone_placement(word, style)
        assert normalize_tone_placement(once, style) == once


@pytest.mark.parametrize("word", SYLLABLES)
def test_folding_ignores_tone_normalisation(word: str) -> None:
    assert fold_accents(normalize_tone_placement(word)) == fold_accents(word)
    assert fold_accents(normalize_tone_placement(word, "old")) == fold_accents(word)
    assert folded_key(word) == normalize_spacing(fold_accents(exact_key(word)))


def _with_tone_at(letters: list[str], index: int, tone: str) -> str:
    return nfc("".join(ch + (tone if i == index else "") for i, ch in enumerate(letters)))


@pytest.mark.parametrize("word", SYLLABLES)
def test_tone_position_in_input_does_not_matter(word: str) -> None:
    """Putting the word's tone (or any other tone) on any vowel gives one normalised spelling."""
    decomposed = nfd(word)
    toneless = [ch for ch in decomposed if ch not in TONES]
    # Group base letters with their quality marks so that a tone is added per letter.
    letters: list[str] = []
    for ch in toneless:
        if unicodedata.combining(ch) and letters:
            letters[-1] += ch
        else:
            letters.append(ch)
    vowel_positions = [i for i, letter in enumerate(letters) if letter[0] in VOWEL_BASES]
    for tone in TONES:
        variants = {_with_tone_at(letters, i, tone) for i in vowel_positions}
        assert len({normalize_tone_placement(v) for v in variants}) == 1, variants
        assert len({tone_key(v) for v in variants}) == 1, variants
        assert len({fold_accents(v) for v in variants}) == 1, variants
