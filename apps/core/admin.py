"""django-q2's task admin, with failed tasks listed by their error (its own list shows the first 100 characters
of the result, which for a failure is mostly the start of the traceback)."""

from django.contrib import admin
from django.template.defaultfilters import truncatechars
from django_q.admin import FailAdmin
from django_q.models import Failure


def error_line(result) -> str:
    """The exception line of a failure's result (its traceback's last line)."""
    lines = [line.strip() for line in str(result or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


admin.site.unregister(Failure)


@admin.register(Failure)
class FailedTaskAdmin(FailAdmin):
    list_display = ("name", "func", "error", "attempt_count", "started", "stopped")
    date_hierarchy = "stopped"

    @admin.display(description="error")
    def error(self, obj):
        return truncatechars(error_line(obj.result), 160)
