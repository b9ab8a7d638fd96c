-- The chip family analysts group by (issue 17): A100 PCIe, A100 SXM4 40 GB and A100 SXM4 80 GB are one
-- family "A100"; filled for every row of warehouse/seeds/hardware_specs.csv (column `family`).
ALTER TABLE ref__hardware_specs ADD COLUMN family VARCHAR;
