from django import template

register = template.Library()


@register.filter
def study_time(seconds) -> str:
    """Seconds of study as "2 h 05 min", "45 min" or "under a minute"."""
    seconds = int(seconds or 0)
    if seconds <= 0:
        return "0 min"
    if seconds < 60:
        return "under a minute"
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


@register.filter
def percent(value) -> str:
    """A 0-100 score as "68 %" or "68.5 %"; empty for no score."""
    if value is None:
        return "–"
    return f"{float(value):g} %"
