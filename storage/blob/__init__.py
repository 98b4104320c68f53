"""Blob stores: Azure Blob (aio SDK on trio) and the local filesystem."""

from storage.blob.azure import AzureBlobStore, open_azure_blob_store
from storage.blob.local import LocalBlobStore
from storage.blob.protocols import BlobStore, StoredBlob
from storage.blob.signing import sign_download, verify_download

__all__ = [
    "AzureBlobStore",
    "BlobStore",
    "LocalBlobStore",
    "StoredBlob",
    "open_azure_blob_store",
    "sign_download",
    "verify_download",
]
