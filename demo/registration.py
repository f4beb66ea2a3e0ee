"""Demo rows for the account-opening pipeline and the outreach log (seed_demo only).

Deterministic: the people are the first beneficiaries without an account in
list order, and every date is counted back from ``as_of``. Written through the
services, so the demo follows the same rules as the officer's pages.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from accounts.models import Bank
from beneficiaries.models import Beneficiary, Commune
from registration.models import OutreachActivity
from registration.services import (
    abandon_account_opening,
    record_account_opened,
    refer_to_bank,
    request_account_opening,
    save_outreach,
)

Channel = OutreachActivity.Channel

# (days before as_of the request was made, bank short name or None, what happened)
_REQUESTS = (
    (6, None, "requested"),
    (12, "Agribank", "requested"),
    (25, None, "requested"),
    (18, "Agribank", "referred"),
    (30, "Agribank", "referred"),
    (21, "VietinBank", "referred"),
    (40, "Agribank", "opened"),
    (35, None, "abandoned"),
)

_OUTREACH = (
    (60, Channel.LOUDSPEAKER, "Toàn thể nhân dân trong xã", 1800, None),
    (52, Channel.WEBSITE, "Người dân có tài khoản mạng xã hội", 420, None),
    (45, Channel.MEETING, "Người có công và thân nhân", 65, 0),
    (38, Channel.MEETING, "Người cao tuổi, người khuyết tật", 80, 1),
    (20, Channel.HOME_VISIT, "Người cao tuổi không tự đi được", 7, 2),
    (9, Channel.LOUDSPEAKER, "Toàn thể nhân dân trong xã", 1800, None),
)


def seed_registration_demo(commune: Commune, *, as_of: datetime.date) -> dict[str, int]:
    """A few account-opening requests in every state and a few outreach activities."""
    banks = {
        b.short_name: b for b in Bank.objects.filter(short_name__in=["Agribank", "VietinBank"])
    }
    candidates = (
        Beneficiary.objects.filter(
            commune=commune,
            status=Beneficiary.Status.ACTIVE,
            person__date_of_death__isnull=True,
            person__accounts__isnull=True,
        )
        .select_related("person")
        .order_by("person__sort_name", "pk")
    )
    people, seen = [], set()
    for beneficiary in candidates:
        if beneficiary.person_id not in seen:
            seen.add(beneficiary.person_id)
            people.append(beneficiary.person)
        if len(people) == len(_REQUESTS):
            break
    made = 0
    for person, (days, bank_name, outcome) in zip(people, _REQUESTS, strict=False):
        asked = as_of - datetime.timedelta(days=days)
        bank = banks.get(bank_name) if bank_name else None
        request = request_account_opening(
            person, bank=bank, requested_on=asked, form_reference=f"PĐK-{made + 1:03d}", actor=None
        )
        made += 1
        if outcome in ("referred", "opened") and bank is not None:
            referred = asked + datetime.timedelta(days=3)
            refer_to_bank(request, bank=bank, referred_on=referred, actor=None)
            if outcome == "opened":
                record_account_opened(
                    request,
                    number=f"190000{person.pk:07d}",
                    holder_name="",
                    opened_on=referred + datetime.timedelta(days=7),
                    from_month=as_of.replace(day=1),
                    actor=None,
                )
        elif outcome == "abandoned":
            abandon_account_opening(
                request,
                reason=_("Gia đình muốn tiếp tục nhận tiền mặt tại bưu điện"),
                abandoned_on=asked + datetime.timedelta(days=5),
                actor=None,
            )
    villages = list(commune.villages.order_by("name"))
    for days, channel, audience, reached, village_index in _OUTREACH:
        save_outreach(
            OutreachActivity(
                commune=commune,
                date=as_of - datetime.timedelta(days=days),
                channel=channel,
                audience=audience,
                people_reached=reached,
                village=villages[village_index] if village_index is not None and villages else None,
                notes=_("Tuyên truyền chi trả không dùng tiền mặt, hướng dẫn mở tài khoản."),
            ),
            actor=None,
            today=as_of,
        )
    return {"account_requests": made, "outreach": len(_OUTREACH)}
