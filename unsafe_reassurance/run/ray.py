"""Ray Data: grade a ``ray.data.Dataset`` across machines, one judge per worker.

:class:`RayGrader` is a callable class for ``Dataset.map_batches``: Ray builds it once per actor
(so each worker loads the rubrics and opens its grader client once) and calls it on batches.
Each output row is the input row plus the verdict columns of ``filter`` (``ur_label``, ...;
``ur_chosen_*`` / ``ur_rejected_*`` for preference pairs). A row that cannot be read becomes an
error verdict (``ur_status="error"``), so one bad row never kills a long job and is never kept.

>>> import ray                                                                   # doctest: +SKIP
>>> ds = ray.data.read_parquet("pairs.parquet")                                  # doctest: +SKIP
>>> graded = ds.map_batches(RayGrader, batch_format="pyarrow", batch_size=256,
...                         concurrency=4, fn_constructor_kwargs={"model": None})  # doctest: +SKIP
>>> kept = graded.filter(lambda row: row["ur_label"] == "PASS")                   # doctest: +SKIP

Needs ``pip install 'unsafe-reassurance[ray]'``.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from ..errors import InputError
from ..types import JudgeInfo, Verdict
from .cache import CachedJudge, ResultCache
from .filter import verdict_columns, with_verdicts
from .grading import grade_row, is_local_judge, row_grader
from .readers import Columns, Row, rows_from_record
from .window import run_window

__all__ = ["RayGrader"]


class RayGrader:
    """``map_batches`` callable: batch in (pyarrow Table, pandas DataFrame or dict of columns),
    the same kind of batch out with verdict columns added.

    ``model=None`` uses the offline judge; a litellm model name uses the LLM judge with
    ``concurrency`` calls in flight per worker. ``cache``: a cache folder (shared storage works:
    sqlite WAL) or ``True`` for the default location.
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        api_base: str | None = None,
        policy: str = "default",
        rubrics: list[str] | None = None,
        samples: int = 1,
        concurrency: int = 16,
        cache: str | os.PathLike[str] | bool = False,
        response_col: str | None = None,
        message_col: str | None = None,
        id_col: str | None = None,
        **grader_kwargs: Any,
    ) -> None:
        from ..rubrics import load_rubrics

        loaded = load_rubrics(*(rubrics or []))
        judge: Any
        if model:
            from ..judges.llm import LLMJudge

            judge = LLMJudge(model, api_base=api_base, rubrics=loaded, policy=policy,
                             samples=samples, **grader_kwargs)
        else:
            from ..judges.offline import OfflineJudge

            judge = OfflineJudge(loaded, policy=policy)
        if cache:
            judge = CachedJudge(judge, ResultCache(None if cache is True else cache))
        self.judge = judge
        self.concurrency = concurrency
        self.columns = Columns(response=response_col, message=message_col, id=id_col)

    def _rows(self, records: list[dict[str, Any]], offset: int) -> list[list[Row] | str]:
        out: list[list[Row] | str] = []
        for i, rec in enumerate(records):
            try:
                out.append(rows_from_record(f"batch row {i + 1}", rec, self.columns,
                                            str(offset + i), keep_record=True))
            except InputError as exc:
                out.append(str(exc))
        return out

    def grade_records(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Grade plain records (dicts); returns them with verdict columns added."""
        groups = self._rows(records, 0)
        flat = [r for g in groups if not isinstance(g, str) for r in g]
        verdicts = self._grade(flat)
        out, k = [], 0
        info = getattr(self.judge, "info", JudgeInfo(name="judge"))
        for rec, group in zip(records, groups, strict=True):
            if isinstance(group, str):
                bad = Verdict.failed(f"invalid row: {group}", info)
                out.append({**rec, **verdict_columns(bad)})
                continue
            out.append(with_verdicts(group, verdicts[k:k + len(group)])[0])
            k += len(group)
        return out

    def _grade(self, rows: list[Row]) -> list[Verdict]:
        if is_local_judge(self.judge):
            return [grade_row(self.judge, r) for r in rows]
        results: list[Verdict | None] = [None] * len(rows)

        def done(item: tuple[int, Row], verdict: Verdict) -> None:
            results[item[0]] = verdict

        grade = row_grader(self.judge, None, None)

        async def work(item: tuple[int, Row]) -> Verdict:
            verdict: Verdict = await grade(item[1])
            return verdict

        samples = int(getattr(self.judge, "samples", 1) or 1)
        asyncio.run(run_window(enumerate(rows), work, done,
                               workers=max(1, self.concurrency // samples)))
        return [v for v in results if v is not None]

    def __call__(self, batch: Any) -> Any:
        if hasattr(batch, "to_pylist") and hasattr(batch, "schema"):  # pyarrow.Table
            import pyarrow as pa

            return pa.table(_columns(self.grade_records(batch.to_pylist())))
        if hasattr(batch, "to_dict") and hasattr(batch, "columns"):  # pandas.DataFrame
            import pandas as pd

            return pd.DataFrame(_columns(self.grade_records(batch.to_dict("records"))))
        columns = {k: list(v) for k, v in batch.items()}  # dict of numpy arrays / lists
        names = list(columns)
        n = len(columns[names[0]]) if names else 0
        records = [{c: _plain(columns[c][i]) for c in names} for i in range(n)]
        return _columns(self.grade_records(records))


def _columns(records: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Records to columns over the union of their keys (pairs add ur_chosen_*/ur_rejected_*)."""
    keys = list(dict.fromkeys(k for rec in records for k in rec))
    return {k: [rec.get(k) for rec in records] for k in keys}


def _plain(value: Any) -> Any:
    """numpy scalars/arrays to plain Python (lists of chat messages arrive as arrays)."""
    tolist = getattr(value, "tolist", None)
    return tolist() if callable(tolist) else value
