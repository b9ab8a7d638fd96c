"""A bad cell in each mapped column of Epoch's table costs that cell, not the row (issue 11): every
column of tests/unit/test_epoch_mapping.py's SPOILED list; the unit tier runs four of them."""

import pytest

from tests.unit.test_epoch_mapping import SPOILED, check_bad_cell


@pytest.mark.parametrize("column, bad, field", SPOILED)
def test_a_bad_cell_in_every_mapped_column_costs_only_that_cell(column, bad, field):
    check_bad_cell(column, bad, field)
