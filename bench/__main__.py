"""Run the benchmarks and print one table: ``python -m bench [--quick] [filter …]``.

For every case of every ``bench/bench_*.py`` (see :mod:`bench`): a fresh
database from the template, the optional un-measured ``setup`` in its own
process, then ``run`` in a fresh process whose peak memory is read from the
kernel when it ends (``wait4``). Results also go to
``bench/results/latest.json`` (git-ignored).

The same file is the child's entry point (``--child``), so that the child runs
exactly the interpreter and code the parent does.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results" / "latest.json"


@dataclass
class Result:
    operation: str
    size: str
    seconds: float | None = None
    rows: int | None = None
    rows_per_second: float | None = None
    peak_mb: float | None = None
    error: str | None = None


# --- Child --------------------------------------------------------------------------


def _child(action: str, module_name: str, case_json: str, out: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yenson.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if action == "migrate":
        from django.core.management import call_command

        from desk.reference import load_reference_data

        call_command("migrate", interactive=False, verbosity=0)
        load_reference_data()
        return
    module = importlib.import_module(module_name)
    case = json.loads(case_json)
    if action == "setup":
        module.setup(case)
        return
    started = time.perf_counter()
    rows = module.run(case)
    seconds = time.perf_counter() - started
    Path(out).write_text(json.dumps({"seconds": seconds, "rows": rows}))


# --- Parent -------------------------------------------------------------------------


def _spawn(
    action: str, env: dict[str, str], module: str = "", case: dict | None = None
) -> tuple[int, float, dict, str]:
    """Run a child; returns (exit code, peak RSS in MB, result dict, output tail)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        log = Path(tmp) / "log.txt"
        command = [
            sys.executable, "-m", "bench", "--child", action, module, json.dumps(case or {}), str(out),
        ]  # fmt: skip
        with log.open("wb") as handle:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=handle)
            # wait4 gives this child's own rusage; Popen.wait would lose it.
            _pid, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
        # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
        peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
        result = json.loads(out.read_text()) if out.exists() else {}
        tail = log.read_text(errors="replace").strip().splitlines()[-15:]
        return process.returncode, peak, result, "\n".join(tail)


def _modules(filters: list[str]) -> list[str]:
    names = sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))
    if filters:
        names = [n for n in names if any(f in n for f in filters)]
    return [f"bench.{n}" for n in names]


def _format_table(results: list[Result]) -> str:
    header = ("operation", "size", "seconds", "rows/s", "peak MB")
    rows = [header]
    for r in results:
        if r.error:
            rows.append((r.operation, r.size, "FAILED", "", ""))
            continue
        rows.append(
            (
                r.operation,
                r.size,
                f"{r.seconds:.2f}",
                f"{r.rows_per_second:,.0f}",
                f"{r.peak_mb:,.0f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell.ljust(width) if column < 2 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells))
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "filters", nargs="*", help="run only modules whose name contains one of these"
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes only (also BENCH_QUICK=1)"
    )
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0

    sys.path.insert(0, str(ROOT))
    from bench.db import BenchDatabaseError, bench_database

    quick = args.quick or os.environ.get("BENCH_QUICK", "") not in {"", "0"}
    try:
        database = bench_database()
    except BenchDatabaseError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "yenson.settings", "DEBUG": "0"}
    env.pop("BENCH_DATABASE_URL", None)

    modules = _modules(args.filters)
    if not modules:
        print("bench: no benchmark matches", file=sys.stderr)
        return 2
    print(f"{database.server_version()}, database {database.name}; preparing the template …")
    database.recreate(database.template)
    code, _peak, _result, tail = _spawn(
        "migrate", {**env, "DATABASE_URL": database.url_for(database.template)}
    )
    if code != 0:
        print(f"bench: migrating the template failed:\n{tail}", file=sys.stderr)
        return 1

    results: list[Result] = []
    try:
        for name in modules:
            module = importlib.import_module(name)
            for case in module.cases(quick):
                result = Result(operation=module.OPERATION, size=case["size"])
                results.append(result)
                print(f"  {result.operation}: {result.size} …", flush=True)
                database.recreate(database.name, template=database.template)
                child_env = {**env, "DATABASE_URL": database.url}
                if hasattr(module, "setup"):
                    code, _peak, _out, tail = _spawn("setup", child_env, name, case)
                    if code != 0:
                        result.error = f"setup failed:\n{tail}"
                        print(result.error, file=sys.stderr)
                        continue
                code, peak, out, tail = _spawn("run", child_env, name, case)
                if code != 0 or not out:
                    result.error = f"run failed (exit {code}):\n{tail}"
                    print(result.error, file=sys.stderr)
                    continue
                result.seconds = out["seconds"]
                result.rows = out["rows"]
                result.rows_per_second = out["rows"] / out["seconds"] if out["seconds"] else 0.0
                result.peak_mb = peak
    finally:
        database.drop(database.name)
        database.drop(database.template)

    print()
    print(_format_table(results))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "finished_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "database": database.server_version(),
                "python": platform.python_version(),
                "machine": f"{platform.machine()}, {os.cpu_count()} CPU",
                "quick": quick,
                "results": [asdict(r) for r in results],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    print(f"\n{RESULTS.relative_to(ROOT)}")
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
