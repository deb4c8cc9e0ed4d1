"""Invitations into a centre's team.

A manager may invite any address. An address without an account gets one, in the team at
once, with a link to choose a password (tests/centres/test_team.py). An existing account
(a counsellor of another centre, an administrator) is never attached by someone else: it
gets an ``Invitation`` and an e-mail without any password link, and joins only when that
account, signed in, accepts on the invitation's page. The link is signed, works once, until
it expires, and only for the invited account. A pending invitation grants nothing; the
centre's managers see it on the team page and may withdraw it.
"""

import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from centres import services
from centres.models import Centre, Invitation, InvitationState, Membership, Role
from centres.querysets import CentreQuerySet, InvitationQuerySet
from centres.tasks import send_invitation_to_join
from guidance_portal import mail
from tests.factories import PASSWORD, CentreFactory, MembershipFactory, UserFactory


@pytest.fixture
def centre(db):
    return CentreFactory(name="Cité des Métiers de Namur", cite=True)


@pytest.fixture
def manager(centre):
    return MembershipFactory(centre=centre, manager=True, user__full_name="Marie Manager").user


@pytest.fixture
def other_centre(db):
    return CentreFactory(name="SIEP Liège")


@pytest.fixture
def invitee(other_centre):
    """A counsellor of another centre, with an account of their own."""
    return MembershipFactory(centre=other_centre, user__email="olivier@example.org").user


def team_url(centre):
    return reverse("centres:team", kwargs={"slug": centre.slug})


def invite(client, centre, email, role=Role.COUNSELLOR):
    return client.post(team_url(centre), {"email": email, "full_name": "Ignored", "role": role})


def invitation_for(user, centre, role=Role.COUNSELLOR, **fields):
    by = Membership.objects.filter(centre=centre, role=Role.MANAGER).first()
    return Invitation.objects.create(
        centre=centre,
        user=user,
        email=user.email,
        role=role,
        invited_by=by.user if by else None,
        **fields,
    )


def answer(client, invitation, value="accept"):
    return client.post(invitation.get_absolute_url(), {"answer": value})


def withdraw_url(centre, invitation):
    return reverse(
        "centres:withdraw_invitation",
        kwargs={"slug": centre.slug, "invitation_id": invitation.pk},
    )


# The reproduction ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_inviting_a_counsellor_of_another_centre_attaches_nothing_until_they_accept(
    client, centre, manager, invitee, other_centre
):
    client.force_login(manager)

    response = invite(client, centre, "Olivier@Example.org")

    assert response.status_code == 302
    assert not Membership.objects.filter(centre=centre, user=invitee).exists()
    assert list(Centre.objects.editable_by(invitee)) == [other_centre]
    invitation = Invitation.objects.get(centre=centre, user=invitee)
    assert invitation.state == InvitationState.PENDING
    assert invitation.invited_by == manager
    assert "olivier@example.org" in client.get(team_url(centre)).content.decode()


@pytest.mark.django_db
def test_inviting_an_administrator_changes_nothing_for_their_account(client, centre, manager):
    admin = UserFactory(staff=True, email="admin@example.org", full_name="Ada Admin")
    client.force_login(manager)

    response = invite(client, centre, "ADMIN@example.org", role=Role.MANAGER)

    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.full_name == "Ada Admin"
    assert admin.check_password(PASSWORD)
    assert not admin.memberships.exists()
    assert Invitation.objects.get(user=admin).state == InvitationState.PENDING


def test_the_invitation_email_has_no_password_link_and_is_sent_once(
    client, centre, manager, invitee, celery_worker, smtp_server, wait_for, settings
):
    settings.SITE_URL = "https://portal.example.org"
    client.force_login(manager)

    invite(client, centre, "olivier@example.org")

    wait_for(lambda: smtp_server.messages, what="the invitation e-mail", timeout=20)
    invitation = Invitation.objects.get(user=invitee)
    wait_for(lambda: Invitation.objects.get(pk=invitation.pk).sent_at, what="the stamp")
    message = smtp_server.messages[0]
    assert message["To"] == "olivier@example.org"
    assert "Cité des Métiers de Namur" in message["Subject"]
    link = "https://portal.example.org" + invitation.get_absolute_url()
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert re.findall(r"https?://\S+", text) == [link]
    assert re.findall(r'href="([^"]+)"', html) == [link]
    assert "Marie Manager" in text

    redelivered = send_invitation_to_join.delay(invitation.pk).get(timeout=20)
    assert redelivered == mail.Outcome.SKIPPED
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_the_invitation_email_is_in_the_invited_persons_language(
    centre, manager, invitee, smtp_server
):
    invitee.language = "nl"
    invitee.save()
    invitation = invitation_for(invitee, centre)

    assert send_invitation_to_join(invitation.pk) == mail.Outcome.SENT

    message = smtp_server.messages[0]
    assert "Uitnodiging" in message["Subject"]
    assert "/nl/" in message.get_body(preferencelist=("plain",)).get_content()


@pytest.mark.django_db
def test_an_invitation_withdrawn_before_its_email_left_is_not_sent(centre, invitee, smtp_server):
    invitation = invitation_for(invitee, centre, withdrawn_at=timezone.now())

    assert send_invitation_to_join(invitation.pk) == mail.Outcome.SKIPPED
    assert mail.sweep(send_invitation_to_join.kind) == 0  # nor swept, minute after minute
    assert smtp_server.messages == []
    assert Invitation.objects.get(pk=invitation.pk).sent_at is None


# Answering ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_invited_account_accepts_and_joins_exactly_once(client, centre, manager, invitee):
    invitation = invitation_for(invitee, centre, role=Role.MANAGER)
    client.force_login(invitee)

    page = client.get(invitation.get_absolute_url())
    assert page.status_code == 200
    assert "Cité des Métiers de Namur" in page.content.decode()
    assert not Membership.objects.filter(centre=centre, user=invitee).exists()  # looking is free

    response = answer(client, invitation)

    assert response.status_code == 302
    assert response["Location"] == reverse("centres:dashboard")
    membership = Membership.objects.get(centre=centre, user=invitee)
    assert membership.role == Role.MANAGER
    assert Invitation.objects.get(pk=invitation.pk).state == InvitationState.ACCEPTED

    again = answer(client, invitation)

    assert again.status_code == 200
    assert Membership.objects.filter(centre=centre, user=invitee).count() == 1
    assert Centre.objects.managed_by(invitee).filter(pk=centre.pk).exists()


@pytest.mark.django_db
def test_a_pending_invitation_grants_nothing(client, centre, manager, invitee):
    invitation = invitation_for(invitee, centre, role=Role.MANAGER)
    client.force_login(invitee)
    edit = reverse("centres:edit", kwargs={"slug": centre.slug})

    assert client.get(edit).status_code == 404
    assert client.get(team_url(centre)).status_code == 404

    answer(client, invitation)

    assert client.get(edit).status_code == 200
    assert client.get(team_url(centre)).status_code == 200


@pytest.mark.django_db
def test_another_account_cannot_see_or_accept_the_invitation(client, centre, manager, invitee):
    invitation = invitation_for(invitee, centre)
    stranger = UserFactory()
    client.force_login(stranger)

    page = client.get(invitation.get_absolute_url())
    response = answer(client, invitation)

    assert page.status_code == 403
    assert "Cité des Métiers de Namur" not in page.content.decode()
    assert "another account" in page.content.decode() or "autre compte" in page.content.decode()
    assert response.status_code == 403
    assert not Membership.objects.filter(centre=centre, user=stranger).exists()
    assert Invitation.objects.get(pk=invitation.pk).state == InvitationState.PENDING


@pytest.mark.django_db
def test_a_manager_of_the_centre_cannot_accept_in_the_invited_persons_place(
    client, centre, manager, invitee
):
    invitation = invitation_for(invitee, centre)
    client.force_login(manager)

    assert answer(client, invitation).status_code == 403
    assert not Membership.objects.filter(centre=centre, user=invitee).exists()


@pytest.mark.django_db
def test_an_expired_link_is_refused(client, centre, manager, invitee):
    invitation = invitation_for(invitee, centre, expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(invitee)

    assert client.get(invitation.get_absolute_url()).status_code == 410
    assert answer(client, invitation).status_code == 410
    assert not Membership.objects.filter(centre=centre, user=invitee).exists()


@pytest.mark.django_db
def test_a_withdrawn_link_is_refused(client, centre, manager, invitee):
    invitation = invitation_for(invitee, centre)
    client.force_login(manager)
    assert client.post(withdraw_url(centre, invitation)).status_code == 302
    client.force_login(invitee)

    page = client.get(invitation.get_absolute_url())
    response = answer(client, invitation)

    assert page.status_code == response.status_code == 410
    assert not Membership.objects.filter(centre=centre, user=invitee).exists()
    withdrawn = Invitation.objects.get(pk=invitation.pk)
    assert withdrawn.state == InvitationState.WITHDRAWN
    assert withdrawn.withdrawn_by == manager


@pytest.mark.django_db
def test_declining_closes_the_invitation_without_joining(client, centre, manager, invitee):
    invitation = invitation_for(invitee, centre)
    client.force_login(invitee)

    assert answer(client, invitation, "decline").status_code == 302
    assert answer(client, invitation, "accept").status_code == 410
    assert not Membership.objects.filter(centre=centre, user=invitee).exists()
    assert Invitation.objects.get(pk=invitation.pk).state == InvitationState.DECLINED


@pytest.mark.django_db
def test_an_answer_that_is_neither_button_is_a_clear_400(client, centre, manager, invitee):
    invitation = invitation_for(invitee, centre)
    client.force_login(invitee)

    response = answer(client, invitation, "both\x00")

    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).state == InvitationState.PENDING


@pytest.mark.django_db
def test_a_tampered_or_unknown_link_is_a_404(client, centre, manager, invitee):
    invitation = invitation_for(invitee, centre)
    client.force_login(invitee)
    pk, signature = invitation.token.split(":")
    forged = reverse("centres:invitation", kwargs={"token": f"{pk}:{signature[:-2]}xx"})
    other = reverse("centres:invitation", kwargs={"token": f"{int(pk) + 1}:{signature}"})

    assert client.get(forged).status_code == 404
    assert client.get(other).status_code == 404
    assert client.post(forged, {"answer": "accept"}).status_code == 404
    assert not Membership.objects.filter(centre=centre, user=invitee).exists()


@pytest.mark.django_db
def test_a_visitor_who_is_not_signed_in_is_asked_to_sign_in_first(client, centre, invitee):
    invitation = invitation_for(invitee, centre)

    response = client.get(invitation.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


@pytest.mark.django_db
def test_the_dashboard_lists_the_invitations_waiting_for_the_user(client, centre, invitee):
    invitation = invitation_for(invitee, centre)
    invitation_for(invitee, CentreFactory(name="Expirée"), expires_at=timezone.now())
    client.force_login(invitee)

    html = client.get(reverse("centres:dashboard")).content.decode()

    assert invitation.get_absolute_url() in html
    assert "Expirée" not in html


# Who may invite and withdraw ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_counsellor_who_is_not_manager_cannot_invite(client, centre, manager, invitee):
    counsellor = MembershipFactory(centre=centre).user
    client.force_login(counsellor)

    response = invite(client, centre, "olivier@example.org")
    new = invite(client, centre, "nouvelle@example.org")

    assert response.status_code == new.status_code == 404
    assert not Invitation.objects.exists()
    assert not User.objects.filter(email="nouvelle@example.org").exists()


@pytest.mark.django_db
def test_a_manager_of_another_centre_cannot_withdraw_an_invitation(
    client, centre, manager, invitee, other_centre
):
    invitation = invitation_for(invitee, centre)
    other_manager = MembershipFactory(centre=other_centre, manager=True).user
    client.force_login(other_manager)

    assert client.post(withdraw_url(centre, invitation)).status_code == 404
    assert client.post(withdraw_url(other_centre, invitation)).status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).state == InvitationState.PENDING


@pytest.mark.django_db
def test_a_counsellor_of_the_centre_cannot_withdraw_an_invitation(client, centre, manager, invitee):
    invitation = invitation_for(invitee, centre)
    client.force_login(MembershipFactory(centre=centre).user)

    assert client.post(withdraw_url(centre, invitation)).status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).state == InvitationState.PENDING


@pytest.mark.django_db
def test_a_visitor_or_a_former_manager_cannot_withdraw_an_invitation(
    client, centre, manager, invitee
):
    invitation = invitation_for(invitee, centre)
    former = MembershipFactory(centre=centre, manager=True)
    former.delete()

    anonymous = client.post(withdraw_url(centre, invitation))
    client.force_login(former.user)
    removed = client.post(withdraw_url(centre, invitation))

    assert anonymous.status_code == 302
    assert reverse("accounts:login") in anonymous["Location"]
    assert removed.status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).state == InvitationState.PENDING


@pytest.mark.django_db
def test_an_administrator_may_withdraw_any_invitation(client, centre, manager, invitee):
    invitation = invitation_for(invitee, centre)
    client.force_login(UserFactory(staff=True))

    assert client.post(withdraw_url(centre, invitation)).status_code == 302
    assert Invitation.objects.get(pk=invitation.pk).state == InvitationState.WITHDRAWN


@pytest.mark.django_db
def test_an_accepted_invitation_cannot_be_withdrawn(client, centre, manager, invitee):
    invitation = invitation_for(invitee, centre, accepted_at=timezone.now())
    client.force_login(manager)

    response = client.post(withdraw_url(centre, invitation), follow=True)

    assert "message-error" in response.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).state == InvitationState.ACCEPTED


@pytest.mark.django_db
def test_inviting_again_while_an_invitation_waits_is_a_clear_error(
    client, centre, manager, invitee
):
    client.force_login(manager)
    invite(client, centre, "olivier@example.org")

    response = invite(client, centre, "OLIVIER@example.org")

    assert response.status_code == 400
    assert 'id="id_email_error1"' in response.content.decode()
    assert Invitation.objects.filter(user=invitee).count() == 1


@pytest.mark.django_db
def test_an_expired_invitation_can_be_replaced_by_a_new_one(client, centre, manager, invitee):
    old = invitation_for(invitee, centre, expires_at=timezone.now() - timedelta(days=1))
    client.force_login(manager)

    assert invite(client, centre, "olivier@example.org").status_code == 302

    new = Invitation.objects.exclude(pk=old.pk).get(user=invitee)
    assert new.state == InvitationState.PENDING
    assert new.token != old.token


@pytest.mark.django_db
def test_the_team_page_shows_members_and_invitations_in_a_fixed_number_of_queries(
    client, centre, manager, invitee, django_assert_num_queries
):
    invitations = [invitation_for(UserFactory(), centre) for _number in range(3)]
    invitations.append(invitation_for(invitee, centre, expires_at=timezone.now()))
    members = [MembershipFactory(centre=centre).user for _number in range(3)]
    invitation_for(UserFactory(), centre, declined_at=timezone.now())  # answered: not listed
    client.force_login(manager)

    with django_assert_num_queries(5):
        html = client.get(team_url(centre)).content.decode()

    assert all(member.email in html for member in members)
    assert all(withdraw_url(centre, invitation) in html for invitation in invitations)
    assert html.count('action="' + team_url(centre) + "invitations/") == len(invitations)


# Races --------------------------------------------------------------------------------------


def _invite_at_once(centre, email, managers) -> list[str]:
    def one(manager) -> str:
        try:
            services.invite_member(
                centre=centre, email=email, full_name="X", role=Role.COUNSELLOR, by=manager
            )
            return "invited"
        except services.CentreError:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(managers)) as pool:
        return list(pool.map(one, managers))


@pytest.fixture
def slow_create(monkeypatch):
    """Widen the race window: the invitation is written a while after the check."""
    real = InvitationQuerySet.create

    def slow(self, **fields):
        time.sleep(0.05)
        return real(self, **fields)

    monkeypatch.setattr(InvitationQuerySet, "create", slow)


@pytest.mark.django_db(transaction=True)
def test_without_the_centre_lock_managers_inviting_at_once_would_invite_twice(
    monkeypatch, slow_create, centre, invitee
):
    monkeypatch.setattr(CentreQuerySet, "select_for_update", lambda self, **kwargs: self)
    managers = [MembershipFactory(centre=centre, manager=True).user for _n in range(5)]

    _invite_at_once(centre, invitee.email, managers)

    assert Invitation.objects.filter(user=invitee).count() > 1  # the guard matters


@pytest.mark.django_db(transaction=True)
def test_five_managers_inviting_the_same_account_at_once_make_one_invitation(
    slow_create, centre, invitee
):
    managers = [MembershipFactory(centre=centre, manager=True).user for _n in range(5)]

    statuses = _invite_at_once(centre, invitee.email, managers)

    assert sorted(statuses) == ["invited"] + ["refused"] * 4
    assert Invitation.objects.filter(user=invitee).count() == 1
