from django.urls import URLPattern, path, re_path

from .errors import json_refusals, no_such_route
from .routes import api

# Ninja's patterns, each answering a method it does not take in JSON. (No module-level `app_name`
# here: include() would read it as this module's namespace.)
ninja_patterns, *ninja_names = api.urls
for pattern in ninja_patterns:
    if isinstance(pattern, URLPattern):
        pattern.callback = json_refusals(pattern.callback)

# Included at /api/v1/. Ninja's own root page (an HTML 404) is shadowed, and what matches no route
# answers in JSON too.
urlpatterns = [
    path("", no_such_route),
    path("", (ninja_patterns, *ninja_names)),
    re_path(r"", no_such_route),
]
