"""kb's Datasette face: the plugin (hooks below), its pages, templates and static files.

This package is the plugin module Datasette loads (entry point group `datasette`); the
hooks live in `kb.serve.plugin` and are re-exported here so that pluggy finds them on the
package, and Datasette finds the package's `templates/`.
"""
from kb.serve.plugin import (  # noqa: F401
    extra_css_urls,
    extra_js_urls,
    menu_links,
    permission_allowed,
    prepare_connection,
    register_routes,
    render_cell,
)
