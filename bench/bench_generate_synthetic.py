"""``generate_synthetic``: 50 communes with 5.000 and 50.000 beneficiaries in all.

Rows are every row written, history included (about 12.7 per beneficiary:
people, enrolments, representatives, accounts, registrations, entitlements,
and one history row for each).
"""

from __future__ import annotations

OPERATION = "generate_synthetic"
COMMUNES = 50
SIZES = (5_000, 50_000)


def cases(quick: bool) -> list[dict]:
    sizes = SIZES[:1] if quick else SIZES
    return [
        {
            "size": f"{COMMUNES} communes, {n:,} beneficiaries",
            "communes": COMMUNES,
            "beneficiaries": n,
            "seed": 1,
        }
        for n in sizes
    ]


def run(case: dict) -> int:
    from demo.synthetic import generate_synthetic

    result = generate_synthetic(
        communes=case["communes"], beneficiaries=case["beneficiaries"], seed=case["seed"]
    )
    return result.counts.rows
