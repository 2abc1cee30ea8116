from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import get_template, render_to_string

TEMPLATES = sorted(
    p.relative_to(settings.BASE_DIR / "templates").as_posix() for p in (settings.BASE_DIR / "templates").rglob("*.html")
)


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_compiles(name):
    get_template(name)


@pytest.mark.django_db
def test_styleguide_renders_with_icons(rf):
    request = rf.get("/styleguide/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    html = render_to_string("core/styleguide.html", request=request)
    assert "<svg" in html and "lucide" in html


def test_no_template_loads_anything_from_a_cdn():
    offenders = [
        str(p)
        for p in Path(settings.BASE_DIR / "templates").rglob("*.html")
        if any(host in p.read_text() for host in ("cdn.", "unpkg.com", "jsdelivr", "googleapis", "cdnjs"))
    ]
    assert offenders == []
