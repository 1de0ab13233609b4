"""Step 3, condensation: subgroups, condensates and golden quotes — every change an action.

Like the other action modules, each ``do_*`` runs in one transaction and writes one audit event whose
details hold ids and counts only. Suggestions (subgroups, drafts, quote candidates) are
computed here but stored only when a researcher accepts them; what the assistant proposed
travels through the page inside a signed token, so the recorded model cannot be forged.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.workbench import adapters
from kollega.workbench.actions.common import (
    create_first,
    delete_audited,
    save_versioned,
)
from kollega.workbench.models import (
    CodeGroup,
    Condensate,
    GoldenQuote,
    MeaningUnit,
    Subgroup,
)

SIGNING_SALT = "kollega.workbench.suggestion"
# A suggestion accepted more than a day after it was made is stale: suggest again.
SUGGESTION_MAX_AGE_S = 24 * 3600


def group_units(group: CodeGroup) -> list[MeaningUnit]:
    """The code group's meaning units, in transcript order, with their transcripts loaded."""
    return list(
        MeaningUnit.objects.in_analysis()
        .in_groups([group])
        .select_related("transcript__interview__participant", "coder")
        .order_by("transcript__interview__participant__pseudonym", "transcript_id", "start")
    )


def _as_stc(units: list[MeaningUnit]) -> list[tuple[str, str, int, int, str]]:
    return [(str(u.pk), f"t{u.transcript_id}", u.start, u.end, u.text) for u in units]


def sign(payload: dict[str, Any]) -> str:
    return signing.dumps(payload, salt=SIGNING_SALT, compress=True)


def unsign(token: str) -> dict[str, Any]:
    try:
        value = signing.loads(token, salt=SIGNING_SALT, max_age=SUGGESTION_MAX_AGE_S)
    except signing.BadSignature:
        raise ActionRefused(_("This suggestion has expired; ask for it again.")) from None
    if not isinstance(value, dict):
        raise ActionRefused(_("This suggestion has expired; ask for it again."))
    return value


def _units_of(group: CodeGroup, pks: list[int]) -> list[MeaningUnit]:
    units = list(MeaningUnit.objects.in_analysis().in_groups([group]).filter(pk__in=pks))
    if len(units) != len(set(pks)):
        raise ActionRefused(_("Choose meaning units of this code group only."))
    return units


# --- Subgroups -----------------------------------------------------------------------------


def suggest_subgroups(group: CodeGroup) -> dict[str, Any]:
    """Proposed subgroups of the group's units: ``{"groups": [{"name", "units": [pk]}],
    "model", "settings", "token"}``; the token carries it all to `do_accept_subgroups`."""
    units = group_units(group)
    if len(units) < 2:
        raise ActionRefused(_("Sort at least two meaning units into this code group first."))
    found, model, config = adapters.suggest_subgroups(_as_stc(units))
    proposal = {
        "group": group.pk,
        "groups": [{"name": g["name"], "units": [int(k) for k in g["units"]]} for g in found],
        "model": model,
        "settings": config,
    }
    return {**proposal, "token": sign(proposal)}


@transaction.atomic
def do_accept_subgroups(actor: User, group: CodeGroup, token: str) -> list[Subgroup]:
    """Store the proposed subgroups with the model that proposed them; units already in a
    subgroup of this group stay where the researcher put them."""
    proposal = unsign(token)
    if proposal.get("group") != group.pk:
        raise ActionRefused(_("This suggestion was made for another code group."))
    placed = set(
        MeaningUnit.objects.in_analysis()
        .filter(subgroups__code_group=group)
        .values_list("pk", flat=True)
    )
    made = []
    for g in proposal["groups"]:
        pks = [pk for pk in g["units"] if pk not in placed]
        units = list(MeaningUnit.objects.in_analysis().in_groups([group]).filter(pk__in=pks))
        if not units:
            continue
        subgroup = Subgroup.objects.create(
            code_group=group,
            name=g["name"][:200],
            model=proposal["model"],
            model_settings=proposal["settings"],
        )
        subgroup.units.set(units)
        made.append(subgroup)
    record(
        actor,
        AuditAction.WORKBENCH_SUBGROUP_ACCEPT_SUGGESTED,
        group,
        analysis=group.analysis_id,
        subgroups=[s.pk for s in made],
    )
    return made


@transaction.atomic
def do_add_subgroup(actor: User, group: CodeGroup, *, name: str, unit_pks: list[int]) -> Subgroup:
    name = name.strip()
    if not name:
        raise ActionRefused(_("A subgroup needs a name."))
    units = _units_of(group, unit_pks)
    subgroup = Subgroup.objects.create(code_group=group, name=name)
    subgroup.units.set(units)
    record(
        actor,
        AuditAction.WORKBENCH_SUBGROUP_ADD,
        subgroup,
        analysis=group.analysis_id,
        units=len(units),
    )
    return subgroup


@transaction.atomic
def do_edit_subgroup(
    actor: User, subgroup: Subgroup, *, name: str, unit_pks: list[int], version: int | None
) -> Subgroup:
    name = name.strip()
    if not name:
        raise ActionRefused(_("A subgroup needs a name."))
    units = _units_of(subgroup.code_group, unit_pks)
    save_versioned(subgroup, version, {"name": name})
    subgroup.units.set(units)
    record(
        actor,
        AuditAction.WORKBENCH_SUBGROUP_EDIT,
        subgroup,
        analysis=subgroup.code_group.analysis_id,
        units=len(units),
    )
    return subgroup


@transaction.atomic
def do_delete_subgroup(actor: User, subgroup: Subgroup) -> None:
    """Delete the subgroup with its condensates and golden quotes (the units stay coded)."""
    delete_audited(
        actor,
        subgroup,
        AuditAction.WORKBENCH_SUBGROUP_DELETE,
        analysis=subgroup.code_group.analysis_id,
    )


# --- Condensates ---------------------------------------------------------------------------


def language_model() -> dict[str, Any] | None:
    """The organisation's own chat endpoint for first-person drafts, or None (the default)."""
    if not (settings.KOLLEGA_LLM_URL and settings.KOLLEGA_LLM_MODEL):
        return None
    return {
        "base_url": settings.KOLLEGA_LLM_URL,
        "model": settings.KOLLEGA_LLM_MODEL,
        "api_key": settings.KOLLEGA_LLM_API_KEY or None,
    }


def draft_condensate(subgroup: Subgroup, *, first_person: bool = False) -> dict[str, Any]:
    """A draft for the editor: ``{"text", "extractive", "model", "token"}``.

    Extractive (the subgroup's most central sentences) unless ``first_person`` and the
    organisation configured its own language model. Nothing is stored.
    """
    units = list(subgroup.units.select_related("transcript"))
    if not units:
        raise ActionRefused(_("Put meaning units into the subgroup first."))
    rewriter = language_model() if first_person else None
    if first_person and rewriter is None:
        raise ActionRefused(_("No language model is configured for first-person drafts."))
    try:
        text, extractive, model, config = adapters.draft_condensate(
            _as_stc(units), rewriter=rewriter
        )
    except adapters.ExchangeError as exc:
        raise ActionRefused(
            _("The draft could not be made: %(reason)s") % {"reason": exc}
        ) from None
    config.pop("api_key", None)
    token = sign(
        {"subgroup": subgroup.pk, "extractive": extractive, "model": model, "settings": config}
    )
    return {"text": text, "extractive": extractive, "model": model, "token": token}


@transaction.atomic
def do_save_condensate(
    actor: User,
    subgroup: Subgroup,
    *,
    text: str,
    unit_pks: list[int],
    condensate: Condensate | None = None,
    version: int | None = None,
    draft_token: str = "",
) -> Condensate:
    """Create or update the subgroup's condensate; a stale save is refused (text kept).

    ``condensate=None`` says the form was drawn when the subgroup had none: if a colleague
    saved one since, the save is refused rather than adding a second condensate (the subgroup
    row is locked and a unique constraint backs the check).

    ``draft_token`` (from `draft_condensate`) records that an assistant drafted the text.
    """
    text = text.strip()
    if not text:
        raise ActionRefused(_("Write the condensate first."))
    units = list(subgroup.units.filter(pk__in=unit_pks))
    if not units:
        raise ActionRefused(_("Tick the meaning units the condensate rests on."))
    drafted: dict[str, Any] = {}
    if draft_token:
        draft = unsign(draft_token)
        if draft.get("subgroup") != subgroup.pk:
            raise ActionRefused(_("This draft was made for another subgroup."))
        drafted = {
            "extractive": draft["extractive"],
            "model": draft["model"],
            "model_settings": draft["settings"],
        }
    if condensate is None:
        condensate = create_first(
            subgroup,
            subgroup.condensates.all(),
            lambda: Condensate.objects.create(
                subgroup=subgroup, text=text, author=actor, **drafted
            ),
        )
        verb = "add"
    else:
        if condensate.subgroup_id != subgroup.pk:
            raise ActionRefused(_("Unknown condensate."))
        save_versioned(
            condensate,
            version,
            {
                "text": text,
                "author": actor,
                "updated": timezone.now(),
                "sources_withdrawn": False,
                **drafted,
            },
        )
        verb = "edit"
    condensate.units.set(units)
    record(
        actor,
        AuditAction(f"workbench.condensate.{verb}"),
        condensate,
        analysis=subgroup.code_group.analysis_id,
        units=len(units),
        drafted=bool(drafted),
    )
    return condensate


@transaction.atomic
def do_delete_condensate(actor: User, condensate: Condensate) -> None:
    delete_audited(
        actor,
        condensate,
        AuditAction.WORKBENCH_CONDENSATE_DELETE,
        analysis=condensate.subgroup.code_group.analysis_id,
    )


# --- Golden quotes -------------------------------------------------------------------------


def rank_quotes(subgroup: Subgroup, *, top: int = 5) -> dict[str, Any]:
    """Ranked golden-quote candidates from the subgroup's units, best first:
    ``{"candidates": [{"text", "score", "token"}], "model"}``; the token names the span and
    the model for `do_choose_quote`."""
    units = list(subgroup.units.select_related("transcript"))
    if not units:
        return {"candidates": [], "model": ""}
    found, model = adapters.rank_golden_quotes(_as_stc(units), top=top)
    candidates = []
    for c in found:
        chosen = {"subgroup": subgroup.pk, "unit": int(c["unit"]), "start": c["start"]}
        chosen |= {"end": c["end"], "model": model}
        candidates.append({"text": c["text"], "score": c["score"], "token": sign(chosen)})
    return {"candidates": candidates, "model": model}


@transaction.atomic
def do_choose_quote(
    actor: User,
    subgroup: Subgroup,
    *,
    unit_pk: int = 0,
    start: int = 0,
    end: int = 0,
    token: str = "",
) -> GoldenQuote:
    """Make ``[start, end)`` of one of the subgroup's units its golden quote, or the
    candidate a ``token`` from `rank_quotes` names (then its model is recorded)."""
    model = ""
    if token:
        chosen = unsign(token)
        if chosen.get("subgroup") != subgroup.pk:
            raise ActionRefused(_("This suggestion was made for another subgroup."))
        unit_pk, start, end, model = chosen["unit"], chosen["start"], chosen["end"], chosen["model"]
    unit = subgroup.units.select_related("transcript").filter(pk=unit_pk).first()
    if unit is None:
        raise ActionRefused(_("Choose a quote from this subgroup's meaning units."))
    if not unit.start <= start < end <= unit.end:
        raise ActionRefused(_("A golden quote lies within one of the subgroup's meaning units."))
    if subgroup.quotes.filter(transcript=unit.transcript, start=start, end=end).exists():
        raise ActionRefused(_("This quote is chosen already."))
    quote = GoldenQuote.objects.create(
        subgroup=subgroup,
        transcript=unit.transcript,
        start=start,
        end=end,
        chosen_by=actor,
        model=model[:200],
    )
    record(
        actor,
        AuditAction.WORKBENCH_QUOTE_CHOOSE,
        quote,
        analysis=subgroup.code_group.analysis_id,
        suggested=bool(model),
    )
    return quote


@transaction.atomic
def do_remove_quote(actor: User, quote: GoldenQuote) -> None:
    delete_audited(
        actor,
        quote,
        AuditAction.WORKBENCH_QUOTE_REMOVE,
        analysis=quote.subgroup.code_group.analysis_id,
    )
