"""Benchmarks: ``make bench`` (``python -m bench``) runs every ``bench/bench_*.py``.

A benchmark module defines:

* ``OPERATION`` — the name shown in the table;
* ``cases(quick: bool) -> list[dict]`` — one dict per size, JSON-serialisable,
  with a human ``"size"`` label; ``quick`` (``BENCH_QUICK=1`` or ``--quick``)
  keeps only the small sizes;
* ``run(case: dict) -> int`` — the measured operation; returns the number of
  rows it processed (the table divides it by the seconds);
* optionally ``setup(case: dict) -> None`` — un-measured preparation (data the
  operation needs), run in its own process before ``run``.

Import Django models inside those functions, not at module level: the runner
imports the module to list its cases before Django is set up.

Each case gets a fresh PostgreSQL database (a copy of a migrated template with
the reference data loaded, see :mod:`bench.db`), and ``run`` executes in a
fresh process with ``DEBUG=0``, so the peak memory reported is that process's
own (``ru_maxrss``) and not inflated by migrations, set-up or earlier cases.
"""
