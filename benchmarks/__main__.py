"""``make bench``: speed and accuracy figures, printed (never asserted in tests).

(a) the batch on a generated set of every style and degradation level, against img2table +
    Tesseract on the same pages in the same run; (b) the grid reader on the 21 real
    weather-rescue pages, against the published cloud results; (c) the review app's server
    time per action with 500,000 fields, on SQLite and PostgreSQL (``benchmarks.review``);
    (d) publishing and the public lookup with 1,000,000 records, on SQLite and PostgreSQL
    (``benchmarks.lookup``, load from wrk).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks import img2table_peer, lookup, review, synthetic, weather
from records.export_format import write_jsonl

WEATHER_DATA = Path(__file__).parent / "data" / "weatherrescue"
PARTS = ("ours", "img2table", "weather", "review", "lookup")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--root", type=Path, default=Path("var/bench"))
    parser.add_argument("--skip", action="append", default=[], choices=PARTS)
    parser.add_argument("--only", choices=PARTS, help="skip all the others")
    args = parser.parse_args()
    if args.only:
        args.skip = [s for s in PARTS if s != args.only]
    if "ours" not in args.skip or "img2table" not in args.skip:
        folder = synthetic.sample_set(args.root, args.pages, args.seed)
        files = synthetic.scan_files(folder)
    if "ours" not in args.skip:
        run = synthetic.run_ours(files, args.workers)
        rate = run.pages / run.seconds * 60
        print(
            f"\n== bangdiem: {run.pages} trang, {run.seconds:.1f} s, {rate:.1f} trang/phút "
            f"với {args.workers} tiến trình, bộ nhớ đỉnh mỗi tiến trình {run.peak_worker_mb:.0f} MB"
        )
        dump = args.root / "last-rows.jsonl"
        with dump.open("w", encoding="utf-8") as handle:
            write_jsonl(run.rows, handle)
        results = synthetic.evaluate(folder, run.rows)
        synthetic.print_tallies("Theo kiểu in:", results["style"])
        synthetic.print_tallies("Theo mức xuống cấp:", results["degradation"])
        synthetic.print_tallies("Theo kẻ bảng:", results["ruling"])
        synthetic.print_tallies(
            "Trang sạch → trung bình, theo kiểu in:", results["clean_to_medium"]
        )
        synthetic.print_fields(results["style"]["all"])
    if "img2table" not in args.skip:
        rows, pages, seconds = img2table_peer.run_peer(files, args.workers)
        rate = pages / seconds * 60
        print(
            f"\n== img2table + Tesseract: {pages} trang, {seconds:.1f} s, {rate:.1f} trang/phút "
            f"với {args.workers} tiến trình"
        )
        peer = synthetic.evaluate(folder, rows)
        synthetic.print_tallies("img2table – theo kiểu in:", peer["style"])
        if "ours" not in args.skip:
            ours_all, peer_all = results["style"]["all"], peer["style"]["all"]
            print("\n== Tỉ lệ bangdiem / img2table (cùng lần chạy):")
            print(f"  tốc độ trang/phút: {(run.pages / run.seconds) / (pages / seconds):.2f}×")
            print(f"  độ đúng trường: {ours_all.accuracy():.1%} / {peer_all.accuracy():.1%}")
            print(f"  thu hồi dòng: {ours_all.row_recall():.1%} / {peer_all.row_recall():.1%}")
            print(
                f"  đúng tên: {ours_all.accuracy('full_name'):.1%} / "
                f"{peer_all.accuracy('full_name'):.1%}"
            )
    if "weather" not in args.skip:
        weather.report(weather.run(WEATHER_DATA))
    if "review" not in args.skip:
        review.run(skip=[])
    if "lookup" not in args.skip:
        lookup.run(skip=[])


if __name__ == "__main__":
    main()
