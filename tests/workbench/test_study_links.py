"""A study's page links to its analyses (registered by the workbench, which research cannot
import), and only to those of that study."""

from __future__ import annotations

from django.urls import reverse

from kollega.research import actions as research_actions
from kollega.workbench import actions
from tests.workbench.conftest import Bench


def test_the_study_page_links_to_its_analyses(bench: Bench) -> None:
    other = research_actions.do_create_study(
        bench.owner.user, title="Other", aims="", language="nb"
    )
    elsewhere = actions.do_create_analysis(bench.owner.user, other, name="Elsewhere")
    body = bench.owner.client().get(reverse("research:study", args=[bench.study.pk])).content
    page = body.decode()
    assert reverse("workbench:analysis", args=[bench.analysis.pk]) in page
    assert "First analysis" in page
    assert reverse("workbench:analysis", args=[elsewhere.pk]) not in page


def test_a_study_without_analyses_says_so(bench: Bench) -> None:
    other = research_actions.do_create_study(
        bench.owner.user, title="Other", aims="", language="nb"
    )
    page = bench.owner.client().get(reverse("research:study", args=[other.pk])).content.decode()
    assert "No analysis of this study yet" in page
