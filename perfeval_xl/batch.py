"""perfeval batch: every submission of a folder or zip checked in parallel processes, results kept in a history
database, and the summary, JSON, CSV and annotated copies written to one output folder."""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, TypeVar

from .consolidate import ConsolidationError, Parts
from .definition import Rules, rules_in_force, use_rules
from .engine import Evaluation
from .history import Cell, History, Previous, Recorded, Scored, Submitted, changes, found_in
from .plan import STATUS_LABEL, build_plan
from .prior_year import Carried, Earlier, carried, from_history
from .provenance import tool_version
from .reader import UnreadableInput, cannot_open
from .report import internal_error, readable_name, result_dict, unreadable_dict
from .roster import Listed, Roster, unit_key
from .service import check_paths, warm_up
from .submissions import Submission, collect
from .unkept import annotatable, copy_lacks
from .unwritable import cannot_write

ANNOTATED_DIR = "annotated"
T = TypeVar("T")


@dataclass
class Entry:
    """One submission's row: its result (the JSON contract), where its annotated copy went, whether the result was
    taken from an earlier run, and what changed since the unit's previous submission."""

    name: str
    content_hash: str
    result: dict[str, Any]
    annotated: str | None = None
    reused: bool = False
    previous: Previous | None = None
    fixed: list[Cell] = field(default_factory=list)
    new: list[Cell] = field(default_factory=list)
    carried: Carried | None = None  # the figures next year's form gives again (see prior_year.carried)
    against: str = ""  # what else its result depends on (the institutions' files a department was summed from)

    @property
    def status(self) -> str:
        return str(self.result["status"])

    @property
    def returned(self) -> bool:
        return self.status in ("error", "unreadable")


@dataclass(frozen=True)
class _Task:
    name: str
    path: str
    form_id: str | None
    lang: str
    annotate_to: str | None


# A file's result, the name of its annotated copy when one was written, and the figures it carries into next year.
Checked = tuple[dict[str, Any], str | None, Carried | None]

CHUNK = 64  # files per worker call at most: pandera validates a chunk's frames of one form together (~3 ms a call);
# a chunk's workbooks are in memory together, so its size, not the batch's, sets a worker's peak memory


def check_chunk(tasks: list[_Task]) -> list[Checked]:
    """Check a chunk of files in one worker call: each file's result, its annotated copy's name when one was
    written, and what it carries into next year. If the engine fails on the chunk, each file is checked alone so
    only the file at fault gets an error row."""
    try:
        outcomes = check_paths([t.path for t in tasks], tasks[0].form_id, from_history(_last_years))
    except Exception:
        return [check_one(task) for task in tasks]
    return [_finish(task, outcome) for task, outcome in zip(tasks, outcomes, strict=True)]


def check_one(task: _Task) -> Checked:
    """One file alone. Nothing raised here may stop the batch, so even an engine failure becomes the file's row."""
    try:
        outcome = check_paths([task.path], task.form_id, from_history(_last_years))[0]
    except Exception as exc:
        return unreadable_dict(task.name, internal_error(exc, task.lang)), None, None
    return _finish(task, outcome)


def _finish(task: _Task, outcome: Evaluation | UnreadableInput) -> Checked:
    if isinstance(outcome, UnreadableInput):
        return unreadable_dict(task.name, outcome.text(task.lang), outcome.form), None, None
    result, carries = result_dict(outcome, task.name, task.lang), carried(outcome)
    if task.annotate_to is None or not outcome.findings:
        return result, None, carries
    from .writeback import annotate_file  # here: openpyxl is imported only when annotating

    copy = f"{ANNOTATED_DIR}/{task.name}"
    try:
        lacking = annotate_file(task.path, build_plan(outcome, task.lang), task.annotate_to).lacks
    except Exception as exc:
        result["annotation_error"] = cannot_write(copy, exc, task.lang)
        return result, None, carries
    if lacking:
        result["annotation_warning"] = copy_lacks(lacking, task.lang)
    return result, copy, carries


def _quoted(names: list[str], lang: str) -> str:
    return "、".join(f"“{n}”" for n in names) if lang == "zh" else ", ".join(names)


class _Departments:
    """The 汇总 check of a batch given a unit list that names departments: a department's submission waits until
    every file has been checked, then is checked again against the sum of its institutions' submissions (PE402).
    Only the submissions of listed institutions are remembered, by name, not their results."""

    def __init__(self, roster: Roster) -> None:
        self.members = roster.departments()
        self.institutions = {unit_key(u.name) for units in self.members.values() for u in units}
        self.held: list[tuple[Submission, Entry]] = []
        self.sent: dict[str, list[Submission]] = {}
        self.compared = self.not_compared = 0

    def holds(self, sub: Submission, entry: Entry) -> bool:
        """Note a checked submission; True when it is a department's, to be checked once every file has been."""
        unit = entry.result.get("unit")
        if entry.status == "unreadable" or not unit:
            return False
        key = unit_key(unit)
        if key in self.institutions:
            self.sent.setdefault(key, []).append(sub)
        if key in self.members:
            self.held.append((sub, entry))
            return True
        return False

    def checked(self, task: _Task, entry: Entry, hashes: dict[str, str]) -> Entry:
        """A held department's entry: checked again against its institutions' forms, or, when they cannot be summed
        (one not sent, sent twice, of another form or year), as it was, saying why it was not compared."""
        institutions = self.members[unit_key(entry.result["unit"])]
        reason, parts, files = self._parts(institutions, task.form_id, task.lang)
        if parts is not None:
            outcome = check_paths([task.path], task.form_id, from_history(_last_years), parts)[0]
            if isinstance(outcome, Evaluation) and outcome.parts is not None:
                self.compared += 1
                result, copy, carries = _finish(task, outcome)
                digest = hashlib.sha256("|".join(sorted(hashes[f] for f in files)).encode()).hexdigest()[:16]
                return Entry(entry.name, entry.content_hash, result, copy, carried=carries, against=f";parts={digest}")
            reason = (
                parts.not_compared(outcome, task.lang) if isinstance(outcome, Evaluation) else outcome.text(task.lang)
            )
        self.not_compared += 1
        entry.result["parts"] = {"files": [], "not_compared": reason}
        return entry

    def _parts(self, institutions: list[Listed], form_id: str | None, lang: str) -> tuple[str, Parts | None, list[str]]:
        """The institutions' forms summed, with their files; else why they cannot be."""
        zh = lang == "zh"
        missing = [u.name for u in institutions if unit_key(u.name) not in self.sent]
        several = [u.name for u in institutions if len(self.sent.get(unit_key(u.name), ())) > 1]
        if missing:
            said = (
                f"机构{_quoted(missing, lang)}未报送可读取的表"
                if zh
                else f"no readable form from {_quoted(missing, lang)}"
            )
        elif several:
            said = (
                f"机构{_quoted(several, lang)}报送了不止一份" if zh else f"several forms from {_quoted(several, lang)}"
            )
        else:
            subs = [self.sent[unit_key(u.name)][0] for u in institutions]
            names = [sub.name for sub in subs]
            try:
                return "", Parts.read([Path(str(sub.path)) for sub in subs], names, form_id), names
            except UnreadableInput as exc:
                said = f"{next(sub.name for sub in subs if str(sub.path) == exc.path)}：{exc.text(lang)}"
            except ConsolidationError as exc:
                said = exc.message if zh else exc.message_en
        return said + ("，未作汇总核对" if zh else ": not compared"), None, []


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _hashes(subs: list[Submission]) -> dict[str, str]:
    """Each submission's content hash; one that cannot even be opened becomes a refused submission in place (its
    row says why), instead of ending the batch."""
    hashes = {}
    for n, sub in enumerate(subs):
        if sub.path is None:
            continue
        try:
            hashes[sub.name] = content_hash(sub.path)
        except OSError as exc:
            error = cannot_open(sub.path, exc)
            subs[n] = Submission(sub.name, None, error.message, error.message_en)
    return hashes


def _refused(sub: Submission, lang: str) -> dict[str, Any]:
    return unreadable_dict(sub.name, (sub.refused if lang == "zh" else sub.refused_en) or "")


def _collect_seldom() -> None:
    """The collector runs every 50,000 surviving allocations instead of 700, in a worker or a one-process batch: a
    chunk allocates hundreds of thousands of short-lived objects that reference counting frees, and the default made
    the collector walk them hundreds of times per chunk (about a fifth of the checking time, measured). The few
    cycles still get collected."""
    gc.set_threshold(50_000, 20, 20)


# Last year's submissions in the history (see History.last_years), for the 跨期 check, as the process checking files
# knows them: the batch's own process for the run, and each worker from its initializer, once, however many chunks
# it takes (a history of many years and units is no small thing to send with every chunk).
_last_years: dict[tuple[str, str, int], Earlier] = {}


def _start_worker(last_years: dict[tuple[str, str, int], Earlier], rules: Rules | None) -> None:
    """A worker process about to check files: the collector runs seldom, last year's submissions are known, and the
    bureau's rules are in force (a worker started afresh, as on Windows, has not inherited them)."""
    _collect_seldom()
    _last_years.update(last_years)
    use_rules(rules)


@contextmanager
def _knowing(last_years: dict[tuple[str, str, int], Earlier]) -> Iterator[None]:
    """This process knows last year's submissions while it checks files (workers learn them from their initializer)."""
    _last_years.update(last_years)
    try:
        yield
    finally:
        _last_years.clear()


def _run_tasks(tasks: list[_Task], jobs: int, last_years: dict[tuple[str, str, int], Earlier]) -> Iterator[Checked]:
    """Results in task order, each file checked against the unit's submission of last year among ``last_years``."""
    with _knowing(last_years):
        yield from _checked(tasks, jobs)


def start_method() -> BaseContext | None:
    """How workers start: forked on Linux while this process runs no Python thread but its own, so that they share its
    imports and warm-up (Python 3.14 starts them from a forkserver by default, where each imports and warms up again:
    about 1 s more per batch, measured here); else the platform's default, as forking beside a thread may hang a child
    on a lock the thread held. The threads of native libraries (OpenBLAS's, under numpy) guard their own locks at a
    fork, and Python 3.13 does not count them either when it warns of forking beside threads (seen here)."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return None


# Windows waits on at most 63 handles at once, two of them a pool's own: ProcessPoolExecutor refuses more workers there.
_MOST_WORKERS_ON_WINDOWS = 61


def _workers(jobs: int) -> int:
    """The worker processes ``jobs`` asked for can have: no more than Windows takes (a bureau's machine of 64 cores or
    more ended the batch with an internal error at the default of every core)."""
    return min(jobs, _MOST_WORKERS_ON_WINDOWS) if sys.platform == "win32" else jobs


def pool_size(jobs: int, chunks: int) -> int:
    """The worker processes for ``chunks`` chunks with ``jobs`` asked for: those it can have (``_workers``), and no
    more than the chunks (a worker started for none is a process forked for nothing)."""
    return max(1, min(_workers(jobs), chunks))


def chunked(tasks: list[T], jobs: int) -> list[list[T]]:
    """The tasks (files) in chunks of at most ``CHUNK``, small enough that each of the workers ``jobs`` can have gets about
    four, so that none waits idle at the end."""
    size = max(1, min(CHUNK, -(-len(tasks) // (_workers(jobs) * 4))))
    return [tasks[i : i + size] for i in range(0, len(tasks), size)]


def _checked(tasks: list[_Task], jobs: int) -> Iterator[Checked]:
    """Results in task order; with more than one job, chunks (see ``chunked``) go to a pool of processes."""
    chunks = chunked(tasks, jobs)
    if jobs <= 1 or len(chunks) <= 1:
        threshold = gc.get_threshold()
        _collect_seldom()
        try:
            for chunk in chunks:
                yield from check_chunk(chunk)
        finally:
            gc.set_threshold(*threshold)
        return
    warm_up()
    if any(task.annotate_to for task in tasks):
        import_module(".writeback", __package__)  # once, for every worker forked below
    # Forked workers share the warmed-up objects; frozen, the collector in each worker never walks them (walking
    # them would cost time and copy their pages).
    gc.freeze()
    try:
        # When a worker dies (a native crash, the OOM killer), the pool is broken: the first chunk it left unfinished
        # goes file by file, each in a process of its own, and a new pool takes the chunks after it.
        done = 0
        while done < len(chunks):
            unfinished: list[_Task] = []
            with ProcessPoolExecutor(
                max_workers=pool_size(jobs, len(chunks) - done),
                mp_context=start_method(),
                initializer=_start_worker,
                initargs=(_last_years, rules_in_force()),
            ) as pool:
                # Each future let go of once its results are out: a list of them all kept every chunk's results, the
                # whole batch's, until the last came in.
                futures = deque(pool.submit(check_chunk, chunk) for chunk in chunks[done:])
                while futures:
                    future, chunk, done = futures.popleft(), chunks[done], done + 1
                    try:
                        results = future.result()
                    except BrokenProcessPool:
                        unfinished = chunk
                        break
                    yield from results
            # Once the broken pool is shut down: forked while its threads still ran, a process may inherit a lock one
            # of them held, and hang (Python 3.12 on warns of it).
            yield from (_alone(task) for task in unfinished)
    finally:
        gc.unfreeze()


def _alone(task: _Task) -> Checked:
    """One file in a process of its own, once a worker has died: the file that kills this one too gets its row with
    the reason, and the batch goes on."""
    with ProcessPoolExecutor(
        max_workers=1, mp_context=start_method(), initializer=_start_worker, initargs=(_last_years, rules_in_force())
    ) as pool:
        try:
            return pool.submit(check_one, task).result()
        except BrokenProcessPool:
            reason = (
                "读取该文件的进程异常终止（文件可能已损坏），请在 Excel 中重新保存后提交"
                if task.lang == "zh"
                else "the process reading this file died (the file may be corrupt); save it again in Excel and resubmit"
            )
            return unreadable_dict(task.name, reason), None, None


class Progress:
    """A bar on a terminal, plain lines otherwise (a log file, a CI job), both on stderr; ``label`` names what is
    read when it is not the submissions (last year's forms)."""

    def __init__(self, total: int, lang: str, stream: Any = None, label: str = "") -> None:
        self.total, self.lang, self.done, self.label = total, lang, 0, label
        self.stream = stream or sys.stderr
        self.bar = None
        if self.stream.isatty() and total:
            import click

            said = label or ("校验" if lang == "zh" else "checking")
            self.bar = click.progressbar(length=total, label=said, file=self.stream)
            self.bar.__enter__()

    def step(self, entry: Entry) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
            return
        status = STATUS_LABEL[self.lang][entry.status]
        reused = ("（未变更）" if self.lang == "zh" else " (unchanged)") if entry.reused else ""
        width = len(str(self.total))
        said = f"{self.label} " if self.label else ""
        print(f"{said}[{self.done:>{width}}/{self.total}] {status}{reused} {entry.name}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@dataclass
class BatchResult:
    """What a batch came to: where its results are, and how many submissions were accepted, returned, unreadable
    or taken unchanged from an earlier run, and how many units sent several (the entries themselves went to the
    outputs as they came)."""

    database: str
    total: int = 0
    errors: int = 0
    unreadable: int = 0
    reused: int = 0
    same_unit: int = 0  # units that sent more than one file of a form and year
    other_year: int = 0  # submissions stating another year than most of their form's
    others: int = 0  # files in the inbox that are no submission (a scanned PDF, a report in .docx)
    unsent: int = 0  # units of the bureau's list that sent no readable form
    unlisted: int = 0  # submissions of units not on the list
    departments: int = 0  # departments of the list in 报送进度 (0: a list without departments, no such sheet)
    complete: int = 0  # and those whose every unit sent a readable form
    compared: int = 0  # departments' submissions checked against the sum of their institutions'
    not_compared: int = 0  # and those that could not be (an institution's form missing, of another year…)
    last_year: int = 0  # submissions set beside the unit's of the year before (与上年对比)
    prior: str = ""  # the folder or .zip of last year's submissions named with --prior
    prior_files: int = 0  # and how many workbooks it holds

    def count(self, entry: Entry) -> None:
        self.total += 1
        self.errors += entry.status == "error"
        self.unreadable += entry.status == "unreadable"
        self.reused += entry.reused

    @property
    def returned(self) -> int:
        return self.errors + self.unreadable

    @property
    def exit_code(self) -> int:
        return 2 if self.unreadable else 1 if self.errors else 0


WINDOW = 256  # entries compared with the history, recorded and written out together


def run_batch(
    source: Path,
    outdir: Path,
    *,
    jobs: int | None = None,
    form_id: str | None = None,
    annotate: bool = True,
    lang: str = "zh",
    db_url: str | None = None,
    progress: Callable[[int], Progress] | None = None,
    roster: Roster | None = None,
    prior: Path | None = None,
) -> BatchResult:
    """Check every submission of ``source`` (a folder or a .zip) into ``outdir``. The inputs are only read.

    Entries go out in submission order, a window at a time: compared with the unit's previous submission, recorded
    in the history and written to the outputs, then dropped, so memory does not grow with the number of files.
    With the bureau's unit list (``roster``), the outputs say which listed units sent nothing readable and which
    submissions are of no listed unit, and each department's submission comes last, checked against the sum of its
    institutions' (汇总, PE402). Last year's submissions are the history's, and those of ``prior`` (a folder or .zip
    of them: a bureau's first year with the tool) over them."""
    from .summary import Outputs

    outdir.mkdir(parents=True, exist_ok=True)
    database = db_url or f"sqlite:///{(outdir / 'results.sqlite').resolve()}"
    rules = rules_in_force()  # results checked under other rules than these are not reused
    options = f"form={form_id or '*'};lang={lang}" + (f";rules={rules.digest}" if rules else "")
    batch = BatchResult(database)
    with (
        History(database, tool_version()) as history,
        tempfile.TemporaryDirectory(dir=outdir, prefix=".unpacked-") as unpacked,
    ):
        inbox = collect(source, Path(unpacked), exclude=outdir, leave=roster.path if roster is not None else None)
        subs = inbox.submissions
        run_id = history.start_run(readable_name(str(source)))
        hashes = _hashes(subs)
        last_years, scored = history.last_years(run_id), history.scored(run_id)
        if prior is not None:
            earlier, scored_then, digest, batch.prior_files = _last_year_in(prior, Path(unpacked), form_id, lang, jobs)
            last_years.update(earlier)
            scored.update(scored_then)
            options += f";prior={digest}"  # results checked against these forms are not another run's
            batch.prior = readable_name(str(prior))
        stored = history.stored_issues(sorted(set(hashes.values())), options)
        reuse: set[str] = set()
        tasks: list[_Task] = []

        def copy_of(sub: Submission) -> Path:
            """Where the annotated copy of a submission goes, or went in an earlier run."""
            return outdir / ANNOTATED_DIR / sub.name

        def task(sub: Submission) -> _Task:
            return _Task(sub.name, str(sub.path), form_id, lang, str(copy_of(sub)) if annotate else None)

        for sub in subs:
            if sub.path is None:
                continue
            has_issues = stored.get(hashes[sub.name])
            # Taken from the history unless the copy it needs is missing (a legacy .xls never has one).
            if has_issues is not None and (
                not annotate or not has_issues or copy_of(sub).exists() or not annotatable(sub.path)
            ):
                reuse.add(sub.name)
            else:
                tasks.append(task(sub))
        results = _run_tasks(tasks, jobs or os.cpu_count() or 1, last_years)
        bar = (progress or (lambda n: Progress(n, lang)))(len(subs))
        outputs = Outputs(outdir, lang, inbox.others, roster, scored)
        departments = _Departments(roster) if roster is not None else None

        def settle(entries: list[Entry]) -> None:
            """Compare a window's entries with the history, record them and write them out."""
            _compare_with_previous(history, run_id, entries)
            history.record(
                run_id, [Recorded(e.name, e.content_hash, options + e.against, e.result, e.carried) for e in entries]
            )
            for entry in entries:
                outputs.add(entry)
                batch.count(entry)

        try:
            for start in range(0, len(subs), WINDOW):
                window = subs[start : start + WINDOW]
                known = history.stored_results(sorted({hashes[s.name] for s in window if s.name in reuse}), options)
                entries: list[Entry] = []
                try:
                    for sub in window:
                        digest = hashes.get(sub.name, "")
                        if sub.path is None:
                            entry = Entry(sub.name, digest, _refused(sub, lang))
                        elif sub.name in reuse:
                            result, carries = known[digest]
                            entry = Entry(sub.name, digest, {**result, "file": sub.name}, reused=True, carried=carries)
                            has_copy = annotate and result["issues"] and copy_of(sub).exists()
                            entry.annotated = f"{ANNOTATED_DIR}/{sub.name}" if has_copy else None
                        else:
                            result, annotated_name, carries = next(results)
                            entry = Entry(sub.name, digest, result, annotated_name, carried=carries)
                        if departments is not None and departments.holds(sub, entry):
                            continue
                        bar.step(entry)
                        entries.append(entry)
                except KeyboardInterrupt:  # Ctrl-C: the files checked so far are kept (a re-run takes them unchanged)
                    settle(entries)
                    raise
                settle(entries)
            if departments is not None:  # last, once every institution's submission is known
                with _knowing(last_years):
                    entries = [departments.checked(task(sub), entry, hashes) for sub, entry in departments.held]
                for entry in entries:
                    bar.step(entry)
                settle(entries)
                batch.compared, batch.not_compared = departments.compared, departments.not_compared
        finally:
            bar.close()
            outputs.close()
        batch.same_unit, batch.other_year, batch.others = outputs.same_unit, outputs.other_year, len(inbox.others)
        batch.unsent, batch.unlisted, batch.last_year = outputs.unsent, outputs.unlisted, len(outputs.beside)
        batch.departments, batch.complete = outputs.departments, outputs.complete
    return batch


def _last_year_in(
    source: Path, workdir: Path, form_id: str | None, lang: str, jobs: int | None
) -> tuple[dict[tuple[str, str, int], Earlier], dict[tuple[str, str, int], Scored], str, int]:
    """Last year's submissions in a folder or .zip, checked as this year's are, as the history gives them (see
    ``History.last_years`` and ``History.scored``), by (form, folded unit, year); a unit that sent more than one form
    of a year there is left out (which one counts is its to say). With a digest of those files' contents, and how
    many there are."""
    subs = collect(source, workdir / ".prior").submissions
    hashes = _hashes(subs)
    tasks = [_Task(sub.name, str(sub.path), form_id, lang, None) for sub in subs if sub.path is not None]
    earlier: dict[tuple[str, str, int], Earlier] = {}
    scored: dict[tuple[str, str, int], Scored] = {}
    seen: dict[tuple[str, str, int], int] = {}
    bar = Progress(len(tasks), lang, label="上一年度的表" if lang == "zh" else "last year's forms")
    try:
        for task, (result, _, carries) in zip(tasks, _run_tasks(tasks, jobs or os.cpu_count() or 1, {}), strict=True):
            bar.step(Entry(task.name, "", result))
            if result["status"] == "unreadable" or not result.get("unit") or not result.get("year"):
                continue
            form, unit, year = result["form"], str(result["unit"]), result["year"]
            key = (form, unit_key(unit), year)
            seen[key] = seen.get(key, 0) + 1
            if carries:
                earlier[key] = Earlier(carries, task.name, form, year, unit)
            if (scores := result.get("scores") or {}).get("grade"):
                scored[key] = Scored(task.name, scores["total"], scores["grade"])
    finally:
        bar.close()
    once = {key for key, count in seen.items() if count == 1}
    digest = hashlib.sha256("\n".join(sorted(hashes.values())).encode()).hexdigest()[:16]
    return (
        {k: v for k, v in earlier.items() if k in once},
        {k: v for k, v in scored.items() if k in once},
        digest,
        len(tasks),
    )


def _compare_with_previous(history: History, run_id: int, entries: Iterable[Entry]) -> None:
    """For each new content of a unit, what was fixed and what is new since the unit's previous submission. An
    unchanged file was compared when it first came in."""
    compared: dict[Submitted, list[Entry]] = {}
    for e in entries:
        if not e.reused and e.result.get("form") and e.result.get("unit"):
            key = (e.result["form"], e.result["unit"], e.result.get("year"), e.content_hash)
            compared.setdefault(key, []).append(e)
    for key, previous in history.previous(list(compared), run_id).items():
        for entry in compared[key]:
            entry.previous = previous
            entry.fixed, entry.new = changes(previous.findings, found_in(entry.result))
