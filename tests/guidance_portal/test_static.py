import json

from django.core.management import call_command
from django.templatetags.static import static
from django.test.utils import override_settings

MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_static_files_get_hashed_and_compressed_names(tmp_path):
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=MANIFEST_STORAGE, DEBUG=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        hashed = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
        url = static("css/portal.css")

    name = hashed["css/portal.css"]
    assert name != "css/portal.css" and name.startswith("css/portal.")
    assert (tmp_path / name).exists()
    assert (tmp_path / f"{name}.gz").exists()
    assert url == f"/static/{name}"
