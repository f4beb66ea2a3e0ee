"""From .xlsx to PDF (LibreOffice) and from PDF to PNG pages (poppler).

All workbooks go through one ``soffice --headless --convert-to pdf`` call: a
start of LibreOffice costs a second or two, a sheet a few milliseconds. Each
call runs with its own throw-away profile (``-env:UserInstallation``), so
parallel test workers, two previews or a LibreOffice open on the desktop do
not lock each other out. The PDF keeps one bookmark per printed sheet
(``ExportBookmarks``), which is how :mod:`printcheck.pdf` knows the page on
which each sheet starts.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.etree import ElementTree

# calc_pdf_Export with one bookmark per sheet (JSON filter options, LibreOffice ≥ 7.4).
PDF_FILTER = 'pdf:calc_pdf_Export:{"ExportBookmarks":{"type":"boolean","value":"true"}}'
DEFAULT_TIMEOUT = 300  # seconds, for every workbook of one call


class PrintCheckError(RuntimeError):
    """A conversion that could not run or did not produce its file."""


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise PrintCheckError(
            f"Không tìm thấy lệnh «{name}»: cài gói Debian {package} (apt-get install {package})."
        )
    return found


def to_pdf(
    paths: Iterable[str | Path], out_dir: str | Path, *, timeout: float = DEFAULT_TIMEOUT
) -> list[Path]:
    """Convert the workbooks to PDF in ``out_dir`` (one LibreOffice run); returns the PDFs in order."""
    sources = [Path(p).resolve() for p in paths]
    if not sources:
        return []
    stems = [p.stem for p in sources]
    if len(set(stems)) != len(stems):
        raise PrintCheckError(f"Hai tệp cùng tên sẽ ghi đè PDF của nhau: {sorted(stems)}")
    missing = [str(p) for p in sources if not p.is_file()]
    if missing:
        raise PrintCheckError(f"Không có tệp: {', '.join(missing)}")
    soffice = soffice_path()
    if soffice is None:
        raise PrintCheckError(
            "Không tìm thấy LibreOffice (soffice): cài gói Debian libreoffice-calc-nogui "
            "(apt-get install libreoffice-calc-nogui fonts-liberation)."
        )
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="printcheck-lo-"))
    command = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        PDF_FILTER,
        "--outdir",
        str(out),
        *map(str, sources),
    ]
    try:
        done = subprocess.run(  # noqa: S603 - a fixed program and our own files
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise PrintCheckError(
            f"LibreOffice chưa chuyển xong {len(sources)} tệp sau {timeout:.0f} giây."
        ) from exc
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdfs = [out / f"{stem}.pdf" for stem in stems]
    absent = [p.name for p in pdfs if not p.is_file()]
    if done.returncode != 0 or absent:
        raise PrintCheckError(
            f"LibreOffice (mã thoát {done.returncode}) không tạo được: {', '.join(absent) or '—'}\n"
            f"{done.stdout.strip()}\n{done.stderr.strip()}".strip()
        )
    return pdfs


def to_png(
    pdf: str | Path,
    out_dir: str | Path,
    first: int | None = None,
    last: int | None = None,
    *,
    resolution: int = 80,
) -> list[Path]:
    """The PDF's pages ``first``..``last`` (1-based, inclusive) as PNG images in ``out_dir``."""
    if not 60 <= resolution <= 100:
        raise ValueError("resolution: 60 to 100 dpi (enough to read, small enough to keep)")
    pdftoppm = _tool("pdftoppm", "poppler-utils")
    source = Path(pdf).resolve()
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    command: list[str] = [pdftoppm, "-png", "-r", str(resolution)]
    if first is not None:
        command += ["-f", str(first)]
    if last is not None:
        command += ["-l", str(last)]
    command += [str(source), str(out / source.stem)]
    subprocess.run(command, capture_output=True, check=True, timeout=DEFAULT_TIMEOUT)  # noqa: S603
    return sorted(out.glob(f"{source.stem}-*.png"))


def sheet_orientations(path: str | Path) -> dict[str, bool]:
    """Each sheet's requested orientation (``True``: landscape), from the package's XML."""
    return {name: layout[0] for name, layout in sheet_layouts(path).items()}


def planned_pages(path: str | Path) -> dict[str, int]:
    """Each sheet's pages as the workbook plans them: its manual row breaks plus one."""
    return {name: layout[1] + 1 for name, layout in sheet_layouts(path).items()}


def sheet_layouts(path: str | Path) -> dict[str, tuple[bool, int]]:
    """Each sheet's orientation (``True``: landscape) and number of manual row breaks."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    found = {}
    with zipfile.ZipFile(path) as package:
        book = ElementTree.fromstring(package.read("xl/workbook.xml"))  # noqa: S314 - our own file
        rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
        targets = {r.get("Id"): r.get("Target") for r in rels}
        for sheet in book.iter(f"{main}sheet"):
            target = targets[sheet.get(f"{rel}id")].lstrip("/")
            member = target if target.startswith("xl/") else f"xl/{target}"
            xml = package.read(member).decode("utf-8", "replace")
            match = re.search(r'<pageSetup[^>]*orientation="(\w+)"', xml)
            breaks = re.search(r'<rowBreaks[^>]*manualBreakCount="(\d+)"', xml)
            found[sheet.get("name")] = (
                bool(match and match.group(1) == "landscape"),
                int(breaks.group(1)) if breaks else 0,
            )
    return found
