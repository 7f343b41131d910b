import re
from pathlib import Path

import pytest

from redplan.analysis.cost import HOURS_PER_MONTH, TRANSFER_CLASSES
from redplan.catalog import CatalogError, load_catalog
from redplan.catalog.prices import load_prices

SHIPPED = Path(__file__).resolve().parents[2] / "catalogs" / "prices.yaml"


def every_figure(prices):
    for provider in prices.providers.values():
        yield provider.instance
        yield provider.block_storage
        yield provider.backup_storage
        if provider.backup_storage_infrequent is not None:
            yield provider.backup_storage_infrequent
        yield from provider.transfer.values()


def test_every_price_has_a_source_and_an_as_of_date():
    prices = load_prices()
    figures = list(every_figure(prices))
    assert len(figures) >= 4 * 7
    for figure in figures:
        assert figure.source in prices.sources
        assert figure.says.strip()
        assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", figure.as_of)
        if figure.basis != "assumption":
            assert prices.sources[figure.source].url.startswith("https://")


def test_reference_instances_are_4_vcpu_16_gib():
    prices = load_prices()
    expected = {"aws": ("m6i.xlarge", 0.192), "azure": ("Standard_D4s_v5", 0.192), "gcp": ("n2-standard-4", 0.194236)}
    for provider, (name, hourly) in expected.items():
        instance = prices.provider(provider).instance
        assert (instance.name, instance.vcpus, instance.memory_gib, instance.usd_per_hour) == (name, 4, 16, hourly)
    assert prices.provider("aws").instance.usd_per_month == pytest.approx(0.192 * 730)
    assert prices.hours_per_month == HOURS_PER_MONTH == 730


def test_gcp_hourly_price_is_the_sum_of_its_sku_rates():
    assert load_prices().provider("gcp").instance.usd_per_hour == pytest.approx(4 * 0.031611 + 16 * 0.004237)


def test_transfer_classes_and_aws_cross_az_is_charged_both_ways():
    prices = load_prices()
    for provider in prices.providers.values():
        assert set(provider.transfer) == set(TRANSFER_CLASSES)
    aws = prices.provider("aws:us-east-1")
    assert aws.transfer["cross_az"].usd_per_gb == 0.01
    assert aws.transfer_usd_by_class == {"cross_az": 0.02, "inter_region": 0.02, "intercontinental": 0.02, "internet": 0.09}


def test_storage_prices():
    prices = load_prices()
    assert prices.provider("aws").block_storage.usd_per_gb_month == 0.08
    assert prices.provider("gcp").block_storage.usd_per_gb_month == 0.10
    assert prices.provider("aws").backup_storage.usd_per_gb_month == 0.023
    assert prices.provider("aws").backup_storage_infrequent.usd_per_gb_month == 0.0125


def test_dc_is_explicitly_assumptions_and_the_region_assumption_is_stated():
    prices = load_prices()
    dc = prices.provider("dc:frankfurt-1")
    assert all(figure.basis == "assumption" for figure in (dc.instance, dc.block_storage, dc.backup_storage, *dc.transfer.values()))
    assert "no regional multiplier" in prices.reference_region_assumption


def test_unknown_provider_is_a_catalog_error():
    with pytest.raises(CatalogError, match="no prices for provider 'oracle'"):
        load_prices().provider("oracle:us-ashburn-1")


def test_cached_and_catalog_accessor_honours_the_directory(tmp_path):
    assert load_prices() is load_prices()
    assert load_catalog().prices() is load_prices()
    (tmp_path / "prices.yaml").write_text(SHIPPED.read_text(encoding="utf-8").replace("usd_per_hour: 0.192\n", "usd_per_hour: 0.5\n", 1), encoding="utf-8")
    assert load_catalog(tmp_path).prices().provider("aws").instance.usd_per_hour == 0.5
    assert load_prices().provider("aws").instance.usd_per_hour == 0.192


def edited(tmp_path, old, new):
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "prices.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("usd_per_hour: 0.192\n", "usd_per_hour: cheap\n", r"prices\.yaml:\d+: providers\.aws\.instance\.usd_per_hour: Input should be a valid number"),
        ("usd_per_hour: 0.192\n", "usd_per_hour: -0.192\n", r"providers\.aws\.instance\.usd_per_hour: Input should be greater than or equal to 0"),
        ("hours_per_month: 730", "hours_per_month: 720", r"prices\.yaml:\d+: Value error, hours_per_month must be 730"),
        ("      internet:\n        usd_per_gb: 0.09", "      moon:\n        usd_per_gb: 0.09", r"providers\.aws\.transfer: Value error, transfer is missing internet"),
        ("  dc:\n    reference_region", "  datacenter:\n    reference_region", r"providers: provider 'dc' is missing"),
        ("      source: aws-ec2-on-demand\n", "      source: a-friend\n", r"providers\.aws\.instance\.source: source 'a-friend' is not in this file's sources"),
        ("      as_of: 2026-03\n", "      as_of: 2026-13\n", r"providers\.aws\.backup_storage\.as_of: Value error, as_of '2026-13' is not a real date"),
        ("      basis: assumption\n    block_storage:\n      name: \"SAN", "      basis: secondary\n    block_storage:\n      name: \"SAN", r"providers\.dc\.instance\.basis: basis 'assumption' goes with source 'redplan-assumption'"),
    ],
)
def test_broken_override_names_file_line_and_key(tmp_path, old, new, message):
    with pytest.raises(CatalogError, match=message):
        load_prices(edited(tmp_path, old, new))


def test_error_line_is_the_offending_line(tmp_path):
    text = SHIPPED.read_text(encoding="utf-8")
    line = text[: text.index("usd_per_hour: 0.192\n")].count("\n") + 1
    with pytest.raises(CatalogError, match=rf"prices\.yaml:{line}: providers\.aws\.instance\.usd_per_hour"):
        load_prices(edited(tmp_path, "usd_per_hour: 0.192\n", "usd_per_hour: cheap\n"))
