import subprocess
import sys


def test_import_is_light():
    code = ("import sys, stancekit; heavy = [m for m in ('sklearn', 'torch', 'transformers', 'spacy', 'pandas', 'datasets') "
            "if m in sys.modules]; print(heavy); print(len(stancekit.__all__))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]"


def test_public_names_resolve():
    import stancekit

    for name in stancekit.__all__:
        assert getattr(stancekit, name) is not None
