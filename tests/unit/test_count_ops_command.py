"""`flopledger count-ops`: the JSON object, the text, the layer-list path and one-line errors."""

import json
from pathlib import Path

import pytest

from flows.cli.main import main
from flows.transform.compute.layers import ALEXNET_LAYERS

CONFIGS = Path(__file__).resolve().parents[1] / "fixtures" / "configs"
REQUIRED = {"parameter_count", "active_parameter_count", "forward_flop_per_token", "training_flop_per_token",
            "seq_len", "convention"}


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(["count-ops", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_the_promised_keys_and_training_flop_with_tokens(capsys):
    code, out, _ = run(capsys, CONFIGS / "mixtral-8x7b.json", "--seq-len", 4096, "--tokens", "1e12", "--json")
    result = json.loads(out)
    assert code == 0 and REQUIRED <= result.keys()
    assert result["seq_len"] == 4096 and result["convention"] == "kaplan-2020"
    assert result["active_parameter_count"] < result["parameter_count"]
    assert result["training_flop"] == result["training_flop_per_token"] * 1e12


def test_json_without_tokens_has_no_training_flop(capsys):
    code, out, _ = run(capsys, CONFIGS / "gpt2.json", "--json")
    result = json.loads(out)
    assert code == 0 and "training_flop" not in result and result["seq_len"] == 1024


def test_text_output_states_the_convention(capsys):
    code, out, _ = run(capsys, CONFIGS / "t5-base.json", "--seq-len", 512, "--convention", "hoffmann-2022")
    assert code == 0
    assert "parameter_count                        222,903,552" in out
    assert "convention: hoffmann-2022: 2 FLOP per multiply-add" in out


def test_switches_change_the_convention_name(capsys):
    _, out, _ = run(capsys, CONFIGS / "llama-2-7b.json", "--no-attention", "--causal-halving", "off", "--json")
    assert json.loads(out)["convention"] == "kaplan-2020+no-attention+full-causal-attention"


def test_layer_list_counts_per_example_with_examples(capsys):
    assert json.loads((CONFIGS / "alexnet-layers.json").read_text()) == ALEXNET_LAYERS  # the fixture is the bundled list
    code, out, _ = run(capsys, CONFIGS / "alexnet-layers.json", "--examples", 1.2e6 * 90, "--json")
    result = json.loads(out)
    assert code == 0 and result["convention"] == "openai-2018"
    # DESIGN.md's worked example: 1.2M images x 90 epochs x 0.75 G multiply-adds x 2 x 3 = 470 PF (within 10%)
    assert result["training_flop"] == pytest.approx(470e15, rel=0.10)


def bad_file(tmp_path, text: str) -> Path:
    path = tmp_path / "config.json"
    path.write_text(text)
    return path


BAD = [
    # (file text or None for a missing file, extra args, exit code, text the one line must contain)
    (None, [], 2, "no such file"),
    ('{"model_type": "llama",', [], 1, "invalid JSON"),
    ('{"model_type": "llama", "hidden_size": 4096}', [], 1, "missing keys 'num_hidden_layers'"),
    ('{"model_type": "rwkv", "hidden_size": 4096}', [], 1, "unknown architecture model_type 'rwkv'"),
    ('{"model_type": "gpt2", "n_embd": -768, "n_layer": 12, "n_head": 12, "vocab_size": 50257, "n_positions": 1024}',
     [], 1, "'n_embd' must be >= 1, got -768"),
    ('{"model_type": "gpt2", "n_embd": 768, "n_layer": 12000000, "n_head": 12, "vocab_size": 50257, "n_positions": 1024}',
     [], 1, "'n_layer' = 12,000,000 is beyond any real model"),
    ('{"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "vocab_size": 50257, "n_positions": 1024}',
     ["--seq-len", "0"], 2, "argument --seq-len: expected a number >= 1"),
    ('{"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "vocab_size": 50257, "n_positions": 1024}',
     ["--tokens", "-5"], 2, "argument --tokens: expected a number above 0"),
    ('{"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "vocab_size": 50257, "n_positions": 1024}',
     ["--tokens", "1e30"], 1, "training tokens must be a number above 0 and at most 1e+17"),
    ('{"input_shape": [3, 32, 32], "layers": [{"kind": "dense", "out_features": 10}]}',
     ["--tokens", "1e9"], 2, "a layer list counts per example: use --examples"),
    ('["not", "a", "config"]', [], 1, "a config is a JSON object, got list"),
]


@pytest.mark.parametrize("text, extra, code, message", BAD, ids=[b[3] for b in BAD])
def test_bad_input_is_one_line_and_non_zero(capsys, tmp_path, text, extra, code, message):
    path = tmp_path / "missing.json" if text is None else bad_file(tmp_path, text)
    got, out, err = run(capsys, path, *extra)
    assert got == code and out == ""
    assert err.startswith("flopledger: error: ") and err.count("\n") == 1
    assert message in err


