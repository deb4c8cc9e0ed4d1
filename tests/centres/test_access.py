"""Every view of the counsellors' space refuses whoever has no part in the centre."""

import pytest
from django.urls import reverse

from centres.models import Membership
from tests.factories import CentreFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre():
    return CentreFactory(name="Cité des Métiers de Namur", cite=True)


@pytest.fixture
def manager(centre):
    return MembershipFactory(centre=centre, manager=True).user


@pytest.fixture
def counsellor(centre):
    return MembershipFactory(centre=centre).user


@pytest.fixture
def other_centre_manager():
    return MembershipFactory(centre=CentreFactory(name="SIEP Liège"), manager=True).user


@pytest.fixture
def removed_manager(centre):
    membership = MembershipFactory(centre=centre, manager=True)
    Membership.objects.filter(pk=membership.pk).delete()
    return membership.user


def listing_views(centre, member_id):
    return [
        ("get", reverse("centres:edit", kwargs={"slug": centre.slug})),
        ("post", reverse("centres:edit", kwargs={"slug": centre.slug})),
    ]


def manager_views(centre, member_id):
    return [
        ("get", reverse("centres:history", kwargs={"slug": centre.slug})),
        ("get", reverse("centres:team", kwargs={"slug": centre.slug})),
        ("post", reverse("centres:team", kwargs={"slug": centre.slug})),
        (
            "post",
            reverse(
                "centres:remove_member",
                kwargs={"slug": centre.slug, "membership_id": member_id},
            ),
        ),
    ]


def call(client, method, url):
    return getattr(client, method)(url, {})


def test_anonymous_visitor_is_sent_to_sign_in(client, centre, counsellor):
    member_id = counsellor.memberships.get().pk
    views = [("get", reverse("centres:dashboard"))]
    views += listing_views(centre, member_id) + manager_views(centre, member_id)
    for method, url in views:
        response = call(client, method, url)
        assert response.status_code == 302, url
        assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("who", ["other_centre_manager", "removed_manager"])
def test_outsider_gets_404_on_every_view(client, centre, counsellor, who, request):
    client.force_login(request.getfixturevalue(who))
    member_id = counsellor.memberships.get().pk
    for method, url in listing_views(centre, member_id) + manager_views(centre, member_id):
        assert call(client, method, url).status_code == 404, url
    assert Membership.objects.filter(pk=member_id).exists()


def test_counsellor_who_is_not_manager_cannot_see_history_or_team(
    client, centre, counsellor, manager
):
    client.force_login(counsellor)
    member_id = manager.memberships.get().pk
    for method, url in manager_views(centre, member_id):
        assert call(client, method, url).status_code == 404, url
    assert client.get(reverse("centres:edit", kwargs={"slug": centre.slug})).status_code == 200


def test_manager_and_administrator_reach_every_view(client, centre, manager):
    for user in (manager, UserFactory(staff=True)):
        client.force_login(user)
        for url in [
            reverse("centres:dashboard"),
            reverse("centres:edit", kwargs={"slug": centre.slug}),
            reverse("centres:history", kwargs={"slug": centre.slug}),
            reverse("centres:team", kwargs={"slug": centre.slug}),
        ]:
            assert client.get(url).status_code == 200, url


def test_dashboard_lists_only_the_users_centres(client, centre, counsellor):
    CentreFactory(name="Infor Jeunes Namur")
    client.force_login(counsellor)

    html = client.get(reverse("centres:dashboard")).content.decode()

    assert "Cité des Métiers de Namur" in html
    assert "Infor Jeunes Namur" not in html


def test_inactive_user_sees_no_centre(counsellor, centre):
    from centres.models import Centre

    counsellor.is_active = False
    assert not Centre.objects.editable_by(counsellor).exists()
