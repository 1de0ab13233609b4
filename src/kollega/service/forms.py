"""Forms of the service. Each refuses oversize input with a message and keeps what was typed."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kollega.service import choices
from kollega.service.matching import Option
from kollega.service.models import (
    MAX_SHORT_TEXT,
    MAX_TEXT,
    CounsellorProfile,
    Offering,
    ReferralPlace,
    ServiceSettings,
)

YES_NO = [("no", _("No")), ("yes", _("Yes"))]
RESEARCH_CONSENT_TEXT = _(
    "Yes, researchers studying this service may invite me to an interview. Saying yes or no "
    "makes no difference to the help I get, and I can withdraw at any time from my status page."
)


def _text(
    label: Any, *, long: bool = False, help_text: Any = "", required: bool = False
) -> forms.CharField:
    limit = MAX_TEXT if long else MAX_SHORT_TEXT
    widget: forms.Widget = (
        forms.Textarea(attrs={"rows": 5, "class": "ds-input"})
        if long
        else forms.TextInput(attrs={"class": "ds-input"})
    )
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        help_text=help_text,
        widget=widget,
        error_messages={
            "max_length": _(
                "Please keep this under %(limit_value)d characters (you wrote %(show_value)d)."
            )
        },
    )


def _choice(
    label: Any, options: Any, *, blank: Any = None, required: bool = False
) -> forms.ChoiceField:
    items = list(options)
    if blank is not None:
        items = [("", blank), *[item for item in items if item[0] != ""]]
    return forms.ChoiceField(
        label=label,
        choices=items,
        required=required,
        widget=forms.Select(attrs={"class": "ds-input"}),
    )


def _radio(label: Any, options: Any, *, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=options,
        required=required,
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
    )


class OfferingChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Offerings as a seeker sees them: the Norwegian title with its translation, and the date."""

    def label_from_instance(self, obj: Any) -> str:
        starts = date_format(timezone.localtime(obj.starts), "DATE_FORMAT")
        return f"{obj.seeker_title()}, {starts}"


class StyledForm(forms.Form):
    """Marks invalid fields for assistive technology."""

    def error_links(self) -> list[dict[str, str]]:
        """Each field with an error, in the form's order, for an error summary that links to
        it: the id of the field's (first) input, its label and the messages."""
        links = []
        for field in self:
            if not field.errors or field.is_hidden:
                continue
            several = field.widget_type in ("radioselect", "checkboxselectmultiple")
            links.append(
                {
                    "id": f"{field.auto_id}_0" if several else str(field.auto_id),
                    "label": str(field.label),
                    "message": " ".join(str(error) for error in field.errors),
                }
            )
        return links

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"id_{name}_error"


class CaseForm(StyledForm):
    """A form that changes a case. It carries the state of the case its page showed
    (`Case.state_token`), so that a form sent from an older page (another window, another
    person meanwhile) is refused instead of acting on a case that has changed."""

    state = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)


class IntakeForm(StyledForm):
    acute_risk = _radio(
        _("Are you thinking about harming yourself, or are you in danger right now?"), YES_NO
    )
    category = _radio(_("What brings you here?"), choices.Category.choices)
    description = _text(
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
    pref_gender = _choice(
        _("Counsellor's gender"), choices.GenderPreference.choices, blank=_("No preference")
    )
    pref_meeting = _choice(
        _("How to meet"), choices.MeetingPreference.choices, blank=_("No preference")
    )
    pref_region = _choice(_("Region to meet in"), choices.Region.choices, blank=_("No preference"))
    pref_language = _choice(_("Language"), choices.Language.choices, blank=_("No preference"))
    pref_specialty = _choice(
        _("Counsellor's specialty"), choices.SpecialtyPreference.choices, blank=_("No preference")
    )
    avoid_employers = _text(
        _("Not from my employer or health trust"),
        help_text=_(
            "Name your employer or health trust, and we will not match you with anyone who works there."
        ),
    )
    # Seekers pick from the list of health trusts and municipalities, or write freely.
    avoid_employers.widget.attrs.update(list="organisation-names", autocomplete="off")
    avoid_people = _text(
        _("People I do not want to talk to"), help_text=_("Names, separated by commas.")
    )
    gender = _choice(_("Your gender"), choices.Gender.choices, blank=_("Prefer not to say"))
    age_band = _choice(_("Your age"), choices.AgeBand.choices, blank=_("Prefer not to say"))
    specialty = _choice(
        _("Your specialty"), choices.Specialty.choices, blank=_("Prefer not to say")
    )
    position = _choice(_("Your position"), choices.Position.choices, blank=_("Prefer not to say"))
    region = _choice(_("Where you work"), choices.Region.choices, blank=_("Prefer not to say"))
    contact_method = _radio(_("How may we reach you?"), choices.ContactMethod.choices)
    contact_name = _text(_("Name we may use"), help_text=_("Optional. A first name is enough."))
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

    source = _radio(
        _("The request came by"), [c for c in choices.Source.choices if c[0] != choices.Source.WEB]
    )
    acute_risk = _radio(_("Is there acute risk?"), YES_NO)

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


class MessageForm(StyledForm):
    body = _text(_("Message"), long=True, required=True)


class ConfirmForm(StyledForm):
    confirm = forms.BooleanField(
        label=_("Yes, I am sure"),
        required=True,
        widget=forms.CheckboxInput(attrs={"class": "ds-input"}),
    )


class FeedbackForm(StyledForm):
    helpfulness = _radio(
        _("How helpful was the service? (1 = not at all, 5 = very)"),
        [(str(n), str(n)) for n in range(1, 6)],
    )
    would_recommend = _radio(
        _("Would you recommend it to a colleague?"),
        [("yes", _("Yes")), ("no", _("No")), ("unsure", _("Not sure"))],
    )
    comment = _text(_("Anything else you want to tell us?"), long=True)


class AssignForm(CaseForm):
    counsellor = forms.ModelChoiceField(
        label=_("Counsellor"),
        queryset=CounsellorProfile.objects.none(),
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
        empty_label=None,
    )
    override_reason = _text(
        _("Why not the first proposal?"),
        help_text=_("Kept in the case history. The seeker never sees it."),
        required=True,
    )

    def __init__(self, *args: Any, candidates: list[Option], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The reason is required wherever the form asks for it ("Choose someone else"); the
        # one-click button for the first proposal sends no reason, and needs none.
        if self.is_bound and "override_reason" not in self.data:
            self.fields["override_reason"].required = False
        self.candidates = candidates
        field = self.fields["counsellor"]
        field.queryset = CounsellorProfile.objects.filter(  # type: ignore[attr-defined]
            pk__in=[c.profile.pk for c in candidates]
        )
        if candidates:
            self.initial.setdefault("counsellor", candidates[0].profile.pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("counsellor")
        first = self.candidates[0].profile.pk if self.candidates else None
        reason = (data.get("override_reason") or "").strip()
        if chosen and chosen.pk != first and not reason:
            self.add_error(
                "override_reason", _("Say why you chose someone other than the first proposal.")
            )
        return data


class DeclineForm(CaseForm):
    reason = _radio(_("Why do you decline?"), choices.DeclineReason.choices)


class HandBackForm(CaseForm):
    reason = _radio(_("Why do you hand the case back?"), choices.DeclineReason.choices)


class ConversationForm(CaseForm):
    held_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date", "class": "ds-input"})
    )
    mode = _radio(_("Mode"), choices.Mode.choices)
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=5,
        max_value=480,
        widget=forms.NumberInput(attrs={"class": "ds-input"}),
    )
    note = _text(
        _("Short note"),
        long=True,
        help_text=_("Optional, encrypted, deleted with the case. No medical record."),
    )

    def __init__(self, *args: Any, first_day: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The day the request arrived: no conversation in the case can be older.
        self.first_day = first_day

    def clean_held_on(self) -> Any:
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(
                _("A conversation cannot be logged before it has happened.")
            )
        if self.first_day is not None and held_on < self.first_day:
            raise forms.ValidationError(
                _("The request arrived on %(date)s; a conversation in it cannot be older.")
                % {"date": date_format(self.first_day, "DATE_FORMAT")}
            )
        return held_on


class AppointmentForm(CaseForm):
    starts = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "ds-input"}),
    )
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=5,
        max_value=480,
        initial=60,
        widget=forms.NumberInput(attrs={"class": "ds-input"}),
    )
    mode = _radio(_("Mode"), choices.Mode.choices)
    where = _text(_("Place or video link"))

    def clean_starts(self) -> Any:
        starts = self.cleaned_data["starts"]
        if starts < timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        return starts


class GrantForm(StyledForm):
    extra = forms.IntegerField(
        label=_("Extra conversations"),
        min_value=1,
        max_value=5,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "ds-input"}),
    )
    reason = _text(_("Reason"), required=True)


class WithdrawForm(CaseForm):
    reason = _text(
        _("Reason"),
        required=True,
        help_text=_("For example a duplicate request. No health details."),
    )


class ReferralForm(CaseForm):
    place = forms.ChoiceField(
        label=_("From the referral directory"),
        required=False,
        help_text=_(
            "The seeker sees its name, phone, web address and description on their status "
            "page. Leave empty and choose a kind below for a place not in the directory."
        ),
        widget=forms.Select(attrs={"class": "ds-input"}),
    )
    kind = _radio(_("Referred to"), choices.ReferralKind.choices, required=False)
    offering = forms.ModelChoiceField(
        label=_("Counselling day or course"),
        queryset=Offering.objects.none(),
        required=False,
        empty_label=_("None"),
        widget=forms.Select(attrs={"class": "ds-input"}),
    )
    for_seeker = _text(
        _("For the seeker: where to, and how to get in touch"),
        long=True,
        help_text=_(
            "Shown on the seeker's status page: for example the service's name, address or "
            "phone number, and how to book. The short note below is for you only."
        ),
    )
    consent = forms.BooleanField(label=_("The seeker agreed to this referral"), required=True)
    note = _text(_("Short note"), long=True)

    def __init__(self, *args: Any, region: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = Offering.objects.filter(starts__gt=timezone.now())  # type: ignore[attr-defined]
        self.fields["place"].choices = directory_choices(region)  # type: ignore[attr-defined]

    def clean_place(self) -> ReferralPlace | None:
        chosen = self.cleaned_data.get("place")
        if not chosen:
            return None
        place = ReferralPlace.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if place is None:
            raise forms.ValidationError(_("That entry is no longer in the directory."))
        return place

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("kind") and not data.get("place") and "place" not in self.errors:
            self.add_error("kind", _("Choose an entry from the directory or a kind."))
        return data


def directory_choices(region: str) -> list[Any]:
    """The directory as grouped choices: the case's county (and the whole country) first, then
    every other county, so the nearest help is at the top and all of it is still there."""
    places = list(ReferralPlace.objects.all())
    near = [p for p in places if p.region in {region, ""}] if region else []
    rest = [p for p in places if p not in near]

    def options(items: list[ReferralPlace]) -> list[tuple[str, str]]:
        return [
            (str(p.pk), f"{p.name}, {p.get_kind_display()} ({p.region_label()})") for p in items
        ]

    grouped: list[Any] = [("", _("None"))]
    if near:
        label = _("In %(county)s and nationwide") % {"county": choices.Region(region).label}
        grouped.append((label, options(near)))
    if rest:
        grouped.append((_("All counties") if not near else _("Other counties"), options(rest)))
    return grouped


class ReferralPlaceForm(forms.ModelForm[ReferralPlace]):
    class Meta:
        model = ReferralPlace
        fields = [
            "region",
            "kind",
            "name",
            "phone",
            "web",
            "description",
            "description_en",
            "description_zh",
        ]
        field_classes = {"web": partial(forms.URLField, assume_scheme="https")}
        widgets = {
            "region": forms.Select(attrs={"class": "ds-input"}),
            "kind": forms.RadioSelect(attrs={"class": "ds-input"}),
            "name": forms.TextInput(attrs={"class": "ds-input"}),
            "phone": forms.TextInput(attrs={"class": "ds-input", "inputmode": "tel"}),
            "web": forms.URLInput(attrs={"class": "ds-input"}),
            "description": forms.Textarea(attrs={"class": "ds-input", "rows": 3}),
            "description_en": forms.Textarea(attrs={"class": "ds-input", "rows": 3, "lang": "en"}),
            "description_zh": forms.Textarea(
                attrs={"class": "ds-input", "rows": 3, "lang": "zh-Hans"}
            ),
        }

    def __init__(self, *args: Any, counties: set[str] | None = None, **kwargs: Any) -> None:
        """`counties`: the only counties the editor may choose (a county leader's); None for
        a coordinator, who may choose any county or the whole country."""
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = choices.ReferralKind.choices  # type: ignore[attr-defined]
        region_choices = [("", _("All counties")), *choices.Region.choices]
        if counties is not None:
            region_choices = [(c, label) for c, label in region_choices if c in counties]
            self.fields["region"].required = True
        self.fields["region"].choices = region_choices  # type: ignore[attr-defined]


KEEP_PLACES = "keep"
GIVE_UP_PLACES = "give_up"


class CloseForm(CaseForm):
    outcome = _radio(_("Outcome"), choices.Outcome.choices)
    places = _radio(
        _("The seeker's places on counselling days and courses"),
        [
            (KEEP_PLACES, _("Keep them: the seeker still comes (places and waiting lists)")),
            (GIVE_UP_PLACES, _("Give them up: the next on each waiting list moves up")),
        ],
    )

    def __init__(self, *args: Any, has_places: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if has_places:
            self.initial.setdefault("places", KEEP_PLACES)
        else:
            del self.fields["places"]

    def action_arguments(self) -> dict[str, Any]:
        """The cleaned data as `do_close_case` keyword arguments."""
        return {
            "outcome": self.cleaned_data["outcome"],
            "keep_places": self.cleaned_data.get("places", KEEP_PLACES) == KEEP_PLACES,
        }


class EnrolForm(StyledForm):
    offering = forms.ModelChoiceField(
        label=_("Counselling day or course"),
        queryset=Offering.objects.none(),
        empty_label=_("Choose a day or course"),
        widget=forms.Select(attrs={"class": "ds-input"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = Offering.objects.filter(starts__gt=timezone.now())  # type: ignore[attr-defined]


class OfferingForm(forms.ModelForm[Offering]):
    class Meta:
        model = Offering
        fields = [
            "kind",
            "title",
            "title_en",
            "title_zh",
            "place",
            "starts",
            "ends",
            "capacity",
            "open_for_requests",
        ]
        widgets = {
            "kind": forms.RadioSelect(attrs={"class": "ds-input"}),
            "title": forms.TextInput(attrs={"class": "ds-input"}),
            "title_en": forms.TextInput(attrs={"class": "ds-input", "lang": "en"}),
            "title_zh": forms.TextInput(attrs={"class": "ds-input", "lang": "zh-Hans"}),
            "place": forms.TextInput(attrs={"class": "ds-input"}),
            "starts": forms.DateTimeInput(attrs={"type": "datetime-local", "class": "ds-input"}),
            "ends": forms.DateTimeInput(attrs={"type": "datetime-local", "class": "ds-input"}),
            "capacity": forms.NumberInput(attrs={"class": "ds-input", "min": 1}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Radio buttons need no empty "---------" choice: nothing is ticked until one is chosen.
        self.fields["kind"].choices = choices.OfferingKind.choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", _("The end must come after the start."))
        if data.get("capacity") == 0:
            self.add_error("capacity", _("An offering needs at least one place."))
        return data


class CounsellorProfileForm(forms.ModelForm[CounsellorProfile]):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=choices.Language.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "ds-input"}),
    )

    class Meta:
        model = CounsellorProfile
        fields = [
            "gender",
            "region",
            "languages",
            "specialty",
            "employer",
            "capacity",
            "active",
            "away_until",
            "remote",
            "conflict_employers",
            "conflict_people",
        ]
        widgets = {
            "away_until": forms.DateInput(attrs={"type": "date", "class": "ds-input"}),
            "gender": forms.Select(attrs={"class": "ds-input"}),
            "region": forms.Select(attrs={"class": "ds-input"}),
            "specialty": forms.Select(attrs={"class": "ds-input"}),
            "employer": forms.TextInput(
                attrs={"class": "ds-input", "list": "organisation-names", "autocomplete": "off"}
            ),
            "capacity": forms.NumberInput(attrs={"class": "ds-input", "min": 0, "max": 20}),
            "conflict_employers": forms.Textarea(attrs={"class": "ds-input", "rows": 3}),
            "conflict_people": forms.Textarea(attrs={"class": "ds-input", "rows": 3}),
        }

    # The empty choice of a required list, in words instead of "---------".
    EMPTY_LABELS: dict[str, Any] = {
        "gender": _("Choose gender"),
        "region": _("Choose region"),
        "specialty": _("Choose specialty"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in self.EMPTY_LABELS.items():
            field = self.fields.get(name)
            if field is not None:
                field.choices = [("", label), *[c for c in field.choices if c[0] != ""]]  # type: ignore[attr-defined]

    def clean_away_until(self) -> Any:
        away = self.cleaned_data.get("away_until")
        if away is None or away == self.instance.away_until:
            return away
        today = timezone.localdate()
        if away < today:
            raise forms.ValidationError(
                _("Choose today or a later day as the last day away, or leave it empty.")
            )
        if (away - today).days > 366:
            raise forms.ValidationError(
                _("An absence can be set at most a year ahead. For longer, pause instead.")
            )
        return away

    def clean_capacity(self) -> int:
        capacity = int(self.cleaned_data["capacity"])
        if capacity > 20:
            raise forms.ValidationError(_("Twenty open cases is the most one counsellor may take."))
        return capacity


class AvailabilityForm(CounsellorProfileForm):
    """What a counsellor may change about themselves."""

    class Meta(CounsellorProfileForm.Meta):
        fields = [
            "languages",
            "capacity",
            "active",
            "away_until",
            "remote",
            "conflict_employers",
            "conflict_people",
        ]


class NewCounsellorForm(CounsellorProfileForm):
    """A coordinator gives an existing counsellor account a profile."""

    class Meta(CounsellorProfileForm.Meta):
        fields = ["user", *CounsellorProfileForm.Meta.fields]
        widgets = {
            **CounsellorProfileForm.Meta.widgets,
            "user": forms.Select(attrs={"class": "ds-input"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.contrib.auth import get_user_model

        from kollega.core.roles import COUNSELLOR

        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.queryset = get_user_model().objects.filter(  # type: ignore[attr-defined]
            groups__name=COUNSELLOR, counsellor_profile__isnull=True
        )
        field.empty_label = _("Choose a counsellor account")  # type: ignore[attr-defined]


class ReassignForm(CaseForm):
    counsellor = forms.ModelChoiceField(
        label=_("New counsellor"),
        queryset=CounsellorProfile.objects.none(),
        widget=forms.Select(attrs={"class": "ds-input"}),
    )
    reason = _text(
        _("Why move the case?"),
        required=True,
        help_text=_(
            "For example the counsellor is ill. The seeker is told the case moved, not why."
        ),
    )

    def __init__(self, *args: Any, candidates: list[Option], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["counsellor"]
        field.queryset = CounsellorProfile.objects.filter(  # type: ignore[attr-defined]
            pk__in=[c.profile.pk for c in candidates]
        )
        field.choices = [("", _("Choose a counsellor"))] + [  # type: ignore[attr-defined]
            (c.profile.pk, f"{n}. {c.profile} · {c.profile.get_region_display()}")
            for n, c in enumerate(candidates, start=1)
        ]


class CoordinatorMessageForm(StyledForm):
    body = _text(
        _("Message to the seeker"),
        long=True,
        required=True,
        help_text=_("Shown on the seeker's status page, signed “Coordinator”."),
    )


class ChooseForm(StyledForm):
    counsellor = forms.ModelChoiceField(queryset=CounsellorProfile.objects.none())

    def __init__(self, *args: Any, proposals: list[CounsellorProfile], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].queryset = CounsellorProfile.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in proposals]
        )


class ServiceSettingsForm(forms.ModelForm[ServiceSettings]):
    class Meta:
        model = ServiceSettings
        fields = ["auto_assign", "seeker_choice"]
        widgets = {
            "auto_assign": forms.CheckboxInput(attrs={"class": "ds-input"}),
            "seeker_choice": forms.CheckboxInput(attrs={"class": "ds-input"}),
        }


class InvitationAnswerForm(forms.Form):
    """Yes or no to a research invitation, from the buttons on the status page."""

    answer = forms.ChoiceField(choices=[("accept", _("Yes")), ("decline", _("No"))])


class ConcernForm(StyledForm):
    """The public form for someone worried about a doctor."""

    relation = _radio(_("You are the doctor's"), choices.ConcernRelation.choices)
    doctor_name = _text(
        _("The doctor's name"),
        required=True,
        help_text=_(
            "So that the counsellor can find them, and so that nobody who knows them is asked."
        ),
    )
    region = _choice(
        _("The county the doctor works in"),
        choices.Region.choices,
        blank=_("Choose a county"),
        required=True,
    )
    workplace = _text(
        _("The doctor's workplace"),
        help_text=_(
            "For example the hospital or practice. No counsellor who works there is asked."
        ),
    )
    worry = _text(_("What worries you?"), long=True, required=True)
    approach = _text(
        _("How might the doctor best be approached?"),
        long=True,
        help_text=_("For example by phone or in person, and anything the counsellor should know."),
    )
    sender_name = _text(_("Your name (optional)"))
    sender_contact = _text(
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
    reason = _radio(_("Why do you hand the concern back?"), choices.DeclineReason.choices)


class ConcernConcludeForm(StyledForm):
    outcome = _radio(_("What came of it?"), choices.ConcernOutcome.choices)
    note = _text(
        _("Short note"),
        long=True,
        help_text=_("For you and the service only. The sender never sees it."),
    )


class ConcernWithdrawForm(StyledForm):
    reason = _text(
        _("Reason"),
        required=True,
        help_text=_("For example a duplicate concern. No health details."),
    )
