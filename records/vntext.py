"""Vietnamese text rules: normal form, tone-mark placement, accent folding and search keys.

Names are stored exactly as written (in NFC); everything here derives *keys* from them and never
replaces the stored value. Three keys exist because three different kinds of "same name" exist:

1. ``exact_key``: the same letters, ignoring Unicode encoding (NFC vs NFD), case and spacing.
2. ``tone_key``: also ignoring *where* the tone mark sits. Vietnamese has two accepted placements
   for a handful of open syllables (old "hòa, thúy, khỏe", new "hoà, thuý, khoẻ"); a 1985 sheet and
   a 2005 sheet write the same person's name differently, and keyboards disagree too.
3. ``folded_key``: all diacritics removed (ASCII). This deliberately merges *different* names
   (Hoa/Hòa, Nam/Năm, An/Ân) and exists only to generate candidates for people who type without
   accents; results must be ranked by ``match_level`` and confirmed with the birth date.

Fuzzy matching (OCR and keying confusions) lives in another module; nothing here is approximate.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from functools import lru_cache
from typing import Literal

__all__ = [
    "MatchLevel",
    "ToneStyle",
    "casefold_vi",
    "exact_key",
    "fold_accents",
    "folded_key",
    "match_level",
    "name_search_key",
    "nfc",
    "normalize_spacing",
    "normalize_tone_placement",
    "tone_key",
]

ToneStyle = Literal["new", "old"]
"""Where the tone goes in open "oa", "oe", "uy": new "hoà, khoẻ, thuý" or old "hòa, khỏe, thúy"."""

# The five tone marks as combining characters (after NFD). Vietnamese also uses combining
# circumflex (U+0302), breve (U+0306) and horn (U+031B), but those change the *vowel* (a/ă/â,
# o/ô/ơ, u/ư) and so belong to the letter; they must never be moved or merged with tones.
_GRAVE = "\u0300"  # huyền
_ACUTE = "\u0301"  # sắc
_TILDE = "\u0303"  # ngã
_HOOK_ABOVE = "\u0309"  # hỏi
_DOT_BELOW = "\u0323"  # nặng
_TONE_MARKS = frozenset({_GRAVE, _ACUTE, _TILDE, _HOOK_ABOVE, _DOT_BELOW})

# Letters are classified after removing the tone and lower-casing, in NFC, so "Ờ" counts as "ơ".
_VOWELS = frozenset("aăâeêioôơuưy")
# Vowels whose quality mark attracts the tone whatever else is in the syllable (người, nguyệt).
_MARKED_VOWELS = frozenset("ăâêôơư")
# Consonant letters allowed in an onset. f, j, w, z are not in the Vietnamese alphabet but occur
# in minority-language and foreign names; accepting them only matters if such a word has a tone.
_ONSET_CONSONANTS = frozenset("bcdđghklmnpqrstvxfjwz")
# Every final consonant Vietnamese spelling allows. Anything else after the vowels means the word is
# not a Vietnamese syllable (José, André) and is left alone.
_CODAS = frozenset({"", "c", "ch", "m", "n", "ng", "nh", "p", "t"})
# Every vowel cluster Vietnamese spelling allows (toneless, lower case, after removing the u of
# "qu" and the i of "gi"). Mis-decoded legacy text produces clusters like "aư" or "ya"; placing a
# tone by rule in those would only invent a new wrong spelling, so such words are left alone.
_NUCLEI = frozenset(
    {
        *"aăâeêioôơuưy",
        *("ai", "ao", "au", "âu", "ay", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe"),
        *("oi", "ôi", "ơi", "oo", "ôô", "ua", "uă", "uâ", "ưa", "uê", "ui", "ưi", "uô", "uơ"),
        *("ươ", "ưu", "uy", "yê"),
        *("iêu", "oai", "oao", "oay", "oeo", "uao", "uây", "uôi", "ươi", "ươu", "uya", "uyê"),
        *("uyu", "yêu"),
    }
)
# Clusters that end in a glide (i/y, o/u) or in the "a" of ia/ua/ưa never take a final consonant
# (with one, ia/ua/ưa are spelled iê/uô/ươ); a coda after them means the word is not Vietnamese.
_OPEN_ONLY_NUCLEI = frozenset(
    {
        *("ai", "ao", "au", "âu", "ay", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ua"),
        *("ui", "ưa", "ưi", "ưu", "iêu", "oai", "oao", "oay", "oeo", "uao", "uây", "uôi", "ươi"),
        *("ươu", "uya", "uyu", "yêu"),
    }
)
# Open two-vowel rhymes whose tone placement differs between the old and the new style. All other
# open two-vowel rhymes (ai, ao, ia, ua, ui, ...) have a single accepted placement, on the first.
_STYLE_DEPENDENT_RHYMES = frozenset({"oa", "oe", "uy"})

# A word is a run of letters plus any stray combining marks (an NFC string can still hold marks
# that have no precomposed form; keeping them inside the word lets the syllable parser reject it).
_WORD_RE = re.compile(r"(?:[^\W\d_]|[\u0300-\u036F])+")

# đ/Đ are letters with a stroke, not a base letter plus a mark, so NFD does not decompose them and
# they must be folded explicitly. Ð (U+00D0, Icelandic eth) and Ɖ (U+0189, African D) look the same
# as Đ and turn up in text converted from legacy encodings, so they fold to D too.
_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "D", "\u00d0": "D", "\u0189": "D", "\u0256": "d"})


class MatchLevel(enum.IntEnum):
    """How closely two names agree; a higher value is a stronger match.

    An ``IntEnum`` so that candidates can be sorted or compared directly (``max`` picks the best).
    Only EXACT and TONE say "same spelling"; FOLDED means "the same letters if accents are ignored",
    which is true of many different names, so it can only ever rank below the other two.
    """

    NONE = 0
    FOLDED = 1
    TONE = 2
    EXACT = 3


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC.

    Scans, OCR engines, Excel and macOS file names hand us the same letter either precomposed
    ("ễ", one code point) or decomposed (e + circumflex + tilde); they must compare equal.
    """
    return unicodedata.normalize("NFC", text)


def normalize_spacing(text: str) -> str:
    """Collapse every run of whitespace (tabs, newlines, no-break spaces) to one space and strip.

    Keyed and OCR'd names routinely carry doubled or no-break spaces that do not make another name.
    """
    return " ".join(text.split())


def casefold_vi(text: str) -> str:
    """Lower-case ``text`` and return it in NFC.

    ``str.lower`` is correct for every Vietnamese letter (including Đ→đ), but it does not normalise,
    so NFC is applied before (so the mapping sees precomposed letters) and after (so the result is
    comparable whatever came in).
    """
    return nfc(nfc(text).lower())


def fold_accents(text: str) -> str:
    """Remove every diacritic: tones, circumflex, breve, horn; and map đ/Đ to d/D.

    Case is preserved. For Vietnamese text the result is plain ASCII; letters from other scripts
    without a decomposition pass through unchanged rather than being dropped, since dropping them
    would merge names that differ in them. The result is lossy by design: use it for candidate
    generation only (see ``MatchLevel``).
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_TABLE))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return nfc(stripped)


# --- Tone placement ------------------------------------------------------------------------------
#
# Why this is hand-written: no maintained, light-weight PyPI package does Vietnamese tone placement
# per syllable with a choice of style, qu/gi onsets and case preservation. The NLP toolkit
# underthesea has a text_normalize step, but it rewrites whole tokens from a shipped lookup table
# with a fixed target and pulls in a large dependency tree for one function; the small
# single-purpose packages are new and unproven. The rule itself is short and well defined, so it
# lives here with its tests.
#
# The rule (both styles agree except where noted):
#   * "qu" and "gi" (when another vowel follows) are onsets: their u/i never carries the tone
#     (quý, quỳnh, giữa, già; but gì, gìn, where that i is the only vowel).
#   * If the vowel cluster contains a vowel with a quality mark (ă â ê ô ơ ư), the tone goes on
#     the last such vowel (người, nguyệt, thuở, rượu, tuấn).
#   * Otherwise, if the syllable ends in a consonant, the tone goes on the last vowel (toàn,
#     hoàng, huỳnh).
#   * Otherwise (open syllable): three vowels -> the middle one (ngoài, khuỷu); one vowel -> that
#     one; two vowels -> the first (mía, múa, hài, túi), except "oa", "oe", "uy", which take the
#     second in the new style (hoà, khoẻ, thuý) and the first in the old style (hòa, khỏe, thúy).


def _tone_position(cluster: str, has_coda: bool, style: ToneStyle) -> int:
    """Index within the toneless, lower-case vowel ``cluster`` that should carry the tone."""
    marked = [i for i, letter in enumerate(cluster) if letter in _MARKED_VOWELS]
    if marked:
        return marked[-1]
    if has_coda:
        return len(cluster) - 1
    if len(cluster) == 3:
        return 1
    if len(cluster) == 2 and cluster in _STYLE_DEPENDENT_RHYMES and style == "new":
        return 1
    return 0


def _split_letters(word: str) -> list[tuple[str, str]] | None:
    """Split ``word`` into (letter without tone, in NFD; tone mark or "") pairs.

    Returns None if the word cannot be a Vietnamese syllable at this level: a combining mark with
    no letter before it, or a letter carrying two tone marks.
    """
    letters: list[tuple[str, str]] = []
    for ch in unicodedata.normalize("NFD", word):
        if not unicodedata.combining(ch):
            letters.append((ch, ""))
            continue
        if not letters:
            return None
        base, tone = letters[-1]
        if ch in _TONE_MARKS:
            if tone:
                return None
            letters[-1] = (base, ch)
        else:
            letters[-1] = (base + ch, tone)
    return letters


@lru_cache(maxsize=65536)
def _normalize_syllable(word: str, style: ToneStyle) -> str:
    """Return ``word`` (NFC) with its tone mark moved to the canonical vowel, or unchanged.

    Anything that does not parse as a single Vietnamese syllable with exactly one tone mark on a
    vowel is returned unchanged: moving marks in a word we do not understand would corrupt it.
    Cached because names reuse a few thousand syllables millions of times.
    """
    letters = _split_letters(word)
    if letters is None:
        return word
    toned = [i for i, (_, tone) in enumerate(letters) if tone]
    if len(toned) != 1:
        return word
    tone = letters[toned[0]][1]
    kinds = [nfc(base).lower() for base, _ in letters]
    if kinds[toned[0]] not in _VOWELS:
        return word

    # Onset: leading consonants, then absorb the u of "qu" and the i of "gi" when a vowel follows.
    start = 0
    while start < len(kinds) and kinds[start] in _ONSET_CONSONANTS:
        start += 1
    onset = "".join(kinds[:start])
    if (
        onset in {"q", "g"}
        and start + 1 < len(kinds)
        and kinds[start] == ("u" if onset == "q" else "i")
        and kinds[start + 1] in _VOWELS
    ):
        start += 1

    end = start
    while end < len(kinds) and kinds[end] in _VOWELS:
        end += 1
    cluster = "".join(kinds[start:end])
    coda = "".join(kinds[end:])
    if cluster not in _NUCLEI or coda not in _CODAS or (coda and cluster in _OPEN_ONLY_NUCLEI):
        return word

    target = start + _tone_position(cluster, bool(coda), style)
    rebuilt = "".join(base + (tone if i == target else "") for i, (base, _) in enumerate(letters))
    return nfc(rebuilt)


def normalize_tone_placement(text: str, style: ToneStyle = "new") -> str:
    """Put every syllable's tone mark where ``style`` says, keeping the case of every letter.

    Works word by word on NFC text; punctuation, digits and spacing are untouched. Words that are
    not Vietnamese syllables (José, Müller) or carry no tone mark come back as they were. The
    result is NFC. Only the *position* of the tone changes, never which tone or which letters, so
    ``fold_accents`` gives the same answer before and after.
    """
    return _WORD_RE.sub(lambda m: _normalize_syllable(m.group(0), style), nfc(text))


# --- Keys and ranking ----------------------------------------------------------------------------


# Apostrophes in minority names (H'Hen Niê, K'Thúy) come typed or printed as any of these.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'"})


def normalize_apostrophes(text: str) -> str:
    return text.translate(_APOSTROPHES)


def exact_key(name: str) -> str:
    """NFC, lower case, single spaces, one apostrophe: equal keys mean the same spelling."""
    return normalize_apostrophes(normalize_spacing(casefold_vi(name)))


def tone_key(name: str) -> str:
    """``exact_key`` with tone marks in one canonical (new-style) place: hòa == hoà, thúy == thuý.

    The new style is an arbitrary but fixed choice; what matters is that every key uses the same.
    """
    return normalize_tone_placement(exact_key(name), "new")


def folded_key(name: str) -> str:
    """``tone_key`` without any diacritics and with đ→d: "nguyễn văn a" -> "nguyen van a".

    Lossy on purpose (Hoa == Hòa here); for candidate generation, never for identification.
    """
    return normalize_spacing(fold_accents(tone_key(name)))


def search_keys(name: str) -> tuple[str, str, str]:
    """(exact, tone, folded) keys of ``name``, each step computed once (publishing a million
    records computes them a million times)."""
    exact = exact_key(name)
    tone = normalize_tone_placement(exact, "new")
    return exact, tone, normalize_spacing(fold_accents(tone))


name_search_key = folded_key
"""Key used to generate lookup candidates (index column); same as ``folded_key``."""


def match_level(query: str, candidate: str) -> MatchLevel:
    """Return the strongest level at which ``query`` and ``candidate`` agree.

    Checked from the strictest key down so that an exact spelling always outranks a tone variant,
    which outranks an accent-blind match. The caller must still confirm with the birth date.
    """
    if exact_key(query) == exact_key(candidate):
        return MatchLevel.EXACT
    if tone_key(query) == tone_key(candidate):
        return MatchLevel.TONE
    if folded_key(query) == folded_key(candidate):
        return MatchLevel.FOLDED
    return MatchLevel.NONE
