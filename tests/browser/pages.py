"""What every browser test asks of a page."""

from __future__ import annotations


def fits(page) -> None:
    """Nothing scrolls the page sideways: it is no wider than the window.

    Waits for the page's load first: under load the text can be there before
    the stylesheets that keep a wide list inside its frame."""
    page.wait_for_load_state()
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth, location.pathname]"
    )
    assert widths[0] <= widths[1], f"{widths[2]} scrolls sideways: {widths[0]} > {widths[1]}"
