"""litellm, imported on first use the way the judges need it (it takes seconds to import)."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["load_litellm"]


def load_litellm() -> Any:
    """The ``litellm`` module, with the bundled price map and without its help banners."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no price-map download
    import litellm

    litellm.suppress_debug_info = True  # it otherwise prints help banners to stdout
    return litellm
