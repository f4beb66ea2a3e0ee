"""The six roles and what each may do: one table, read by the data migration,
by the post-migrate sync (so new models get their permissions) and by the
navigation.

Model permissions drive the admin; the officer's pages check the same
permissions through :mod:`beneficiaries.access`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

LABOUR_OFFICER = "labour_officer"
POLICE = "police"
ACCOUNTANT = "accountant"
LEADER = "leader"
POST_OFFICE = "post_office"
DISTRICT = "district"

ROLE_LABELS = {
    LABOUR_OFFICER: _("Công chức LĐTBXH xã"),
    POLICE: _("Công an xã"),
    ACCOUNTANT: _("Kế toán xã"),
    LEADER: _("Lãnh đạo UBND xã"),
    POST_OFFICE: _("Bưu điện"),
    DISTRICT: _("Cơ quan chi trả cấp trên"),
}

ALL = ("view", "add", "change", "delete")
EDIT = ("view", "add", "change")
VIEW = ("view",)

# Models holding people (no money, no accounts).
_PEOPLE = ("beneficiaries.person", "beneficiaries.village")
_REGISTRY = (
    "beneficiaries.beneficiary",
    "beneficiaries.representative",
    "beneficiaries.importbatch",
    "beneficiaries.identitycheck",
    "beneficiaries.enrolmentcondition",
)
_REFERENCE = (
    "beneficiaries.commune",
    "beneficiaries.programme",
    "beneficiaries.programmesetting",
    "beneficiaries.category",
    "beneficiaries.province",
    "accounts.bank",
    "amounts.allowancerate",
)
_MONEY = (
    "accounts.paymentaccount",
    "amounts.entitlement",
    "registration.paymentmethodregistration",
    "registration.accountopeningrequest",
    "registration.programmetransfer",
    "registration.programmetransferline",
)
# The communication log: no people, no money; the police and the post office have no use for it.
_OUTREACH = ("registration.outreachactivity",)

# Generated files (registration lists hold accounts) and the event log.
_FILES = ("documents.generatedfile", "documents.event")

# Payment cycles, their payments and the months each pays (accounts in the snapshot).
_CYCLES = (
    "payments.paymentcycle",
    "payments.payment",
    "payments.paymentmonth",
    # Whether the money arrived: the sampled checks, statements and their cases.
    "payments.paymentchecksample",
    "payments.paymentcheck",
    "payments.paymentcase",
)
# Money paid and not owed, and how it comes back: the commune's own follow-up
# (read only in the admin; the recovery pages record), not the paying office's.
_RECOVERIES = (
    "payments.recovery",
    "payments.recoverymonth",
    "payments.recoverydeduction",
    "payments.recoverysettlement",
)

# role -> {"app_label.model": actions}
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    LABOUR_OFFICER: {
        **dict.fromkeys(_PEOPLE + _REGISTRY + _MONEY + _OUTREACH, EDIT),
        # Builds and sends the lists; the event log is read-only for everyone.
        "documents.generatedfile": EDIT,
        "documents.event": VIEW,
        # Opens, sends and closes cycles; payments change only through the services.
        **dict.fromkeys(_CYCLES, EDIT),
        **dict.fromkeys(_RECOVERIES, VIEW),
        # Checks are the police's: the officer reads them.
        "beneficiaries.identitycheck": VIEW,
        **dict.fromkeys(_REFERENCE, VIEW),
    },
    POLICE: {
        # Sees people to check them and records checks; no money, no accounts.
        **dict.fromkeys(_PEOPLE, VIEW),
        "beneficiaries.representative": VIEW,
        "beneficiaries.identitycheck": ("view", "add"),
    },
    ACCOUNTANT: dict.fromkeys(
        _PEOPLE + _REGISTRY + _MONEY + _OUTREACH + _REFERENCE + _FILES + _CYCLES + _RECOVERIES,
        VIEW,
    ),
    LEADER: dict.fromkeys(
        _PEOPLE + _REGISTRY + _MONEY + _OUTREACH + _REFERENCE + _FILES + _CYCLES + _RECOVERIES,
        VIEW,
    ),
    # Cash and home lists name the receiver: people, never accounts (registrations
    # show the account, so they are not here).
    POST_OFFICE: dict.fromkeys(
        _PEOPLE + ("beneficiaries.beneficiary", "beneficiaries.representative"), VIEW
    ),
    DISTRICT: dict.fromkeys(
        _PEOPLE + _REGISTRY + _MONEY + _OUTREACH + _REFERENCE + _FILES + _CYCLES, VIEW
    ),
}

# What each role sees in the officer's UI navigation and may open.
CAN_EDIT_REGISTRY = frozenset({LABOUR_OFFICER})
CAN_SEE_MONEY = frozenset({LABOUR_OFFICER, ACCOUNTANT, LEADER, DISTRICT})
CAN_SEE_OUTREACH = frozenset({LABOUR_OFFICER, ACCOUNTANT, LEADER, DISTRICT})
# Registration lists hold accounts: never the post office or the police.
CAN_BUILD_LISTS = frozenset({LABOUR_OFFICER})
CAN_SEE_LISTS = frozenset({LABOUR_OFFICER, ACCOUNTANT, LEADER, DISTRICT})
# The district sees the lists a commune sent, not its drafts.
SEES_SENT_LISTS_ONLY = frozenset({DISTRICT})
# Payment cycles: the officer opens and sends, the leader approves, money roles read;
# the district sees a commune's cycles once submitted. The post office has its own page.
CAN_SEE_CYCLES = frozenset({LABOUR_OFFICER, ACCOUNTANT, LEADER, DISTRICT})
CAN_PREPARE_CYCLES = frozenset({LABOUR_OFFICER})
CAN_APPROVE_CYCLES = frozenset({LEADER})
# The registration lists pass the same approval as a cycle: one role set for both.
CAN_APPROVE_LISTS = CAN_APPROVE_CYCLES
# Moving enrolments between programmes: the officer proposes, the leader approves.
CAN_PROPOSE_TRANSFERS = frozenset({LABOUR_OFFICER})
CAN_APPROVE_TRANSFERS = frozenset({LEADER})
CAN_SEE_TRANSFERS = frozenset({LABOUR_OFFICER, LEADER, ACCOUNTANT, DISTRICT})
# Base levels and a decree's table of fixed amounts re-rate every enrolment of a
# programme: the officer prepares the preview, the leader confirms it.
CAN_PREVIEW_BASE_LEVELS = frozenset({LABOUR_OFFICER, LEADER})
CAN_ENTER_BASE_LEVELS = frozenset({LEADER})
# Identity checks are the police's (the officer reads them).
CAN_CHECK_IDENTITY = frozenset({POLICE})
# The post office sees only a cycle's cash lists, not the registry.
CAN_SEE_REGISTRY = frozenset({LABOUR_OFFICER, ACCOUNTANT, LEADER, POLICE, DISTRICT})

# Paying a cycle: the bank files hold accounts; the post office's lists name receivers only.
CAN_SEE_BANK_FILES = frozenset({LABOUR_OFFICER, ACCOUNTANT, LEADER, DISTRICT})
CAN_SEE_CASH_LISTS = CAN_SEE_BANK_FILES | {POST_OFFICE}
CAN_REQUEST_CYCLE_FILES = frozenset({LABOUR_OFFICER, ACCOUNTANT})
# They see a cycle (and its files) once it was submitted (sent to them), not before.
SEES_SUBMITTED_CYCLES_ONLY = frozenset({DISTRICT, POST_OFFICE})
# The post office's page: record cash results (the officer may too).
CAN_RECORD_CASH = frozenset({LABOUR_OFFICER, POST_OFFICE})
# The banks' results of transfers (the command, the cycle's upload page): the
# officer, and the accountant, who receives the bank's statement and reconciles it.
CAN_RECORD_BANK_RESULTS = frozenset({LABOUR_OFFICER, ACCOUNTANT})
# The post office's cash account of a cycle: the accountant hands the cash over and
# confirms last; the post office records the cash it returns and confirms first;
# the officer and the leader read it.
CAN_HAND_OVER_CASH = frozenset({ACCOUNTANT})
CAN_RETURN_CASH = frozenset({POST_OFFICE})
CAN_SEE_CASH_ACCOUNT = frozenset({LABOUR_OFFICER, ACCOUNTANT, LEADER, POST_OFFICE})
# Correcting a recorded result (docs/payment-cycles.md): the officer and the accountant
# any payment, the post office only its cash ones; once the cycle is closed (its books
# reconciled), only the accountant, who answers for them.
CAN_CORRECT_RESULTS = frozenset({LABOUR_OFFICER, ACCOUNTANT})
CAN_CORRECT_CASH_RESULTS = frozenset({POST_OFFICE})
CAN_CORRECT_CLOSED_RESULTS = frozenset({ACCOUNTANT})
# Proving the money arrived: the officer draws the sample, asks, records and resolves
# cases; anyone at the commune who sees the person may record their statement.
CAN_CHECK_PAYMENTS = frozenset({LABOUR_OFFICER})
CAN_RECORD_STATEMENTS = frozenset({LABOUR_OFFICER, ACCOUNTANT, LEADER})
# Recoveries (thu hồi): the commune's own follow-up. The officer records decisions,
# repayments and waivers (``CAN_PREPARE_CYCLES``, as the services check); the
# accountant and the leader read.
CAN_SEE_RECOVERIES = frozenset({LABOUR_OFFICER, ACCOUNTANT, LEADER})
# The monthly report built on demand: whoever sees every report (not the paying
# office, which sees a report only once it was sent to it).
CAN_BUILD_MONTHLY_REPORT = CAN_SEE_LISTS - SEES_SENT_LISTS_ONLY


def sync_role_permissions(group_model, permission_model, *, using: str = "default") -> None:
    """Create the six groups and give each exactly the permissions of the table.

    Takes the models as arguments so the data migration can pass its
    historical models.
    """
    for role, grants in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.using(using).get_or_create(name=role)
        wanted = []
        for label, actions in grants.items():
            app_label, model = label.split(".")
            codenames = [f"{action}_{model}" for action in actions]
            wanted.extend(
                permission_model.objects.using(using).filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
        group.permissions.set(wanted)
