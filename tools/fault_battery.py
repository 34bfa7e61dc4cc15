"""Fault battery for issue 13: damage the archive, feed hostile inputs, and check through the
command line alone that nothing is silently wrong. Prints cases tried / held / failed per family.

    python tools/fault_battery.py [--tongket .venv/bin/tongket] [--work /tmp/tongket-battery] [--seed 0]

Black-box on purpose: it only runs `tongket` and reads its output and exit codes, so the
battery keeps meaning the same thing when the archive's insides change. Not run by CI (it
takes a few minutes); the closing note of issue 13 quotes its figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Battery:
    tongket: str
    work: Path
    rng: random.Random
    results: list[tuple[str, str, bool, str]] = field(default_factory=list)

    def run(self, store: Path | None, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        argv = [self.tongket, *(["--store", str(store)] if store is not None else []), *args]
        return subprocess.run(argv, capture_output=True, text=True, input=stdin, timeout=600,
                              env={**os.environ, "TONGKET_STORE": str(self.work / "nowhere")})

    def record(self, family: str, case: str, held: bool, detail: str = "") -> None:
        self.results.append((family, case, held, detail))
        print(f"{'held  ' if held else 'FAILED'} {family} {case} {detail}"[:200], flush=True)

    def fresh(self, name: str) -> Path:
        target = self.work / "cases" / name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(self.work / "template", target, symlinks=True)
        return target


def remove(path: Path) -> None:
    """rm -rf: shutil.rmtree recurses, and the battery leaves a folder 1,100 deep."""
    subprocess.run(["rm", "-rf", str(path)], check=False)


def no_traceback(proc: subprocess.CompletedProcess[str]) -> bool:
    text = proc.stdout + proc.stderr
    return "Traceback" not in text and "internal error" not in text


def listing(b: Battery, store: Path) -> tuple[int, str]:
    proc = b.run(store, "list", "--json")
    return proc.returncode, proc.stdout


def build_template(b: Battery) -> dict[str, str]:
    """A store of the 38 corpus texts (copied, so they can be re-ingested) with one correction."""
    src = b.work / "src"
    remove(b.work)
    src.mkdir(parents=True)
    for path in sorted((ROOT / "fixtures" / "corpus").glob("*.txt")):
        shutil.copy(path, src / path.name)
    store = b.work / "template"
    assert b.run(store, "ingest", str(src)).returncode == 0
    rows = json.loads(b.run(store, "list", "--json").stdout)
    first = rows[0]["id"]
    assert b.run(store, "set", first, "--year", "2018").returncode == 0
    assert b.run(store, "set", first, "--province", "Cao Bằng").returncode == 0  # corrections.json.bak now exists
    assert b.run(store, "ingest", str(src)).returncode == 0  # a second generation, so a .bak exists
    return {
        "list": b.run(store, "list", "--json").stdout,
        "lookup": b.run(store, "lookup", "van ban den", "--json", "--limit", "0").stdout,
        "text": b.run(store, "list", "--text", "tiep nhan", "--json").stdout,
        "corrected": first,
    }


# ---------------------------------------------------------------- family 1: damaged files


def family_damaged_files(b: Battery, base: dict[str, str]) -> None:
    fam = "1-damaged"
    n_articles = len(json.loads(base["list"]))

    s = b.fresh("rm-archive")
    (s / "archive.json").unlink()
    lst, doc, ing = b.run(s, "list"), b.run(s, "doctor"), b.run(s, "ingest", str(b.work / "src"))
    b.record(fam, "deleted archive.json: list refuses", lst.returncode != 0 and "archive.json" in lst.stderr)
    b.record(fam, "deleted archive.json: doctor not fine", doc.returncode != 0 and "everything is fine" not in doc.stdout)
    b.record(fam, "deleted archive.json: ingest refuses", ing.returncode != 0 and no_traceback(ing))
    b.run(s, "doctor", "--salvage")
    rc, out = listing(b, s)
    got = len(json.loads(out)) if rc == 0 else -1
    b.record(fam, "deleted archive.json: salvage brings every article back", got == n_articles, f"{got}/{n_articles}")

    s = b.fresh("rm-corrections")
    (s / "corrections.json").unlink()
    doc = b.run(s, "doctor")
    b.record(fam, "deleted corrections.json: doctor names it", doc.returncode != 0 and "corrections.json" in doc.stdout + doc.stderr)
    b.run(s, "doctor", "--restore")
    rc, out = listing(b, s)
    # the backup is the generation before the last `set`: the year correction, not yet the province
    row = next((r for r in json.loads(out) if r["id"] == base["corrected"]), {}) if rc == 0 else {}
    b.record(fam, "deleted corrections.json: its backup restored", row.get("corrections") == {"report_year": 2018},
             str(row.get("corrections")))

    for bad in ({"province": 5}, {"report_year": "abc"}, {"report_year": 99999}, {"period": "forever"},
                {"title": ""}, {"province": "Atlantis"}, {"report_year": [2019]}):
        s = b.fresh("bad-correction")
        path = s / "corrections.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        table = data.get("corrections", data)
        doc_key = next(iter(table))
        table[doc_key]["fields"].update(bad)
        data.pop("_checksum", None)  # edited by hand, as a user would: no checksum of ours
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        lst, doc = b.run(s, "list", "--json"), b.run(s, "doctor")
        shown = json.dumps(list(bad.values())[0], ensure_ascii=False)
        ok = lst.returncode == 0 and no_traceback(lst) and "set aside" in lst.stderr and "set aside" in doc.stdout + doc.stderr
        ok = ok and not any(row.get(k) == v for row in json.loads(lst.stdout) for k, v in bad.items()
                            if k != "title" or v)
        b.record(fam, f"correction {bad}: set aside and reported", ok, shown)

    snap = (b.work / "template" / "archive.snapshot").read_bytes()
    for i in range(20):
        s = b.fresh("snapshot-flip")
        raw = bytearray(snap)
        pos = b.rng.randrange(64, len(raw))
        raw[pos] ^= 1 << b.rng.randrange(8)
        (s / "archive.snapshot").write_bytes(bytes(raw))
        lk, rc_out = b.run(s, "lookup", "van ban den", "--json", "--limit", "0"), listing(b, s)
        ok = lk.stdout == base["lookup"] and rc_out[1] == base["list"]
        b.record(fam, f"snapshot bit flip {i}: answers unchanged", ok, f"byte {pos}")

    text = (b.work / "template" / "search.txt").read_bytes()
    s = b.fresh("search-txt")
    (s / "search.txt").write_bytes(text.replace("tiếp nhận".encode(), "xxxx nhận".encode()).replace(b"tiep nhan", b"xxxx nhan"))
    doc = b.run(s, "doctor")  # first: a text query finds the damage and rebuilds the files
    out = b.run(s, "list", "--text", "tiep nhan", "--json").stdout
    b.record(fam, "edited search.txt: text search unchanged", out == base["text"])
    b.record(fam, "edited search.txt: doctor names it", doc.returncode != 0 and "search" in doc.stdout + doc.stderr)

    for i in range(5):
        s = b.fresh("search-idx")
        idx = bytearray((s / "search.idx").read_bytes())
        pos = b.rng.randrange(0, max(1, len(idx) - 64))
        idx[pos : pos + 64] = b"\xff" * 64
        (s / "search.idx").write_bytes(bytes(idx))
        proc = b.run(s, "list", "--text", "tiep nhan", "--json")
        b.record(fam, f"0xff in search.idx {i}: text search unchanged", proc.stdout == base["text"] and no_traceback(proc))

    archive = (b.work / "template" / "archive.json").read_bytes()
    for i in range(40):
        s = b.fresh("archive-flip")
        raw = bytearray(archive)
        pos = b.rng.randrange(len(raw))
        raw[pos] ^= 1 << b.rng.randrange(8)
        (s / "archive.json").write_bytes(bytes(raw))
        (s / "archive.snapshot").unlink(missing_ok=True)  # force a read of archive.json itself
        rc, out = listing(b, s)
        ok = (rc != 0 and out == "") or out == base["list"]
        b.record(fam, f"archive.json bit flip {i}: refused or unchanged", ok, f"byte {pos}")

    for how in ("garbled", "deleted", "wrong shape"):
        s = b.fresh("body-" + how.replace(" ", "-"))
        body = sorted((s / "bodies").rglob("*.json"))[0]
        if how == "garbled":
            body.write_bytes(body.read_bytes()[:40] + b"\x00garbage")
        elif how == "deleted":
            body.unlink()
        else:
            body.write_text('{"body": 5}', encoding="utf-8")
        aid = body.stem
        show, doc = b.run(s, "show", aid), b.run(s, "doctor")
        b.record(fam, f"{how} article text: show is clean", no_traceback(show))
        b.record(fam, f"{how} article text: doctor names it", doc.returncode != 0 and aid[:8] in doc.stdout + doc.stderr)
        b.run(s, "ingest", str(b.work / "src"))
        again = b.run(s, "doctor")
        b.record(fam, f"{how} article text: re-ingest repairs it", again.returncode == 0)

    s = b.fresh("temp-leftover")
    leftover = next((s / "bodies").iterdir()) / ".0123456789abcdef.json.999999.1.tmp"
    leftover.write_bytes(b"{}")
    doc = b.run(s, "doctor")
    b.record(fam, "killed writer's temp file: doctor names it", leftover.name in doc.stdout + doc.stderr)
    b.run(s, "set", base["corrected"], "--year", "2019")
    b.record(fam, "killed writer's temp file: next write sweeps it", not leftover.exists())


# ---------------------------------------------------------------- family 2: memory


def peak_mb_of(argv: list[str]) -> tuple[int, float]:
    """Exit code and peak RSS (MB) of one child: wait4 reports that child's own peak."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024


def family_memory(b: Battery, _base: dict[str, str]) -> None:
    fam = "2-memory"
    folder = b.work / "memory"
    folder.mkdir(exist_ok=True)
    sentence = "Tiếp nhận 27.172 văn bản đến, tăng 10,02% so với cùng kỳ, giải quyết 94,03% hồ sơ đúng hạn. "
    inputs: dict[str, Callable[[], str]] = {
        "315 KB repeated figures": lambda: sentence * (315_000 // len(sentence.encode())),
        "2 MB of bare numbers": lambda: " ".join(str(b.rng.randrange(10**6)) for _ in range(300_000)),
        "2 MB of counted documents": lambda: ", ".join(f"{b.rng.randrange(10**6)} văn bản" for _ in range(150_000)),
        "4.9 MB repeated figures, no full stops": lambda: sentence.replace(". ", ", ") * (4_900_000 // len(sentence.encode())),
    }
    for name, make in inputs.items():
        path = folder / (name.split()[0] + ".txt")
        path.write_text("Tổng kết công tác năm 2019\n" + make(), encoding="utf-8")
        size_mb = path.stat().st_size / 1e6
        store = b.work / "cases" / "memory"
        shutil.rmtree(store, ignore_errors=True)
        rc, peak = peak_mb_of([b.tongket, "--store", str(store), "ingest", str(path)])
        limit = min(300.0, max(50.0 * size_mb, 60.0))  # the interpreter alone is ~40 MB
        # a page of bare numbers is refused ("not an article", exit 1): bounded and clean is what counts
        ok = peak <= limit and (rc == 0 or (rc == 1 and name.startswith("2 MB of bare")))
        b.record(fam, f"{name}: ingested within {limit:.0f} MB", ok, f"peak {peak:.0f} MB, exit {rc}")


# ---------------------------------------------------------------- family 3: hostile inputs


def family_inputs(b: Battery, base: dict[str, str]) -> None:
    fam = "3-inputs"
    root = b.work / "inputs"
    remove(root)
    root.mkdir()
    good = root / "good.txt"
    shutil.copy(sorted((ROOT / "fixtures" / "corpus").glob("*.txt"))[0], good)

    deep = root / "deep"
    cur = deep
    cur.mkdir()
    for _ in range(1100):  # one level at a time: Path.mkdir(parents=True) recurses
        cur = cur / "d"
        cur.mkdir()
    (cur / "x.txt").write_text("Văn phòng UBND tỉnh tiếp nhận 100 văn bản đến.", encoding="utf-8")
    s = b.work / "cases" / "deep"
    shutil.rmtree(s, ignore_errors=True)
    proc = b.run(s, "ingest", str(deep), str(good))
    b.record(fam, "folders 1,100 deep: other paths still ingested", no_traceback(proc) and "failed 0" in proc.stdout and "added 0" not in proc.stdout,
             proc.stdout.strip().splitlines()[-1:][0] if proc.stdout.strip() else proc.stderr[:80])

    loop = root / "loop"
    loop.mkdir()
    (loop / "self").symlink_to(loop)
    shutil.copy(good, loop / "a.txt")
    s = b.work / "cases" / "loop"
    shutil.rmtree(s, ignore_errors=True)
    proc = b.run(s, "ingest", str(loop))
    b.record(fam, "symlink loop: reported", "self" in proc.stdout + proc.stderr and no_traceback(proc))

    for name, ch in (("bidi isolate", "\u2066"), ("RLO", "\u202e"), ("escape code", "\x1b[31m")):
        s = b.fresh("bidi")
        b.run(s, "set", base["corrected"], "--title", f"Tiêu đề {ch}đỏ")
        outs = [b.run(s, "list").stdout, b.run(s, "show", base["corrected"]).stdout,
                b.run(s, "export", base["corrected"], "-o", "-").stdout]
        b.record(fam, f"{name} in a title: never printed", all(ch not in o for o in outs))

    zwj = root / "zwj.txt"
    zwj.write_text("Văn phòng UBND tỉnh Kiên\u200dGiang tổng kết công tác năm 2019\nTiếp nhận 100 văn bản đến.", encoding="utf-8")
    proc = b.run(None, "parse", str(zwj), "--json")
    b.record(fam, "zero-width joiner in a province name: province read", '"Kiên Giang"' in proc.stdout)

    s = b.fresh("export")
    fifo = root / "fifo"
    os.mkfifo(fifo)
    link = root / "link"
    link.symlink_to(good)
    for target in (fifo, link):
        proc = b.run(s, "export", base["corrected"], "-o", str(target), "--force")
        kept = target.is_fifo() if target == fifo else target.is_symlink()
        b.record(fam, f"export --force onto a {target.name}: refused", proc.returncode != 0 and kept and no_traceback(proc))

    s = b.work / "template"
    for argv in (["list", "--province", "Atlantis"], ["lookup", "van ban", "--province", "Atlantis"],
                 ["list", "--period", "forever"], ["lookup", "van ban", "--limit", "-5"]):
        proc = b.run(s, *argv)
        b.record(fam, f"{' '.join(argv)}: usage error", proc.returncode == 2 and no_traceback(proc))
    s = b.work / "cases" / "maxbytes"
    shutil.rmtree(s, ignore_errors=True)
    proc = b.run(s, "ingest", str(good), "--max-bytes", "99999G")
    b.record(fam, "--max-bytes 99999G: a small file still ingested", proc.returncode == 0)
    proc = b.run(s, "ingest", str(good), "--url", "javascript:alert(1)")
    b.record(fam, "--url javascript:alert(1): refused", proc.returncode != 0 and no_traceback(proc))
    proc = subprocess.run([b.tongket, "--store", "", "list"], capture_output=True, text=True, cwd=root)
    b.record(fam, '--store "": usage error', proc.returncode == 2)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tongket", default=str(ROOT / ".venv" / "bin" / "tongket"))
    ap.add_argument("--work", type=Path, default=Path("/tmp/tongket-battery"))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    b = Battery(args.tongket, args.work, random.Random(args.seed))
    start = time.perf_counter()
    base = build_template(b)
    for family in (family_damaged_files, family_memory, family_inputs):
        family(b, base)
    print()
    tried, held = Counter(f for f, *_ in b.results), Counter(f for f, _c, ok, _d in b.results if ok)
    print("| family | tried | held | failed |\n|---|---|---|---|")
    for fam in tried:
        print(f"| {fam} | {tried[fam]} | {held[fam]} | {tried[fam] - held[fam]} |")
    print(f"| all | {sum(tried.values())} | {sum(held.values())} | {sum(tried.values()) - sum(held.values())} |")
    print(f"\n{time.perf_counter() - start:.0f} s")
    return 0 if held == tried else 1


if __name__ == "__main__":
    sys.exit(main())
