"""Architecture guards CI runs after the tests: import contracts, types, file length.

    python .ci/guards.py [imports|mypy|lines]...   (no argument: all three)

- imports: `lint-imports` with the contracts in pyproject.toml ([tool.importlinter]).
- mypy: store/ and tui/ must be clean (tui/ also fully annotated: pyproject.toml).
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LIMIT = 400
LONG_FILES = ROOT / ".ci" / "long-files.txt"
SOURCE_FOLDERS = {"store": "store", "tui": "tui", "fixtures": "fixtures"}  # tongket.<name> -> folder


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


def check_mypy() -> bool:
    """mypy over store/ and tui/, which must both be clean."""
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
    errors = len(ERROR.findall(output))
    if errors:
        print(output.rstrip())
    print(f"mypy: {'FAILED' if errors else 'ok'} ({errors} errors in store/ and tui/)")
    return not errors


def main(argv: list[str]) -> int:
    names = argv or ["imports", "mypy", "lines"]
    checks = {"imports": check_imports, "mypy": check_mypy, "lines": check_lines}
    unknown = [n for n in names if n not in checks]
    if unknown:
        print(f"unknown guard: {', '.join(unknown)} (use {', '.join(checks)})")
        return 2
    results = [checks[name]() for name in names]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
