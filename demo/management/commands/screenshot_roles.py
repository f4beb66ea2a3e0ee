"""Each demo role's main page, photographed in headless Chromium for docs/.

Serves this database (the demo made by ``make demo``) with ``runserver`` on a
free local port, logs in as each demo user through the real form and saves
the page the role lands on, and the page it works on most, at 1366×768 and on
a phone (390×844). Run by ``make screenshot``; needs Debian's chromium.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from demo.chromium import CHROMIUM_ARGS
from demo.seed import DEMO_PASSWORD

# username → (file name, the page the role works on most, after the landing page)
ROLE_PAGES = (
    ("canbo", "can-bo", "/doi-tuong/"),
    ("congan", "cong-an", "/admin/beneficiaries/person/"),
    ("ketoan", "ke-toan", "/ky-chi-tra/"),
    ("chutich", "chu-tich", "/ky-chi-tra/"),
    ("buudien", "buu-dien", "/buu-dien/"),
    ("tinh", "noi-chi-tra", "/tep/"),
)
SIZES = (("", 1366, 768), ("-dien-thoai", 390, 844))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except OSError:
            time.sleep(0.5)
    raise CommandError(_("Máy chủ thử không trả lời tại %(url)s.") % {"url": url})


class Command(BaseCommand):
    help = gettext_lazy(
        "Chụp trang chính của từng vai trò trong bản demo (máy tính và điện thoại) vào một thư mục."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", default="docs/screenshots", help="thư mục ảnh")

    def handle(self, *args, out: str, **options) -> None:
        from playwright.sync_api import sync_playwright

        chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
        if not chromium:
            raise CommandError(_("Cần Chromium của Debian (apt-get install chromium)."))
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603 - this project's manage.py
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for(f"{base}/dang-nhap/")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                for username, name, work_page in ROLE_PAGES:
                    for suffix, width, height in SIZES:
                        context = browser.new_context(
                            viewport={"width": width, "height": height},
                            base_url=base,
                            locale="vi-VN",
                        )
                        page = context.new_page()
                        page.goto("/dang-nhap/")
                        page.fill("#id_username", username)
                        page.fill("#id_password", DEMO_PASSWORD)
                        page.click("button[type=submit]")
                        page.wait_for_load_state("networkidle")
                        page.screenshot(path=str(folder / f"{name}{suffix}.png"))
                        page.goto(work_page)
                        page.wait_for_load_state("networkidle")
                        page.screenshot(path=str(folder / f"{name}-viec{suffix}.png"))
                        context.close()
                        self.stdout.write(f"{name}{suffix}: {width}×{height}")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
        self.stdout.write(self.style.SUCCESS(_("Ảnh đã lưu vào %(out)s.") % {"out": folder}))
