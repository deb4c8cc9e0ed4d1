"""factory-boy factories; traits rather than long keyword lists."""

from datetime import timedelta

import factory
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from centres.models import (
    Centre,
    CentreKind,
    Membership,
    Municipality,
    OpeningSlot,
    PostalCode,
    Province,
    Region,
    Role,
)

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="fr_BE")
    password = factory.django.Password(PASSWORD)

    class Params:
        staff = factory.Trait(is_staff=True, is_superuser=True)


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ["refnis"]

    refnis = "90000"
    name = "Province de Namur"
    name_fr = "Province de Namur"
    name_nl = "Provincie Namen"
    region = Region.WALLONIA
    slug = "namur"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["refnis"]

    refnis = "92094"
    name = "Namur"
    name_fr = "Namur"
    name_nl = "Namen"
    province = factory.SubFactory(ProvinceFactory)
    latitude = 50.4669
    longitude = 4.8675


class PostalCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostalCode
        django_get_or_create = ["code", "municipality"]

    code = "5000"
    municipality = factory.SubFactory(MunicipalityFactory)
    locality = factory.LazyAttribute(lambda o: o.municipality.name)
    latitude = factory.LazyAttribute(lambda o: o.municipality.latitude)
    longitude = factory.LazyAttribute(lambda o: o.municipality.longitude)


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre

    kind = CentreKind.SIEP
    name = factory.Sequence(lambda n: f"Centre d'orientation {n}")
    name_fr = factory.SelfAttribute("name")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    municipality = factory.SubFactory(MunicipalityFactory)
    latitude = factory.LazyAttribute(lambda o: o.municipality.latitude)
    longitude = factory.LazyAttribute(lambda o: o.municipality.longitude)
    languages = ["fr"]

    class Params:
        cite = factory.Trait(kind=CentreKind.CITE_DES_METIERS, is_anonymous_possible=True)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    centre = factory.SubFactory(CentreFactory)
    role = Role.COUNSELLOR

    class Params:
        manager = factory.Trait(role=Role.MANAGER)


class OpeningSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningSlot

    centre = factory.SubFactory(CentreFactory)
    weekday = 0
    opens = "09:00"
    closes = "17:00"


class FormatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "offers.Format"
        django_get_or_create = ["slug"]

    slug = "workshop"
    name = "Atelier"
    name_fr = "Atelier"


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "offers.Theme"
        django_get_or_create = ["slug"]

    slug = "choose-a-direction"
    name = "S’orienter"
    name_fr = "S’orienter"


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "offers.Offer"

    centre = factory.SubFactory(CentreFactory)
    title = factory.Sequence(lambda n: f"Atelier CV {n}")
    title_fr = factory.SelfAttribute("title")
    format = factory.SubFactory(FormatFactory)

    class Params:
        submitted = factory.Trait(status="submitted")
        published = factory.Trait(
            status="published",
            review_due=factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=180)),
        )
        rejected = factory.Trait(status="rejected", rejection_reason="Incomplete")
