"""NLU component: the last word on the intent before the confidence check, safety first.

1. Translators' keyword lists decide danger, suicide and whole-message commands (the rules
   are in bot/intent_keywords.py).
2. Otherwise danger wins whenever the model gives it at least `danger_from` confidence,
   even when another intent scores higher: a missed emergency costs more than an emergency
   number shown once too often. Not when the message's time cues place it outside the
   present ("vorig jaar", "ik ben nu bij mijn moeder"): then only the model's first choice
   counts. `make eval-nlu` reports what each bar would cost.

Listed in config.yml after the intent classifier and before the FallbackClassifier, so a
decided intent (confidence 1.0) is never a fallback. Runs in the Rasa server (Python 3.10).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.intent_keywords import IntentKeywords, is_intent_table

DANGER = "danger_now"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SafetyIntentClassifier(GraphComponent, IntentClassifier):
    FILE_NAME = "keyword_intents.json"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"danger_from": 0.4}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 tables: Optional[List[List[Any]]] = None) -> None:
        self._model_storage, self._resource = model_storage, resource
        self.danger_from = float({**self.get_default_config(), **config}["danger_from"])
        self.tables = tables or []
        self.rules = IntentKeywords.from_tables(self.tables)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SafetyIntentClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        self.tables = [[table["name"], table["elements"]] for table in training_data.lookup_tables
                       if is_intent_table(table.get("name", "")) and isinstance(table.get("elements"), list)]
        self.rules = IntentKeywords.from_tables(self.tables)
        with self._model_storage.write_to(self._resource) as path:
            rasa.shared.utils.io.dump_obj_as_json_to_file(path / self.FILE_NAME, {"tables": self.tables})
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "SafetyIntentClassifier":
        with model_storage.read_from(resource) as path:
            stored = rasa.shared.utils.io.read_json_file(path / cls.FILE_NAME)
        return cls(config, model_storage, resource, stored["tables"])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = self.rules.decide(message.get(TEXT) or "") or self._danger_from_model(message)
            if intent is None:
                continue
            decided = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
            others = [dict(r, **{PREDICTED_CONFIDENCE_KEY: 0.0}) for r in message.get(INTENT_RANKING_KEY) or []
                      if r.get(INTENT_NAME_KEY) != intent]
            message.set(INTENT, decided, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [decided] + others, add_to_output=True)
        return messages

    def _danger_from_model(self, message: Message) -> Optional[str]:
        ranking = message.get(INTENT_RANKING_KEY) or []
        danger = max((r.get(PREDICTED_CONFIDENCE_KEY, 0.0) for r in ranking if r.get(INTENT_NAME_KEY) == DANGER),
                     default=0.0)
        return DANGER if danger >= self.danger_from and not self.rules.distanced(message.get(TEXT) or "") else None

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
