"""Form widgets that stay fast when they have hundreds of options."""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html: in order, True bare, False left out."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class FastSelect(forms.Select):
    """A <select> whose options are written in Python.

    Django renders every <option> through its own template (select_option.html),
    about a tenth of a millisecond each: the partner-country filter (some 250
    countries) and the home-municipality filter of a national deployment
    (hundreds of cities) then cost more than the rest of the list page. The
    output is Django's, byte for byte (tests/agreements/test_widgets.py), with
    the same choice of selected option (ChoiceWidget.optgroups) and the same
    escaping.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        if self.allow_multiple_selected:
            widget["attrs"]["multiple"] = True
        values = widget["value"]  # format_value(): a list of strings
        has_selected = False
        parts = [f'<select name="{conditional_escape(name)}"{_attrs(widget["attrs"])}>\n']

        def option(option_value, label) -> str:
            nonlocal has_selected
            selected = (not has_selected or self.allow_multiple_selected) and str(
                option_value
            ) in values
            has_selected |= selected
            return (
                f'  <option value="{conditional_escape(str(option_value))}"'
                f"{' selected' if selected else ''}>{conditional_escape(label)}</option>\n\n"
            )

        for option_value, option_label in self.choices:
            if option_value is None:
                option_value = ""
            if isinstance(option_label, (list, tuple)):
                parts.append(f'  <optgroup label="{conditional_escape(option_value)}">\n')
                parts.extend(option(value_, label_) for value_, label_ in option_label)
                parts.append("  </optgroup>\n")
            else:
                parts.append(option(option_value, option_label))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
