"""Forms take type-ahead: `Name⇥Program⇥…` typed in one burst fills each field in order
(Tab moves the focus before the next key is handed out), and saving reads back from disk."""

from __future__ import annotations

from textual.widgets import Input

from store.db import Store
from tests.tui.screen import settle
from tests.tui.test_manage_groups import new_group_form
from tests.tui.test_score_entry_burst import burst


async def test_burst_with_tabs_fills_each_field(open_app, demo_dir, demo_clock) -> None:
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        form = await new_group_form(app, pilot)
        form.query_one("#gf-name", Input).focus()
        await pilot.pause()
        burst(app, *"Reading Z", "tab", *"Phonics!", "tab", *"Decoding", "shift+tab", "shift+tab")
        await settle(pilot, form)  # the gate hands the keys out one by one: however long
        values = {
            i: form.query_one(f"#{i}", Input).value for i in ("gf-name", "gf-program", "gf-skill")
        }
        assert values == {"gf-name": "Reading Z", "gf-program": "Phonics!", "gf-skill": "Decoding"}
        assert app.focused is form.query_one("#gf-name", Input)  # shift+tab went back twice
        form.query_one("#gf-time", Input).value = "06:00"  # before school: no clash
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
    app.store.close()
    with Store.open(demo_dir, clock=demo_clock) as fresh:
        saved = [g for g in fresh.groups() if g.name == "Reading Z"]
        assert saved and saved[0].program == "Phonics!" and saved[0].skill_focus == "Decoding"
