"""The catalogue filter: bureau, theme and keyword, read from the query string."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bureaus.search import MAX_QUERY_LENGTH


class CatalogueFilterForm(forms.Form):
    """Filters for the catalogue; a value that names no bureau or theme is dropped with a note.

    A shared link may outlive the bureau or theme it names, so an unknown value is
    not an error for the visitor: the rest of the filter still applies.

    Rendered by bureaus/catalogue_filter.html rather than crispy: every field is
    optional and never in error, and Django's per-option widget templates cost
    more than the rest of the form on a catalogue of many bureaus.
    """

    q = forms.CharField(
        label=_("キーワード"),
        required=False,
        help_text=_("業務内容や局名の一部（例: 水素、ICT）"),
    )
    bureau = forms.ChoiceField(label=_("局"), required=False)
    theme = forms.ChoiceField(label=_("テーマ"), required=False)

    def __init__(self, data, *, bureaus, themes):
        data = data.copy()
        self.ignored = []
        choices = {
            "bureau": [(b.slug, b.name) for b in bureaus],
            "theme": [(t.slug, t.name) for t in themes],
        }
        for name, options in choices.items():
            value = data.get(name, "")
            if value and value not in {slug for slug, _label in options}:
                self.ignored.append(value)
                data.pop(name)
        super().__init__(data)
        self.fields["bureau"].choices = [("", _("すべての局"))] + choices["bureau"]
        self.fields["theme"].choices = [("", _("すべてのテーマ"))] + choices["theme"]

    def choice_fields(self):
        """The two drop-downs, in the order the filter shows them."""
        return [self["bureau"], self["theme"]]

    def clean_q(self):
        """What the visitor typed, as typed (bureaus.search folds it for matching)."""
        return " ".join(self.cleaned_data["q"].split())[:MAX_QUERY_LENGTH]

    def selected_labels(self):
        """What the visitor narrowed by, in words: the bureau and theme names, the keyword."""
        labels = [
            dict(self.fields[name].choices)[self.cleaned_data[name]]
            for name in ("bureau", "theme")
            if self.cleaned_data.get(name)
        ]
        if self.cleaned_data.get("q"):
            labels.append(_("「%(keyword)s」") % {"keyword": self.cleaned_data["q"]})
        return labels

    @property
    def is_filtered(self):
        return any(self.cleaned_data.get(name) for name in ("q", "bureau", "theme"))
