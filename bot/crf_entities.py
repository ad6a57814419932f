"""NLU component: Rasa's CRF entity extractor, kept as trained instead of trained again at every start.

Rasa 3.6's CRFEntityExtractor stores its training data, not its model, and fits the CRF again
each time a model is loaded: about 80 of the 105 seconds a Rasa server needed to start on
2 cores, paid again by every replica, every restart after a crash and every test run. This
subclass stores CRFsuite's own model file (a data format, not a pickle) and opens it on load;
what it predicts is unchanged.
Runs in the Rasa server (Python 3.10).
"""
from __future__ import annotations

import logging
import shutil
from collections import OrderedDict
from typing import Any, Dict, List, Text

import pycrfsuite
import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor, CRFToken

logger = logging.getLogger(__name__)

ORDER_FILE = "crf_order.json"


def model_file(tag_name: str) -> str:
    return f"crf_{tag_name}.crfsuite"


class StoredTagger:
    """A trained CRF opened from its model file, with the one method the extractor calls."""

    def __init__(self, model: bytes) -> None:
        self.model = model  # CRFsuite reads from this buffer and does not copy it
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open_inmemory(self.model)
        self.labels = self.tagger.labels()

    def predict_marginals_single(self, features: List[Dict[Text, Any]]) -> List[Dict[Text, float]]:
        self.tagger.set(features)
        return [{label: self.tagger.marginal(label, i) for label in self.labels} for i in range(len(features))]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class StoredCRFEntityExtractor(CRFEntityExtractor):
    def persist(self, dataset: List[List[CRFToken]]) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            rasa.shared.utils.io.dump_obj_as_json_to_file(model_dir / ORDER_FILE, self.crf_order)
            for tag_name, tagger in (self.entity_taggers or {}).items():
                shutil.copyfile(tagger.modelfile.name, model_dir / model_file(tag_name))

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "StoredCRFEntityExtractor":
        try:
            with model_storage.read_from(resource) as model_dir:
                crf_order = rasa.shared.utils.io.read_json_file(model_dir / ORDER_FILE)
                taggers = OrderedDict((tag_name, StoredTagger((model_dir / model_file(tag_name)).read_bytes()))
                                      for tag_name in crf_order)
        except ValueError:
            logger.warning(f"{cls.__name__}: no trained model in resource '{resource.name}'; no entities.")
            return cls(config, model_storage, resource)
        extractor = cls(config, model_storage, resource, taggers)
        extractor.crf_order = crf_order
        return extractor
