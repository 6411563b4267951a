# expect-finding: dynamic-legacy-reference
import importlib

MODELS = importlib.import_module("mvp_models")
CONFIG = {"models": "mvp_models:MVPUser"}
