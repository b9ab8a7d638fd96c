"""The architecture counter: published parameter counts, Kaplan's FLOP formula, AlexNet, invariants, bad configs."""

import json
from pathlib import Path

import pytest

from flows.transform.compute.architecture import read_architecture
from flows.transform.compute.architecture_count import count_architecture
from flows.transform.compute.conventions import get_convention
from flows.transform.compute.layers import ALEXNET_LAYERS, count_layers
from flows.transform.compute.shape import ArchitectureError

CONFIGS = Path(__file__).resolve().parents[1] / "fixtures" / "configs"


def config(name: str) -> dict:
    return json.loads((CONFIGS / f"{name}.json").read_text())


def count(name: str, **changes) -> dict:
    cfg = {**config(name), **changes}
    return count_architecture(cfg, seq_len=512 if cfg["model_type"] == "t5" else None)


# (fixture, key, published figure, where it is published)
PUBLISHED = [
    ("gpt2", "parameter_count", 124e6, "OpenAI gpt-2 repository, model '124M' (the paper's 117M was a miscount)"),
    ("gpt2-xl", "parameter_count", 1558e6, "OpenAI gpt-2 repository, model '1558M'"),
    ("llama-2-7b", "parameter_count", 6.7e9, "Touvron et al. 2023 (LLaMA), Table 2: the 7B shape Llama 2 keeps"),
    ("llama-2-70b", "parameter_count", 69e9, "Hugging Face hub, meta-llama/Llama-2-70b-hf: 69B params ('70B' is the class name)"),
    ("mistral-7b", "parameter_count", 7.3e9, "Mistral AI, 'Mistral 7B' announcement (Sep 2023): 7.3B parameters"),
    ("mixtral-8x7b", "parameter_count", 46.7e9, "Mistral AI, 'Mixtral of experts' (Dec 2023): 46.7B total"),
    ("mixtral-8x7b", "active_parameter_count", 12.9e9, "same: 12.9B used per token"),
    ("t5-base", "parameter_count", 223e6, "Hugging Face hub, google-t5/t5-base: 223M params (Raffel et al.: 'about 220 million')"),
    ("bert-base-uncased", "parameter_count", 110e6, "Devlin et al. 2019, sec. 3: BERT-base 110M"),
    ("deepseek-moe-16b", "parameter_count", 16.4e9, "Dai et al. 2024 (DeepSeekMoE), Table 1/abstract: 16.4B total"),
    ("pythia-1.4b", "parameter_count", 1_414_647_808, "Biderman et al. 2023 (Pythia), Table 1: total parameters"),
    ("pythia-1.4b", "non_embedding_parameter_count", 1_208_602_624, "same: non-embedding parameters"),
]


@pytest.mark.parametrize("name, key, published, source", PUBLISHED, ids=[f"{p[0]}:{p[1]}" for p in PUBLISHED])
def test_parameter_counts_within_one_percent_of_published(name, key, published, source):
    assert count(name)[key] == pytest.approx(published, rel=0.01), source


def test_deepseek_moe_active_parameters_within_the_stated_precision():
    # Dai et al. 2024: 2.8B activated, stated to 0.1B (so +-0.05B, 1.8%); we count 6 routed + 2 shared experts
    assert abs(count("deepseek-moe-16b")["active_parameter_count"] - 2.8e9) <= 0.05e9


def test_falcon_7b_multi_query_parallel_block_counted_by_hand():
    # 65,024 x 4,544 tied embedding; per layer: fused QKV 4,544 x (4,544 + 2 x 64) for one shared K/V head,
    # dense 4,544^2, MLP 2 x 4,544 x 18,176, one LayerNorm (parallel attention) 2 x 4,544; final LayerNorm
    per_layer = 4544 * (4544 + 128) + 4544 * 4544 + 2 * 4544 * 18176 + 2 * 4544
    assert count("falcon-7b")["parameter_count"] == 65024 * 4544 + 32 * per_layer + 2 * 4544  # 6,921,720,704


def test_gpt3_forward_flop_matches_kaplan_formula():
    # Kaplan et al. 2020, Table 1: C_forward = 2N + 2 n_layer n_ctx d_attn, N = 2 d_model n_layer (2 d_attn + d_ff)
    # = 12 n_layer d_model^2 for GPT-3 175B (96 layers, d_model 12,288, n_ctx 2,048; Brown et al. 2020, Table 2.1)
    n_layer, d_model, n_ctx = 96, 12288, 2048
    kaplan = 2 * (12 * n_layer * d_model**2) + 2 * n_layer * n_ctx * d_model
    result = count("gpt3-175b")
    assert result["forward_flop_per_token"] == pytest.approx(kaplan, rel=0.02)
    assert result["convention"] == "kaplan-2020"
    assert result["training_flop_per_token"] == 3 * result["forward_flop_per_token"]


def test_alexnet_forward_multiply_adds_within_ten_percent_of_openai_appendix():
    # OpenAI "AI and Compute" appendix (2018): AlexNet forward pass 0.75 G multiply-adds per image
    result = count_layers(ALEXNET_LAYERS)
    assert result["forward_multiply_adds_per_example"] == pytest.approx(0.75e9, rel=0.10)
    assert result["parameter_count"] == pytest.approx(60e6, rel=0.05)  # Krizhevsky et al. 2012: "60 million"
    assert result["training_flop_per_example"] == 6 * result["forward_multiply_adds_per_example"]


def test_alexnet_two_gpu_grouping_is_what_brings_it_to_the_appendix_figure():
    ungrouped = {**ALEXNET_LAYERS, "layers": [{k: v for k, v in row.items() if k != "groups"}
                                              for row in ALEXNET_LAYERS["layers"]]}
    assert count_layers(ungrouped)["forward_multiply_adds_per_example"] > 1.1e9


def test_untying_embeddings_adds_one_vocabulary_matrix():
    tied, untied = count("gpt2"), count("gpt2", tie_word_embeddings=False)
    assert untied["parameter_count"] - tied["parameter_count"] == 50257 * 768
    assert untied["non_embedding_parameter_count"] == tied["non_embedding_parameter_count"]


def test_grouped_query_attention_saves_parameters_not_score_flop():
    gqa, mha = count("llama-2-70b"), count("llama-2-70b", num_key_value_heads=64)
    assert mha["parameter_count"] - gqa["parameter_count"] == 80 * 2 * 8192 * (64 - 8) * 128
    assert mha["forward_flop_per_token_terms"]["attention"] == gqa["forward_flop_per_token_terms"]["attention"]


def test_sliding_window_caps_attention_only_past_the_window():
    short = [count_architecture({**config("mistral-7b"), "sliding_window": w}, seq_len=4096) for w in (4096, None)]
    assert short[0]["forward_flop_per_token"] == short[1]["forward_flop_per_token"]
    windowed, full = count("mistral-7b"), count("mistral-7b", sliding_window=None)
    # 32,768 tokens, window 4,096: mean context 4,096 - 4,096^2 / 65,536 = 3,840 instead of 16,384
    attention = 32 * 4 * 32 * 128
    assert windowed["forward_flop_per_token_terms"]["attention"] == attention * 3840
    assert full["forward_flop_per_token_terms"]["attention"] == attention * 16384


def test_causal_halving_halves_the_attention_term_of_a_decoder_but_not_an_encoder():
    off = get_convention(causal_halving=False)
    for name, ratio in (("llama-2-7b", 2.0), ("bert-base-uncased", 1.0)):
        halved = count_architecture(config(name))["forward_flop_per_token_terms"]["attention"]
        full = count_architecture(config(name), convention=off)["forward_flop_per_token_terms"]["attention"]
        assert full == ratio * halved


def test_mixture_of_experts_counts_the_top_k_experts_as_active():
    two, four = count("mixtral-8x7b"), count("mixtral-8x7b", num_experts_per_tok=4)
    expert = 3 * 4096 * 14336  # one SwiGLU expert
    assert four["active_parameter_count"] - two["active_parameter_count"] == 32 * 2 * expert
    assert four["parameter_count"] == two["parameter_count"]
    assert four["forward_flop_per_token"] - two["forward_flop_per_token"] == 2 * 32 * 2 * expert


def test_shared_experts_are_always_active():
    with_shared, without = count("deepseek-moe-16b"), count("deepseek-moe-16b", n_shared_experts=0)
    shared = 2 * 3 * 2048 * 1408  # two shared experts in each of the 27 MoE layers
    assert with_shared["active_parameter_count"] - without["active_parameter_count"] == 27 * shared


def test_conventions_name_themselves_and_their_terms():
    kaplan = count_architecture(config("llama-2-7b"))
    hoffmann = count_architecture(config("llama-2-7b"), convention=get_convention("hoffmann-2022"))
    logits = 2 * 4096 * 32000
    assert hoffmann["forward_flop_per_token_terms"]["output_projection"] == logits
    assert hoffmann["forward_flop_per_token_terms"]["embedding"] == logits
    assert hoffmann["forward_flop_per_token_terms"]["attention"] == 2 * kaplan["forward_flop_per_token_terms"]["attention"]
    assert hoffmann["convention"] == "hoffmann-2022"
    no_attention = count_architecture(config("llama-2-7b"), convention=get_convention(attention=False))
    assert no_attention["convention"] == "kaplan-2020+no-attention"
    assert no_attention["forward_flop_per_token"] == kaplan["forward_flop_per_token_terms"]["weights"]


def test_dense_forward_weights_term_is_two_flop_per_non_embedding_weight():
    result = count("llama-2-7b")  # no biases; norms are the only non-matmul parameters (65 x 4,096)
    weights = result["non_embedding_parameter_count"] - 65 * 4096
    assert result["forward_flop_per_token_terms"]["weights"] == 2 * weights


def test_training_flop_is_tokens_times_training_flop_per_token():
    result = count_architecture(config("llama-2-7b"), tokens=2e12)  # Llama 2: 2 trillion tokens
    assert result["training_flop"] == result["training_flop_per_token"] * 2e12
    assert result["training_flop"] == pytest.approx(6 * 6.74e9 * 2e12, rel=0.10)  # near 6ND, attention on top


def test_model_type_missing_falls_back_to_the_architectures_class():
    cfg = {k: v for k, v in config("mistral-7b").items() if k != "model_type"}
    assert read_architecture(cfg).family == "mistral"


BAD = [
    ({"model_type": "llama", "hidden_size": 4096, "vocab_size": 32000},
     "llama config: missing keys 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'max_position_embeddings'"),
    ({"model_type": "falcon", "hidden_size": 64, "n_layer": 2, "vocab_size": 10}, "missing key 'num_attention_heads' or 'n_head'"),
    ({"model_type": "mamba", "hidden_size": 4096}, "unknown architecture model_type 'mamba'"),
    ({"hidden_size": 4096}, "no 'model_type'"),
    ({**config("gpt2"), "n_layer": -12}, "'n_layer' must be >= 1, got -12"),
    ({**config("gpt2"), "n_embd": 10**9}, "'n_embd' = 1,000,000,000 is beyond any real model"),
    ({**config("gpt2"), "n_head": "12"}, "'n_head' must be a whole number"),
    ({**config("gpt2"), "n_head": True}, "'n_head' must be a whole number"),
    ({**config("gpt2"), "n_head": 7}, "hidden size 768 is not a multiple of 7 attention heads"),
    ({**config("llama-2-70b"), "num_key_value_heads": 7}, "64 attention heads do not split into 7 key-value heads"),
    ({**config("mixtral-8x7b"), "num_experts_per_tok": 9}, "num_experts_per_tok 9 is more than the 8 experts"),
    ({**config("mixtral-8x7b"), "tie_word_embeddings": "no"}, "'tie_word_embeddings' must be true or false"),
    ([1, 2], "a config is a JSON object"),
]


@pytest.mark.parametrize("cfg, message", BAD, ids=[m for _, m in BAD])
def test_bad_configs_name_what_is_wrong(cfg, message):
    with pytest.raises(ArchitectureError) as err:
        count_architecture(cfg)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_t5_needs_a_sequence_length_it_does_not_state():
    with pytest.raises(ArchitectureError, match="states no context length"):
        count_architecture(config("t5-base"))


def test_bad_layer_lists_name_the_layer():
    rows = [{"kind": "conv", "out_channels": 8, "kernel": 300}]
    with pytest.raises(ArchitectureError, match="layer 1: a 300-wide kernel does not fit a side of 224"):
        count_layers({"input_shape": [3, 224, 224], "layers": rows})
    with pytest.raises(ArchitectureError, match="layer 2: unknown kind 'lstm'"):
        count_layers({"input_shape": [3, 8, 8], "layers": [{"kind": "pool", "kernel": 2}, {"kind": "lstm"}]})
