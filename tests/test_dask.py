"""`--scheduler`: the same run on a real Dask LocalCluster gives the same outputs as the local pool."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf
import pytest
from test_batch import make_scans

from digitize import api
from digitize.config import RunConfig
from digitize.errors import ExitCode, UsageError
from digitize.ledger import Status

distributed = pytest.importorskip("distributed", reason="dask.distributed is the optional 'dask' extra")


def regions(out: Path, name: str) -> list[list[tuple[str, str, list[int]]]]:
    data = json.loads((out / name / f"{name}.json").read_text(encoding="utf-8"))
    return [[(r["type"], r["text"], r["bbox"]) for r in page["regions"]] for page in data["pages"]]


def test_dask_cluster_gives_the_local_outputs(tmp_path: Path) -> None:
    scans = make_scans(tmp_path / "scans", {"a": 1, "d": 2})
    # the reference: text and regions do not depend on the PDF, which only the Dask run builds
    local = api.run(scans, tmp_path / "local", config=RunConfig().updated(pdf={"enabled": False}), jobs=2)
    assert local.exit_code == ExitCode.OK
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        remote = api.run(scans, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert remote.exit_code == ExitCode.OK
    assert {d.name: d.status for d in remote.batch.documents} == {"a": "done", "d": "done"}
    for name in ("a", "d"):
        text = (tmp_path / "dask" / name / f"{name}.txt").read_text(encoding="utf-8")
        assert text == (tmp_path / "local" / name / f"{name}.txt").read_text(encoding="utf-8")
        assert regions(tmp_path / "dask", name) == regions(tmp_path / "local", name)
        with pikepdf.open(tmp_path / "dask" / name / f"{name}.pdf") as pdf:
            assert len(pdf.pages) == len(regions(tmp_path / "local", name))
    run_json = json.loads(remote.run_json.read_text(encoding="utf-8"))
    assert run_json["scheduler"] == cluster.scheduler_address
    account = api.status(tmp_path / "dask")  # the ledger is kept by the submitting process, as locally
    assert len(account.by_status(Status.DONE)) == 2 and account.pages["done"] == 3


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("digitize.distributed.CONNECT_TIMEOUT", "2s")  # 30 s in real use
    scans = make_scans(tmp_path / "scans", {"a": 1})
    with pytest.raises(UsageError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        api.run(scans, tmp_path / "out", scheduler="tcp://127.0.0.1:9")
