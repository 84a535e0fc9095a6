"""Pages for a signed-in person are theirs alone: no shared cache (a proxy, a
CDN) may keep one, and the browser asks again before showing a kept copy, so
the back button after logging out does not show the last person's cards."""

from django.utils.cache import patch_cache_control


class PrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
        return response
