"""The change history of content and requests (django-simple-history), named in Japanese."""

from django.utils.text import format_lazy
from simple_history.models import HistoricalRecords


class History(HistoricalRecords):
    """HistoricalRecords whose history model reads 「局」の変更履歴, not "historical 局".

    simple_history names its models in English, untranslatably; admin shows those
    names wherever it lists models (permissions, content types, the history pages).
    """

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        if not self.user_set_verbose_name:
            options["verbose_name"] = format_lazy("{}の変更履歴", model._meta.verbose_name)
        if not self.user_set_verbose_name_plural:
            options["verbose_name_plural"] = format_lazy(
                "{}の変更履歴", model._meta.verbose_name_plural
            )
        return options
