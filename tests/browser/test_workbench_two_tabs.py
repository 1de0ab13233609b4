"""Every editable object of the workbench opened in two tabs at once: the first save wins, the
second is refused with its words still in the form, and nothing is doubled.

One signed-in browser with two tabs stands for two researchers (or one researcher with two
windows): the server sees the same thing, a form drawn before someone else's save.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from kollega.workbench import actions
from kollega.workbench.actions import condensation
from kollega.workbench.models import (
    Analysis,
    AnalyticText,
    Category,
    CodeGroup,
    Subgroup,
    Theme,
)
from tests.browser.test_workbench_steps34 import analysis  # noqa: F401 (a fixture)
from tests.cast import Cast

pytestmark = pytest.mark.django_db(transaction=True)

STALE = "Someone saved this after you opened it."


@dataclass(frozen=True)
class Editable:
    """Where one kind of object is edited, and how to read it back."""

    name: str
    # Makes the object; returns its page (below the analysis) and the field's CSS selector.
    make: Callable[[Cast, Analysis], tuple[str, str]]
    button: str
    # The stored value of the edited field, read after both saves.
    stored: Callable[[Analysis], list[str]]


def _theme(cast: Cast, found: Analysis) -> tuple[str, str]:
    theme = actions.do_add_theme(cast.researcher.user, found, label="Shame")
    return f"themes/{theme.pk}/", "#theme-label"


def _group(cast: Cast, found: Analysis) -> tuple[str, str]:
    group = CodeGroup.objects.get(analysis=found, name="Trust")
    return f"groups/{group.pk}/", "#group-name"


def _subgroup(cast: Cast, found: Analysis) -> tuple[str, str]:
    group = CodeGroup.objects.get(analysis=found, name="Exhaustion")
    units = [u.pk for u in condensation.group_units(group)]
    sg = condensation.do_add_subgroup(cast.researcher.user, group, name="Nights", unit_pks=units)
    return f"condensation/{group.pk}/", f"#subgroup-name-{sg.pk}"


def _category(cast: Cast, found: Analysis) -> tuple[str, str]:
    groups = [g.pk for g in found.code_groups.all()]
    category = actions.do_add_category(
        cast.researcher.user, found, name="Carrying on", group_pks=groups
    )
    return "synthesis/", f"#category-name-{category.pk}"


def _analytic_text(cast: Cast, found: Analysis) -> tuple[str, str]:
    group = CodeGroup.objects.get(analysis=found, name="Trust")
    actions.do_save_analytic_text(
        cast.researcher.user,
        found,
        target=group,
        text="The first words.",
        condensate_pks=[],
        quote_pks=[],
    )
    return "synthesis/", f"#text-code_group-{group.pk}"


EDITABLE = [
    Editable(
        "theme",
        _theme,
        "Save the theme",
        lambda a: [t.label for t in Theme.objects.filter(analysis=a)],
    ),
    Editable(
        "code group",
        _group,
        "Save the code group",
        lambda a: [g.name for g in CodeGroup.objects.filter(analysis=a) if g.name.endswith("tab")],
    ),
    Editable(
        "subgroup",
        _subgroup,
        "Save the subgroup",
        lambda a: [s.name for s in Subgroup.objects.filter(code_group__analysis=a)],
    ),
    Editable(
        "category",
        _category,
        "Save the category",
        lambda a: [c.name for c in Category.objects.filter(analysis=a)],
    ),
    Editable(
        "analytic text",
        _analytic_text,
        "Save the analytic text",
        lambda a: [t.text for t in AnalyticText.objects.filter(analysis=a)],
    ),
]


def _form_of(field: Locator) -> Locator:
    return field.locator("xpath=ancestor::form")


@pytest.mark.parametrize("editable", EDITABLE, ids=lambda e: e.name)
def test_the_second_tab_saving_an_object_is_refused_and_keeps_its_words(
    researcher_page: Page,
    live_server: Any,
    cast: Cast,
    analysis: Analysis,  # noqa: F811
    editable: Editable,
) -> None:
    where, selector = editable.make(cast, analysis)
    path = f"{live_server.url}/research/analyses/{analysis.pk}/{where}"
    tabs = [researcher_page, researcher_page.context.new_page()]
    words = ("Words of the first tab", "Words of the second tab")
    for tab, text in zip(tabs, words, strict=True):
        tab.goto(path)
        field = tab.locator(selector)
        # Forms for renaming sit in a closed disclosure, as a researcher finds them.
        closed = field.locator("xpath=ancestor::details[not(@open)]/summary")
        if closed.count():
            closed.first.click()
        field.fill(text)
    for tab in tabs:
        _form_of(tab.locator(selector)).get_by_role("button", name=editable.button).click()
        tab.wait_for_load_state()
        if tab is tabs[0]:
            expect(tab.get_by_text(STALE)).to_have_count(0)
    expect(tabs[1].get_by_text(STALE)).to_be_visible()
    expect(tabs[1].locator(selector)).to_have_value(words[1])
    # The first tab's words are stored, once; the second tab's nowhere.
    stored = editable.stored(analysis)
    assert words[0] in stored
    assert stored.count(words[0]) == 1
    assert words[1] not in stored


def test_the_second_tab_saving_the_typology_is_refused_and_keeps_its_ticks(
    researcher_page: Page,
    live_server: Any,
    cast: Cast,
    analysis: Analysis,  # noqa: F811
) -> None:
    _category(cast, analysis)
    category = Category.objects.get(analysis=analysis)
    path = f"{live_server.url}/research/analyses/{analysis.pk}/synthesis/"
    tabs = [researcher_page, researcher_page.context.new_page()]
    for tab in tabs:
        tab.goto(path)
    box = "#typology input[type=checkbox]"
    # The first tab ticks the participant into the category; the second ticks nothing.
    tabs[0].locator(box).first.check()
    for tab in tabs:
        tab.get_by_role("button", name="Save the typology").click()
        tab.wait_for_load_state()
    expect(tabs[0].get_by_text("The typology is saved.")).to_be_visible()
    expect(tabs[1].get_by_text(STALE)).to_be_visible()
    expect(tabs[1].locator(box).first).not_to_be_checked()
    assert category.participants.count() == 1
