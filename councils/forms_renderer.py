"""One rendering path for every Django form, allauth's included: NHS.UK frontend markup.

The renderer names the templates (templates/forms/, templates/django/forms/widgets/) and the bound
field class below, which

- gives each field NHS.UK's specific error wording ("Enter email address", "Due date must be a real
  date", "Target must be between 0 and 100") wherever the form kept Django's default message;
- marks an invalid widget (``nhsuk-input--error``...) and points its ``aria-describedby`` at the
  message shown at the field (``<id>_error``), which the error summary links to.
"""

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting

ERROR_CLASSES = {
    "select": "nhsuk-select--error",
    "textarea": "nhsuk-textarea--error",
    "clearablefile": "nhsuk-file-upload--error",
    "file": "nhsuk-file-upload--error",
}
CHOICE_FIELDS = (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _django_defaults(field) -> dict:
    messages = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def nhsuk_messages(field, label: str) -> dict:
    """NHS.UK wording for a field's errors, by field type and label."""
    name = _lower_first(label)
    lo, hi = getattr(field, "min_value", None), getattr(field, "max_value", None)
    fmt = "{:g}".format
    messages = {}
    if isinstance(field, forms.FileField):
        messages["required"] = "Select a file"
    elif isinstance(field, forms.MultipleChoiceField):
        messages["required"] = f"Select at least one option for {name}"
    elif isinstance(field, CHOICE_FIELDS):
        messages["required"] = f"Select {name}"
    else:
        messages["required"] = f"Enter {name}"
    # the value is named, so that an API caller (django-filter's forms render through here too)
    # knows which one was refused
    messages["invalid_choice"] = f"Select {name} from the list (%(value)s is not one of them)"
    messages["invalid_list"] = f"Select {name} from the list"
    if isinstance(field, forms.EmailField):
        messages["invalid"] = "Enter an email address in the correct format, like name@example.com"
    elif isinstance(field, (forms.DecimalField, forms.FloatField, forms.IntegerField)):
        messages["invalid"] = f"{label} must be a number"
        if lo is not None and hi is not None:
            between = f"{label} must be between {fmt(lo)} and {fmt(hi)}"
            messages["min_value"] = messages["max_value"] = between
        else:
            messages["min_value"] = f"{label} must be %(limit_value)s or more"
            messages["max_value"] = f"{label} must be %(limit_value)s or less"
        messages["max_digits"] = f"{label} must have no more than %(max)s digits"
        messages["max_decimal_places"] = f"{label} must have no more than %(max)s decimal places"
    elif isinstance(field, (forms.DateField, forms.DateTimeField)):
        messages["invalid"] = f"{label} must be a real date"
    messages["max_length"] = f"{label} must be %(limit_value)d characters or fewer"
    messages["min_length"] = f"{label} must be %(limit_value)d characters or more"
    return messages


class NHSUKBoundField(BoundField):
    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        # Forms clean through their bound fields, so this runs before any message is made. A form's
        # own wording (error_messages=...) is kept; only Django's generic defaults are replaced.
        defaults = _django_defaults(field)
        label = str(self.label or name.replace("_", " ").capitalize())
        for key, text in nhsuk_messages(field, label).items():
            if field.error_messages.get(key, defaults.get(key)) == defaults.get(key):
                field.error_messages[key] = text

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}_error"

    @property
    def anchor(self) -> str:
        """The id the error summary links to: the first input of a group, or the input."""
        if isinstance(self.field.widget, forms.MultiWidget) or self.use_fieldset:
            return f"{self.auto_id}_0"
        return self.auto_id

    def build_widget_attrs(self, attrs, widget=None):
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors and not widget.is_hidden and not self.use_fieldset:
            error_class = ERROR_CLASSES.get(self.widget_type, "nhsuk-input--error")
            attrs["class"] = f"{attrs.get('class', '')} {error_class}".strip()
        return attrs

    @property
    def fieldset_describedby(self) -> str:
        ids = []
        if self.help_text:
            ids.append(f"{self.auto_id}_helptext")
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)


class NHSUKFormRenderer(TemplatesSetting):
    """Render every Django form with NHS.UK frontend markup (templates/forms/)."""

    form_template_name = "forms/nhsuk_form.html"
    field_template_name = "forms/nhsuk_field.html"
    bound_field_class = NHSUKBoundField
