"""The chair's targets form: one optional number per metric; blank means "use the one above"."""

from django import forms

from . import metrics as catalogue


def field_name(code: str) -> str:
    return f"target_{code}"


class TargetsForm(forms.Form):
    def __init__(self, *args, effective: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.effective = effective
        initial = {}
        for metric in catalogue.CATALOGUE:
            current = effective[metric.code]
            unit = "%" if metric.unit == "percent" else ""
            inherited = (
                f"{current.source}: {current.value:g}{unit}"
                if current.value is not None and not current.own
                else ("No target above" if not current.own else "")
            )
            better = {"higher": "higher is better", "lower": "lower is better"}.get(
                metric.direction, "neither direction is better"
            )
            escaped = metric.name.replace("%", "%%")
            self.fields[field_name(metric.code)] = forms.DecimalField(
                label=f"{metric.name} ({metric.code})",
                required=False,
                min_value=0,
                max_value=100 if metric.unit == "percent" else None,
                max_digits=10,
                decimal_places=3,
                help_text=(
                    f"{better.capitalize()}. Leave blank to use the target from above"
                    + (f" ({inherited})." if inherited else ".")
                ),
                # Django formats the limit messages with params, so there a "%" is written "%%"
                error_messages={
                    "invalid": f"{metric.name}: enter a number, like 90 or 7.5.",
                    "min_value": f"{escaped}: the target must be 0 or more.",
                    "max_value": f"{escaped}: the target must be 100 or less.",
                },
            )
            if not metric.has_direction:
                self.fields[field_name(metric.code)].help_text = (
                    "Neither direction is better: this metric has no target (a target set "
                    "before can be cleared by leaving the box blank)."
                )
            if current.own:
                initial[field_name(metric.code)] = current.value
        self.initial = {**initial, **self.initial}

    def clean(self):
        cleaned = super().clean()
        for metric in catalogue.CATALOGUE:
            name = field_name(metric.code)
            if not metric.has_direction and cleaned.get(name) is not None:
                self.add_error(
                    name,
                    f"{metric.name} has no target: neither a higher nor a lower value is "
                    "better. Leave the box blank.",
                )
        return cleaned

    def changes(self) -> tuple[dict[str, float], list[str]]:
        """(targets to set, metric codes to clear) from the cleaned data."""
        to_set, to_clear = {}, []
        for metric in catalogue.CATALOGUE:
            value = self.cleaned_data.get(field_name(metric.code))
            if value is None:
                if self.effective[metric.code].own:
                    to_clear.append(metric.code)
            else:
                to_set[metric.code] = float(value)
        return to_set, to_clear
