"""portal/gunicorn.conf.py: what each worker does once it has loaded the site."""

import gc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def collected(obj) -> bool:
    """Whether a garbage collection would walk `obj` (frozen objects are left out)."""
    return any(tracked is obj for tracked in gc.get_objects())


def test_a_worker_moves_what_it_loaded_out_of_the_garbage_collectors_view():
    namespace: dict = {}
    exec((ROOT / "portal" / "gunicorn.conf.py").read_text(), namespace)  # noqa: S102
    loaded = [["stands for the site a worker has loaded"]]
    gc.unfreeze()
    assert collected(loaded)
    try:
        namespace["post_worker_init"](None)
        assert gc.get_freeze_count() > 0
        assert not collected(loaded)
        made_later = [["made by a request"]]
        assert collected(made_later)
    finally:
        gc.unfreeze()
    assert collected(loaded)


def test_a_worker_freezes_what_its_first_requests_loaded_then_less_and_less_often(monkeypatch):
    namespace: dict = {}
    exec((ROOT / "portal" / "gunicorn.conf.py").read_text(), namespace)  # noqa: S102
    post_request = namespace["post_request"]

    class Worker:
        pass

    worker = Worker()
    gc.unfreeze()
    try:
        loaded_by_the_first_request = [["a compiled template"]]
        post_request(worker, None, {}, None)  # request 1: collected and frozen for real
        assert not collected(loaded_by_the_first_request)
    finally:
        gc.unfreeze()
    frozen_after = []
    monkeypatch.setattr(gc, "collect", lambda *args: 0)
    monkeypatch.setattr(gc, "freeze", lambda: frozen_after.append(worker.requests_served))
    for _ in range(2, 12_001):
        post_request(worker, None, {}, None)
    assert frozen_after == [10, 100, 1_000, 10_000]
