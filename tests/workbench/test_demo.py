"""The demo gives sara an analysis part-way through step 3, built through the actions."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from kollega.accounts.demo import ensure_demo_users
from kollega.core.models import AuditEvent
from kollega.research import demo as research_demo
from kollega.workbench import demo
from kollega.workbench.actions import synthesis
from kollega.workbench.models import Analysis, Condensate, GoldenQuote, Subgroup
from tests.cast import Member


@pytest.mark.django_db
def test_the_demo_analysis_loads_once_part_way_through_step_3() -> None:
    ensure_demo_users()
    research_demo.load(io.StringIO())
    demo.load(io.StringIO())
    demo.load(io.StringIO())
    analysis = Analysis.objects.get()
    assert analysis.created_by.username == "sara"
    assert analysis.transcripts.count() == 3
    assert all(v.interview.transcript.deidentified for v in analysis.transcripts.all())
    assert analysis.themes.filter(shared=True).count() == 3
    groups = list(analysis.code_groups.all())
    assert len(groups) == 4 and all(g.codings.exists() for g in groups)
    assert Subgroup.objects.count() == 6
    assert Condensate.objects.count() == 3 and GoldenQuote.objects.count() == 3
    # Part-way: one group untouched, subgroups still without condensates, no step 4 yet.
    assert sum(not g.subgroups.exists() for g in groups) == 1
    check = synthesis.check(analysis)
    assert not check["ok"]
    assert {f["kind"] for f in check["findings"]} == {
        "no_condensate",
        "no_analytic_text",
        "no_golden_quote",
    }
    assert AuditEvent.objects.filter(action="workbench.condensate.add").count() == 3
    # A few memos, one on each kind of subject, written by sara.
    kinds = {m.target.partition(":")[0] for m in analysis.memos.all()}
    assert kinds == {"", "transcript", "code_group", "unit"}
    assert {m.author.username for m in analysis.memos.all()} == {"sara"}  # type: ignore[union-attr]


@pytest.mark.django_db
def test_sara_can_open_every_page_of_the_demo_analysis() -> None:
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    ensure_demo_users()
    research_demo.load(io.StringIO())
    demo.load(io.StringIO())
    analysis = Analysis.objects.get()
    user = get_user_model().objects.get(username="sara")
    sara = Member(user, TOTPDevice.objects.get(user=user))
    client = sara.client()
    for name in ("condensation_index", "synthesis", "check", "results", "memos"):
        assert client.get(reverse(f"workbench:{name}", args=[analysis.pk])).status_code == 200
    for group in analysis.code_groups.all():
        url = reverse("workbench:condensation", args=[analysis.pk, group.pk])
        assert client.get(url).status_code == 200
