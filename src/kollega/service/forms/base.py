"""What the service's forms share: field makers, the styled base form and the case form that
carries the case's state.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kollega.service.models import MAX_SHORT_TEXT, MAX_TEXT

YES_NO = [("no", _("No")), ("yes", _("Yes"))]


def text_field(
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


def choice_field(
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


def radio_field(label: Any, options: Any, *, required: bool = True) -> forms.ChoiceField:
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


class MessageForm(StyledForm):
    body = text_field(_("Message"), long=True, required=True)


class ConfirmForm(StyledForm):
    confirm = forms.BooleanField(
        label=_("Yes, I am sure"),
        required=True,
        widget=forms.CheckboxInput(attrs={"class": "ds-input"}),
    )
