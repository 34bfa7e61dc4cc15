"""The app on the real sample (seeds and corpus ingested by `tongket.store.archive.sample`): the spec's
scenarios. These depend on the parser's metadata and figure extraction."""

from __future__ import annotations

from pathlib import Path

from tongket.tui.dialogs.lookup import LookupDialog

from tui_helpers import list_provinces, make_app, sample_archive, screen_text, settle

SIZE = (120, 36)


async def test_filter_by_province_and_year_on_the_sample(tmp_path: Path):
    archive = sample_archive(tmp_path)
    app = make_app(archive, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        total = len(archive)
        assert len(app.article_list.rows) == total
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"kien giang", "enter")
        await settle(pilot)
        kien_giang = len(archive.query(province="Kiên Giang"))
        assert kien_giang >= 2
        assert set(list_provinces(app)) == {"Kiên Giang"}
        assert len(app.article_list.rows) == kien_giang
        assert f"{kien_giang} of {total} articles" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press(*"2019", "enter")
        await settle(pilot)
        assert [(m.province, m.report_year) for m in app.article_list.rows] == [("Kiên Giang", 2019)]


async def test_text_filter_on_the_sample(tmp_path: Path):
    archive = sample_archive(tmp_path)
    app = make_app(archive, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"van ban den", "enter")
        await settle(pilot)
        expected = {m.id for m in archive.query(text="văn bản đến")}
        assert expected
        assert {m.id for m in app.article_list.rows} == expected
        await pilot.press("n")
        assert app.article_view.match_index == 0


async def test_lookup_finds_incoming_documents_of_the_seeds(tmp_path: Path):
    archive = sample_archive(tmp_path)
    app = make_app(archive, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f", *"van ban den")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, LookupDialog)
        found = {(h.province, h.report_year, h.period, h.value) for h in dialog.hits}
        assert ("Kiên Giang", 2019, "year", 27172) in found
        assert ("Kiên Giang", 2018, "half-year", 11510) in found
        assert any(h.report_year == 2023 and h.value == 45268 for h in dialog.hits)
        # The label stays readable: a long metric key gives way first.
        assert "11.510 văn bản  văn bản đến" in screen_text(app)
        # A qualifier stays visible, marked as in the pivot: "gần 40 nghìn", "hơn 52.000".
        assert "≈40 nghìn văn bản" in screen_text(app)
        assert ">52.000 văn bản" in screen_text(app)
        target = next(i for i, h in enumerate(dialog.hits) if h.value == 27172 and h.report_year == 2019)
        await pilot.press("down", *(["down"] * target), "enter")
        await settle(pilot)
        hit = dialog.hits[target]
        assert app.article_list.current.id == hit.article_id
        assert app.article_view.figure_index == hit.figure_index
        assert app.metrics.cursor_row == hit.figure_index
        assert "27.172" in app.article_view.visible_text()
