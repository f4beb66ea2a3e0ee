"""How this project starts Debian's Chromium headless (the tests and `make screenshot`).

As root it needs ``--no-sandbox``; the network flags keep it from calling
Google's hosts, which this machine's closed network refuses. Never a
downloaded browser: the system's ``chromium``.
"""

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
