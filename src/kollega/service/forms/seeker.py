"""The seeker's forms: the intake (and the coordinator's for a request by phone), feedback,
the choice of a counsellor and the answer to a research invitation.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.service import choices
from kollega.service.forms.base import (
    YES_NO,
    OfferingChoiceField,
    StyledForm,
    choice_field,
    radio_field,
    text_field,
)
from kollega.service.models import CounsellorProfile, Offering

RESEARCH_CONSENT_TEXT = _(
    "Yes, researchers studying this service may invite me to an interview. Saying yes or no "
    "makes no difference to the help I get, and I can withdraw at any time from my status page."
)


class IntakeForm(StyledForm):
    acute_risk = radio_field(
        _("Are you thinking about harming yourself, or are you in danger right now?"), YES_NO
    )
    category = radio_field(_("What brings you here?"), choices.Category.choices)
    description = text_field(
        _("In your own words"),
        long=True,
        help_text=_("Optional. Write as much or as little as you like. It is stored encrypted."),
    )
    expectations = forms.MultipleChoiceField(
        label=_("What do you hope for?"),
        choices=choices.Expectation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "ds-input"}),
    )
    wanted_offering = OfferingChoiceField(
        label=_("A counselling day or course you would like"),
        queryset=Offering.objects.none(),
        required=False,
        empty_label=_("None"),
        widget=forms.Select(attrs={"class": "ds-input"}),
    )
    pref_gender = choice_field(
        _("Counsellor's gender"), choices.GenderPreference.choices, blank=_("No preference")
    )
    pref_meeting = choice_field(
        _("How to meet"), choices.MeetingPreference.choices, blank=_("No preference")
    )
    pref_region = choice_field(
        _("Region to meet in"), choices.Region.choices, blank=_("No preference")
    )
    pref_language = choice_field(_("Language"), choices.Language.choices, blank=_("No preference"))
    pref_specialty = choice_field(
        _("Counsellor's specialty"), choices.SpecialtyPreference.choices, blank=_("No preference")
    )
    avoid_employers = text_field(
        _("Not from my employer or health trust"),
        help_text=_(
            "Name your employer or health trust, and we will not match you with anyone who works there."
        ),
    )
    # Seekers pick from the list of health trusts and municipalities, or write freely.
    avoid_employers.widget.attrs.update(list="organisation-names", autocomplete="off")
    avoid_people = text_field(
        _("People I do not want to talk to"), help_text=_("Names, separated by commas.")
    )
    gender = choice_field(_("Your gender"), choices.Gender.choices, blank=_("Prefer not to say"))
    age_band = choice_field(_("Your age"), choices.AgeBand.choices, blank=_("Prefer not to say"))
    specialty = choice_field(
        _("Your specialty"), choices.Specialty.choices, blank=_("Prefer not to say")
    )
    position = choice_field(
        _("Your position"), choices.Position.choices, blank=_("Prefer not to say")
    )
    region = choice_field(_("Where you work"), choices.Region.choices, blank=_("Prefer not to say"))
    contact_method = radio_field(_("How may we reach you?"), choices.ContactMethod.choices)
    contact_name = text_field(
        _("Name we may use"), help_text=_("Optional. A first name is enough.")
    )
    contact_email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"class": "ds-input", "autocomplete": "email"}),
    )
    contact_phone = forms.RegexField(
        label=_("Phone number"),
        required=False,
        max_length=30,
        regex=r"^\+?[0-9 ()-]{5,30}$",
        error_messages={
            "invalid": _("Enter a phone number with digits, spaces and an optional +.")
        },
        widget=forms.TextInput(
            attrs={"class": "ds-input", "autocomplete": "tel", "inputmode": "tel"}
        ),
    )
    research_consent = forms.BooleanField(
        label=RESEARCH_CONSENT_TEXT,
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "ds-input"}),
    )
    # The honeypot: hidden from people by CSS, filled in by robots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(
            attrs={"tabindex": "-1", "autocomplete": "off", "class": "ds-input"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wanted_offering"].queryset = Offering.objects.filter(  # type: ignore[attr-defined]
            open_for_requests=True, starts__gt=timezone.now()
        )
        self.initial.setdefault("contact_method", choices.ContactMethod.NONE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("website"):
            raise forms.ValidationError(
                _("Please leave the last field (“Leave this field empty”) empty and send again.")
            )
        method = data.get("contact_method")
        if method == choices.ContactMethod.EMAIL and not data.get("contact_email"):
            self.add_error(
                "contact_email", _("Write the e-mail address we may use, or choose another way.")
            )
        if method == choices.ContactMethod.PHONE and not data.get("contact_phone"):
            self.add_error(
                "contact_phone", _("Write the phone number we may use, or choose another way.")
            )
        return data

    def request_fields(self) -> dict[str, Any]:
        """The cleaned data as `do_submit_request` keyword arguments; unused contacts dropped."""
        data = dict(self.cleaned_data)
        data.pop("website", None)
        data["urgent"] = data.pop("acute_risk") == "yes"
        if data["contact_method"] != choices.ContactMethod.EMAIL:
            data["contact_email"] = ""
        if data["contact_method"] != choices.ContactMethod.PHONE:
            data["contact_phone"] = ""
        return data


class StaffIntakeForm(IntakeForm):
    """A coordinator records a request that came by phone or e-mail."""

    source = radio_field(
        _("The request came by"), [c for c in choices.Source.choices if c[0] != choices.Source.WEB]
    )
    acute_risk = radio_field(_("Is there acute risk?"), YES_NO)

    field_order = ["source", "acute_risk", "category"]

    # The coordinator fills the form in for the seeker: its words speak about the seeker, not
    # to them ("Your gender" read as the coordinator's own).
    STAFF_WORDING: dict[str, tuple[Any, Any]] = {
        "category": (_("What the request is about"), None),
        "description": (
            _("In the seeker's words"),
            _("Optional. Only what the seeker wants stored; it is stored encrypted."),
        ),
        "expectations": (_("What the seeker hopes for"), None),
        "wanted_offering": (_("A counselling day or course the seeker would like"), None),
        "avoid_employers": (
            _("Not from the seeker's employer or health trust"),
            _("Nobody who works at the employer or health trust named here is proposed."),
        ),
        "avoid_people": (_("People the seeker does not want to talk to"), None),
        "gender": (_("The seeker's gender"), None),
        "age_band": (_("The seeker's age"), None),
        "specialty": (_("The seeker's specialty"), None),
        "position": (_("The seeker's position"), None),
        "region": (_("Where the seeker works"), None),
        "contact_method": (_("How we may reach the seeker"), None),
        "contact_name": (_("Name the seeker wants us to use"), None),
    }
    # The seeker's own profile answers, unanswered: "Prefer not to say" is the seeker's choice.
    NOT_GIVEN_FIELDS = ("gender", "age_band", "specialty", "position", "region")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["website"]
        self.fields["research_consent"].label = _(
            "The seeker agreed to be invited to research (read them the consent text)."
        )
        for name, (label, help_text) in self.STAFF_WORDING.items():
            self.fields[name].label = label
            if help_text is not None:
                self.fields[name].help_text = help_text
        for name in self.NOT_GIVEN_FIELDS:
            field = self.fields[name]
            field.choices = [("", _("Not given")), *list(field.choices)[1:]]  # type: ignore[attr-defined]


class FeedbackForm(StyledForm):
    helpfulness = radio_field(
        _("How helpful was the service? (1 = not at all, 5 = very)"),
        [(str(n), str(n)) for n in range(1, 6)],
    )
    would_recommend = radio_field(
        _("Would you recommend it to a colleague?"),
        [("yes", _("Yes")), ("no", _("No")), ("unsure", _("Not sure"))],
    )
    comment = text_field(_("Anything else you want to tell us?"), long=True)


class ChooseForm(StyledForm):
    counsellor = forms.ModelChoiceField(queryset=CounsellorProfile.objects.none())

    def __init__(self, *args: Any, proposals: list[CounsellorProfile], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].queryset = CounsellorProfile.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in proposals]
        )


class InvitationAnswerForm(forms.Form):
    """Yes or no to a research invitation, from the buttons on the status page."""

    answer = forms.ChoiceField(choices=[("accept", _("Yes")), ("decline", _("No"))])
