"""An administrator adding a county leader chooses the counties they lead at once."""

from __future__ import annotations

from django.conf import settings

from kollega.accounts.models import User
from kollega.core.models import AuditEvent
from kollega.core.roles import COUNTY_LEADER, counties_of
from tests.cast import Cast

ADD = f"/{settings.ADMIN_PATH}accounts/user/add/"


def test_the_counties_are_chosen_when_a_county_leader_is_added(cast: Cast) -> None:
    client = cast.administrator.client()
    assert 'name="counties"' in client.get(ADD).content.decode()
    response = client.post(
        ADD, {"username": "liv", "roles": [COUNTY_LEADER], "counties": ["troms", "nordland"]}
    )
    assert response.status_code == 302
    user = User.objects.get(username="liv")
    assert user.counties == ["nordland", "troms"]
    assert counties_of(user) == {"nordland", "troms"}
    event = AuditEvent.objects.get(action="accounts.add_staff")
    assert event.details == {"roles": [COUNTY_LEADER], "counties": ["nordland", "troms"]}
