"""The admin page that brings in a zipped content pack (conditions/packs) as drafts.

The zip is checked before anything is unpacked: a file that is not a zip, is too big, holds
too much once unpacked (a zip bomb), too many files, or names a path outside the pack (../,
an absolute path, a link) is refused with a 400 and a plain message. Only .md and .toml
files are unpacked. What the pack holds is then read and checked like any content folder,
and each item comes in as a draft of this clinic, listed as new, changed (with a word diff
against the current version) or unchanged.
"""

from __future__ import annotations

import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conditions.packs import files, importing

MAX_ZIP_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_FILES = 2000
MAX_RATIO = 100  # unpacked size / packed size, per file: more is a zip bomb
SUFFIXES = {".md", ".toml"}


class PackProblem(ValueError):
    pass


class PackForm(forms.Form):
    pack = forms.FileField(
        label=gettext_lazy("Content pack (.zip)"),
        help_text=gettext_lazy("A zip made by export_content (at most 5 MB)."),
    )


def safe_members(archive: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """The pack's .md and .toml files, each with its path inside the pack; PackProblem if the
    zip is unsafe (a path outside the pack, a link, too many files, too much unpacked)."""
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        raise PackProblem(_("The zip holds more than %d files.") % MAX_FILES)
    total, members = 0, []
    for info in infos:
        name = info.filename
        path = PurePosixPath(name)
        if name.startswith(("/", "\\")) or ".." in path.parts or ":" in name or "\\" in name:
            raise PackProblem(_("The zip names a path outside the pack: %s") % name)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise PackProblem(_("The zip holds a link, which a pack never does: %s") % name)
        total += info.file_size
        if total > MAX_UNPACKED_BYTES or info.file_size > MAX_RATIO * max(info.compress_size, 1000):
            raise PackProblem(_("The zip unpacks to far more than it holds (a zip bomb?)."))
        if not info.is_dir() and path.suffix in SUFFIXES:
            members.append((info, path))
    return members


def unpack(upload, folder: Path) -> Path:
    """Unpack the upload's content files into folder; the pack's root (where pack.toml or
    articles/ is, even inside one top-level folder)."""
    if upload.size > MAX_ZIP_BYTES:
        raise PackProblem(_("The file is larger than 5 MB: a content pack is much smaller."))
    if not zipfile.is_zipfile(upload):
        raise PackProblem(_("The file is not a zip. Upload the .zip of a content pack."))
    upload.seek(0)
    with zipfile.ZipFile(upload) as archive:
        members = safe_members(archive)
        for info, path in members:
            target = folder.joinpath(*path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source:
                data = source.read(info.file_size + 1)
            if len(data) > info.file_size:
                raise PackProblem(_("The zip unpacks to more than it says (a zip bomb?)."))
            target.write_bytes(data)
    roots = [p.parent for p in folder.rglob("pack.toml")] + [
        p.parent for p in folder.rglob("articles") if p.is_dir()
    ]
    if not roots:
        raise PackProblem(_("The zip holds no content pack (no pack.toml and no articles folder)."))
    return min(roots, key=lambda p: len(p.parts))


def import_pack_view(model_admin, request):
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = PackForm(request.POST or None, request.FILES or None)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import a content pack"),
        "form": form,
        "problems": [],
        "results": None,
    }
    template = "admin/conditions/condition/import_pack.html"
    if request.method != "POST":
        return TemplateResponse(request, template, context)
    if not form.is_valid():
        return TemplateResponse(request, template, context, status=400)
    with tempfile.TemporaryDirectory(prefix="pack-") as tmp:
        try:
            root = unpack(form.cleaned_data["pack"], Path(tmp))
            results = importing.import_pack(root, by=request.user)
        except PackProblem as problem:
            context["problems"] = [str(problem)]
            return TemplateResponse(request, template, context, status=400)
        except files.ContentFileError as exc:
            prefix = str(root) + "/"
            context["problems"] = [p.replace(prefix, "") for p in exc.problems]
            return TemplateResponse(request, template, context, status=400)
        except zipfile.BadZipFile:
            context["problems"] = [_("The zip is damaged and cannot be read.")]
            return TemplateResponse(request, template, context, status=400)
    context["results"] = results
    return TemplateResponse(request, template, context)
