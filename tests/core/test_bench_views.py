"""The benchmark's bare pages render: bench/access_overhead.py compares them with the real ones."""

from __future__ import annotations

import pytest

from tests.casework.factories import CaseNoteFactory
from tests.conftest import signed_in


@pytest.mark.urls("tests.core.bench_urls")
def test_the_bare_pages_render_the_same_templates(cast):
    CaseNoteFactory(person=cast.person, service=cast.outreach, author=cast.outreach_worker)
    client = signed_in(cast.outreach_worker)
    page = client.get(f"/bench/people/{cast.person.public_id}/")
    assert page.status_code == 200
    assert b"Who is working with them now" in page.content
    assert client.get("/bench/people/").status_code == 200
