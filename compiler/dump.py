"""dump: canonical text forms of each IR level, for `song ir` and golden tests (no spans, no defaults)."""

from __future__ import annotations

import json

from pydantic import BaseModel


def ir_json(node: BaseModel) -> str:
    """Stable JSON: field order as declared, defaults left out, Fractions as "n/d" strings."""
    return json.dumps(node.model_dump(mode="json", exclude_defaults=True), indent=2, ensure_ascii=False)
