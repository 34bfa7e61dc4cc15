"""The derived files (archive.snapshot, figures.counts, search.txt, search.idx, search.words,
figures.rows, figures.idx) as `tongket doctor` sees them: each verified and named when it is
missing, stale or damaged, and rebuilt on request.

They hold nothing that is not in archive.json and the article texts, so a bad one is never
repaired, only dropped and rebuilt. The app and the commands already refuse a snapshot that
fails its checksums; this module is how the doctor says so, and checks the search text
against the article texts it was folded from (it has no checksum of its own: it is appended
to, record by record); the export rows are checked against their CRCs and the body files
they were encoded from.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import orjson

from tongket.store.archive import segments
from tongket.store.archive.layout import BODIES_DIR, body_file
from tongket.store.archive.lock import write_lock
from tongket.store.archive.temps import sweep_temps
from tongket.store.derived import figure_counts, figure_rows
from tongket.store.derived import snapshot as snapshots
from tongket.store.derived import snapshot_file
from tongket.store.derived import textindex, wordindex
from tongket.store.lang.text import fold



@dataclass(frozen=True)
class DerivedState:
    """One derived file: "ok", "missing", "stale" or "damaged", and why."""

    name: str
    status: str
    detail: str = ""
    self_checking: bool = False  # refused and rebuilt by every open when bad (the snapshot)

    @property
    def bad(self) -> bool:
        return self.status == "damaged"

    def line(self) -> str:
        if self.status == "ok":
            return f"{self.name}: ok"
        what = self.detail if self.detail.startswith(self.status) else f"{self.status}{': ' if self.detail else ''}{self.detail}"
        mark = "DAMAGED - " + what.removeprefix("damaged: ") if self.bad else what
        if self.status == "missing" or self.self_checking:
            return f"{self.name}: {mark} (derived: rebuilt when next needed, or now by `tongket doctor --repair`)"
        return f"{self.name}: {mark} (derived: `tongket doctor --repair` rebuilds it)"


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _head(folder: Path) -> Path:
    """The file naming the state the snapshot must match: archive.json or its newest segment."""
    base = folder / snapshot_file.ARCHIVE_FILE
    committed = segments.committed(folder, segments.base_key(base))
    return committed[-1].path if committed else base


def check_snapshot(folder: Path) -> DerivedState:
    head = _head(folder)
    problem = snapshot_file.check(folder / snapshots.SNAPSHOT_FILE, _signature(head), head)
    if problem is None:
        return DerivedState(snapshots.SNAPSHOT_FILE, "ok")
    status = problem.split(":", 1)[0]
    return DerivedState(snapshots.SNAPSHOT_FILE, status, problem, self_checking=True)


def _body_text(folder: Path, ref: str) -> str | None:
    """The folded text the article text file says the search record should hold."""
    try:
        body = orjson.loads((folder / BODIES_DIR / ref[:2] / f"{ref}.json").read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(body, dict) or not isinstance(body.get("body"), str):
        return None
    stored = body.get("search")
    return stored if isinstance(stored, str) else " ".join(fold(body["body"]).split())


def check_search(folder: Path) -> DerivedState:
    """search.txt and search.idx together: present, from one rewrite, and every record equal
    to the folded text of its article (records of articles since edited are dead weight)."""
    name = f"{textindex.TEXT_FILE}, {textindex.INDEX_FILE}"
    present = [(folder / n).exists() for n in (textindex.TEXT_FILE, textindex.INDEX_FILE)]
    if not any(present):
        return DerivedState(name, "missing")
    records = textindex.stored_records(folder)
    if records is None:
        return DerivedState(name, "damaged", "one of the two is missing, unreadable or from another rewrite")
    wrong = 0
    for ref, stored in records:
        expected = _body_text(folder, ref)
        if expected is not None and stored != expected.encode("utf-8"):
            wrong += 1
    if wrong:
        return DerivedState(name, "damaged", f"{wrong} of {len(records)} records differ from their article texts")
    return DerivedState(name, "ok")


def check_words(folder: Path) -> DerivedState:
    """search.words: every chunk its CRC, built from the records search.txt holds now."""
    name = wordindex.WORDS_FILE
    entries = textindex.read_entries(folder)
    records = textindex.stored_records(folder)
    if not (folder / name).exists():
        return DerivedState(name, "missing")
    if entries is None or records is None:
        return DerivedState(name, "stale", "stale: search.txt, search.idx it was built from are not there")
    problem = wordindex.problem(folder, entries[0], [text for _ref, text in records])
    if problem is None:
        return DerivedState(name, "ok")
    return DerivedState(name, problem.split(":", 1)[0], problem)


def check_figure_rows(folder: Path) -> DerivedState:
    """figures.rows and figures.idx: every entry whole, every block its CRC, and each entry
    encoded from the body file that is there now (an export would not believe the others,
    and reads those articles from their body files)."""
    name = f"{figure_rows.ROWS_FILE}, {figure_rows.INDEX_FILE}"
    present = [(folder / n).exists() for n in (figure_rows.ROWS_FILE, figure_rows.INDEX_FILE)]
    if not any(present):
        return DerivedState(name, "missing")
    found = figure_rows.read_index(folder)
    if found is None or not all(present):
        return DerivedState(name, "damaged", "one of the two is missing, unreadable or not of this format")
    entries, count, damaged = found
    rows = figure_rows.RowsFile(folder)
    bad = stale = 0
    try:
        for ref, raw in entries.items():
            entry = figure_rows.Entry.of(raw)
            try:
                data = body_file(folder, ref).read_bytes()
                inode = body_file(folder, ref).stat().st_ino
            except OSError:
                continue  # no article text: an entry nothing reads
            if zlib.crc32(data) != entry.body_crc:
                stale += 1
            elif rows.block(ref, inode, "csv") is None or rows.block(ref, inode, "jsonl") is None:
                bad += 1 if entry.inode == inode else 0
    finally:
        rows.close()
    if damaged or bad:
        parts = [f"{damaged} damaged or cut-off entries"] if damaged else []
        parts += [f"{bad} of {count} blocks fail their checksums"] if bad else []
        return DerivedState(name, "damaged", "; ".join(parts))
    if stale:
        return DerivedState(name, "stale", f"{stale} of {len(entries)} entries are of article texts since rewritten")
    return DerivedState(name, "ok")


def check_figure_counts(folder: Path) -> DerivedState:
    """figures.counts against the snapshot an open would use, its counts recounted."""
    problem = figure_counts.check(folder, _usable_snapshot(folder))
    return DerivedState(figure_counts.COUNTS_FILE, "ok" if problem is None else problem.split(":", 1)[0], problem or "")


def _usable_snapshot(folder: Path) -> snapshots.Snapshot | None:
    head = _head(folder)
    return snapshot_file.read_checked(folder / snapshots.SNAPSHOT_FILE, _signature(head), head)


def check_derived(folder: Path) -> tuple[DerivedState, ...]:
    return (check_snapshot(folder), check_figure_counts(folder), check_search(folder), check_words(folder),
            check_figure_rows(folder))


def repair(folder: Path) -> str:
    """`tongket doctor --repair`: sweep temp leftovers, drop every damaged or stale derived
    file, then open the archive and run a text search so both are rebuilt now. What needs a
    choice (a damaged archive.json: --restore or --salvage) is left to those verbs."""
    from tongket.store.archive.archive import Archive

    dropped: list[str] = []
    with write_lock(folder):
        swept = sweep_temps(folder)
        for state in check_derived(folder):
            if state.status in ("damaged", "stale"):
                for name in state.name.split(", "):
                    try:
                        os.unlink(folder / name)
                        dropped.append(name)
                    except FileNotFoundError:
                        pass
    archive = Archive.open(folder)  # rebuilds the snapshot it lacks (raises if archive.json is damaged)
    snap = archive.index.snapshot
    if figure_counts.read(snap) is None and snap.source is not None:
        with write_lock(folder):
            figure_counts.save(folder, snap)  # and the figure counts
        dropped += [] if figure_counts.COUNTS_FILE in dropped else [figure_counts.COUNTS_FILE]
    archive.query(text="tongket")  # and the search text
    with open(os.devnull, "wb") as sink:
        archive.export_figures(sink, "jsonl")  # and the export rows
    rebuilt = f"rebuilt {', '.join(dropped)}" if dropped else "no derived file needed rebuilding"
    return f"{rebuilt}; removed {swept} temporary files left by interrupted writes"
