"""The public API is exactly ``__all__``, and importing it stays light."""

import subprocess
import sys

import unsafe_reassurance


def test_all_names_resolve_and_are_public():
    for name in unsafe_reassurance.__all__:
        assert getattr(unsafe_reassurance, name) is not None, name
    public = {n for n in dir(unsafe_reassurance) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(unsafe_reassurance, n)).__name__ == "module"}
    assert public - modules - {"annotations", "TYPE_CHECKING", "Any"} <= set(unsafe_reassurance.__all__)


def test_import_does_not_pull_heavy_modules():
    code = ("import sys, unsafe_reassurance; "
            "heavy = [m for m in ('litellm', 'instructor', 'pandas', 'matplotlib', 'sklearn') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_llm_judge_is_lazy_but_available():
    code = ("import sys, unsafe_reassurance as u; j = u.LLMJudge; "
            "print('litellm' in sys.modules, j.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False LLMJudge"  # the class loads; litellm only on first call
