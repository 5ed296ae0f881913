"""A tiny generated set: deterministic, every format opens, truth exact and consistent."""

import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from records.exam_rules import rules_for
from records.export_format import read_jsonl
from records.vocabulary import Level
from scans.generator import generate_set

PAGES = 10
SEED = 3


def _make(out: Path) -> None:
    generate_set(out, PAGES, SEED, dpi=60, workers=1, max_doc_pages=2)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("set")
    _make(out)
    return out


@pytest.fixture(scope="module")
def manifest(sample: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((sample / "manifest.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def truth(sample: Path) -> list[dict[str, Any]]:
    return list(read_jsonl(sample / "truth.jsonl"))


def test_same_seed_same_truth_and_pixels(sample: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    _make(again)
    assert (sample / "truth.jsonl").read_bytes() == (again / "truth.jsonl").read_bytes()
    assert (sample / "manifest.json").read_bytes() == (again / "manifest.json").read_bytes()
    files = sorted(p.name for p in sample.iterdir())
    assert files == sorted(p.name for p in again.iterdir())
    for name in files:
        if name.endswith(".png"):
            a = np.asarray(Image.open(sample / name))
            b = np.asarray(Image.open(again / name))
            assert np.array_equal(a, b), name
        assert (sample / name).read_bytes() == (again / name).read_bytes(), name


def test_every_format_opens_with_its_page_count(sample: Path, manifest: dict[str, Any]) -> None:
    formats = {f["format"] for f in manifest["files"]}
    assert formats == {"png", "jpeg", "tiff", "tiff_g4", "pdf"}
    assert sum(len(f["pages"]) for f in manifest["files"]) == PAGES
    for f in manifest["files"]:
        path = sample / f["file"]
        n = len(f["pages"])
        if f["format"] == "pdf":
            info = subprocess.run(
                ["pdfinfo", str(path)], capture_output=True, text=True, check=True
            ).stdout
            assert re.search(rf"^Pages:\s+{n}$", info, re.MULTILINE), info
            continue
        with Image.open(path) as im:
            assert getattr(im, "n_frames", 1) == n
            if f["format"] == "tiff_g4":
                assert im.mode == "1" and im.info.get("compression") == "group4"
            for i, page in enumerate(f["pages"]):
                im.seek(i)
                assert list(im.size) == page["image_size"]


def test_rotation_and_skew_metadata(manifest: dict[str, Any]) -> None:
    pages = [p for f in manifest["files"] for p in f["pages"]]
    assert {p["rotation_ccw"] for p in pages} >= {0, 90, 180}
    for p in pages:
        w, h = p["image_size"]
        portrait = p["orientation"] == "portrait"
        upright = p["rotation_ccw"] in (0, 180)
        assert (h > w) == (portrait == upright)
        assert abs(p["skew_deg"]) <= 3.0
        assert p["degradation"] in ("clean", "light", "medium", "heavy")
        if p["rotation_ccw"]:
            assert f"rotated_{p['rotation_ccw']}" in p["degradations"]
        assert len(p["row_boxes"]) == p["rows"] == len(p["cells"])
        for x0, y0, x1, y1 in p["row_boxes"]:
            assert 0 <= x0 < x1 <= w + 2 and 0 <= y0 < y1 <= h + 2


def test_truth_rows_match_manifest(truth: list[dict[str, Any]], manifest: dict[str, Any]) -> None:
    by_page: dict[tuple[str, int], list[int]] = {}
    for row in truth:
        by_page.setdefault((row["source"], row["page"]), []).append(row["row"])
    for f in manifest["files"]:
        for p in f["pages"]:
            rows = by_page[(f["file"], p["page"])]
            assert rows == list(range(1, p["rows"] + 1))


def _num(field: dict[str, Any] | None) -> Decimal:
    if field is None or field["value"] is None or field["value"] == "V":
        return Decimal(0)
    return Decimal(str(field["value"]))


def test_truth_is_consistent_with_the_rules(truth: list[dict[str, Any]]) -> None:
    assert truth
    for row in truth:
        fields = row["fields"]
        for field in [*fields.values(), *fields.get("scores", {}).values()]:
            if "value" in field:
                assert set(field) == {"value"}
        sheet = row["sheet"]
        rules = rules_for(sheet["exam_year"], Level(sheet["level"]))
        scores = fields["scores"]
        assert set(scores) == set(rules.subjects)
        values = {
            s: None if scores[s]["value"] == "V" else Decimal(str(scores[s]["value"]))
            for s in rules.subjects
        }
        bonus = fields.get("bonus")
        total = fields["total"]["value"]
        if total is not None and (bonus is not None or "bonus" not in fields):
            # the bonus is known whenever the sheet shows it; otherwise total >= weighted sum
            expected = rules.weighted_sum(values) + _num(bonus)
            if bonus is not None:
                assert Decimal(str(total)) == expected
            else:
                assert Decimal(str(total)) >= rules.weighted_sum(values)
        passed = fields["result"]["value"] == "passed"
        if bonus is not None:
            assert passed == rules.passes(values, _num(bonus))
        if "ranking" in fields:
            assert (fields["ranking"]["value"] is not None) == passed
        assert fields["sex"]["value"] in ("Nam", "Nữ")
        name = fields["full_name"]["value"].split()
        if fields["sex"]["value"] == "Nam":
            assert "Thị" not in name and "THỊ" not in name
        else:
            assert "Văn" not in name and "VĂN" not in name
        birth = fields["birth_date"]["value"]
        assert len(birth) in (4, 10)
