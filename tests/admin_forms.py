"""Posting an admin change form as a browser would: the page's own fields and inlines, with changes."""

from django.forms import MultiWidget
from django.forms.models import model_to_dict


def change_form_data(response, **changes) -> dict:
    """The data a browser posts back from an admin change page (`response` of its GET), with `changes`
    to the main form; inline formsets go back unchanged, management forms included."""
    data: dict = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        _put(data, field.widget, form.add_prefix(name), form.initial.get(name, field.initial))
        if field.show_hidden_initial:  # a field with a callable default: the page carries its initial too
            _put(data, field.hidden_widget(), form.add_initial_prefix(name), form.initial.get(name, field.initial))
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for inline_form in formset.forms:
            stored = model_to_dict(inline_form.instance) if inline_form.instance.pk else {}
            for name, field in inline_form.fields.items():
                value = inline_form.initial.get(name, stored.get(name, field.initial))
                _put(data, field.widget, inline_form.add_prefix(name), value)
    data.update(changes)
    return data


def _put(data: dict, widget, name: str, value) -> None:
    if hasattr(value, "pk"):
        value = value.pk
    if isinstance(widget, MultiWidget):
        parts = widget.decompress(value) if value is not None else [None] * len(widget.widgets)
        for index, (sub, part) in enumerate(zip(widget.widgets, parts, strict=True)):
            _put(data, sub, f"{name}_{index}", part)
        return
    if value is None:
        data[name] = ""
    elif isinstance(value, bool):
        if value:
            data[name] = "on"
    elif isinstance(value, list | tuple):
        data[name] = [getattr(item, "pk", item) for item in value]
    elif isinstance(value, str | int | float):
        data[name] = value
    else:
        formatted = widget.format_value(value)
        data[name] = "" if formatted is None else formatted
