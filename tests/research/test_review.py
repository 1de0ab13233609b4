"""The review pages as a researcher uses them: proposals in the background, missed identifiers
marked by hand, the read-only transcript and its search, and no service footer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kollega.core.models import AuditEvent
from kollega.research import actions
from kollega.research.models import Finding, FindingDecision, ProposalJob, Transcript
from kollega.research.proposing import run_proposals
from tests.research.conftest import Studied, add_transcript
from tests.research.test_deidentify import TURNS, _propose, _url


@pytest.fixture
def transcript(studied: Studied) -> Transcript:
    return add_transcript(
        studied.interview,
        [*TURNS, ("participant", "Jeg har to små barn, og to små barn er mye.")],
    )


@pytest.mark.django_db
def test_proposals_run_in_the_background_with_progress(
    studied: Studied, transcript: Transcript
) -> None:
    client = studied.owner.client("en")
    response = client.post(_url(studied, "deidentify_propose"), follow=True)
    page = response.content.decode()
    assert "Looking for possible identifiers" in page
    job = ProposalJob.objects.get()
    assert job.status == "queued" and not Finding.objects.exists()
    assert 'hx-get="' + _url(studied, "deidentify_progress") in page
    fragment = client.get(_url(studied, "deidentify_progress"))
    assert "0 % done" in fragment.content.decode()
    again = client.post(_url(studied, "deidentify_propose"), follow=True)
    assert "already being looked for" in again.content.decode()
    assert run_proposals(job.pk) == "done"
    job.refresh_from_db()
    assert job.fraction == 1.0
    assert ("person", "Marte Lien") in {(f.kind, f.text) for f in Finding.objects.all()}
    done = client.get(_url(studied, "deidentify_progress"), HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"
    assert AuditEvent.objects.filter(action="research.deid.proposed").exists()


@pytest.mark.django_db
def test_proposals_for_words_changed_meanwhile_are_not_stored(
    studied: Studied, transcript: Transcript
) -> None:
    job = actions.do_propose_identifiers(studied.owner.user, transcript)
    actions.do_save_transcript(
        studied.owner.user,
        transcript,
        turns=[{**t, "text": t["text"] + " Ja."} for t in transcript.turns],
        version=transcript.version,
    )
    assert run_proposals(job.pk) == "cancelled"
    assert not Finding.objects.exists()
    page = studied.owner.client("en").get(_url(studied)).content.decode()
    assert "The transcript changed while the rules ran" in page


@pytest.mark.django_db
def test_a_missed_identifier_is_marked_everywhere_and_replaced(
    studied: Studied, transcript: Transcript
) -> None:
    _propose(studied)
    client = studied.owner.client("en")
    page = client.get(_url(studied)).content.decode()
    assert 'id="review-text"' in page and 'id="id_missed_text"' in page
    assert "<mark>Marte Lien</mark>" in page
    response = client.post(
        _url(studied, "deidentify_add"), {"missed_text": "To  små barn", "missed_kind": "age"}
    )
    assert response.status_code == 302
    marked = Finding.objects.filter(source="researcher")
    assert [(f.kind, f.text, f.decision) for f in marked] == [
        ("age", "to små barn", FindingDecision.ACCEPTED),
        ("age", "to små barn", FindingDecision.ACCEPTED),
    ]
    assert AuditEvent.objects.get(action="research.deid.add").details["places"] == 2
    Finding.objects.filter(decision=FindingDecision.PROPOSED).update(
        decision=FindingDecision.REJECTED
    )
    client.post(_url(studied), {"then": "apply"})
    assert Transcript.objects.get().turns[-1]["text"] == "Jeg har [alder 1], og [alder 1] er mye."


@pytest.mark.django_db
def test_marking_a_missed_identifier_keeps_the_unsaved_decisions(
    studied: Studied, transcript: Transcript
) -> None:
    """The mark form carries the Replace/Keep choices on the page: marking resets none."""
    _propose(studied)
    finding = Finding.objects.filter(kind="person").first()
    assert finding is not None and finding.decision == FindingDecision.PROPOSED
    response = studied.owner.client("en").post(
        _url(studied, "deidentify_add"),
        {
            "missed_text": "to små barn",
            "missed_kind": "age",
            f"decision-{finding.pk}": FindingDecision.REJECTED,
        },
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.decision == FindingDecision.REJECTED
    assert Finding.objects.filter(source="researcher").count() == 2


@pytest.mark.django_db
def test_marking_over_a_proposal_merges_it(studied: Studied, transcript: Transcript) -> None:
    _propose(studied)
    studied.owner.client("en").post(
        _url(studied, "deidentify_add"), {"missed_text": "var Marte", "missed_kind": "person"}
    )
    texts = list(Finding.objects.filter(kind="person").values_list("text", flat=True))
    assert "var Marte Lien" in texts and "Marte Lien" not in texts


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"missed_text": "Oslo kommune", "missed_kind": "place"}, "do not occur"),
        ({"missed_text": "  ", "missed_kind": "place"}, "Type or select the words"),
        ({"missed_text": "barn", "missed_kind": "pet"}, "Select a valid choice"),
        ({"missed_text": "x" * 201, "missed_kind": "place"}, "at most 200"),
    ],
)
def test_a_bad_marking_changes_nothing(
    studied: Studied, transcript: Transcript, data: dict[str, str], message: str
) -> None:
    _propose(studied)
    before = list(Finding.objects.values_list("pk", "start", "end"))
    response = studied.owner.client("en").post(_url(studied, "deidentify_add"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(Finding.objects.values_list("pk", "start", "end")) == before


@pytest.mark.django_db
def test_marking_needs_the_right_researcher_and_post(
    studied: Studied, transcript: Transcript
) -> None:
    _propose(studied)
    data = {"missed_text": "to små barn", "missed_kind": "age"}
    url = _url(studied, "deidentify_add")
    assert studied.stranger_researcher.client("en").post(url, data).status_code == 404
    assert studied.owner.client("en").get(url).status_code == 405
    assert not Finding.objects.filter(source="researcher").exists()


@pytest.mark.django_db
def test_the_read_only_view_searches_and_audits_without_the_words(
    studied: Studied, transcript: Transcript
) -> None:
    client = studied.owner.client("en")
    url = reverse("research:transcript_read", args=[studied.interview.pk])
    whole = client.get(url).content.decode()
    assert "Hvem fikk deg til å ringe?" in whole
    assert "<textarea" not in whole and 'method="post"' not in whole.split("</header>")[1]
    found = client.get(url, {"q": "to SMÅ"}).content.decode()
    assert "2 matches" in found
    assert "Jeg har <mark>to små</mark> barn, og <mark>to små</mark> barn er mye." in found
    assert "Hvem fikk deg" not in found  # turns without a match are left out
    event = AuditEvent.objects.filter(action="research.transcript.view").order_by("pk").last()
    assert event is not None and event.details["search"] is True
    assert "små" not in str(event.details)
    none = client.get(url, {"q": "<script>"}).content.decode()
    assert "0 matches" in none and "<script>" not in none.split("</header>")[1].split("search")[0]


@pytest.mark.django_db
def test_split_turns_keep_valid_subtitles_from_their_neighbours(
    studied: Studied, transcript: Transcript
) -> None:
    turns = transcript.turns
    turns[1]["end"] = None
    turns[2]["start"] = None
    transcript.set_turns(turns)
    transcript.save()
    body = (
        studied.owner.client("en")
        .get(reverse("research:transcript_download", args=[studied.interview.pk, "vtt"]))
        .content.decode()
    )
    # The turn split in two: both parts span it, as its own times were.
    assert "00:00:10.000 --> 00:00:29.000\n<v Deltaker>Det var Marte" in body
    assert "00:00:10.000 --> 00:00:29.000\n<v Deltaker>Skriv til" in body
    assert "00:00:00.000 --> 00:00:00.000" not in body


@pytest.mark.django_db
def test_research_pages_carry_no_service_footer_and_one_recording_heading(
    studied: Studied, transcript: Transcript
) -> None:
    client = studied.owner.client("en")
    for name in ("interview", "transcript", "transcript_read", "deidentify"):
        page = client.get(reverse(f"research:{name}", args=[studied.interview.pk])).content
        assert b"shared with your employer" not in page, name
        assert page.decode().count(">Recording<") <= 1, name
    front = client.get(reverse("core:front_page")).content.decode()
    assert "shared with your employer" not in front  # staff see no promise made to seekers
