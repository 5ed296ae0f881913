"""Generate a set of sample scans with exact ground truth and a manifest.

Why a plan first: the later OCR benchmark needs every style at every degradation level, every
ruling, both orientations, rotated pages and every file format, even in a small set.  So the
set is planned as documents (one council's list over 1–4 pages) that walk through the
combinations in a seeded order, and only then drawn.

Determinism: every document draws from its own generators seeded by (seed, document index),
so the same seed gives the same truth and the same pixels, and a set of N pages is a prefix
of a set of more pages only in spirit (not guaranteed).

Outputs in ``out_dir``: the scan files, ``truth.jsonl`` (records.export_format rows: source =
file name, page = 1-based page in that file, row = 1-based data row top to bottom in reading
orientation; fields carry "value" only, null for a blank cell of a column the sheet has) and
``manifest.json`` (per file and page: style, ruling, orientation, rotation, skew, degradation
level and effects, rows, columns, and the pixel boxes of rows and cells in the final image).
"""

from __future__ import annotations

import itertools
import json
import os
import random
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from records.exam_rules import levels_in
from records.export_format import build_row, write_jsonl
from records.vocabulary import Level
from scans.canvas import FloatImage
from scans.content import make_exam_list, plant_correction, thin
from scans.degrade import Degradation, finish_page, map_box, print_coverage
from scans.fonts import check_all
from scans.layout import Orientation, Ruling, paginate, plan_document, render_page
from scans.styles import STYLE_YEARS, Style
from scans.writer import EXTENSIONS, MULTI_PAGE, FileFormat, write_pages

GENERATOR_VERSION = 1
DEFAULT_DPI = 200


@dataclass(frozen=True)
class DocSpec:
    """One document of the set, decided before anything is drawn."""

    index: int
    style: Style
    degradation: Degradation
    ruling: Ruling
    orientation: Orientation
    fmt: FileFormat
    pages: int
    year: int
    level: Level
    gray: bool
    rotations: tuple[int, ...]  # per page, counter-clockwise degrees
    corrections: tuple[bool, ...]  # per page: draw a struck-through, rewritten value
    stamps: tuple[bool, ...]  # per page: a stamp pressed over table text

    @property
    def name(self) -> str:
        return f"d{self.index:03d}_{self.style.value}_{self.degradation.value}"


@dataclass
class Manifest:
    seed: int
    dpi: int
    pages: int
    files: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "generator": "bangdiem scans",
            "version": GENERATOR_VERSION,
            "seed": self.seed,
            "dpi": self.dpi,
            "pages": self.pages,
            "coordinates": (
                "pixel boxes [x0, y0, x1, y1] in the stored image (after skew and rotation); "
                "rotation_ccw: the page was turned this many degrees counter-clockwise, so "
                "turn it back clockwise to read it"
            ),
            "files": self.files,
        }


def _level_for(rng: random.Random, year: int) -> Level:
    options = levels_in(year)
    weights = [0.2 if lv is Level.BTVH else 0.4 for lv in options]
    return rng.choices(options, weights=weights, k=1)[0]


def plan_set(pages: int, seed: int, *, max_doc_pages: int = 4) -> list[DocSpec]:
    """Documents covering styles x levels, rulings, orientations and formats in turn."""
    rng = random.Random(f"bangdiem-scans-plan:{seed}")  # noqa: S311 - not crypto
    combos = list(itertools.product(Style, Degradation))
    rng.shuffle(combos)
    rulings = list(Ruling)
    formats = [FileFormat.PNG, FileFormat.TIFF, FileFormat.JPEG, FileFormat.PDF, FileFormat.TIFF_G4]
    specs: list[DocSpec] = []
    left = pages
    i = 0
    page_no = 0
    while left > 0:
        style, degradation = combos[i % len(combos)]
        fmt = formats[i % len(formats)]
        n = min(left, rng.randint(1, max_doc_pages))
        lo, hi = STYLE_YEARS[style]
        year = rng.randint(lo, hi)
        rotations = []
        for _ in range(n):
            page_no += 1
            # every 7th page is fed sideways or upside down, cycling 90/180/270
            rot = (page_no // 7 % 3 + 1) * 90 if page_no % 7 == 3 else 0
            rotations.append(rot)
        specs.append(
            DocSpec(
                index=i + 1,
                style=style,
                degradation=degradation,
                ruling=rulings[(i + i // 3) % len(rulings)],
                orientation=Orientation.LANDSCAPE if (i + i // 2) % 2 else Orientation.PORTRAIT,
                fmt=fmt,
                pages=n,
                year=year,
                level=_level_for(rng, year),
                gray=fmt is not FileFormat.TIFF_G4 and rng.random() < 0.4,
                rotations=tuple(rotations),
                corrections=tuple(rng.random() < 0.35 for _ in range(n)),
                stamps=tuple(rng.random() < 0.2 for _ in range(n)),
            )
        )
        left -= n
        i += 1
    return specs


def _age(year: int) -> float:
    return float(min(1.0, max(0.1, (2012 - year) / 35)))


def generate_document(
    spec: DocSpec, seed: int, dpi: int, out_dir: Path
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Draw and write one document; return its truth rows and its manifest file entries."""
    rng = random.Random(f"bangdiem-scans-doc:{seed}:{spec.index}")  # noqa: S311
    nrng = np.random.default_rng([seed, spec.index])
    probe = make_exam_list(rng, spec.year, spec.level, spec.pages * 70)
    plan = plan_document(rng, spec.style, spec.ruling, spec.orientation, dpi, probe)
    needed = paginate(rng, plan, spec.pages)
    thin(rng, probe, needed)
    corrected: set[int] = set()
    for p, wanted in enumerate(spec.corrections):
        if wanted and plan.pages[p]:
            idx = rng.choice(plan.pages[p])
            if plant_correction(rng, probe.candidates[idx], probe.facts.rules):
                corrected.add(idx)
    images = []
    page_meta: list[dict[str, Any]] = []
    page_rows: list[list[tuple[int, dict[str, Any]]]] = []
    verso: FloatImage | None = None
    for p in range(spec.pages):
        render = render_page(
            plan, p, rng, correction_rows=frozenset(corrected), stamp_over_text=spec.stamps[p]
        )
        coverage = print_coverage(render)
        finished = finish_page(
            render,
            spec.style,
            spec.degradation,
            nrng,
            rotation_ccw=spec.rotations[p],
            verso=verso if verso is not None else coverage,
            age=_age(spec.year),
        )
        verso = coverage
        images.append(finished.image)
        h, w = finished.image.shape[:2]
        page_meta.append(
            {
                "style": spec.style.value,
                "ruling": spec.ruling.value,
                "orientation": spec.orientation.value,
                "rotation_ccw": finished.rotation_ccw,
                "skew_deg": round(finished.skew_deg, 3),
                "degradation": spec.degradation.value,
                "degradations": finished.applied,
                "exam_year": probe.facts.year,
                "level": probe.facts.level.value,
                "image_size": [w, h],
                "rows": len(render.rows),
                "columns": [c.label for c in plan.columns],
                "row_boxes": [list(map_box(finished.matrix, r.box)) for r in render.rows],
                "cells": [
                    {name: list(map_box(finished.matrix, b)) for name, b in r.cells.items()}
                    for r in render.rows
                ],
            }
        )
        page_rows.append([(r.row, dict(r.fields)) for r in render.rows])
    truth: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    ext = EXTENSIONS[spec.fmt]
    if spec.fmt in MULTI_PAGE:
        groups = [(f"{spec.name}{ext}", list(range(spec.pages)))]
    elif spec.pages == 1:
        groups = [(f"{spec.name}{ext}", [0])]
    else:
        groups = [(f"{spec.name}_p{p + 1}{ext}", [p]) for p in range(spec.pages)]
    for file_name, members in groups:
        write_pages(
            [images[p] for p in members],
            out_dir / file_name,
            spec.fmt,
            dpi,
            gray=spec.gray,
            jpeg_quality=int(rng.randint(70, 92)),
        )
        for in_file, p in enumerate(members, start=1):
            for row_no, fields in page_rows[p]:
                truth.append(build_row(file_name, in_file, row_no, plan.sheet, fields))
        files.append(
            {
                "file": file_name,
                "format": spec.fmt.value,
                "document": spec.index,
                "document_page_offset": members[0],
                "color": "bilevel"
                if spec.fmt is FileFormat.TIFF_G4
                else ("gray" if spec.gray else "rgb"),
                "pages": [dict(page_meta[p], page=i) for i, p in enumerate(members, start=1)],
            }
        )
    return truth, files


def generate_set(
    out_dir: Path,
    pages: int,
    seed: int,
    *,
    dpi: int = DEFAULT_DPI,
    workers: int | None = None,
    max_doc_pages: int = 4,
    progress: Callable[[int, int], None] | None = None,
) -> Manifest:
    """Write a sample set of ``pages`` pages to ``out_dir`` (truth.jsonl, manifest.json and
    the scans); the same seed gives the same files, whatever the number of ``workers``
    (processes; default: one per CPU, at most 4)."""
    if pages < 1:
        raise ValueError("pages must be at least 1")
    check_all()  # fail early, in Vietnamese, if a font package is missing
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(seed=seed, dpi=dpi, pages=pages)
    all_truth: list[dict[str, Any]] = []
    specs = plan_set(pages, seed, max_doc_pages=max_doc_pages)
    n_workers = min(4, os.cpu_count() or 1) if workers is None else max(1, workers)
    n_workers = min(n_workers, len(specs))
    done = 0
    if n_workers == 1:
        results = (generate_document(spec, seed, dpi, out_dir) for spec in specs)
        for spec, (truth, files) in zip(specs, results, strict=True):
            all_truth.extend(truth)
            manifest.files.extend(files)
            done += spec.pages
            if progress is not None:
                progress(done, pages)
    else:
        with ProcessPoolExecutor(max_workers=n_workers) as pool:
            futures = [pool.submit(generate_document, spec, seed, dpi, out_dir) for spec in specs]
            for spec, future in zip(specs, futures, strict=True):
                truth, files = future.result()
                all_truth.extend(truth)
                manifest.files.extend(files)
                done += spec.pages
                if progress is not None:
                    progress(done, pages)
    with (out_dir / "truth.jsonl").open("w", encoding="utf-8", newline="\n") as handle:
        write_jsonl(all_truth, handle)
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return manifest
