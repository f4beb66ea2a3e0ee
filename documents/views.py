"""The one download and the one progress view of every generated file.

Thin: the file goes through :func:`documents.access.get_file_for` (its
kind's rules, registered by the app that makes it), every download writes
its event, and the progress a page polls also finds a job whose worker died.
"""

from __future__ import annotations

import mimetypes

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse

from documents import jobs, services
from documents.access import get_file_for
from documents.builders import file_name
from documents.models import GeneratedFile

CONTENT_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
    ".csv": "text/csv",
}


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    generated = get_file_for(request.user, pk)
    if generated.status != GeneratedFile.Status.DONE:
        raise Http404
    services.record_download(generated, actor=request.user)
    name = file_name(generated)
    suffix = name[name.rfind(".") :]
    return FileResponse(
        generated.file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES.get(suffix)
        or mimetypes.guess_type(name)[0]
        or "application/octet-stream",
    )


@login_required
def progress(request: HttpRequest, pk: int) -> JsonResponse:
    """The state of a file's job, for the progress bars of the pages."""
    generated = get_file_for(request.user, pk)
    if generated.status == GeneratedFile.Status.RUNNING and jobs.fail_stale_jobs(
        GeneratedFile.objects.filter(pk=generated.pk)
    ):
        generated.refresh_from_db()
    return JsonResponse(
        {
            "status": generated.status,
            "label": generated.get_status_display(),
            "progress": generated.progress,
        }
    )
