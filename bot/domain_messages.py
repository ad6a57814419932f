"""Babel extractor for the Dutch texts in Rasa's domain.yml (responses and button titles).

`pybabel extract -F babel.cfg` calls `extract` for domain.yml, so translators see every
response in the same catalog as the texts of `helplines/`. Language-picker buttons carry
each language's own name and are left out.
"""
from __future__ import annotations

from typing import IO, Any, Iterator

import yaml

Extracted = tuple[int, str, str, list[str]]


def _value(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v
    return None


def extract(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Iterator[Extracted]:
    root = yaml.compose(fileobj.read().decode("utf-8"))
    responses = _value(root, "responses")
    if responses is None:
        return
    for name_node, variants in responses.value:
        name = name_node.value
        for variant in variants.value:
            text = _value(variant, "text")
            if text is not None:
                yield text.start_mark.line + 1, "_", text.value, [f"Rasa response {name}"]
            buttons = _value(variant, "buttons")
            for button in buttons.value if buttons is not None else []:
                title, payload = _value(button, "title"), _value(button, "payload")
                if payload is not None and payload.value.startswith("/change_language"):
                    continue
                if title is not None:
                    yield title.start_mark.line + 1, "_", title.value, [f"button in {name}"]
