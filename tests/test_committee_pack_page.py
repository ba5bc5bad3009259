"""The Committee pack page through Streamlit's AppTest on the demo warehouse: it offers the
sections, meeting date, title and district, builds both files for the role in use (the board in
demo mode) behind a progress indicator, and offers each for download with the marking; a district
user is offered only their own district."""

from __future__ import annotations

import io
from datetime import date

import pikepdf
from pptx import Presentation

from earlyhelp.presentation import pack
from tests.apptest import assert_ran_cleanly, open_app
from tests.test_roles import signed_in_app

PAGE = "pages/committee_pack.py"
BUILT = "committee_pack_built"


def test_page_offers_the_sections_and_builds_both_files(with_demo):
    at = open_app(PAGE)
    assert_ran_cleanly(at)
    assert [t.value for t in at.title] == ["Committee pack"]
    sections = at.multiselect[0]
    assert sections.options == list(pack.SECTIONS.values())
    assert sections.value == list(pack.SECTIONS)
    assert "OFFICIAL" in " ".join(m.value for m in at.markdown)
    assert [s.label for s in at.selectbox] == [
        "District profile and Demand for",
        "Referral source",
        "Level of need",
        "Age band",
    ]
    sections.set_value(["overview"])
    at.text_input[0].set_value("Scrutiny committee: early help")
    at.date_input[0].set_value(date(2026, 4, 21))
    at.button[0].click().run()
    assert_ran_cleanly(at)
    assert [s.label for s in at.status] == ["The committee pack is ready"]
    assert [s.state for s in at.status] == ["complete"]
    labels = [b.label for b in at.get("download_button")]
    assert len(labels) == 2 and labels[0].startswith("Download the PDF")
    assert labels[1].startswith("Download the PowerPoint")
    choices, files, marking, charts_drawn = at.session_state[BUILT]
    assert marking == "OFFICIAL" and charts_drawn == 2
    with pikepdf.open(io.BytesIO(files["PDF"])) as pdf:
        assert str(pdf.docinfo["/Title"]) == "Scrutiny committee: early help"
        assert pdf.Root.MarkInfo.Marked is True
    deck = Presentation(io.BytesIO(files["PowerPoint"]))
    assert deck.slides[0].shapes.title.text == "Scrutiny committee: early help"
    assert "21 April 2026" in deck.slides[0].placeholders[1].text


def test_nothing_is_built_until_asked_and_no_sections_is_refused(with_demo):
    at = open_app(PAGE)
    assert not at.get("download_button") and not at.status
    at.multiselect[0].set_value([])
    at.button[0].click().run()
    assert_ran_cleanly(at)
    assert [w.value for w in at.warning] == ["Choose at least one section."]
    assert not at.get("download_button")


def test_a_district_user_is_offered_only_their_district(with_demo):
    at = signed_in_app({"email": "x@council.gov.uk", "roles": ["EarlyHelp.District.North"]}, PAGE)
    assert_ran_cleanly(at)
    assert at.selectbox[0].options == ["North"]


PAGES_WITH_A_PACK = {
    "pages/overview.py": "Overview",
    "pages/demand.py": "Demand",
    "pages/caseloads.py": "Caseloads",
    "pages/pathways.py": "Front door and pathways",
    "pages/scorecard.py": "Scorecard",
    "pages/district_profile.py": "District profile",
}
PAGE_PACK = "Committee pack of this page"


def test_each_page_offers_a_pack_of_itself(with_demo):
    for page in PAGES_WITH_A_PACK:
        at = open_app(page)
        assert_ran_cleanly(at)
        assert [b.label for b in at.button if b.label == PAGE_PACK] == [PAGE_PACK], page
        assert not at.get("download_button") or all(
            "Download the PDF" not in b.label for b in at.get("download_button")
        ), "nothing is built until asked"


def test_a_pages_pack_holds_that_page_alone(with_demo):
    at = open_app("pages/district_profile.py", {"district": "South"})
    (button,) = [b for b in at.button if b.label == PAGE_PACK]
    button.click().run()
    assert_ran_cleanly(at)
    assert [s.state for s in at.status] == ["complete"]
    downloads = [b for b in at.get("download_button") if b.label.startswith("Download the ")]
    assert [b.label.split(" (")[0] for b in downloads] == [
        "Download the PDF",
        "Download the PowerPoint",
    ]
    _, files, marking = at.session_state["page_pack_district"]
    assert marking == "OFFICIAL"
    deck = Presentation(io.BytesIO(files["PowerPoint"]))
    titles = [s.shapes.title.text for s in deck.slides if s.shapes.title is not None]
    assert titles[0] == f"{pack.DEFAULT_TITLE}: District profile"
    assert any("South" in t for t in titles[1:]), titles
    assert not any(t.startswith(("Caseloads", "Scorecard", "Demand")) for t in titles[1:])


def test_no_pack_button_in_presentation_mode(with_demo):
    at = open_app("pages/overview.py", {"present": "1"})
    assert PAGE_PACK not in [b.label for b in at.button]
