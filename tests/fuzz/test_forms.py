"""Every form of every app, filled with arbitrary values and sent through the test client as
the person it is for: no unhandled exception and no 500.

Each test opens one page as its user, finds every POST form on it (the fields and the values
its radios, checkboxes and selects offer), and sends hypothesis's values to the form's action.
Values mix the page's own options (to get past the first checks) with hostile text: very long,
control and NUL characters, markup, other scripts, numbers and dates out of range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from kollega.research import actions as research
from kollega.service import actions as service
from kollega.service.models import Offering
from kollega.workbench import actions as workbench_actions
from tests.cast import PASSWORD, Cast
from tests.fuzz.conftest import FUZZ
from tests.research.conftest import add_transcript, tone_wav
from tests.service.conftest import make_profile
from tests.workbench.conftest import Bench, bench  # noqa: F401 - the workbench's fixture
from tests.workbench.steps34 import synthesised

NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "../../etc/passwd",
        "9" * 40,
        "-1",
        "0",
        "2026-02-30",
        "1900-01-01",
        "9999-12-31T23:59",
        "2026-13-01 25:61",
        "NaN",
        "1e309",
        "\u202e\u200b",
        "名字",
        "x" * 5000,
    ]
)


@dataclass
class Form:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)


class _Forms(HTMLParser):
    """The POST forms of a page: their action, field names and the values they offer."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = Form(action=a.get("action") or self.page_url)
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            if a.get("type") == "file":
                self._form.files.add(name)
            else:
                self._form.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag in ("textarea", "select") and name:
            self._form.fields.setdefault(name, [])
            self._select = name if tag == "select" else None
        elif tag == "option" and self._select:
            self._form.fields[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        if tag == "select":
            self._select = None


def forms_on(client: Client, url: str) -> list[Form]:
    page = client.get(url)
    assert page.status_code == 200, f"{url} answered {page.status_code}"
    parser = _Forms(url)
    parser.feed(page.content.decode())
    # Signing out would end the rest of the test's session; it has no fields to fuzz anyway.
    return [form for form in parser.forms if "logout" not in form.action]


@st.composite
def filled(draw: st.DrawFn, form: Form) -> tuple[dict[str, Any], dict[str, Any]]:
    data: dict[str, Any] = {}
    for name, offered in form.fields.items():
        choice = draw(st.integers(0, 5))
        if choice == 0:
            continue  # left out
        if choice <= 2 and offered:
            values = draw(st.lists(st.sampled_from(offered), min_size=1, max_size=3))
            data[name] = values if len(values) > 1 else values[0]
        elif choice == 3:
            data[name] = draw(NASTY)
        else:
            data[name] = draw(st.text(max_size=300))
    files = {
        name: SimpleUploadedFile(
            draw(st.sampled_from(["a.wav", "a.txt", "a.docx", "a.vtt", "a.srt", "a"])),
            draw(st.one_of(st.binary(max_size=3000), st.just(tone_wav(0.3)))),
        )
        for name in form.files
        if draw(st.booleans())
    }
    return data, files


def fuzz_forms(client: Client, forms: list[Form], data: st.DataObject) -> None:
    form = data.draw(st.sampled_from(forms), label="form")
    values, files = data.draw(filled(form), label="values")
    response = client.post(form.action, {**values, **files})
    assert response.status_code < 500, (form.action, values)


def fuzz_page(client: Client, url: str) -> None:
    """Send arbitrary values to the forms of the page at ``url``, as ``client``."""
    # Found once: a form sent earlier may change the page (a deleted request is gone).
    forms = forms_on(client, url)
    assert forms, f"{url} has no form to fuzz"

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        fuzz_forms(client, forms, data)

    run()


@pytest.fixture
def world(cast: Cast) -> dict[str, Any]:
    """One of everything a form acts on: an accepted case with a planned appointment, an
    offering, a study with an interview, a recording and a transcript."""
    profile = make_profile(cast.counsellor)
    make_profile(cast.other_counsellor, region="vestland", employer="Helse Vest")
    submitted = service.do_submit_request(category="coping", description="Fuzz case.")
    case = submitted.case
    service.do_assign_counsellor(cast.coordinator.user, case, profile)
    service.do_accept_case(cast.counsellor.user, case)
    service.do_plan_appointment(
        cast.counsellor.user,
        case,
        starts=timezone.now() + timedelta(days=2),
        minutes=45,
        mode="video",
    )
    service.do_save_offering(
        "test",
        Offering(
            kind="course",
            title="Kursdag",
            place="Oslo",
            starts=timezone.now() + timedelta(days=30),
            ends=timezone.now() + timedelta(days=31),
            capacity=5,
        ),
    )
    owner = cast.researcher.user
    study = research.do_create_study(owner, title="Fuzz study", aims="", language="nb")
    participant = research.do_add_participant(owner, study, pseudonym="P01")
    interview = research.do_create_interview(
        owner, participant, kind="first", scheduled_on=None, language="nb"
    )
    add_transcript(interview, [("interviewer", "Hei Kari."), ("participant", "Jeg bor i Bergen.")])
    research.do_propose_identifiers(owner, interview.transcript)
    return {
        "case": case,
        "token": submitted.token,
        "study": study,
        "participant": participant,
        "interview": interview,
        "profile": profile,
        "offering": Offering.objects.get(),
    }


PAGES = [
    # (who, URL name, which object's id)
    ("stranger", "service:intake", None),
    ("seeker", "service:status", "token"),
    ("seeker", "service:status_cancel", "token"),
    ("seeker", "service:status_delete", "token"),
    ("counsellor", "service:case", "case"),
    ("counsellor", "service:my_profile", None),
    ("coordinator", "service:case", "case"),
    ("coordinator", "service:new_request", None),
    ("coordinator", "service:counsellor_new", None),
    ("coordinator", "service:counsellor_edit", "profile"),
    ("coordinator", "service:offering_new", None),
    ("coordinator", "service:offering", "offering"),
    ("researcher", "research:study_new", None),
    ("researcher", "research:study_edit", "study"),
    ("researcher", "research:study", "study"),
    ("researcher", "research:participant", "participant"),
    ("researcher", "research:interview", "interview"),
    ("researcher", "research:interview_edit", "interview"),
    ("researcher", "research:transcript", "interview"),
    ("researcher", "research:deidentify", "interview"),
    ("stranger", "accounts:login", None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "name", "arg"), PAGES, ids=[f"{p[0]}-{p[1]}" for p in PAGES])
@override_settings(KOLLEGA_INTAKE_PER_HOUR=0)
def test_every_form_answers_arbitrary_input_without_a_500(
    cast: Cast, world: dict[str, Any], who: str, name: str, arg: str | None
) -> None:
    client = Client() if who in ("stranger", "seeker") else getattr(cast, who).client()
    target = world[arg] if arg else None
    fuzz_page(client, reverse(name, args=[] if target is None else [getattr(target, "pk", target)]))


@pytest.fixture
def workbench(request: pytest.FixtureRequest, settings: Any) -> dict[str, Any]:
    """An analysis carried through step 4, compared, with a theme: every workbench form shows."""
    settings.KOLLEGA_STC_EMBEDDER = "hashing"
    made: Bench = request.getfixturevalue("bench")
    subgroups = synthesised(made)
    theme = workbench_actions.do_add_theme(made.owner.user, made.analysis, label="Tema")
    start, end = made.span("Jeg ville ha noen å snakke med.")
    workbench_actions.do_create_unit(
        made.colleague.user, made.version, start=start, end=end, code_group=made.groups[2]
    )
    workbench_actions.do_request_comparison(made.owner.user, made.version)
    group = next(iter(subgroups.values())).code_group
    return {
        "bench": made,
        "analysis": [made.analysis.pk],
        "theme": [made.analysis.pk, theme.pk],
        "version": [made.analysis.pk, made.version.pk],
        "group": [made.analysis.pk, group.pk],
    }


WORKBENCH_PAGES = [
    # (URL name, which ids)
    ("workbench:analyses", None),
    ("workbench:analysis", "analysis"),
    ("workbench:impression", "analysis"),
    ("workbench:theme_edit", "theme"),
    ("workbench:coding", "version"),
    ("workbench:compare", "version"),
    ("workbench:group_edit", "group"),
    ("workbench:search", "analysis"),
    ("workbench:retrieval", "group"),
    ("workbench:codebook", "analysis"),
    ("workbench:condensation", "group"),
    ("workbench:synthesis", "analysis"),
    ("workbench:matrix", "analysis"),
    ("workbench:results", "analysis"),
    ("workbench:memos_on", "analysis"),
    ("workbench:import_qdpx", None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "arg"), WORKBENCH_PAGES, ids=[p[0] for p in WORKBENCH_PAGES])
def test_every_workbench_form_answers_arbitrary_input_without_a_500(
    workbench: dict[str, Any], name: str, arg: str | None
) -> None:
    fuzz_page(workbench["bench"].owner.client(), reverse(name, args=workbench[arg] if arg else []))


@pytest.mark.django_db
@FUZZ
@given(username=st.one_of(NASTY, st.text(max_size=200)), password=st.one_of(NASTY, st.text()))
def test_sign_in_answers_arbitrary_credentials_without_a_500(
    cast: Cast, username: str, password: str
) -> None:
    response = Client().post(
        reverse("accounts:login"),
        {"username": username or cast.counsellor.username, "password": password or PASSWORD},
    )
    assert response.status_code < 500
