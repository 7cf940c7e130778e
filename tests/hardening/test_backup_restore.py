"""`manage.py backup` / `restore`: every row (history included) and every stored
file back, byte for byte, into an empty installation; never into a non-empty one."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from knox.models import AuthToken

from agreements import services
from agreements.management.commands.backup import backed_up_models
from agreements.models import Agreement, Document, Memorandum
from tests.factories import MemorandumFactory

pytestmark = pytest.mark.django_db(transaction=True)

PDF_BYTES = b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(255, -1, -1)) * 4


def _snapshot() -> dict[str, list[dict]]:
    return {
        model._meta.label: sorted(
            model._base_manager.values(), key=lambda row: str(row[model._meta.pk.attname])
        )
        for model in backed_up_models()
    }


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _seed_with_files() -> None:
    call_command("seed_demo", verbosity=0)
    officer = get_user_model().objects.get(username="officer")
    AuthToken.objects.create(user=officer)
    agreement = Agreement.objects.filter(home_city__name="Tehran").order_by("pk").first()
    for name, data in [("letter.pdf", PDF_BYTES), ("photo.png", PNG_BYTES)]:
        document = Document(agreement=agreement, kind="letter", file=SimpleUploadedFile(name, data))
        services.save_record(record=document, by=officer)
    # A frozen memorandum: its stored PDF must come back byte for byte.
    from agreements.pdf import freeze_pdf

    memorandum = MemorandumFactory(agreement=agreement, number=99)
    memorandum.frozen_at = timezone.now()
    freeze_pdf(memorandum)
    memorandum.save()
    services.update_agreement(agreement=agreement, by=officer, title="Renamed before backup")


def test_backup_then_restore_into_an_empty_installation_gives_everything_back(media, tmp_path):
    _seed_with_files()
    before_rows = _snapshot()
    before_files = _files(media)
    assert len(before_files) >= 3
    assert Memorandum.objects.filter(pdf__gt="").exists()
    assert before_rows["agreements.HistoricalAgreement"]
    assert before_rows["knox.AuthToken"]
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    assert archive.stat().st_mode & 0o077 == 0  # holds password hashes and tokens

    # Lose everything.
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media)
    assert not Agreement.objects.exists()

    call_command("restore", str(archive), verbosity=0)
    after_rows = _snapshot()
    for label, rows in before_rows.items():
        assert after_rows[label] == rows, label
    assert _files(media) == before_files
    # The data works: the officer still signs in with the same password hash.
    officer = get_user_model().objects.get(username="officer")
    assert officer.check_password("demo")

    # Not into a database that holds data.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), verbosity=0)
    assert _snapshot() == before_rows


def test_restore_refuses_a_damaged_archive_and_non_empty_media(media, tmp_path):
    media.mkdir(parents=True)
    (media / "documents").mkdir()
    (media / "documents" / "x.pdf").write_bytes(PDF_BYTES)
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    with pytest.raises(CommandError, match="MEDIA_ROOT"):
        call_command("restore", str(archive), verbosity=0)
    shutil.rmtree(media)

    # The same archive with one file's bytes changed.
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "media/documents/x.pdf":
                data = data.replace(b"%PDF", b"%PDX")
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(damaged), verbosity=0)
    assert not media.exists() or not any(media.rglob("*.pdf"))


def test_restore_refuses_paths_outside_the_archive(media, tmp_path):
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        for name in ["manifest.json", "data/db.jsonl", "media/../../escape.txt"]:
            info = tarfile.TarInfo(name)
            info.size = 2
            tar.addfile(info, io.BytesIO(b"{}"))
    with pytest.raises(CommandError, match="Refusing"):
        call_command("restore", str(evil), verbosity=0)
    assert not (tmp_path / "escape.txt").exists()


def _rewritten(archive: Path, target: Path, change) -> Path:
    """A copy of `archive` with `change(name, data) -> data` applied to its media
    files and the manifest rewritten to match, as a careful forger would."""
    with tarfile.open(archive, "r:gz") as source:
        members = {m.name: (m, source.extractfile(m).read()) for m in source.getmembers()}
    manifest = json.loads(members["manifest.json"][1])
    for name, (member, data) in list(members.items()):
        if name.startswith("media/"):
            changed = change(name, data)
            if changed != data:
                members[name] = (member, changed)
                manifest["members"][name] = {
                    "sha256": hashlib.sha256(changed).hexdigest(),
                    "size": len(changed),
                }
    members["manifest.json"] = (members["manifest.json"][0], json.dumps(manifest).encode())
    with tarfile.open(target, "w:gz") as out:
        for member, data in members.values():
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


@pytest.mark.parametrize("changed", ["document", "memorandum"])
def test_restore_refuses_files_changed_with_their_manifest_naming_the_record(
    media, tmp_path, changed
):
    _seed_with_files()
    document = Document.objects.filter(original_name="letter.pdf").get()
    memorandum = Memorandum.objects.get(number=99)
    target = (
        f"media/{document.file.name}" if changed == "document" else f"media/{memorandum.pdf.name}"
    )
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    forged = _rewritten(
        archive,
        tmp_path / "forged.tar.gz",
        lambda name, data: data + b"\n% appended" if name == target else data,
    )
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media)

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(forged), verbosity=0)
    record = f"document {document.pk}" if changed == "document" else f"memorandum {memorandum.pk}"
    assert record in str(refused.value)
    assert "Nothing was restored" in str(refused.value)
    # Nothing written: no rows, no files.
    assert not Agreement.objects.exists() and not Document.objects.exists()
    assert not get_user_model().objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    # The untouched archive still restores.
    call_command("restore", str(archive), verbosity=0)
    assert Document.objects.filter(pk=document.pk).exists()


def test_restore_refuses_a_record_whose_file_is_not_in_the_archive(media, tmp_path):
    _seed_with_files()
    document = Document.objects.filter(original_name="photo.png").get()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    dropped = tmp_path / "dropped.tar.gz"
    name = f"media/{document.file.name}"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(dropped, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == name:
                continue
            if member.name == "manifest.json":
                manifest = json.loads(data)
                del manifest["members"][name]
                data = json.dumps(manifest).encode()
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media)
    with pytest.raises(CommandError, match=f"document {document.pk}: its file .* is not in"):
        call_command("restore", str(dropped), verbosity=0)
    assert not Document.objects.exists()


def test_restore_of_an_older_backup_leaves_out_drf_tokens(media, tmp_path):
    """Backups written before API tokens moved to knox hold DRF's authtoken rows: the
    restore leaves them out (their owners obtain new tokens) and restores the rest."""
    officer = get_user_model().objects.create_user("officer", password="pw")
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    older = tmp_path / "older.tar.gz"
    old_row = {
        "model": "authtoken.token",
        "pk": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
        "fields": {"user": officer.pk, "created": "2026-01-01T00:00:00Z"},
    }
    with tarfile.open(archive, "r:gz") as source:
        members = {m.name: (m, source.extractfile(m).read()) for m in source.getmembers()}
    data = members["data/db.jsonl"][1] + (json.dumps(old_row) + "\n").encode()
    manifest = json.loads(members["manifest.json"][1])
    manifest["models"].append("authtoken.Token")
    manifest["counts"]["authtoken.Token"] = 1
    manifest["members"]["data/db.jsonl"] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    members["data/db.jsonl"] = (members["data/db.jsonl"][0], data)
    members["manifest.json"] = (members["manifest.json"][0], json.dumps(manifest).encode())
    with tarfile.open(older, "w:gz") as out:
        for member, content in members.values():
            member.size = len(content)
            out.addfile(member, io.BytesIO(content))
    call_command("flush", interactive=False, verbosity=0)

    err = io.StringIO()
    call_command("restore", str(older), verbosity=0, stderr=err)
    assert "Leaving out authtoken.Token rows" in err.getvalue()
    assert get_user_model().objects.get(username="officer").check_password("pw")
