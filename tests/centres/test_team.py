import pytest
from django.urls import reverse

from centres.models import InvitationEmail, Membership, Role
from centres.tasks import send_invitation
from tests.factories import CentreFactory, MembershipFactory


@pytest.fixture
def centre(db):
    return CentreFactory(name="Cité des Métiers de Namur", cite=True)


@pytest.fixture
def manager(centre):
    return MembershipFactory(centre=centre, manager=True).user


def team_url(centre):
    return reverse("centres:team", kwargs={"slug": centre.slug})


def test_manager_invites_a_counsellor_who_gets_one_email_through_the_worker(
    client, centre, manager, celery_worker, smtp_server, wait_for
):
    client.force_login(manager)

    response = client.post(
        team_url(centre),
        {"email": "New.Counsellor@example.org", "full_name": "Nina Nouvelle", "role": "counsellor"},
    )

    assert response.status_code == 302
    invitation = InvitationEmail.objects.get(membership__user__email="new.counsellor@example.org")
    wait_for(lambda: smtp_server.messages, what="the invitation e-mail", timeout=20)
    wait_for(lambda: InvitationEmail.objects.get(pk=invitation.pk).sent_at, what="stamp")
    assert "Cité des Métiers de Namur" in smtp_server.messages[0]["Subject"]

    send_invitation.delay(invitation.pk).get(timeout=20)  # a redelivery
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_inviting_an_existing_member_is_a_clear_error(client, centre, manager):
    client.force_login(manager)
    member = MembershipFactory(centre=centre).user

    response = client.post(
        team_url(centre), {"email": member.email, "full_name": "X", "role": "counsellor"}
    )

    assert response.status_code == 400
    assert Membership.objects.filter(centre=centre).count() == 2


@pytest.mark.django_db
def test_manager_removes_a_counsellor(client, centre, manager):
    membership = MembershipFactory(centre=centre)
    client.force_login(manager)

    client.post(
        reverse(
            "centres:remove_member", kwargs={"slug": centre.slug, "membership_id": membership.pk}
        )
    )

    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_the_last_manager_cannot_be_removed(client, centre, manager):
    admin = MembershipFactory(centre=CentreFactory(), manager=True).user
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    last = Membership.objects.get(centre=centre, role=Role.MANAGER)

    client.post(
        reverse("centres:remove_member", kwargs={"slug": centre.slug, "membership_id": last.pk})
    )

    assert Membership.objects.filter(pk=last.pk).exists()
