from __future__ import annotations

import hashlib
from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from weibao.accounts.models import AuditEvent
from weibao.customers import services
from weibao.customers.models import TechnicalFile

API = "/api/v1"
PDF = b"%PDF-1.7\n" + b"x" * 100


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_upload_stores_the_file_under_a_random_name_and_records_its_facts(as_staff, archive_a):
    url = f"{API}/clients/{archive_a.client.pk}/technical-files"
    data = {"title": "网络拓扑", "kind": "network", "file": upload("../../机房/网络拓扑图.pdf", PDF, "text/html")}
    response = as_staff.post(url, data)
    assert response.status_code == 201, response.content
    body = response.json()
    stored = TechnicalFile.objects.get(pk=body["id"])
    assert body["original_name"] == "网络拓扑图.pdf"
    assert body["size"] == len(PDF)
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    # What the content is, not what the browser claimed.
    assert body["content_type"] == "application/pdf"
    name = stored.file.name or ""
    assert name.startswith(f"technical/{archive_a.client.pk}/")
    assert "网络" not in name
    assert ".." not in name
    assert default_storage.open(name).read() == PDF
    event = AuditEvent.objects.get(action="technical_file.create")
    assert event.client_id == archive_a.client.pk
    assert event.after["sha256"] == body["sha256"]


def test_upload_of_a_disallowed_type_is_an_error_on_file(as_staff, archive_a):
    url = f"{API}/clients/{archive_a.client.pk}/technical-files"
    response = as_staff.post(url, {"title": "脚本", "file": upload("run.exe", b"MZ\x90\x00")})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["file"]
    assert "不允许上传此类型的文件" in response.json()["errors"]["file"][0]
    assert not TechnicalFile.objects.filter(title="脚本").exists()


def test_upload_over_the_size_limit_is_an_error_on_file_in_english_for_an_english_user(
    as_staff, staff, archive_a, settings
):
    settings.UPLOAD_MAX_BYTES = 50
    staff.language = "en"
    staff.save()
    url = f"{API}/clients/{archive_a.client.pk}/technical-files"
    response = as_staff.post(url, {"title": "大文件", "file": upload("big.pdf", PDF)})
    assert response.status_code == 422
    assert response.json()["errors"]["file"] == ["The file is too large: at most 50\xa0bytes may be uploaded."]


def test_upload_over_the_size_limit_is_refused_in_chinese_on_the_page(as_staff, archive_a, settings):
    settings.UPLOAD_MAX_BYTES = 50
    url = reverse("customers:technical_file_create", args=[archive_a.client.pk])
    response = as_staff.post(url, {"title": "大文件", "kind": "other", "file": upload("big.pdf", PDF)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "文件太大" in page
    assert not TechnicalFile.objects.filter(title="大文件").exists()


def test_upload_without_a_file_on_the_page_names_the_file_field(as_staff, archive_a):
    url = reverse("customers:technical_file_create", args=[archive_a.client.pk])
    page = as_staff.post(url, {"title": "无文件", "kind": "other"}).content.decode()
    assert "这个字段是必填项。" in page


def test_upload_through_the_page_stores_the_file(as_staff, archive_a):
    url = reverse("customers:technical_file_create", args=[archive_a.client.pk])
    data = {
        "title": "用户手册",
        "kind": "user_manual",
        "deployment": archive_a.deployment.pk,
        "file": upload("手册.txt", b"hello"),
    }
    response = as_staff.post(url, data)
    assert response.status_code == 302
    stored = TechnicalFile.objects.get(title="用户手册")
    assert stored.content_type == "text/plain"
    assert stored.uploaded_by.username == "staff"


def test_upload_with_another_clients_deployment_is_refused(as_staff, archive_a, archive_b):
    url = f"{API}/clients/{archive_a.client.pk}/technical-files"
    data = {"title": "x", "deployment_id": archive_b.deployment.pk, "file": upload("a.txt", b"abc")}
    response = as_staff.post(url, data)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["deployment_id"]


def test_a_failed_upload_leaves_no_stored_file(staff, archive_a, monkeypatch):
    before = set(default_storage.listdir(f"technical/{archive_a.client.pk}")[1])

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("weibao.customers.services.technical_files.event_record", broken)
    with pytest.raises(RuntimeError):
        services.technical_file_create(actor=staff, client=archive_a.client, title="x", file=upload("a.txt", b"abc"))
    assert set(default_storage.listdir(f"technical/{archive_a.client.pk}")[1]) == before


def test_client_user_cannot_upload_to_their_own_client(as_client_a, archive_a):
    url = f"{API}/clients/{archive_a.client.pk}/technical-files"
    assert as_client_a.post(url, {"title": "x", "file": upload("a.txt", b"abc")}).status_code == 403


def test_technical_file_download_is_attachment_with_nosniff(as_staff, archive_a):
    response = as_staff.get(reverse("customers:technical_file_download", args=[archive_a.technical_file.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"filename*=UTF-8''{quote('部署手册.txt')}" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"manual"


def test_technical_file_download_through_the_api_is_attachment_with_nosniff(as_client_a, archive_a):
    url = f"{API}/technical-files/{archive_a.technical_file.pk}/download"
    response = as_client_a.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"manual"


def test_client_user_gets_404_downloading_another_clients_file(as_client_a, archive_b):
    assert (
        as_client_a.get(reverse("customers:technical_file_download", args=[archive_b.technical_file.pk])).status_code
        == 404
    )
    assert as_client_a.get(f"{API}/technical-files/{archive_b.technical_file.pk}/download").status_code == 404


def test_download_of_a_missing_stored_file_is_404_not_500(as_staff, archive_a):
    default_storage.delete(archive_a.technical_file.file.name)
    assert (
        as_staff.get(reverse("customers:technical_file_download", args=[archive_a.technical_file.pk])).status_code
        == 404
    )


def test_deleting_a_technical_file_removes_the_stored_file_on_commit(
    staff, archive_a, django_capture_on_commit_callbacks
):
    name = archive_a.technical_file.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.technical_file_delete(actor=staff, technical_file=archive_a.technical_file)
    # Until the transaction commits the content is still there.
    assert default_storage.exists(name)
    for callback in callbacks:
        callback()
    assert not default_storage.exists(name)
    assert AuditEvent.objects.get(action="technical_file.delete").before["original_name"] == "部署手册.txt"


def test_technical_file_metadata_can_be_changed_but_not_to_another_clients_deployment(as_staff, archive_a, archive_b):
    url = f"{API}/technical-files/{archive_a.technical_file.pk}"
    assert as_staff.patch(url, {"title": "安装手册 v2"}, "application/json").json()["title"] == "安装手册 v2"
    response = as_staff.patch(url, {"deployment_id": archive_b.deployment.pk}, "application/json")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["deployment_id"]


def test_technical_file_list_filters_by_client_and_kind(as_staff, archive_a, archive_b):
    body = as_staff.get(f"{API}/technical-files", {"client_id": archive_a.client.pk, "kind": "installation"}).json()
    assert [item["id"] for item in body["items"]] == [archive_a.technical_file.pk]
    assert as_staff.get(f"{API}/technical-files", {"kind": "design"}).json()["count"] == 0


def test_upload_page_sends_files_as_multipart(as_staff, archive_a):
    page = as_staff.get(reverse("customers:technical_file_create", args=[archive_a.client.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert f'value="{archive_a.deployment.pk}"' in page
