"""The synthetic communes 90001, 90002, …: generating them in one transaction,
and purging what an earlier run left in them."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import get_history_model_for_model

from accounts.models import PaymentAccount
from amounts.models import Entitlement
from beneficiaries.models import Beneficiary, Commune, Person, Representative, Village
from core.bulk import HistoryStamp
from demo.synthetic.base import (
    DEFAULT_AS_OF,
    MAX_SYNTHETIC_COMMUNES,
    SYNTHETIC_CODE_BASE,
    SyntheticError,
    check_as_of,
)
from demo.synthetic.reference import Reference, UniquePool
from demo.synthetic.writer import Counts, populate_commune
from registration.models import PaymentMethodRegistration


def synthetic_commune_code(number: int) -> str:
    return f"{SYNTHETIC_CODE_BASE + number:05d}"


def synthetic_commune_fields(number: int) -> dict[str, str]:
    label = f"Mẫu {number:02d}"
    return {
        "name": f"Xã {label}",
        "district_name": "Huyện Mẫu",
        "province_name": "Thanh Hóa",
        "issuing_body": f"ỦY BAN NHÂN DÂN XÃ {label.upper()}",
        "place_name": label,
    }


def _commune_data_filter(communes: Sequence[Commune]) -> dict[type[models.Model], Q]:
    """Each table's rows that belong to these communes, children first."""
    return {
        Entitlement: Q(beneficiary__commune__in=communes),
        PaymentMethodRegistration: Q(beneficiary__commune__in=communes),
        PaymentAccount: Q(holder__commune__in=communes),
        Representative: Q(represented__commune__in=communes) | Q(person__commune__in=communes),
        Beneficiary: Q(commune__in=communes),
        Person: Q(commune__in=communes),
        Village: Q(commune__in=communes),
    }


def communes_with_data(communes: Sequence[Commune]) -> list[Commune]:
    return [
        c
        for c in communes
        if Village.objects.filter(commune=c).exists() or Person.objects.filter(commune=c).exists()
    ]


def purge_communes(communes: Sequence[Commune]) -> int:
    """Delete everything these communes hold, and its history, in bulk.

    Only for synthetic communes: the rows were never real, so neither their
    history nor a deletion record is kept. Deleting through the ORM one row
    at a time (with a history row each) would take minutes for 50.000
    people. Rows of other tables that still point here (payment cycles made
    during a benchmark, say) stop the purge with a message, not silently.
    """
    if not communes:
        return 0
    deleted = 0
    filters = _commune_data_filter(communes)
    for model, condition in filters.items():
        live = model._default_manager.filter(condition)
        history = get_history_model_for_model(model)
        qs = history.objects.filter(id__in=live.values("pk"))
        deleted += qs._raw_delete(qs.db)  # no signals on history rows to honour
    for model, condition in filters.items():
        qs = model._default_manager.filter(condition)
        # _raw_delete: one DELETE per table without loading rows or firing the
        # per-row history signal; integrity is checked right below.
        deleted += qs._raw_delete(qs.db)
    try:
        connection.check_constraints()
    except IntegrityError as exc:
        raise SyntheticError(
            _(
                "Không xóa được dữ liệu của các xã mẫu: còn dữ liệu khác (ví dụ kỳ chi trả) "
                "tham chiếu tới họ. Hãy xóa dữ liệu đó trước. Chi tiết: %(error)s"
            )
            % {"error": exc}
        ) from exc
    return deleted


@dataclass
class SyntheticResult:
    communes: list[Commune]
    counts: Counts
    purged: int = 0


def generate_synthetic(
    *,
    communes: int,
    beneficiaries: int,
    seed: int,
    replace: bool = False,
    as_of: datetime.date = DEFAULT_AS_OF,
    actor=None,
    progress: Callable[[int, int], None] | None = None,
) -> SyntheticResult:
    """Create ``communes`` synthetic communes holding ``beneficiaries`` enrolments in all.

    Communes are ``90001``, ``90002``, … ("Xã Mẫu 01", …). Refuses when one of
    them already holds data, unless ``replace``. All or nothing: one
    transaction.
    """
    if not 1 <= communes <= MAX_SYNTHETIC_COMMUNES:
        raise SyntheticError(_("Số xã phải từ 1 đến %(max)d.") % {"max": MAX_SYNTHETIC_COMMUNES})
    if beneficiaries < 0:
        raise SyntheticError(_("Số đối tượng không được âm."))
    check_as_of(as_of)
    ref = Reference.load()
    pool = UniquePool(seed)
    stamp = HistoryStamp(
        user=actor,
        date=timezone.now(),
        reason=_("Dữ liệu tổng hợp (seed %(seed)s)") % {"seed": seed},
    )
    per_commune, extra = divmod(beneficiaries, communes)
    numbers = range(1, communes + 1)
    with transaction.atomic():
        existing = list(
            Commune.objects.filter(code__in=[synthetic_commune_code(n) for n in numbers])
        )
        occupied = communes_with_data(existing)
        if occupied and not replace:
            raise SyntheticError(
                _(
                    "Các xã mẫu sau đã có dữ liệu: %(codes)s. Thêm --replace để xóa dữ liệu "
                    "mẫu cũ của các xã này và tạo lại."
                )
                % {"codes": ", ".join(c.code for c in occupied)}
            )
        purged = purge_communes(occupied)
        by_code = {c.code: c for c in existing}
        total = Counts()
        created: list[Commune] = []
        for index, number in enumerate(numbers):
            code = synthetic_commune_code(number)
            commune = by_code.get(code)
            if commune is None:
                commune = Commune.objects.create(code=code, **synthetic_commune_fields(number))
                total.communes += 1
                total.history += 1
            created.append(commune)
            size = per_commune + (1 if index < extra else 0)
            total.add(
                populate_commune(
                    commune, size=size, seed=seed, ref=ref, pool=pool, stamp=stamp, as_of=as_of
                )
            )
            if progress is not None:
                progress(index + 1, communes)
    refresh_statistics()
    return SyntheticResult(communes=created, counts=total, purged=purged)


def refresh_statistics() -> None:
    """ANALYZE after a bulk load (PostgreSQL): the planner would otherwise plan the
    next queries for the empty tables autovacuum last saw."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
