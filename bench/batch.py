"""Benchmark: ``perfeval batch`` against a naive peer and the calamine read floor, measured in the same run.

    python bench/batch.py [N]          # default 500

Generates N filled submissions of the five forms (filled in our templates and in the published layouts, with and
without findings, every file with its own unit name), and 4N more, then measures over the same files:
- ours, validate-only: ``perfeval batch DIR -o OUT --no-annotate`` (all cores, fresh history database), timed as a
  whole command over N files and in steady state: the cost of each further file, the slope between the same command
  over N and over 4N files (what is left is the start-up: imports, warm-up, worker processes, history database);
- ours, with annotation (annotated copies of every file with findings), timed the same two ways;
- naive peer: the script a user would otherwise write, one process: openpyxl full load + pandas per file, finding
  the budget and executed amounts by their labels;
- read floor: python-calamine reading every sheet of every file and doing nothing else, one process;
- our reader alone on all cores (calamine plus the formula-cell scan, no locating or checking): the ceiling of any
  checker built on it, printed as a fraction of the floor beside ours.
The peer and the floor run in this process, one file after another, their imports done before the clock starts, each
the best of two passes, as our commands are.
It prints files/s for each, the ratios ours/peer and ours/floor, and the peak RSS of a batch over N and over 4N files.
It asserts nothing.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from openpyxl import load_workbook

from perfeval_xl.batch import chunked
from perfeval_xl.definition import load_form
from perfeval_xl.reader import read_workbook
from perfeval_xl.service import check_path
from perfeval_xl.template import build_template

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.check_speed import naive_peer, read_floor  # noqa: E402 - the same peer and floor as the check bench
from tests.conftest import CLEAN, mutate  # noqa: E402 - the test fixtures' clean data, reused as realistic input

OFFICIAL = [
    ROOT / "examples" / "hubei_xiangyang_2021_official.xlsx",
    ROOT / "examples" / "guangzhou_kexie_2021_official.xlsx",
    ROOT / "examples" / "hunan_taojiang_2023_official.xlsx",
]
# Ten kinds in turn: every form filled in its template (湖北 twice, once with a slip), and the published layouts.
KINDS = ["hubei", "guangzhou", "hubei-slip", "hebei", "hunan", "yueyang", "hubei", *OFFICIAL]


def generate(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """``count`` distinct submissions of the five forms: 7 in 10 filled in our templates (one of them with a slip),
    3 in 10 in the published layouts (湖北, 广州, 湖南 two-sheet), each with its own unit name."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    unit_cells = {p: check_path(p).extraction.fields["unit"].ref for p in OFFICIAL}
    paths = []
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        path = folder / f"{i // 100:02d}" / f"submission_{i:05d}.xlsx"
        path.parent.mkdir(exist_ok=True)
        if isinstance(kind, Path):
            book = load_workbook(kind)
            ref = unit_cells[kind]
            book[ref.sheet][ref.a1] = f"第{i}号预算单位"
            book.save(path)
        else:
            form = kind.removesuffix("-slip")
            data = CLEAN[form]()
            data["fields"]["unit"] = f"第{i}号预算单位"
            if form == "hubei":
                data["fields"]["budget"] = round(3100 + rng.uniform(-50, 50), 2)
            change = {"rows": {4: {"score": 5}}} if kind.endswith("-slip") else {}
            build_template(load_form(form), path, mutate(data, change))
        paths.append(path)
    return paths


def per_file(label: str, func, files: list[Path]) -> float:
    """Files/s of ``func`` over the files, the best of ``RUNS`` passes, as ours is timed: a pass slowed by the
    machine's noise would flatter every ratio against it."""
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        for path in files:
            func(path)
        best = min(best, time.perf_counter() - start)
    rate = len(files) / best
    print(f"{label:<28} {rate:9.1f} files/s")
    return rate


PERFEVAL = [sys.executable, "-c", "from perfeval_xl.cli import main; main()"]


def command_seconds(folder: Path, out: Path, annotate: bool) -> float:
    """Wall time of a whole ``perfeval batch`` command: interpreter start-up, imports, history database, summary."""
    shutil.rmtree(out, ignore_errors=True)
    command = [*PERFEVAL, "batch", str(folder), "-o", str(out), "--annotate" if annotate else "--no-annotate"]
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False)
    return time.perf_counter() - start


RUNS = 2  # each command timed this many times, the best kept: this machine is noisy


def batch(label: str, folder: Path, more: Path, out: Path, annotate: bool) -> tuple[float, float]:
    """Files/s of ``perfeval batch`` over ``folder``: for the whole command, and in steady state, that is per further
    file once the command runs: the slope between the times over ``folder`` (N files) and over ``more`` (4N), as the
    peer's and the floor's rates leave out their imports. What the slope leaves is the start-up (imports, warm-up,
    worker processes, history database). Each time is the best of ``RUNS``; a slope over 3N files moves far less with
    the noise than one over fewer."""
    count, bigger = (sum(1 for _ in f.rglob("*.xlsx")) for f in (folder, more))
    whole = min(command_seconds(folder, out, annotate) for _ in range(RUNS))
    longer = min(command_seconds(more, out, annotate) for _ in range(RUNS))
    steady = (bigger - count) / max(longer - whole, 1e-9)
    print(
        f"{label:<28} {count / whole:9.1f} files/s whole command ({whole:.2f} s, of which "
        f"{max(whole - count / steady, 0.0):.2f} s start-up), {steady:.1f} files/s steady state"
    )
    return count / whole, steady


def _read_all(paths: list[Path]) -> int:
    for path in paths:
        read_workbook(path)
    return len(paths)


def reading_only(files: list[Path]) -> float:
    """Files/s of our reader alone in a pool of all cores, chunked as ``perfeval batch`` chunks (workers started
    before the clock)."""
    jobs = os.cpu_count() or 1
    chunks = chunked(files, jobs)
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_read_all, [files[:1]] * jobs))
        start = time.perf_counter()
        list(pool.map(_read_all, chunks))
        rate = len(files) / (time.perf_counter() - start)
    print(f"{'our reader alone, all cores':<28} {rate:9.1f} files/s")
    return rate


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"generating {count} submissions …", flush=True)
        files = generate(work / "in", count)
        generate(work / "big", 4 * count, seed=11)
        floor = per_file("read floor (calamine)", read_floor, files)
        peer = per_file("naive peer (openpyxl+pandas)", naive_peer, files)
        ceiling = reading_only(files)
        whole, steady = batch("ours, validate-only", work / "in", work / "big", work / "out", annotate=False)
        annotated, annotated_steady = batch(
            "ours, with annotation", work / "in", work / "big", work / "out", annotate=True
        )
        print(
            f"ours/peer  {steady / peer:6.1f}x steady state, {whole / peer:.1f}x whole command "
            f"(with annotation {annotated_steady / peer:.1f}x, {annotated / peer:.1f}x; target >= 8x)"
        )
        print(
            f"ours/floor {steady / floor:6.2f}  steady state, {whole / floor:.2f} whole command (target >= 0.5; "
            f"reading alone on all cores {ceiling / floor:.2f})"
        )
        rss_n, rss_4n = peak_rss(work / "in", work / "rss"), peak_rss(work / "big", work / "rss4")
        print(f"peak RSS   {rss_n / 1024:6.0f} MiB for {count} files, {rss_4n / 1024:.0f} MiB for {4 * count} files")


def peak_rss(folder: Path, out: Path) -> int:
    """Peak RSS (KiB) of the largest process of a validate-only batch, measured from a fresh interpreter so that one
    measurement's peak cannot hide the next one's."""
    command = [*PERFEVAL, "batch", str(folder), "-o", str(out), "--no-annotate"]
    code = (
        f"import resource, subprocess; subprocess.run({command!r}, capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
