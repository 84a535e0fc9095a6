"""Images added in the card editor (/cards/images/...): the upload the editor's
script sends, and an image served to its person while it waits for its card."""

from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST, require_safe

from ..models import PendingImage
from ..models.media import kind_of
from . import services


@require_POST
def image_upload(request):
    """One image (multipart, ``image``): its name for the text, or the reason
    it was refused, with a 400."""
    try:
        image = services.add_image(user=request.user, upload=request.FILES.get("image"))
    except services.ImageRefused as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"name": image.name, "size": image.size})


@require_safe
def pending_image(request, name: str):
    """An image of the person's that waits for its card; anyone else's is a 404."""
    image = get_object_or_404(PendingImage, owner=request.user, name=name)
    response = FileResponse(image.file.open("rb"), content_type=kind_of(image.name).content_type)
    response["Cache-Control"] = "private, no-cache"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
