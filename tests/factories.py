"""factory-boy factories: fixed, readable values; sequences instead of randomness."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth.models import Group, User

from accounts.models import Bank, PaymentAccount
from amounts.models import Entitlement
from beneficiaries.models import (
    Beneficiary,
    Category,
    Commune,
    Person,
    Programme,
    Representative,
    Village,
)
from registration.models import (
    AccountOpeningRequest,
    OutreachActivity,
    PaymentMethodRegistration,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("matkhau-demo-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            group, _ = Group.objects.get_or_create(name=extracted)
            self.groups.add(group)

    @factory.post_generation
    def communes(self, create, extracted, **kwargs):
        if create and extracted:
            for commune in extracted:
                commune.members.add(self)


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{20000 + n:05d}")
    name = factory.Sequence(lambda n: f"Xã Thử {n}")
    district_name = "Hà Trung"
    province_name = "Thanh Hóa"
    issuing_body = factory.LazyAttribute(lambda o: f"ỦY BAN NHÂN DÂN XÃ {o.name.upper()}")
    place_name = factory.LazyAttribute(lambda o: o.name)


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village
        django_get_or_create = ("commune", "name")

    commune = factory.SubFactory(CommuneFactory)
    name = factory.Sequence(lambda n: f"Thôn {n}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    code = "NCC"
    name = "Trợ cấp ưu đãi người có công với cách mạng"
    short_name = "Người có công"
    amount_mode = Programme.AmountMode.FIXED


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    programme = factory.SubFactory(ProgrammeFactory)
    code = "NCC_G"
    name = "Thương binh; người hưởng chính sách như thương binh"
    short_name = "Thương binh"


# A valid CCCD: Thanh Hóa (038), century digit 0/1 (1900s), two-digit year, serial.
def _cccd(n: int, birth_year: int = 1950, male: bool = True) -> str:
    century = (birth_year - 1900) // 100 * 2 + (0 if male else 1)
    return f"038{century}{birth_year % 100:02d}{n:06d}"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    birth_date = datetime.date(1950, 3, 15)
    birth_year = 1950
    gender = Person.Gender.MALE
    personal_id = factory.Sequence(lambda n: _cccd(n))
    commune = factory.SubFactory(CommuneFactory)
    village = factory.SubFactory(VillageFactory, commune=factory.SelfAttribute("..commune"))


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    person = factory.SubFactory(PersonFactory)
    commune = factory.SelfAttribute("person.commune")
    category = factory.SubFactory(CategoryFactory)
    programme = factory.SelfAttribute("category.programme")
    decision_number = factory.Sequence(lambda n: f"{n}/QĐ-UBND")
    decision_date = datetime.date(2023, 6, 1)
    start_month = datetime.date(2023, 7, 1)


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    represented = factory.SubFactory(PersonFactory)
    person = factory.SubFactory(
        PersonFactory,
        commune=factory.SelfAttribute("..represented.commune"),
        full_name=factory.Sequence(lambda n: f"Lê Thị Nhận Thay {n}"),
        gender=Person.Gender.FEMALE,
        birth_date=datetime.date(1980, 1, 2),
        birth_year=1980,
        personal_id=factory.Sequence(lambda n: _cccd(500000 + n, 1980, male=False)),
    )
    kind = Representative.Kind.PROXY
    relationship = "Con gái"
    document = "Giấy ủy quyền số 12/2023"
    valid_from = datetime.date(2023, 7, 1)


class BankFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bank
        django_get_or_create = ("bin",)

    bin = "970405"
    code = "VBA"
    short_name = "Agribank"
    name = "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam"


class PaymentAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentAccount

    holder = factory.SubFactory(PersonFactory)
    bank = factory.SubFactory(BankFactory)
    number = factory.Sequence(lambda n: f"3500205{n:06d}")
    holder_name = factory.LazyAttribute(lambda o: o.holder.name_folded)
    opened_on = datetime.date(2023, 7, 10)


class EntitlementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entitlement

    beneficiary = factory.SubFactory(BeneficiaryFactory)
    from_month = datetime.date(2023, 7, 1)
    basis = Entitlement.Basis.FIXED
    amount = 2_055_000


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentMethodRegistration

    beneficiary = factory.SubFactory(BeneficiaryFactory)
    from_month = datetime.date(2023, 9, 1)
    method = PaymentMethodRegistration.Method.CASH
    requested_on = datetime.date(2023, 7, 5)


class AccountOpeningRequestFactory(factory.django.DjangoModelFactory):
    """A request just recorded; move it on through ``registration.services``."""

    class Meta:
        model = AccountOpeningRequest

    person = factory.SubFactory(PersonFactory)
    requested_on = datetime.date(2023, 7, 5)


class OutreachActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutreachActivity

    commune = factory.SubFactory(CommuneFactory)
    date = datetime.date(2023, 7, 3)
    channel = OutreachActivity.Channel.LOUDSPEAKER
    audience = "Toàn thể nhân dân trong xã"
    people_reached = 500
