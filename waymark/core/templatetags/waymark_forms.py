"""Render Django form widgets with GOV.UK classes and accessible descriptions."""

from __future__ import annotations

from typing import Any

from django import forms, template

register = template.Library()

WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.SelectMultiple: "govuk-select",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.FileInput: "govuk-file-upload",
}


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.simple_tag
def govuk_widget(field: forms.BoundField, autocomplete: Any = None) -> str:
    """The field's widget with GOV.UK classes, error state and aria-describedby for hint and error."""
    widget = field.field.widget
    css = next((c for kind, c in WIDGET_CLASSES.items() if isinstance(widget, kind)), "govuk-input")
    if field.errors:
        css += {"govuk-select": " govuk-select--error", "govuk-textarea": " govuk-textarea--error"}.get(
            css, " govuk-input--error" if css == "govuk-input" else ""
        )
    described = [f"{field.id_for_label}-hint"] if field.help_text else []
    if field.errors:
        described.append(f"{field.id_for_label}-error")
    attrs = {"class": css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    return field.as_widget(attrs=attrs)
