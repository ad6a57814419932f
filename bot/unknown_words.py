"""NLU component: a message with no word the assistant knows is not understood, whatever the model guesses.

Listed in config.yml after bot.safety_intents.SafetyIntentClassifier and before the
FallbackClassifier. It learns the words of the training examples and keyword lists
(bot/vocabulary.py). When none of a message's words is among them, it takes the confidence
away from the model's intent, so the FallbackClassifier says "I did not understand" and
repeats the options, with 112 and 0800-2000 as every reply does. An intent the keywords or
the danger bar decided (confidence 1.0) is never touched: safety first.
Runs in the Rasa server (Python 3.10).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.vocabulary import Vocabulary

DECIDED = 1.0


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UnknownWordsGuard(GraphComponent):
    FILE_NAME = "vocabulary.json"

    def __init__(self, model_storage: ModelStorage, resource: Resource,
                 vocabulary: Optional[Vocabulary] = None) -> None:
        self._model_storage, self._resource = model_storage, resource
        self.vocabulary = vocabulary or Vocabulary.from_words([])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "UnknownWordsGuard":
        return cls(model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts = [m.get(TEXT) for m in training_data.training_examples if m.get(TEXT)]
        texts += [element for table in training_data.lookup_tables
                  if isinstance(table.get("elements"), list) for element in table["elements"]]
        self.vocabulary = Vocabulary.from_texts(texts)
        with self._model_storage.write_to(self._resource) as path:
            rasa.shared.utils.io.dump_obj_as_json_to_file(path / self.FILE_NAME, sorted(self.vocabulary.words))
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "UnknownWordsGuard":
        with model_storage.read_from(resource) as path:
            words = rasa.shared.utils.io.read_json_file(path / cls.FILE_NAME)
        return cls(model_storage, resource, Vocabulary.from_words(words))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(PREDICTED_CONFIDENCE_KEY, 0.0) >= DECIDED:
                continue
            if self.vocabulary.knows_any_word_of(message.get(TEXT) or ""):
                continue
            message.set(INTENT, {**intent, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [{**r, PREDICTED_CONFIDENCE_KEY: 0.0}
                                             for r in message.get(INTENT_RANKING_KEY) or []], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
