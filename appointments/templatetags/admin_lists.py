from django import template

register = template.Library()


@register.simple_tag
def chosen_filters(changelist):
    """What a list is filtered by ("When: Upcoming · Status: Cancelled"), told beside its folded filters.

    A filter left on "All" (its choice that removes its parameters) is not told.
    """
    chosen = []
    for spec in changelist.filter_specs:
        show_all = changelist.get_query_string(remove=spec.expected_parameters())
        for choice in spec.choices(changelist):
            if choice["selected"] and choice["query_string"] != show_all:
                chosen.append(f"{str(spec.title).capitalize()}: {choice['display']}")
    return " · ".join(chosen)
