"""Filters shared by the API's resources."""

import django_filters


class IdFilter(django_filters.NumberFilter):
    """A whole-number id filter: rejects fractions and numbers no database id can reach, with a
    400 problem, instead of letting the database overflow."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)
