"""NLU featurizer: Rasa's RegexFeaturizer, with its patterns compiled when the model loads.

Rasa's RegexFeaturizer turns every lookup table (our keyword lists: 166 patterns, some of them
thousands of words long) into a pattern, and compiles them through the `re` module's cache on
the first message it sees: the first person after each start waited about 3.5 s more. This
subclass compiles them, with the same flags, while the model loads; the cache (512 patterns)
then serves every turn. What it computes is unchanged.
Runs in the Rasa server (Python 3.10).
"""
from __future__ import annotations

import re
from typing import Any, Dict, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class PrecompiledRegexFeaturizer(RegexFeaturizer):
    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "PrecompiledRegexFeaturizer":
        featurizer = super().load(config, model_storage, resource, execution_context, **kwargs)
        flags = 0 if featurizer.case_sensitive else re.IGNORECASE  # as RegexFeaturizer._features_for_patterns
        for pattern in featurizer.known_patterns:
            re.compile(pattern["pattern"], flags)
        return featurizer
