"""Read a workbook in a child process, handing rows over as they are read.

openpyxl reads about 6,000 rows a second on these machines: a 100,000-row
file is 15–18 s of one core. Read in a child process, the parent plans and
writes the rows on the other core meanwhile, and the import takes about as
long as the reading. A plain subprocess (not ``multiprocessing``), because a
Celery prefork worker's processes may not have children of their own.

Protocol: the parent writes one pickle (path, sheet, today, reference) to the
child's stdin; the child writes pickles to its stdout: ``("progress", n)``,
``("rows", [ImportRow, …])``, then ``("done", ReadResult)`` or
``("workbook-error", message)`` or ``("error", text)``.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from desk.importer.reader import read_workbook
from desk.importer.rows import ImportRow, ReadResult
from documents.spreadsheet import WorkbookError

ROOT = Path(__file__).resolve().parents[2]


def read_in_child(
    path: str,
    *,
    reference,
    today,
    sheet: str | None,
    on_rows: Callable[[list[ImportRow]], None],
    progress: Callable[[int], None] | None = None,
) -> ReadResult:
    """Like :func:`read_workbook` with ``on_rows``, the reading done by a child process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "yenson.settings")
    child = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
        [sys.executable, "-m", "desk.importer.readproc"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    # A thread drains the pipe as fast as the child writes: were the pipe left
    # full while this process plans and writes, the child would wait, and the
    # two would take turns instead of working at the same time.
    messages: queue.Queue = queue.Queue()

    def drain() -> None:
        try:
            while True:
                messages.put(pickle.load(child.stdout))  # noqa: S301  (our own child)
        except EOFError:
            messages.put(("error", "the reading process ended without a result"))
        except Exception as exc:  # handed to the main thread, which raises it
            messages.put(("error", repr(exc)))

    try:
        pickle.dump((path, sheet, today, reference), child.stdin)
        child.stdin.close()
        threading.Thread(target=drain, daemon=True).start()
        while True:
            kind, payload = messages.get()
            if kind == "rows":
                on_rows(payload)
            elif kind == "progress":
                if progress is not None:
                    progress(payload)
            elif kind == "done":
                return payload
            elif kind == "workbook-error":
                raise WorkbookError(payload)
            else:
                raise RuntimeError(f"the reading process failed: {payload}")
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdout.close()


def _main() -> None:
    # Messages go to the real stdout; anything printed (logging) goes to stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    import django

    django.setup()

    def send(message) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    path, sheet, today, reference = pickle.load(sys.stdin.buffer)  # noqa: S301
    try:
        result = read_workbook(
            path,
            reference=reference,
            today=today,
            sheet=sheet,
            progress=lambda n: send(("progress", n)),
            on_rows=lambda rows: send(("rows", rows)),
        )
        send(("done", result))
    except WorkbookError as exc:
        send(("workbook-error", str(exc.message)))
    except Exception as exc:  # reported to the parent, which marks the import failed
        send(("error", repr(exc)))
    out.close()


if __name__ == "__main__":
    _main()
