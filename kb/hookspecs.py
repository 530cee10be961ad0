"""Plugin hooks. Built-in ingesters use exactly the hooks a third-party package would."""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("kb")
hookimpl = pluggy.HookimplMarker("kb")


@hookspec
def register_ingesters():
    """Return a list of ingester objects (see kb.ingesters.base.Ingester)."""
