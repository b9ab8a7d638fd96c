"""`flopledger estimate`: the batch calculator, on worked examples, bad rows and bad files."""

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli_runner import run_cli

from flows.cli.estimate import run_estimate
from flows.settings import get_assumption_set
from flows.transform.compute.batch import RESULT_COLUMNS, estimate_batch
from flows.transform.compute.estimates import estimate_compute
from flows.transform.hardware.resolution import resolve_hardware
from warehouse.seeds import read_hardware_aliases, read_hardware_specs

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "estimate"
def cli(*args, stdin: bytes | None = None):
    """The real main(), in process (tests/slow checks that `estimate` never imports Prefect)."""
    return run_cli("estimate", *args, stdin=stdin, text=False)


def estimate_file(capsys, path, assumptions="epoch-2022") -> tuple[pd.DataFrame, str]:
    """run_estimate on a file, output read back as text (every cell a string, blanks as '')."""
    code = run_estimate(str(path), None, assumptions)
    captured = capsys.readouterr()
    assert code == 0
    return pd.read_csv(io.StringIO(captured.out), dtype=str, keep_default_na=False), captured.err


def test_alexnet_reproduces_openai_2018(capsys):
    # hardware: 2 GTX 580 x 1.581e12 FLOP/s (spec table, FP32) x 132 h x 3600 s x 0.33 = 4.96e17;
    # OpenAI's appendix rounds to 500 PF (1.58 TFLOP/s x 5.5 days x 0.33).
    # operations: 0.75 G multiply-adds x 2 = 1.5e9 forward FLOP x 3 x 1.2e6 images x 90 = 4.86e17
    # (the appendix's 470 PF); ratio 0.98, inside the factor of 3, so not flagged. The GTX 580 has one
    # peak (FP32) and the utilization range 0.2-0.5 spans 2.5x <= trust_spread 3, so both methods are
    # trusted and agree: the best figure is their geometric mean, sqrt(4.86e17 x 4.96e17) = 4.91e17.
    out, err = estimate_file(capsys, FIXTURES / "alexnet.csv", "openai-2018")
    row = out.iloc[0]
    assert row["hardware_id"] == "nvidia_geforce_gtx_580"
    assert float(row["hardware_flop"]) == pytest.approx(5.0e17, rel=0.02)
    assert float(row["hardware_flop"]) == pytest.approx(2 * 1.581e12 * 132 * 3600 * 0.33)
    assert float(row["operations_flop"]) == pytest.approx(4.86e17)
    assert float(row["operations_flop"]) == pytest.approx(4.7e17, rel=0.04)
    assert float(row["ratio"]) == pytest.approx(4.86e17 / 4.96e17, rel=1e-3)
    assert row["is_flagged"] == "False" and row["best_method"] == "geometric_mean" and row["error"] == ""
    assert float(row["best_flop"]) == pytest.approx((4.86e17 * 2 * 1.581e12 * 132 * 3600 * 0.33) ** 0.5)
    # hardware interval: the set's utilization range 0.2-0.5 around 0.33
    assert float(row["hardware_flop_low"]) == pytest.approx(2 * 1.581e12 * 132 * 3600 * 0.2)
    assert float(row["hardware_flop_high"]) == pytest.approx(2 * 1.581e12 * 132 * 3600 * 0.5)
    assert err == "estimated 1 rows (0 with errors) under openai-2018\n"


def test_output_is_the_input_plus_the_result_columns(capsys):
    out, _ = estimate_file(capsys, FIXTURES / "alexnet.csv", "openai-2018")
    source = pd.read_csv(FIXTURES / "alexnet.csv", dtype=str, keep_default_na=False)
    assert list(out.columns) == list(source.columns) + RESULT_COLUMNS
    pd.testing.assert_frame_equal(out[source.columns], source)  # '1.5e9' stays '1.5e9'


def test_each_bad_row_explains_itself_and_the_rest_are_estimated(capsys):
    # cases.csv: one row per case with the error fragment expected and a line of why;
    # its two extra columns (expect_error, why) also show unknown columns pass through.
    out, err = estimate_file(capsys, FIXTURES / "cases.csv", "epoch-2022")
    source = pd.read_csv(FIXTURES / "cases.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(out[source.columns], source)  # same rows, same order, untouched
    for row in out.itertuples():
        if row.expect_error:
            assert row.expect_error in row.error, (row.run_id, row.why, row.error)
            # the method the bad input feeds is blank; the other stands where its inputs are complete
            kept = {"operations": row.operations_flop, "hardware": row.hardware_flop}
            assert all((value != "") == (method == row.expect_kept) for method, value in kept.items()), row.run_id
            assert row.best_method == row.expect_kept, row.run_id
        else:
            assert row.error == "" and float(row.best_flop) > 0, (row.run_id, row.why, row.error)
    bad = (source["expect_error"] != "").sum()
    assert err == f"estimated {len(source)} rows ({bad} with errors) under epoch-2022\n"


def test_missing_columns_name_what_is_missing(tmp_path, capsys):
    source = tmp_path / "partial.csv"
    source.write_text("run_id,hardware,chip_count,parameter_count\n"
                      "a,V100,8,1e9\n"       # neither method complete
                      "b,V100,8,\n")
    out, err = estimate_file(capsys, source)
    assert ("the operations method needs training_tokens (or forward_flop_per_example, training_examples and epochs)"
            in out["error"][0])
    assert "the operations method needs parameter_count and training_tokens (or forward_flop" in out["error"][1]
    assert out["error"].str.contains("the hardware method needs training_hours (or chip_hours)", regex=False).all()
    assert err.startswith("estimated 2 rows (2 with errors)")


def test_one_method_is_enough(tmp_path, capsys):
    source = tmp_path / "one.csv"
    source.write_text("run_id,parameter_count,training_tokens,hardware,chip_count\n"
                      "tokens,7e9,1e12,V100,8\n")  # hardware lacks time: operations alone, no error
    out, _ = estimate_file(capsys, source)
    row = out.iloc[0]
    assert row["error"] == "" and row["hardware_flop"] == "" and row["best_method"] == "operations"
    assert float(row["operations_flop"]) == pytest.approx(6 * 7e9 * 1e12)  # 6 N D = 4.2e22


def test_header_only_gives_an_empty_output_with_the_header(capsys):
    out, err = estimate_file(capsys, FIXTURES / "header_only.csv")
    assert out.empty
    assert list(out.columns) == ["run_id", "hardware", "chip_count", "training_hours", "parameter_count",
                                 "training_tokens", *RESULT_COLUMNS]
    assert err == "estimated 0 rows (0 with errors) under epoch-2022\n"


def test_twice_the_chips_twice_the_hardware_flop_and_chip_hours_agree(tmp_path, capsys):
    source = tmp_path / "invariants.csv"
    source.write_text("run_id,hardware,chip_count,training_hours,chip_hours,domain\n"
                      "one,A100,64,100,,language\ntwo,A100,128,100,,language\nhours,A100,,,6400,language\n")
    out, _ = estimate_file(capsys, source)
    flop = out.set_index("run_id")["hardware_flop"].astype(float)
    assert flop["two"] == pytest.approx(2 * flop["one"])
    assert flop["hours"] == pytest.approx(flop["one"])
    # 64 x 312e12 (A100 BF16) x 100 h x 3600 s x 0.30 (Epoch 2022, language) = 2.156e21
    assert flop["one"] == pytest.approx(64 * 312e12 * 100 * 3600 * 0.30)


def test_chip_count_counts_spec_devices_whatever_the_name(tmp_path, capsys):
    # As in training_runs and `extract` output, chip_count counts what the spec row counts:
    # BERT's "16 Cloud TPUs" are 64 TPU v2 chips, so a Cloud TPU row with 64 is 64 chips, not 256.
    source = tmp_path / "units.csv"
    source.write_text("run_id,hardware,chip_count,training_hours,publication_date\n"
                      "bert,Cloud TPU,64,96,2018-10-11\nchips,TPU v2,64,96,2018-10-11\n"
                      "dgx,DGX-1,16,10,2018-01-01\nv100,V100,16,10,2018-01-01\n")
    out, _ = estimate_file(capsys, source)
    assert out["hardware_id"].tolist() == ["google_tpu_v2"] * 2 + ["nvidia_tesla_v100_sxm2_16gb"] * 2
    flop = out["hardware_flop"].astype(float)
    assert flop[0] == flop[1] and flop[2] == flop[3]


def test_publication_date_picks_the_meaning_of_the_time(tmp_path, capsys):
    source = tmp_path / "titan.csv"
    source.write_text("run_id,hardware,chip_count,training_hours,publication_date\n"
                      "maxwell,Titan X,4,48,2015-06-01\npascal,Titan X,4,48,2017-06-01\nundated,Titan X,4,48,\n")
    out, _ = estimate_file(capsys, source)
    assert out["hardware_id"].tolist() == ["nvidia_geforce_gtx_titan_x", "nvidia_geforce_gtx_titan_x_pascal",
                                           "nvidia_geforce_gtx_titan_x"]  # undated: the name's first meaning
    assert (out["error"] == "").all()


def test_cells_are_passed_through_untouched(tmp_path, capsys):
    source = tmp_path / "quoted.csv"
    source.write_bytes(b'run_id,hardware,chip_count,training_hours,note,hardware_id\n'
                       b'"a, quoted id", v100 ,8, 24 ,NA,"old value, replaced"\n'
                       b'"line\nbreak",V100,8,24,"say ""hi""",\n')
    out, _ = estimate_file(capsys, source)
    assert out["run_id"].tolist() == ["a, quoted id", "line\nbreak"]
    assert out["hardware"].tolist() == [" v100 ", "V100"] and out["training_hours"].tolist() == [" 24 ", "24"]
    assert out["note"].tolist() == ["NA", 'say "hi"']
    assert out.columns.tolist().count("hardware_id") == 1  # an input column named like a result is replaced
    assert out["hardware_id"].tolist() == ["nvidia_tesla_v100_sxm2_16gb"] * 2
    assert out["hardware_flop"].iloc[0] == out["hardware_flop"].iloc[1]


def test_rows_sharing_a_run_id_are_estimated_apart(tmp_path, capsys):
    source = tmp_path / "dupes.csv"
    source.write_text("run_id,hardware,chip_count,training_hours\nsame,V100,8,10\nsame,V100,16,10\n")
    out, _ = estimate_file(capsys, source)
    flop = out["hardware_flop"].astype(float)
    assert flop[1] == pytest.approx(2 * flop[0])


def test_file_and_stdout_outputs_match(tmp_path, capsys):
    target = tmp_path / "out.csv"
    assert run_estimate(str(FIXTURES / "cases.csv"), str(target), "epoch-2022") == 0
    to_file = capsys.readouterr()
    assert to_file.out == "" and to_file.err.startswith("estimated 22 rows")
    assert run_estimate(str(FIXTURES / "cases.csv"), None, "epoch-2022") == 0
    assert capsys.readouterr().out == target.read_text(encoding="utf-8")


def test_batch_matches_estimate_compute_row_by_row():
    """The per-pattern shortcut must give what the pipeline's own estimate_compute gives."""
    rng = np.random.default_rng(7)
    specs, aliases, n = read_hardware_specs(), read_hardware_aliases(), 400
    names = ["GTX 580", "K80", "P100", "V100", "T4", "A100", "DGX A100", "H100", "TPU v3", "Cloud TPU", "MI300X",
             "Gaudi2", "Xeon Phi 7250", ""]  # system names (DGX A100, Cloud TPU) and chips with no FP32 peak
    runs = pd.DataFrame({
        "run_id": [f"r{i}" for i in range(n)], "hardware": rng.choice(names, n),
        "chip_count": rng.integers(1, 512, n).astype(float), "training_hours": rng.uniform(1, 900, n),
        "chip_hours": np.where(rng.random(n) < 0.2, rng.uniform(10, 1e6, n), np.nan),
        "precision": rng.choice([None, "fp32", "tf32", "fp16", "bf16", "mixed_fp16", "mixed_bf16"], n),
        "utilization": np.where(rng.random(n) < 0.3, rng.uniform(0.1, 0.6, n), np.nan),
        "parameter_count": np.where(rng.random(n) < 0.6, 10 ** rng.uniform(6, 11, n), np.nan),
        "training_tokens": 10 ** rng.uniform(9, 13, n), "training_examples": 10 ** rng.uniform(4, 7, n),
        "epochs": np.where(rng.random(n) < 0.5, rng.integers(1, 100, n), np.nan),
        "forward_flop_per_example": 10 ** rng.uniform(6, 10, n), "domain": rng.choice(["language", "vision", None], n),
    })
    for rules in (get_assumption_set("openai-2018"), get_assumption_set("epoch-2022")):
        text = runs.astype(object).where(runs.notna(), "").astype(str)
        batch = estimate_batch(text, specs, aliases, rules)
        resolved = resolve_hardware(runs["hardware"].replace("", None), aliases)
        pipeline_runs = runs.assign(hardware_id=resolved["hardware_id"])
        _, expected = estimate_compute(pipeline_runs, specs, rules)
        expected = expected.set_index("run_id").loc[runs["run_id"]]
        ok = (batch["error"].isna()).to_numpy()
        assert ok.sum() > n / 3
        for column in ("operations_flop", "hardware_flop", "ratio", "best_flop"):
            np.testing.assert_allclose(batch.loc[ok, column].astype(float), expected.loc[ok, column].astype(float),
                                       rtol=1e-12, err_msg=f"{column} under {rules.name}")
        assert batch.loc[ok, "best_method"].tolist() == expected.loc[ok, "best_method"].tolist()
        assert batch.loc[ok, "is_flagged"].tolist() == expected.loc[ok, "is_flagged"].tolist()
        # the rows it refused lack inputs, name no known chip, or the chip has no peak at the precision stated
        assert batch.loc[~ok, "error"].str.contains("peak FLOP/s|not enough inputs|is not in the spec table").all()


def test_missing_file_is_one_line_and_exit_1(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        run_estimate(str(tmp_path / "none.csv"), None, "epoch-2022")
    result = cli("--input", str(tmp_path / "none.csv"))
    assert result.returncode == 1 and result.stdout == b""
    assert result.stderr.decode() == f"flopledger: error: cannot read {tmp_path / 'none.csv'}: no such file\n"


@pytest.mark.parametrize("content,fragment", [
    (bytes(range(256)) * 8, "binary data, not a CSV file"),
    (bytes(np.random.default_rng(3).integers(128, 256, 4000, dtype=np.uint8)), "names none of the input columns"),
    (b'{"id": "alexnet", "text": "two GTX 580"}\n', "names none of the input columns"),
    (b"", "the file is empty"),
    (b"run_id,hardware,chip_count\na,V100,8\nb,V100,8,extra,fields\n", "Expected 3 fields in line 3, saw 5"),
    (b"run_id,hardware,chip_count\na,V100,8,extra\n", "line 2 has more fields than the header"),
    (b"run_id,chip_count,Chip_Count\na,1,2\n", "column chip_count appears more than once"),
])
def test_unreadable_files_are_one_line_and_nonzero(tmp_path, content, fragment):
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    result = cli("--input", str(source))
    stderr = result.stderr.decode()
    assert result.returncode == 1 and result.stdout == b""
    assert stderr.count("\n") == 1 and stderr.startswith("flopledger: error: cannot read ") and fragment in stderr


def test_unknown_assumption_set_is_one_line():
    result = cli("--input", str(FIXTURES / "alexnet.csv"), "--assumptions", "vibes")
    stderr = result.stderr.decode()
    assert result.returncode == 1 and stderr.count("\n") == 1 and "unknown assumption set 'vibes'" in stderr


def test_cli_reads_stdin_and_writes_a_file(tmp_path):
    target = tmp_path / "out.csv"
    result = cli("--input", "-", "--output", str(target), "--assumptions", "openai-2018",
                 stdin=(FIXTURES / "alexnet.csv").read_bytes())
    assert result.returncode == 0, result.stderr
    assert result.stderr.decode() == "estimated 1 rows (0 with errors) under openai-2018\n"
    assert pd.read_csv(target)["best_method"].tolist() == ["geometric_mean"]


def test_unwritable_output_is_one_line(tmp_path):
    result = cli("--input", str(FIXTURES / "alexnet.csv"), "--output", str(tmp_path / "no" / "such" / "dir.csv"))
    stderr = result.stderr.decode()
    assert result.returncode == 1 and stderr.count("\n") == 1 and "cannot write" in stderr


def test_csv_text_is_what_pandas_writes_and_reads_back():
    from flows.cli.estimate import format_csv

    frame = pd.DataFrame({
        "text": pd.Series(["x", "a,b", 'say "hi"', "line\nbreak", "", " spaced "], dtype=str),
        "flop": [1.5, np.nan, 4.86e17, 1e-300, 0.1 + 0.2, 3.0],
        "same": [1.5, np.nan, 4.86e17, 2.0, 0.3, np.nan],  # reuses the text of equal values in `flop`
        "flag": pd.array([True, False, None, True, None, False], dtype="boolean"),
        "words": [None, "m", "n", None, "o,p", "q"],
    })
    text = format_csv(frame)
    assert text == frame.to_csv(index=False, lineterminator="\n")
    back = pd.read_csv(io.StringIO(format_csv(frame.assign(text=frame["text"] + "\r"))), dtype=str, keep_default_na=False)
    # a bare CR is quoted too (pandas does not); a cell that starts with one gets the spreadsheet-safe "'" (issue 12)
    assert back["text"].tolist() == [t + "\r" if t else "'\r" for t in frame["text"]]


def run_main(capsys, *args) -> tuple[pd.DataFrame, str]:
    """flows.cli.main.main in process; stdout read back as text."""
    from flows.cli.main import main

    code = main(["estimate", *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return pd.read_csv(io.StringIO(captured.out), dtype=str, keep_default_na=False), captured.err


def test_epoch_style_input_gives_both_methods_and_no_error(capsys):
    # epoch_style.csv: raw Epoch domains (comma lists), dataset_tokens + epochs, Epoch's chip names.
    # vlm: operations 6 x 7e9 x (1.5e11 x 2) = 1.26e22; hardware 256 x 312e12 x 720 h x 3600 x 0.30 (language).
    out, err = run_main(capsys, "--input", str(FIXTURES / "epoch_style.csv"), "--assumptions", "epoch-2022")
    assert (out["error"] == "").all(), out[["run_id", "error"]]
    assert (out["operations_flop"] != "").all() and (out["hardware_flop"] != "").all()
    for row in out.itertuples():
        assert float(row.operations_flop) == pytest.approx(6 * float(row.parameter_count) * float(row.expect_tokens))
    vlm = out.set_index("run_id").loc["vlm"]
    assert float(vlm["hardware_flop"]) == pytest.approx(256 * 312e12 * 720 * 3600 * 0.30)
    assert "domain 'Language,Vision' read as language" in vlm["notes"]
    assert "training_tokens = dataset_tokens x epochs" in vlm["notes"]
    imagegen = out.set_index("run_id").loc["imagegen"]  # other: Epoch's 40%
    assert float(imagegen["hardware_flop"]) == pytest.approx(64 * 312e12 * 300 * 3600 * 0.40)
    assert "read as other" in imagegen["notes"]
    assert err == f"estimated {len(out)} rows (0 with errors) under epoch-2022\n"


def test_each_domain_is_named_with_its_class(capsys):
    out, _ = run_main(capsys, "--input", str(FIXTURES / "epoch_style.csv"))
    for row in out.itertuples():  # 'Language' names its class itself; every other domain is mapped, and says so
        named = row.domain.lower() == row.expect_class or f"read as {row.expect_class}" in row.notes
        assert named, (row.run_id, row.notes)
    assert (out["notes"].str.contains("domain_classes.csv") == (out["domain"].str.lower() != out["expect_class"])).all()


def test_training_tokens_with_epochs_says_how_they_were_read(capsys):
    out, _ = run_main(capsys, "--input", str(FIXTURES / "epoch_style.csv"))
    notes = out.set_index("run_id")["notes"]
    assert "training_tokens read as tokens seen; epochs not multiplied into them" in notes["seen"]
    assert "no epochs given: one pass" in notes["one-pass"]
    assert "tokens seen" not in notes["vlm"]


def test_dataset_tokens_scale_with_epochs(tmp_path, capsys):
    source = tmp_path / "epochs.csv"
    source.write_text("run_id,parameter_count,dataset_tokens,epochs\none,1e9,1e10,1\nthree,1e9,1e10,3\n"
                      "given,1e9,1e10,\n")
    out, _ = run_main(capsys, "--input", str(source))
    flop = out.set_index("run_id")["operations_flop"].astype(float)
    assert flop["three"] == pytest.approx(3 * flop["one"]) and flop["one"] == pytest.approx(6e19)
    assert flop["given"] == pytest.approx(flop["one"])


def test_a_bad_chip_keeps_operations_and_a_bad_parameter_count_keeps_hardware(tmp_path, capsys):
    source = tmp_path / "bad.csv"
    source.write_text("run_id,hardware,chip_count,training_hours,parameter_count,training_tokens,domain\n"
                      "chip,Abacus 9000,8,24,1e9,2e10,Language\n"
                      "params,V100,8,24,1.3B,2e10,Vision\n")
    out, _ = run_main(capsys, "--input", str(source))
    chip, params = out.iloc[0], out.iloc[1]
    assert "hardware 'Abacus 9000' is not in the spec table" in chip["error"]
    assert float(chip["operations_flop"]) == pytest.approx(6 * 1e9 * 2e10) and chip["hardware_flop"] == ""
    assert chip["best_method"] == "operations"
    assert "parameter_count '1.3B' is not a number" in params["error"]
    # 8 V100 x 125e12 (tensor FP16, epoch-2022's order) x 24 h x 3600 x 0.40 (vision: other)
    assert float(params["hardware_flop"]) == pytest.approx(8 * 125e12 * 24 * 3600 * 0.40)
    assert params["operations_flop"] == "" and params["best_method"] == "hardware"


def test_tpu_v3_at_fp32_uses_its_fp32_peak(tmp_path, capsys):
    source = tmp_path / "tpu.csv"
    source.write_text("run_id,hardware,chip_count,training_hours,precision,domain\nv3,TPU v3,32,100,fp32,Vision\n")
    out, _ = run_main(capsys, "--input", str(source))
    row = out.iloc[0]
    assert row["error"] == ""
    # 32 chips x 4e12 FLOP/s (FP32, Jouppi et al. 2020) x 100 h x 3600 s x 0.40
    assert float(row["hardware_flop"]) == pytest.approx(32 * 4e12 * 100 * 3600 * 0.40)
