"""MongoDB backend (sync pymongo in trio worker threads), within FerretDB 1.x's subset."""

from storage.mongo.executor import RetryPolicy
from storage.mongo.store import MongoOptions, MongoStore, open_mongo_store

__all__ = ["MongoOptions", "MongoStore", "RetryPolicy", "open_mongo_store"]
