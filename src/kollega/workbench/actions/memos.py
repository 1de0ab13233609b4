"""Memos: a researcher's notes on the analysis, a transcript, a code group or a meaning unit.

A memo's ``target`` names its subject as ``"<kind>:<pk>"`` (empty for the analysis itself);
a posted target is checked against the analysis every time, never trusted. Only the author
edits or deletes a memo; everyone on the analysis reads it. Audit details hold ids and the
subject kind only, never the memo's text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.workbench.actions.common import delete_audited, save_versioned
from kollega.workbench.models import (
    MAX_TEXT,
    Analysis,
    AnalysisTranscript,
    CodeGroup,
    MeaningUnit,
    Memo,
)

# The kinds of subject a memo may have, in the order the memo list offers them.
MEMO_KINDS = ("analysis", "transcript", "code_group", "unit")


@dataclass(frozen=True, slots=True)
class Target:
    """A memo's subject: its kind and primary key (None for the analysis)."""

    kind: str
    pk: int | None = None

    @property
    def value(self) -> str:
        """The form stored in ``Memo.target``."""
        return "" if self.pk is None else f"{self.kind}:{self.pk}"


def parse_target(value: str) -> Target | None:
    """The target a stored or posted value names; None for one this module never writes."""
    value = (value or "").strip()
    if value in ("", "analysis"):
        return Target("analysis")
    kind, _sep, number = value.partition(":")
    if kind not in MEMO_KINDS[1:] or not number.isdigit() or len(number) > 12:
        return None
    return Target(kind, int(number))


def target_in(analysis: Analysis, value: str) -> Target:
    """The posted target if its subject belongs to ``analysis``; refused otherwise."""
    target = parse_target(value)
    if target is None:
        raise ActionRefused(_("Choose what the memo is about."))
    if target.pk is None:
        return target
    found = {
        "transcript": AnalysisTranscript.objects.filter(pk=target.pk, analysis=analysis),
        "code_group": CodeGroup.objects.filter(pk=target.pk, analysis=analysis),
        "unit": MeaningUnit.objects.filter(pk=target.pk, transcript__analysis=analysis),
    }[target.kind]
    if not found.exists():
        raise ActionRefused(_("What this memo is about is not in this analysis."))
    return target


def _text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ActionRefused(_("Write the memo first."))
    if len(text) > MAX_TEXT:
        raise ActionRefused(_("A memo holds at most %(n)d characters.") % {"n": MAX_TEXT})
    return text


def _own(actor: User, memo: Memo) -> None:
    if memo.author_id != actor.pk:
        raise ActionRefused(_("Only the memo's author can change it."))


@transaction.atomic
def do_add_memo(actor: User, analysis: Analysis, *, target: str, text: str) -> Memo:
    subject = target_in(analysis, target)
    memo = Memo.objects.create(
        analysis=analysis, author=actor, text=_text(text), target=subject.value
    )
    record(actor, AuditAction.WORKBENCH_MEMO_ADD, memo, analysis=analysis.pk, about=subject.kind)
    return memo


@transaction.atomic
def do_edit_memo(actor: User, memo: Memo, *, text: str, version: int | None) -> Memo:
    """Save the author's new text if nobody saved since ``version``; a stale save is refused."""
    _own(actor, memo)
    text = _text(text)
    save_versioned(memo, version, {"text": text})
    record(actor, AuditAction.WORKBENCH_MEMO_EDIT, memo, analysis=memo.analysis_id)
    return memo


@transaction.atomic
def do_delete_memo(actor: User, memo: Memo) -> None:
    _own(actor, memo)
    delete_audited(actor, memo, AuditAction.WORKBENCH_MEMO_DELETE, analysis=memo.analysis_id)
