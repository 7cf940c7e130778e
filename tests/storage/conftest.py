"""The storage tests run against a real S3 server (SeaweedFS, tests/storage/seaweedfs.py),
started once for the session; each test gets a bucket of its own as the media storage."""

from __future__ import annotations

import pytest

from config.settings import s3_media_storage
from tests.storage.seaweedfs import S3Server, cannot_run, running_seaweedfs


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> S3Server:
    reason = cannot_run()
    if reason:
        pytest.skip(reason)
    with running_seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


def media_in(server: S3Server, bucket: str) -> dict:
    return s3_media_storage(
        bucket=bucket,
        endpoint_url=server.endpoint_url,
        region=server.region,
        access_key=server.access_key,
        secret_key=server.secret_key,
    )


@pytest.fixture
def bucket(s3_server, settings) -> str:
    """A new, empty bucket, the media storage (default_storage and every FileField)
    for this test; emptied and removed afterwards."""
    name = s3_server.new_bucket()
    settings.STORAGES = {**settings.STORAGES, "default": media_in(s3_server, name)}
    yield name
    s3_server.drop_bucket(name)
