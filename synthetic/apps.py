from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    """Benchmark tooling: a synthetic corpus and a bulk writer for trusted generated items.
    No models; the `generate_corpus` command."""

    name = "synthetic"
    verbose_name = "Synthetic benchmark data"
