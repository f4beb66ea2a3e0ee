"""What a data-quality check reports: the kinds of finding and one finding.

A finding names the record it links to and everyone it concerns, so that the
gate can match it against the people of a list or a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Kind:
    code: str
    title: str
    # Whether the finding concerns accounts: shown only to roles that see money.
    money: bool = False


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind("duplicate_id", gettext_lazy("Trùng số giấy tờ tùy thân")),
        Kind("possible_duplicate", gettext_lazy("Hai hồ sơ có thể là một người")),
        Kind("shared_account", gettext_lazy("Một tài khoản nhận cho nhiều người"), money=True),
        Kind(
            "account_not_receivers",
            gettext_lazy("Tài khoản không phải của người nhận"),
            money=True,
        ),
        Kind(
            "holder_name_mismatch",
            gettext_lazy("Tên chủ tài khoản khác tên người"),
            money=True,
        ),
        Kind("authorisation_expired", gettext_lazy("Ủy quyền/giám hộ đã hết hiệu lực")),
        Kind("authorisation_expiring", gettext_lazy("Ủy quyền/giám hộ sắp hết hiệu lực")),
        Kind("representative_minor", gettext_lazy("Người nhận thay chưa đủ 18 tuổi")),
        Kind("dead_active", gettext_lazy("Người đã chết vẫn đang hưởng/nhận thay")),
        Kind(
            "cashless_without_account",
            gettext_lazy("Đăng ký nhận qua tài khoản nhưng không có tài khoản dùng được"),
            money=True,
        ),
        Kind("id_disagrees", gettext_lazy("Số CCCD không khớp năm sinh/giới tính")),
        Kind("year_only_age", gettext_lazy("Chỉ có năm sinh, gần mốc tuổi")),
    )
}


@dataclass(frozen=True)
class Finding:
    kind: str
    blocking: bool
    person_id: int  # the record the finding links to
    person_name: str
    personal_id: str
    message: str
    # Everyone the finding concerns (the gate matches a list's people against it).
    person_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def title(self) -> str:
        return str(KINDS[self.kind].title)

    @property
    def money(self) -> bool:
        return KINDS[self.kind].money

    @property
    def concerns(self) -> frozenset[int]:
        return self.person_ids | {self.person_id}


def finding(kind: str, blocking: bool, person: dict, message: str, *others: int) -> Finding:
    """``person``: the linked record as ``id``/``full_name``/``personal_id``;
    ``others``: the other people concerned (``None`` ignored)."""
    return Finding(
        kind=kind,
        blocking=blocking,
        person_id=person["id"],
        person_name=person["full_name"],
        personal_id=person["personal_id"] or "",
        message=message,
        person_ids=frozenset(o for o in others if o is not None),
    )


def person_of(row: dict, prefix: str) -> dict:
    """The person under ``prefix`` of a values() row, as :func:`finding` takes it."""
    return {
        "id": row[f"{prefix}_id"],
        "full_name": row[f"{prefix}__full_name"],
        "personal_id": row[f"{prefix}__personal_id"],
    }
