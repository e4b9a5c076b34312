"""What every JSON API controller shares."""

from __future__ import annotations

from litestar import Controller, Request, Response
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_204_NO_CONTENT


def allowed_methods(request: Request) -> str:
    """The methods of the route that matched ``request``, as an ``Allow`` header lists them."""
    template = request.scope["path_template"]
    methods = {
        method
        for route in request.app.routes
        if isinstance(route, HTTPRoute) and route.path_format == template
        for method in route.methods
    }
    return ", ".join(sorted(methods))


async def answer_options(request: Request) -> Response | None:
    """Answer OPTIONS with every method of the path.

    Litestar 2.25 builds a path's OPTIONS handler with the first handler registered on it and
    never updates its ``Allow``, so ``/api/needs/{reference}`` listed only ``GET, OPTIONS``.
    """
    if request.method != "OPTIONS":
        return None
    return Response(content=None, status_code=HTTP_204_NO_CONTENT,
                    headers={"Allow": allowed_methods(request)})


class ApiController(Controller):
    before_request = answer_options
