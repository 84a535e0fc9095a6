"""Importing cards from a file: upload, preview, confirm, and the progress of the
import. The views glue HTTP to cards/importing.py."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from . import importing
from .import_forms import ImportConfirmForm, ImportUploadForm
from .models import ImportJob

RECENT_JOBS = 5


def _own_jobs(request):
    return ImportJob.objects.filter(owner=request.user)


@require_http_methods(["GET", "POST"])
def import_upload(request):
    # Django has streamed the upload to a temporary file (past 2.5 MB) before the
    # view runs: the CSRF check reads the body first, and nothing here is exempt
    # from it. The form refuses a file over the limit; the page's script refuses
    # it before it is sent.
    max_bytes = settings.PREP_IMPORT_MAX_BYTES
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES, user=request.user, max_bytes=max_bytes)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                parsed = importing.parse_upload(
                    file=upload,
                    filename=upload.name,
                    default_topic=form.cleaned_data["default_topic"],
                )
            except importing.ImportRejected as error:
                form.add_error("file", str(error))
            else:
                job = importing.create_import_job(
                    user=request.user, filename=upload.name, parsed=parsed
                )
                if request.htmx:
                    return HttpResponseClientRedirect(job.get_absolute_url())
                return redirect(job)
    else:
        form = ImportUploadForm(user=request.user, max_bytes=max_bytes)
    if request.htmx:
        return render(request, "cards/import_upload.html#upload-form", {"form": form})
    recent = list(_own_jobs(request).defer("rows", "errors")[:RECENT_JOBS])
    importing.settle_interrupted(recent)
    return render(
        request,
        "cards/import_upload.html",
        {"form": form, "recent": recent, "max_bytes": max_bytes},
    )


@require_GET
def import_job(request, pk: int):
    """The preview while the job waits for confirmation, then its progress and
    result. htmx polls the progress as a fragment."""
    job = get_object_or_404(_own_jobs(request).defer("rows"), pk=pk)
    context = {"job": job, "progress": importing.job_progress(job=job)}
    if request.htmx:
        if job.status == ImportJob.Status.PREVIEW and job.failure:
            # It was interrupted and is back to its preview: show that page.
            return HttpResponseClientRedirect(job.get_absolute_url())
        return render(request, "cards/import_job.html#status", context)
    if job.status == ImportJob.Status.PREVIEW:
        context["preview"] = importing.preview_import(job=job)
        context["confirm_form"] = ImportConfirmForm()
    return render(request, "cards/import_job.html", context)


@require_POST
def import_confirm(request, pk: int):
    job = get_object_or_404(_own_jobs(request).defer("rows"), pk=pk)
    form = ImportConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise importing.ImportRejected(
                "Choose whether to skip or update the cards you already have."
            )
        importing.start_import(job=job, on_duplicate=form.cleaned_data["on_duplicate"])
    except importing.ImportRejected as error:
        messages.warning(request, str(error))
        if request.htmx:
            return HttpResponseClientRedirect(job.get_absolute_url())
        return redirect(job)
    if request.htmx:
        context = {"job": job, "progress": importing.job_progress(job=job)}
        return render(request, "cards/import_job.html#status", context)
    return redirect(job)


@require_POST
def import_cancel(request, pk: int):
    job = get_object_or_404(
        _own_jobs(request).filter(status=ImportJob.Status.PREVIEW).defer("rows"), pk=pk
    )
    job.delete()
    messages.info(request, f"The import of “{job.filename}” was cancelled; nothing was written.")
    return redirect("cards:import")
