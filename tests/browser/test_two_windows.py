"""Two browser windows on one case: the second window's form is refused, keeping its text."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kollega.service import actions
from kollega.service.models import Conversation
from tests.cast import Cast
from tests.service.conftest import make_profile, submit

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_second_window_logging_the_same_conversation_is_refused_and_keeps_the_note(
    staff_page: Any, live_server: Any, cast: Cast
) -> None:
    profile = make_profile(cast.counsellor)
    case = submit().case
    actions.do_assign_counsellor(cast.coordinator.user, case, profile)
    actions.do_accept_case(cast.counsellor.user, case)
    path = f"{live_server.url}/service/cases/{case.pk}/conversation/"
    # Two tabs of one signed-in browser: a second sign-in would need the next authenticator
    # code, as one code signs in once.
    first = staff_page(cast.counsellor, live_server, "en")
    windows = [first, first.context.new_page()]
    for window, note in zip(windows, ("First window", "Second window"), strict=True):
        window.goto(path)
        window.locator("#id_held_on").fill(timezone.localdate().isoformat())
        window.locator("input[name=mode][value=video]").check()
        window.locator("#id_minutes").fill("45")
        window.locator("#id_note").fill(note)
    windows[0].get_by_role("button", name="Save the conversation").click()
    expect(windows[0].get_by_text("The conversation is logged.")).to_be_visible()
    windows[1].get_by_role("button", name="Save the conversation").click()
    expect(
        windows[1].get_by_text("The request has changed since you opened this page")
    ).to_be_visible()
    expect(windows[1].locator("#id_note")).to_have_value("Second window")
    assert Conversation.objects.filter(case=case).count() == 1
