"""The steps' navigation marks the page the researcher is on, and only that one."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.workbench.conftest import Bench

PAGES = [
    ("workbench:analysis", "Overview"),
    ("workbench:impression", "1 Total impression"),
    ("workbench:codebook", "Code book"),
    ("workbench:condensation_index", "3 Condensation"),
    ("workbench:synthesis", "4 Synthesis"),
    ("workbench:matrix", "Matrix"),
    ("workbench:check", "Check"),
    ("workbench:search", "Search"),
    ("workbench:memos", "Memos"),
    ("workbench:results", "Results and exports"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "label"), PAGES)
def test_the_navigation_marks_exactly_the_page_shown(bench: Bench, name: str, label: str) -> None:
    html = bench.owner.client("en").get(reverse(name, args=[bench.analysis.pk])).content.decode()
    at = html.index('<nav class="steps"')
    nav = html[at : html.index("</nav>", at)]
    current = re.findall(r'aria-current="page">([^<]+)</a>', nav)
    assert current == [label]
