"""The incident store's blobs: what goes in comes out, under any vocabulary they were
written with, and a format it cannot read is refused rather than misread."""

import json

import numpy as np
import pyarrow as pa
import pytest

from vawg.insight import store

pytestmark = pytest.mark.django_db


def _dims(**codes) -> pa.Table:
    n = 3
    columns = {
        "ward_id": pa.array([7, 8, 9], pa.int32()),
        "strand": pa.array([0, 1, 0], pa.int8()),
        "partner_id": pa.array([4, 4, 5], pa.int32()),
        "age_band": pa.array([3, 3, 7], pa.int8()),
        "sex": pa.array([0, 1, 2], pa.int8()),
        "ethnicity": pa.array([3, 0, 5], pa.int8()),
        "disability": pa.array([0, 1, 2], pa.int8()),
        "orientation": pa.array([0, 4, 4], pa.int8()),
        "outcome": pa.array([6, 0, 2], pa.int8()),
        "is_repeat": pa.array([False, True, False]),
        "rkey": pa.array([0, 17, 255], pa.uint8()),
    }
    columns.update({k: pa.array(v, pa.int8()) for k, v in codes.items()})
    assert all(len(c) == n for c in columns.values())
    return pa.table(columns)


def test_a_part_comes_back_as_it_went_in():
    table = _dims()
    assert store.decode(store.encode(table, "dims"), "dims").equals(table)


def test_codes_written_under_another_vocabulary_are_read_as_the_standards_now():
    # A blob whose writer listed sex as (unknown, male, female): its codes 0, 1, 2 mean
    # unknown, male, female, which are 2, 1, 0 in the standard's order today.
    written = _dims(sex=[0, 1, 2])
    vocabularies = {
        n: list(store.VOCABULARY[n]) for n in written.column_names if n in store.VOCABULARY
    }
    vocabularies["sex"] = ["unknown", "male", "female"]
    schema = written.schema.with_metadata(
        {b"vawg.format": store.FORMAT["dims"], b"vawg.codes": json.dumps(vocabularies).encode()}
    )
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as writer:
        writer.write_table(written.cast(schema))
    read = store.decode(sink.getvalue().to_pybytes(), "dims")
    assert [store.VOCABULARY["sex"][c] for c in read["sex"].to_pylist()] == [
        "unknown",
        "male",
        "female",
    ]
    assert read["age_band"].equals(written["age_band"])


def test_a_format_it_cannot_read_is_refused():
    table = _dims()
    schema = table.schema.with_metadata({b"vawg.format": b"99"})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as writer:
        writer.write_table(table.cast(schema))
    with pytest.raises(ValueError, match="format this version cannot read"):
        store.decode(sink.getvalue().to_pybytes(), "dims")


def test_a_text_that_is_no_code_is_refused_before_it_is_stored():
    with pytest.raises(ValueError, match="not a code of the standard"):
        store.encode_codes("strand", pa.array(["domestic_abuse", "burglary"]))


def test_people_are_found_only_in_the_partnerships_that_hold_them(partnership, other_partnership):
    store.save_people(partnership.pk, np.array([3, 10, 42]))
    store.save_people(other_partnership.pk, np.array([5]))
    assert store.partnerships_with(np.array([42, 99]), besides=-1) == [partnership.pk]
    assert store.partnerships_with(np.array([42]), besides=partnership.pk) == []
    assert store.partnerships_with(np.array([1, 4, 6, 11, 43]), besides=-1) == []


def test_ids_come_back_whatever_their_size():
    # Ids are written in 16 bits when a month's all fit, in 32 otherwise.
    for ward in (7, 32767, 32768, 2_000_000_000):
        table = _dims().set_column(0, "ward_id", pa.array([ward, 1, 2], pa.int32()))
        back = store.decode(store.encode(table, "dims"), "dims")
        assert back.equals(table), ward
