"""Deterministic synthetic registry data, for benchmarks and for the demo.

One generator serves ``generate_synthetic`` (many communes, benchmarks) and
``seed_demo`` (the demo commune Yến Sơn, at small size). A commune is first
*planned* — unsaved model instances linked to each other, all drawn from one
``random.Random`` seeded from the run's seed and the commune's code — then
*written* in bulk, history included.

Why the shapes below:

* The seed alone decides the data (never the global ``random``, never
  "today": ``as_of`` is a fixed date by default), so a benchmark measures the
  same rows every time and a failing test can be replayed.
* Each commune has its own ``Random`` so that commune 07 is the same whether
  5 or 50 communes are generated. Only unique numbers (CCCD, phones, account
  numbers) are shared across communes, through :class:`UniquePool`.
* Numbers already in the database (a demo commune next to synthetic ones)
  are found with one indexed query per commune and re-drawn from a separate
  ``Random``, so the main stream, and with it every other value, does not move.
* History is kept: one history row per written row, written in bulk with it
  (docs/history-and-events.md). On PostgreSQL both go through ``COPY``
  (:mod:`core.bulk`), where history costs about a sixth of the run;
  elsewhere through ``bulk_create_with_history``, where it doubles it. The
  figures are in that module's docstring.
* One transaction for the whole run: a run that fails leaves nothing behind
  (like an import), and PostgreSQL does not mind a large transaction. Python
  memory stays bounded by one commune, because communes are planned and
  written one after the other.

The NCC amounts are illustrative multiples of the base level, not the decree
appendix: real amounts come from each person's decision.

One concern per module: ``base`` (fixed dates, the error, months), ``names``
and ``population`` (the tables people are drawn from), ``amounts``,
``reference`` (reference rows and unique numbers), ``planner`` (one commune,
in memory), ``writer`` (one commune, to the database) and ``generate`` (the
synthetic communes 90001, … and their purge).
"""

from demo.synthetic.amounts import permille_amount
from demo.synthetic.base import DEFAULT_AS_OF, SyntheticError
from demo.synthetic.generate import (
    SyntheticResult,
    communes_with_data,
    generate_synthetic,
    purge_communes,
    refresh_statistics,
    synthetic_commune_code,
    synthetic_commune_fields,
)
from demo.synthetic.planner import CommunePlan, plan_commune
from demo.synthetic.reference import Reference, UniquePool
from demo.synthetic.writer import (
    Counts,
    commune_random,
    populate_commune,
    resolve_clashes,
    write_plan,
)

__all__ = [
    "DEFAULT_AS_OF",
    "CommunePlan",
    "Counts",
    "Reference",
    "SyntheticError",
    "SyntheticResult",
    "UniquePool",
    "commune_random",
    "communes_with_data",
    "generate_synthetic",
    "permille_amount",
    "plan_commune",
    "populate_commune",
    "purge_communes",
    "refresh_statistics",
    "resolve_clashes",
    "synthetic_commune_code",
    "synthetic_commune_fields",
    "write_plan",
]
