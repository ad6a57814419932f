"""NLU component: entities that speak the directory's vocabulary, from keyword lists.

Translators keep keyword lists as Rasa lookup tables named `<entity>=<code>`
(`topic=stalking`) in data/nlu/<language>_topics.yml; a match becomes the entity with that
code (matching rules: bot/keyword_matching.py). It also drops entity values that no training
example uses (the ragged spans a statistical extractor sometimes returns, "raped me" for a
topic), so a slot never holds a word where a code belongs.

Runs in the Rasa server (Python 3.10). Listed in config.yml after the entity extractors.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_TYPE, ENTITY_ATTRIBUTE_VALUE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.intent_keywords import is_intent_table
from bot.keyword_matching import Keyword, KeywordIndex, extract, keywords_from_tables


def keywords_from(training_data: TrainingData) -> List[Keyword]:
    return keywords_from_tables(
        (table.get("name", ""), table.get("elements") or [])
        for table in training_data.lookup_tables
        if isinstance(table.get("elements"), list) and not is_intent_table(table.get("name", ""))
    )


def known_values_from(training_data: TrainingData, keywords: List[Keyword]) -> Dict[str, List[str]]:
    values: Dict[str, set] = {}
    for example in training_data.entity_examples:
        for entity in example.get(ENTITIES, []):
            values.setdefault(entity[ENTITY_ATTRIBUTE_TYPE], set()).add(str(entity[ENTITY_ATTRIBUTE_VALUE]))
    for keyword in keywords:
        values.setdefault(keyword.entity, set()).add(keyword.value)
    return {entity: sorted(found) for entity, found in values.items()}

@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class KeywordEntityExtractor(GraphComponent, EntityExtractorMixin):
    FILE_NAME = "keyword_entities.json"

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 keywords: Optional[List[Keyword]] = None, known_values: Optional[Dict[str, List[str]]] = None) -> None:
        self._config, self._model_storage, self._resource = config, model_storage, resource
        self.keywords = keywords or []
        self.index = KeywordIndex(self.keywords)
        self.known_values = known_values or {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "KeywordEntityExtractor":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        self.keywords = keywords_from(training_data)
        self.index = KeywordIndex(self.keywords)
        self.known_values = known_values_from(training_data, self.keywords)
        with self._model_storage.write_to(self._resource) as path:
            rasa.shared.utils.io.dump_obj_as_json_to_file(path / self.FILE_NAME, {
                "keywords": [[k.entity, k.value, [[list(slot) for slot in part] for part in k.parts]] for k in self.keywords],
                "known_values": self.known_values,
            })
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "KeywordEntityExtractor":
        with model_storage.read_from(resource) as path:
            stored = rasa.shared.utils.io.read_json_file(path / cls.FILE_NAME)
        keywords = [Keyword(e, v, tuple(tuple(tuple(slot) for slot in part) for part in parts))
                    for e, v, parts in stored["keywords"]]
        return cls(config, model_storage, resource, keywords, stored["known_values"])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            found = self.add_extractor_name(extract(message.get(TEXT) or "", self.index))
            by_keyword = {entity[ENTITY_ATTRIBUTE_TYPE] for entity in found}
            kept = [
                entity for entity in message.get(ENTITIES, [])
                if entity[ENTITY_ATTRIBUTE_TYPE] not in by_keyword
                and (entity[ENTITY_ATTRIBUTE_TYPE] not in self.known_values
                     or str(entity[ENTITY_ATTRIBUTE_VALUE]) in self.known_values[entity[ENTITY_ATTRIBUTE_TYPE]])
            ]
            message.set(ENTITIES, kept + found, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
