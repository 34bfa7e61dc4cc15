"""Architecture guards CI runs after the tests: import contracts, types, file length.

    python .ci/guards.py [imports|mypy|lines]...   (no argument: all three)
    python .ci/guards.py mypy --update-baseline    (rewrite .ci/mypy-baseline.txt)

- imports: `lint-imports` with the contracts in pyproject.toml ([tool.importlinter]).
- mypy: tui/ must be clean; store/ may not have more errors in a file than
  .ci/mypy-baseline.txt allows (the errors it had when the guard came in; fewer is fine).
  The source folders install under other names (store/ is tongket.store), which mypy cannot
  follow through setuptools' editable finder, so they are linked under a temporary
  `tongket/` folder and checked as `-p tongket.store -p tongket.tui`.
- lines: every tracked .py file stays under LIMIT lines unless .ci/long-files.txt lists it
  with a reason.

Run it with the project's venv (.venv/bin/python): the tools come from the `test` extra.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LIMIT = 400
LONG_FILES = ROOT / ".ci" / "long-files.txt"
MYPY_BASELINE = ROOT / ".ci" / "mypy-baseline.txt"
SOURCE_FOLDERS = {"store": "store", "tui": "tui", "fixtures": "fixtures"}  # tongket.<name> -> folder
MUST_BE_CLEAN = ("tui/",)


def check_imports() -> bool:
    return subprocess.run([str(BIN / "lint-imports")], cwd=ROOT).returncode == 0


def _listed(path: Path) -> dict[str, str]:
    """`path reason...` lines; blank lines and # comments skipped."""
    entries: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, rest = line.partition(" ")
            entries[name] = rest.strip()
    return entries


def check_lines() -> bool:
    allowed = _listed(LONG_FILES)
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    ok = True
    for name in tracked.stdout.split():
        path = ROOT / name
        if not path.exists():
            continue
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > LIMIT and name not in allowed:
            print(f"{name}: {count} lines, over {LIMIT}; split it by job or list it with a reason in {LONG_FILES.name}")
            ok = False
        elif name in allowed and not allowed[name]:
            print(f"{LONG_FILES.name}: {name} is listed without a reason")
            ok = False
    stale = [name for name in allowed if (ROOT / name).exists() and
             len((ROOT / name).read_text(encoding="utf-8").splitlines()) <= LIMIT]
    for name in stale:
        print(f"note: {name} is {LIMIT} lines or fewer now; drop it from {LONG_FILES.name}")
    print(f"lines: {'ok' if ok else 'FAILED'} ({len(allowed)} files allowed over {LIMIT})")
    return ok


ERROR = re.compile(r"^(?P<path>[^:\n]+\.py):\d+: error: ", re.M)


def _run_mypy() -> tuple[Counter[str], str]:
    """Errors per repository path, and mypy's output with repository paths."""
    with tempfile.TemporaryDirectory(prefix="tongket-mypy-") as tmp:
        package = Path(tmp) / "tongket"
        package.mkdir()
        for name, folder in SOURCE_FOLDERS.items():
            (package / name).symlink_to(ROOT / folder, target_is_directory=True)
        env = dict(os.environ, MYPYPATH=tmp)
        result = subprocess.run(
            [str(BIN / "mypy"), "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(Path(tmp) / "cache"),
             "-p", "tongket.store", "-p", "tongket.tui"],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )
        if result.returncode > 1 or (result.returncode == 1 and not ERROR.search(result.stdout)):
            print(result.stdout + result.stderr)
            raise SystemExit("mypy did not run")
        output = result.stdout.replace(str(package) + "/", "")
        for name, folder in SOURCE_FOLDERS.items():
            output = output.replace(f"tongket/{name}/", f"{folder}/")
    return Counter(match["path"] for match in ERROR.finditer(output)), output


def check_mypy(update_baseline: bool = False) -> bool:
    errors, output = _run_mypy()
    if update_baseline:
        lines = [f"{path} {count}" for path, count in sorted(errors.items()) if not path.startswith(MUST_BE_CLEAN)]
        header = "# mypy errors allowed per file in store/ (python .ci/guards.py mypy --update-baseline)\n"
        MYPY_BASELINE.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    baseline = {path: int(count) for path, count in _listed(MYPY_BASELINE).items()}
    ok = True
    for path, count in sorted(errors.items()):
        allowed = 0 if path.startswith(MUST_BE_CLEAN) else baseline.get(path, 0)
        if count > allowed:
            ok = False
            print(f"{path}: {count} mypy errors, {allowed} allowed")
            print("\n".join(line for line in output.splitlines() if line.startswith(path + ":")))
    for path, allowed in sorted(baseline.items()):
        if errors.get(path, 0) < allowed:
            print(f"note: {path} has {errors.get(path, 0)} mypy errors, baseline {allowed}: lower it")
    print(f"mypy: {'ok' if ok else 'FAILED'} ({sum(errors.values())} errors, all in baselined store/ files)"
          if ok else "mypy: FAILED")
    return ok


def main(argv: list[str]) -> int:
    update = "--update-baseline" in argv
    names = [a for a in argv if not a.startswith("--")] or ["imports", "mypy", "lines"]
    checks = {"imports": check_imports, "mypy": lambda: check_mypy(update), "lines": check_lines}
    unknown = [n for n in names if n not in checks]
    if unknown:
        print(f"unknown guard: {', '.join(unknown)} (use {', '.join(checks)})")
        return 2
    results = [checks[name]() for name in names]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
