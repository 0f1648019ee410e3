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


def test_a_worker_freezes_what_its_first_requests_loaded_then_less_and_less_often():
    namespace: dict = {}
    exec((ROOT / "portal" / "gunicorn.conf.py").read_text(), namespace)  # noqa: S102
    post_request = namespace["post_request"]

    class Worker:
        pass

    worker = Worker()
    gc.unfreeze()
    try:
        loaded_by_the_first_request = [["a compiled template"]]
        post_request(worker, None, {}, None)  # request 1
        assert not collected(loaded_by_the_first_request)
        freezes = []
        for served in range(2, 1_001):
            made = [["made by request", served]]
            before = gc.get_freeze_count()
            post_request(worker, None, {}, None)
            if gc.get_freeze_count() != before:
                freezes.append(served)
                assert not collected(made)
        assert freezes == [10, 100, 1_000]
        assert worker.requests_served == 1_000
    finally:
        gc.unfreeze()
