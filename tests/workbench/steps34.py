"""Shared by the step 3-4, results and exchange tests: an analysis carried through step 3."""

from __future__ import annotations

from kollega.workbench import actions
from kollega.workbench.actions import condensation, synthesis
from kollega.workbench.models import CodeGroup, MeaningUnit, Subgroup
from tests.workbench.conftest import Bench

SENTENCES = {
    "Exhaustion": ["Jeg var sliten etter mange vakter.", "Jeg trengte råd om sykemelding."],
    "Trust": [
        "En kollega sa at tjenesten var trygg.",
        "Det var viktig at ingen på jobben fikk vite det.",
    ],
}


def coded(bench: Bench) -> dict[str, list[MeaningUnit]]:
    """Four units of the owner's, two in each of the first two code groups."""
    groups = {g.name: g for g in bench.groups}
    out: dict[str, list[MeaningUnit]] = {}
    for name, sentences in SENTENCES.items():
        for words in sentences:
            start, end = bench.span(words)
            unit = actions.do_create_unit(
                bench.owner.user, bench.version, start=start, end=end, code_group=groups[name]
            )
            out.setdefault(name, []).append(unit)
    return out


def condensed(bench: Bench) -> dict[str, Subgroup]:
    """Step 3 done for both used code groups: one subgroup each, a condensate, a quote."""
    units = coded(bench)
    user = bench.owner.user
    made = {}
    for name, group_units in units.items():
        group = CodeGroup.objects.get(analysis=bench.analysis, name=name)
        sg = condensation.do_add_subgroup(
            user, group, name=f"{name} in short", unit_pks=[u.pk for u in group_units]
        )
        condensation.do_save_condensate(
            user, sg, text=f"I felt {name.lower()}.", unit_pks=[u.pk for u in group_units]
        )
        first = group_units[0]
        condensation.do_choose_quote(user, sg, unit_pk=first.pk, start=first.start, end=first.end)
        made[name] = sg
    return made


def synthesised(bench: Bench) -> dict[str, Subgroup]:
    """Steps 3 and 4 done: every used code group has an analytic text; one category."""
    subgroups = condensed(bench)
    user = bench.owner.user
    for sg in subgroups.values():
        synthesis.do_save_analytic_text(
            user,
            bench.analysis,
            target=sg.code_group,
            text=f"What {sg.code_group.name} meant to them.",
            condensate_pks=[c.pk for c in sg.condensates.all()],
            quote_pks=[q.pk for q in sg.quotes.all()],
        )
    category = synthesis.do_add_category(
        user,
        bench.analysis,
        name="Reaching out",
        group_pks=[sg.code_group_id for sg in subgroups.values()],
    )
    synthesis.do_save_typology(
        user,
        bench.analysis,
        {(bench.participant.pk, category.pk)},
        drawn=synthesis.typology_stamp(bench.analysis),
    )
    return subgroups
