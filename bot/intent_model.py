"""NLU component: Rasa's linear intent model, stored as plain arrays.

Rasa 3.6's LogisticRegressionClassifier stores the fitted model with skops, whose import scans
every scikit-learn module for the types it trusts: about 14 of the 15 seconds a Rasa server
needed to load our model on 2 cores. The fitted model is only weights, intercepts and intent
names, so this subclass stores those in a NumPy file (no pickle) and sets them on a fresh
LogisticRegression built from the same config; what it predicts is unchanged.
Runs in the Rasa server (Python 3.10).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Text

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

logger = logging.getLogger(__name__)

WEIGHTS_FILE = "intent_model.npz"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class StoredLogisticRegressionClassifier(LogisticRegressionClassifier):
    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            np.savez(model_dir / WEIGHTS_FILE, coef=self.clf.coef_, intercept=self.clf.intercept_,
                     classes=np.array(self.clf.classes_, dtype=str))

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "StoredLogisticRegressionClassifier":
        component = cls(config, execution_context.node_name, model_storage, resource)
        try:
            with model_storage.read_from(resource) as model_dir:
                with np.load(model_dir / WEIGHTS_FILE, allow_pickle=False) as stored:
                    component.clf.coef_ = stored["coef"]
                    component.clf.intercept_ = stored["intercept"]
                    component.clf.classes_ = stored["classes"]
        except ValueError:  # nothing was trained (no intent examples), as in Rasa's own
            logger.warning(f"{cls.__name__}: no trained model in resource '{resource.name}'.")
            return component
        component.clf.n_features_in_ = component.clf.coef_.shape[1]
        return component
