from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's tools as a Django app, for `manage.py make_synthetic_content`.

    No models, no URLs: installed only so Django finds the management command beside the
    benchmark (bench/run.py) that it serves."""

    name = "bench"
    verbose_name = "Benchmark tools"
