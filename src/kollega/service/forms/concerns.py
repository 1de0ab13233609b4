"""The forms of a concern raised by someone else: the public form and the staff's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kollega.service import choices
from kollega.service.adapters import Option
from kollega.service.forms.base import StyledForm, choice_field, radio_field, text_field
from kollega.service.models import CounsellorProfile


class ConcernForm(StyledForm):
    """The public form for someone worried about a doctor."""

    relation = radio_field(_("You are the doctor's"), choices.ConcernRelation.choices)
    doctor_name = text_field(
        _("The doctor's name"),
        required=True,
        help_text=_(
            "So that the counsellor can find them, and so that nobody who knows them is asked."
        ),
    )
    region = choice_field(
        _("The county the doctor works in"),
        choices.Region.choices,
        blank=_("Choose a county"),
        required=True,
    )
    workplace = text_field(
        _("The doctor's workplace"),
        help_text=_(
            "For example the hospital or practice. No counsellor who works there is asked."
        ),
    )
    worry = text_field(_("What worries you?"), long=True, required=True)
    approach = text_field(
        _("How might the doctor best be approached?"),
        long=True,
        help_text=_("For example by phone or in person, and anything the counsellor should know."),
    )
    sender_name = text_field(_("Your name (optional)"))
    sender_contact = text_field(
        _("How we can reach you (optional)"),
        help_text=_(
            "A phone number or e-mail address, if the counsellor may ask you something. The "
            "doctor is never told who you are."
        ),
    )

    def concern_fields(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in (
                "relation",
                "doctor_name",
                "region",
                "workplace",
                "worry",
                "approach",
                "sender_name",
                "sender_contact",
            )
        }


class ConcernAssignForm(StyledForm):
    counsellor = forms.ModelChoiceField(
        label=_("Counsellor"),
        queryset=CounsellorProfile.objects.none(),
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
        empty_label=None,
    )

    def __init__(self, *args: Any, candidates: list[Option], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].queryset = CounsellorProfile.objects.filter(  # type: ignore[attr-defined]
            pk__in=[c.profile.pk for c in candidates]
        )
        if candidates:
            self.initial.setdefault("counsellor", candidates[0].profile.pk)


class ConcernDeclineForm(StyledForm):
    reason = radio_field(_("Why do you hand the concern back?"), choices.DeclineReason.choices)


class ConcernConcludeForm(StyledForm):
    outcome = radio_field(_("What came of it?"), choices.ConcernOutcome.choices)
    note = text_field(
        _("Short note"),
        long=True,
        help_text=_("For you and the service only. The sender never sees it."),
    )


class ConcernWithdrawForm(StyledForm):
    reason = text_field(
        _("Reason"),
        required=True,
        help_text=_("For example a duplicate concern. No health details."),
    )
