"""The benchmark command as a smoke test at city scale: it runs and reports every step.

No thresholds here: timings on a shared CI machine say nothing; `taskboard bench` is where
the targets are judged.
"""
import json

from taskboard.cli.main import main


def test_bench_city_smoke(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'bench-city.sqlite'}"
    assert main(["bench", "--scale", "city", "--db", url, "--repeat", "1", "--json"]) == 0
    steps = {s["name"]: s for s in json.loads(capsys.readouterr().out)}
    main_list = steps["load main list (query + rows)"]
    assert main_list["median_ms"] > 0 and main_list["baseline_ms"] > 0
    assert main_list["ratio"] == main_list["median_ms"] / main_list["baseline_ms"]
    assert steps["one search keystroke on the full list"]["median_ms"] > 0
    assert steps["switch period (lights recomputed, view updated)"]["median_ms"] > 0
    start = steps["cold start to first painted main window"]
    assert start["median_ms"] > start["baseline_ms"] > 0
    assert steps["peak memory with the database open (MB)"]["median_ms"] > 50
