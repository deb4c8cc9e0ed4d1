"""The charter: signing, refusals, new versions and invitations, self-assessments, pages."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from charter import services
from charter.models import (
    CharterVersion,
    Commitment,
    Organisation,
    Principle,
    ResignInvitation,
    Signature,
    Statement,
)
from charter.tasks import invite_to_resign
from tests.factories import CentreFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_version(title="Charte 2022", adopted=date(2022, 5, 5), published=True) -> CharterVersion:
    version = CharterVersion.objects.create(
        title=title,
        title_fr=title,
        adopted_on=adopted,
        status="published" if published else "draft",
        published_at=timezone.now() if published else None,
    )
    for number, name in enumerate(["Coopération", "Neutralité"], start=1):
        principle = Principle.objects.create(
            version=version, number=number, name=name, name_fr=name
        )
        Commitment.objects.create(
            version=version, principle=principle, number=number, text=f"Engagement {number}"
        )
    return version


@pytest.fixture
def version():
    return make_version()


@pytest.fixture
def centre():
    return CentreFactory(name="Cité des Métiers de Charleroi", cite=True)


@pytest.fixture
def manager(centre):
    return MembershipFactory(centre=centre, manager=True).user


def manage_url(centre) -> str:
    return reverse("charter:manage", kwargs={"slug": centre.slug})


def test_a_manager_signs_and_who_and_when_are_recorded(client, version, centre, manager):
    client.force_login(manager)
    response = client.post(manage_url(centre), {"action": "sign", "confirm": "on"})
    assert response.status_code == 302
    signature = Signature.objects.get(centre=centre)
    assert signature.version == version
    assert signature.signed_by == manager
    assert signature.signed_on == timezone.localdate()
    assert signature.signatory_name == manager.get_full_name()
    assert signature.status == "signed"


def test_signing_needs_the_confirmation(client, version, centre, manager):
    client.force_login(manager)
    response = client.post(manage_url(centre), {"action": "sign"})
    assert response.status_code == 400
    assert "id_confirm_error1" in response.content.decode()
    assert not Signature.objects.exists()


def test_signing_twice_is_refused_with_a_message(client, version, centre, manager):
    services.sign(centre=centre, by=manager)
    client.force_login(manager)
    response = client.post(manage_url(centre), {"action": "sign", "confirm": "on"})
    assert response.status_code in (200, 400)
    assert Signature.objects.count() == 1


def test_a_counsellor_who_is_not_a_manager_may_look_but_not_sign(client, version, centre):
    counsellor = MembershipFactory(centre=centre).user
    client.force_login(counsellor)
    assert client.get(manage_url(centre)).status_code == 200
    response = client.post(manage_url(centre), {"action": "sign", "confirm": "on"})
    assert response.status_code == 404
    assert not Signature.objects.exists()


def test_a_manager_of_another_centre_is_refused(client, version, centre):
    other = MembershipFactory(centre=CentreFactory(name="SIEP Liège"), manager=True).user
    client.force_login(other)
    assert client.get(manage_url(centre)).status_code == 404
    assert client.post(manage_url(centre), {"action": "sign", "confirm": "on"}).status_code == 404
    with pytest.raises(services.CharterError):
        services.sign(centre=centre, by=other)
    assert not Signature.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, version, centre):
    response = client.post(manage_url(centre), {"action": "sign", "confirm": "on"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not Signature.objects.exists()


def test_a_new_version_invites_signatories_without_changing_what_they_signed(
    version, centre, manager
):
    signature = services.sign(centre=centre, by=manager)
    organisation = Organisation.objects.create(name="IFAPME", kind="public_service")
    other = Signature.objects.create(
        version=version, organisation=organisation, signed_on=date(2022, 5, 5)
    )
    newer = make_version("Charte 2027", adopted=date(2027, 1, 1), published=False)
    services.publish_version(version=newer, by=UserFactory(staff=True))

    signature.refresh_from_db()
    other.refresh_from_db()
    assert (signature.version, signature.status) == (version, "invited")
    assert (other.version, other.status) == (version, "invited")
    assert signature.signed_by == manager
    assert CharterVersion.objects.current() == newer


def test_only_administrators_publish_a_version(version, manager):
    newer = make_version("Charte 2027", adopted=date(2027, 1, 1), published=False)
    with pytest.raises(services.CharterError):
        services.publish_version(version=newer, by=manager)


@pytest.mark.django_db(transaction=True)
def test_the_invitation_reaches_each_manager_once_even_if_the_task_runs_twice(
    celery_worker, smtp_server, wait_for
):
    version = make_version()
    first = CentreFactory(name="Cité des Métiers de Liège", cite=True)
    second = CentreFactory(name="Cité des Métiers de Namur", cite=True)
    managers = [MembershipFactory(centre=c, manager=True).user for c in (first, second)]
    MembershipFactory(centre=first)  # a counsellor: not invited
    for centre, manager in zip((first, second), managers, strict=True):
        services.sign(centre=centre, by=manager)
    newer = make_version("Charte 2027", adopted=date(2027, 1, 1), published=False)

    services.publish_version(version=newer, by=UserFactory(staff=True))
    wait_for(lambda: len(smtp_server.messages) == 2, what="two invitations", timeout=20)
    invite_to_resign.delay(newer.pk).get(timeout=20)  # a second run
    invite_to_resign(newer.pk)  # and a third, in process

    assert sorted(m["To"] for m in smtp_server.messages) == sorted(u.email for u in managers)
    assert ResignInvitation.objects.filter(sent_at__isnull=False).count() == 2
    assert version.pk  # the old version is still there, with its signatures
    assert Signature.objects.filter(version=version, status="invited").count() == 2


def test_statements_are_invisible_until_approved_and_sanitised(client, version, centre, manager):
    signature = services.sign(centre=centre, by=manager)
    principle = version.principles.get(number=1)
    client.force_login(manager)
    response = client.post(
        manage_url(centre),
        {
            "action": "statements",
            f"principle_{principle.pk}": '<p onclick="x()">Nous coopérons'
            "<script>alert(1)</script> avec le Forem.</p>",
        },
    )
    assert response.status_code == 302
    statement = Statement.objects.get(signature=signature)
    assert "<script" not in statement.text
    assert "onclick" not in statement.text
    assert statement.status == "pending"
    client.logout()
    page = client.get(centre.get_absolute_url()).content.decode()
    assert "Nous coopérons" not in page

    services.approve_statement(statement=statement, by=UserFactory(staff=True))
    page = client.get(centre.get_absolute_url()).content.decode()
    assert "Nous coopérons" in page
    assert "alert(1)" not in page


def test_a_counsellor_cannot_write_statements(client, version, centre, manager):
    signature = services.sign(centre=centre, by=manager)
    counsellor = MembershipFactory(centre=centre).user
    client.force_login(counsellor)
    principle = version.principles.get(number=1)
    response = client.post(
        manage_url(centre), {"action": "statements", f"principle_{principle.pk}": "Texte"}
    )
    assert response.status_code == 404
    assert not Statement.objects.filter(signature=signature).exists()


def test_charter_page_query_count_does_not_grow_with_signatories(
    client, version, django_assert_num_queries
):
    url = reverse("charter:charter")
    CentreFactory.create_batch(2)
    for centre in CentreFactory._meta.model.objects.all():
        Signature.objects.create(version=version, centre=centre, signed_on=date(2022, 5, 5))
    with django_assert_num_queries(7):
        client.get(url)
    for number in range(15):
        centre = CentreFactory()
        Signature.objects.create(version=version, centre=centre, signed_on=date(2022, 5, 5))
        organisation = Organisation.objects.create(name=f"Organisation {number}", kind="other")
        Signature.objects.create(
            version=version, organisation=organisation, signed_on=date(2022, 5, 5)
        )
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.context["signature_count"] == 2 + 30


def test_charter_page_filters_and_bad_filters(client, version, centre, manager):
    services.sign(centre=centre, by=manager)
    organisation = Organisation.objects.create(name="Forem", kind="public_service")
    Signature.objects.create(version=version, organisation=organisation, signed_on=date.today())
    url = reverse("charter:charter")
    assert client.get(url, {"kind": "organisation:public_service"}).context["signature_count"] == 1
    response = client.get(url, {"kind": "nonsense", "province": "atlantis"})
    assert response.status_code == 200
    assert response.context["signature_count"] == 2
    assert len(response.context["notes"]) == 2


def test_badge_on_the_centre_page_and_its_offers(client, version, centre, manager):
    from offers.indexing import index_offers
    from tests.factories import OfferFactory

    offer = OfferFactory(centre=centre, published=True, title="Atelier CV")
    index_offers([offer.pk])
    assert "badge-charter" not in client.get(centre.get_absolute_url()).content.decode()
    services.sign(centre=centre, by=manager)
    assert "badge-charter" in client.get(centre.get_absolute_url()).content.decode()
    assert "badge-charter" in client.get(offer.get_absolute_url()).content.decode()
    results = client.get(reverse("offers:search"), {"q": "atelier"}).content.decode()
    assert "badge-charter" in results


def test_version_pages(client, version):
    draft = make_version("Projet", adopted=date(2030, 1, 1), published=False)
    assert client.get(reverse("charter:version", kwargs={"pk": version.pk})).status_code == 200
    assert client.get(reverse("charter:version", kwargs={"pk": draft.pk})).status_code == 404
