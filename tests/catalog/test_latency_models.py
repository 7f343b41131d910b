"""catalogs/pbs_latency_models.yaml: the four PBS models with their sources, and bad data refused."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from redplan.analysis.visibility import ParetoExponentialDelay, WanWars, Wars
from redplan.catalog import CatalogError, load_catalog
from redplan.catalog.latency_models import (
    LATENCY_MODELS_FILE,
    REQUIRED_MODELS,
    FittedDelay,
    _read_latency_models,
    load_latency_models,
)

SHIPPED = Path(__file__).resolve().parents[2] / "catalogs" / LATENCY_MODELS_FILE
SSD = FittedDelay(0.9122, 0.235, 10, 1.66)


def test_the_four_models_and_where_they_come_from():
    models = load_latency_models()
    assert set(models) == set(REQUIRED_MODELS) == {"LNKD-SSD", "LNKD-DISK", "YMMR", "WAN"}
    for model in models.values():
        assert model.source.url == "https://vldb.org/pvldb/vol5/p776_peterbailis_vldb2012.pdf"
        assert "Probabilistically Bounded Staleness" in model.source.title and "PVLDB 5(8)" in model.source.title
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", model.as_of)
        assert model.basis == "documented" and model.says.strip() and model.description.strip()
        assert model.citation.startswith(model.says) and model.as_of in model.citation


def test_fitted_parameters_are_the_papers_table():
    """Bailis et al., PVLDB 5(8) 2012, table "Distribution fits for production latency distributions"."""
    models = load_latency_models()
    ssd, disk, ymmr = models["LNKD-SSD"], models["LNKD-DISK"], models["YMMR"]
    assert (ssd.write, ssd.ack, ssd.read, ssd.response) == (SSD, SSD, SSD, SSD)
    assert disk.write == FittedDelay(0.38, 1.05, 1.51, 0.183)
    assert (disk.ack, disk.read, disk.response) == (SSD, SSD, SSD)
    assert ymmr.write == FittedDelay(0.939, 3, 3.35, 0.0028)
    assert ymmr.ack == ymmr.read == ymmr.response == FittedDelay(0.982, 1.5, 3.8, 0.0217)
    assert "3.35" in ymmr.note and "3.5" in ymmr.note


def test_wan_is_lnkd_disk_in_three_datacenters_75_ms_apart():
    models = load_latency_models()
    wan = models["WAN"]
    assert (wan.wan.base, wan.wan.datacenters, wan.wan.remote_one_way_ms) == ("LNKD-DISK", 3, 75)
    assert (wan.write, wan.ack, wan.read, wan.response) == (
        models["LNKD-DISK"].write,
        models["LNKD-DISK"].ack,
        models["LNKD-DISK"].read,
        models["LNKD-DISK"].response,
    )
    assert wan.wars() == WanWars(models["LNKD-DISK"].wars(), datacenters=3, remote_one_way_ms=75)
    assert models["LNKD-DISK"].wars() == Wars(ParetoExponentialDelay(0.38, 1.05, 1.51, 0.183), *[ParetoExponentialDelay(0.9122, 0.235, 10, 1.66)] * 3)


def test_reading_the_catalog_does_not_import_numpy():
    probe = "import sys; from redplan.catalog.latency_models import load_latency_models as l; l(); print('numpy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "False"


def test_shipped_models_are_cached_and_an_override_directory_is_read(tmp_path):
    assert load_latency_models() is load_latency_models()
    (tmp_path / LATENCY_MODELS_FILE).write_text(SHIPPED.read_text(encoding="utf-8").replace("remote_one_way_ms: 75", "remote_one_way_ms: 40"), encoding="utf-8")
    assert load_latency_models(tmp_path)["WAN"].wan.remote_one_way_ms == 40
    assert load_latency_models(load_catalog(tmp_path))["WAN"].wan.remote_one_way_ms == 40
    assert load_latency_models()["WAN"].wan.remote_one_way_ms == 75


def edited(tmp_path, old, new):
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / LATENCY_MODELS_FILE).write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path


DISK_WRITE = "W: {pareto: {weight: 0.38, x_m: 1.05, alpha: 1.51}, exponential: {weight: 0.62, lambda: 0.183}}"
WAN_LINE = "wan: {base: LNKD-DISK, datacenters: 3, remote_one_way_ms: 75}"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (DISK_WRITE, DISK_WRITE.replace("weight: 0.62", "weight: 0.52"), r"models\.LNKD-DISK\.messages\.W: Value error, pareto and exponential weights add up to 0\.9, not 1"),
        (DISK_WRITE, DISK_WRITE.replace("alpha: 1.51", "alpha: -1.51"), r"models\.LNKD-DISK\.messages\.W\.pareto\.alpha: Input should be greater than 0"),
        (DISK_WRITE, DISK_WRITE.replace("lambda: 0.183", "lambda: fast"), r"models\.LNKD-DISK\.messages\.W\.exponential\.lambda: Input should be a valid number"),
        (DISK_WRITE, DISK_WRITE.replace(", lambda: 0.183", ""), r"models\.LNKD-DISK\.messages\.W\.exponential\.lambda: Field required"),
        (DISK_WRITE, DISK_WRITE.replace("x_m: 1.05", "x_m: 1.05, scale: 2"), r"models\.LNKD-DISK\.messages\.W\.pareto\.scale: Extra inputs are not permitted"),
        (WAN_LINE, WAN_LINE.replace("LNKD-DISK", "LNKD-TAPE"), r"models\.WAN\.wan\.base: base 'LNKD-TAPE' is not a model with messages"),
        (WAN_LINE, WAN_LINE.replace("LNKD-DISK", "WAN"), r"models\.WAN\.wan\.base: base 'WAN' is not a model with messages"),
        (WAN_LINE, WAN_LINE.replace("datacenters: 3", "datacenters: 0"), r"models\.WAN\.wan\.datacenters: Input should be greater than or equal to 1"),
        (WAN_LINE, WAN_LINE.replace("remote_one_way_ms: 75", "remote_one_way_ms: -75"), r"models\.WAN\.wan\.remote_one_way_ms: Input should be greater than or equal to 0"),
        (f"    {WAN_LINE}", f"    {WAN_LINE}\n    messages: {{W: 1}}", r"models\.WAN\.messages\.W: Input should be a valid dictionary"),
        ("  YMMR:\n", "  YAMMER:\n", r"pbs_latency_models\.yaml:\d+: models: model 'YMMR' is missing"),
        ("    source: pbs-vldb-2012\n    says: \"W: 93.9%", "    source: a-blog\n    says: \"W: 93.9%", r"models\.YMMR\.source: source 'a-blog' is not in this file's sources"),
        ("    as_of: 2026-11-26\n    basis: documented\n    wan:", "    as_of: soon\n    basis: documented\n    wan:", r"models\.WAN\.as_of: Value error, as_of must be a date"),
        ("    basis: documented\n    wan:", "    basis: folklore\n    wan:", r"models\.WAN\.basis: Input should be 'documented'"),
        ("    url: https://vldb.org/pvldb/vol5/p776_peterbailis_vldb2012.pdf\n", "", r"sources\.pbs-vldb-2012\.url: a source needs a url"),
        ("  LNKD-DISK:\n", "  LNKD-SSD:\n", r"pbs_latency_models\.yaml:\d+:\d+: duplicate key 'LNKD-SSD'"),
    ],
)
def test_malformed_data_names_file_line_and_key(tmp_path, old, new, message):
    with pytest.raises(CatalogError, match=message):
        _read_latency_models(edited(tmp_path, old, new))


def test_a_model_with_neither_messages_nor_wan_is_refused(tmp_path):
    directory = edited(tmp_path, f"    {WAN_LINE}\n", "")
    with pytest.raises(CatalogError, match=r"models\.WAN: Value error, needs either messages .* or wan"):
        load_latency_models(directory)


def test_error_points_at_the_offending_line(tmp_path):
    directory = edited(tmp_path, DISK_WRITE, DISK_WRITE.replace("alpha: 1.51", "alpha: 0"))
    text = SHIPPED.read_text(encoding="utf-8")
    expected = text[: text.index(DISK_WRITE)].count("\n") + 1
    with pytest.raises(CatalogError, match=rf"{LATENCY_MODELS_FILE}:{expected}: "):
        _read_latency_models(directory)


def test_yaml_syntax_error_and_wrong_top_level(tmp_path):
    (tmp_path / LATENCY_MODELS_FILE).write_text("models: {\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=rf"{LATENCY_MODELS_FILE}:2"):
        _read_latency_models(tmp_path)
    (tmp_path / LATENCY_MODELS_FILE).write_text("- LNKD-SSD\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="expected a mapping at the top level"):
        _read_latency_models(tmp_path)


def test_shipped_file_is_plain_yaml():
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    assert set(data) == {"sources", "models"}
    assert set(data["models"]) == set(REQUIRED_MODELS)
