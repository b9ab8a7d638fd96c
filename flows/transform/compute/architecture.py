"""A Hugging Face config.json as a TransformerShape, for the families whose keys we know.

Each reader takes the keys and defaults of its family's `transformers` config class; a key the
family needs and the config lacks is an error, never a guess. `model_type` picks the reader
(`architectures` when model_type is absent).
"""

from __future__ import annotations

from itertools import groupby

from flows.transform.compute.config_keys import ConfigKeys
from flows.transform.compute.shape import ArchitectureError, Attention, Layer, Mlp, TransformerShape


def _gpt2(k: ConfigKeys) -> TransformerShape:
    d = k.count("n_embd", limit="width")
    n_head = k.count("n_head", limit="heads")
    attn = Attention(n_head, n_head, k.heads(d, n_head, n_head, None), qkv_bias=True, out_bias=True)
    mlp = Mlp(k.count("n_inner", limit="width", default=4 * d), bias=True)
    positions = k.count("n_positions", limit="positions")
    return TransformerShape("gpt2", "decoder", d, k.count("vocab_size", limit="vocab"),
                            ((Layer((attn,), mlp, 2), k.count("n_layer", limit="layers")),),
                            tied_embeddings=k.flag("tie_word_embeddings", True), norm_bias=True,
                            position_rows=positions, max_seq_len=k.count("n_ctx", limit="positions", default=positions))


def _gpt_neox(k: ConfigKeys) -> TransformerShape:
    d = k.count("hidden_size", limit="width")
    n_head = k.count("num_attention_heads", limit="heads")
    bias = k.flag("attention_bias", True)
    attn = Attention(n_head, n_head, k.heads(d, n_head, n_head, None), qkv_bias=bias, out_bias=bias)
    mlp = Mlp(k.count("intermediate_size", limit="width"), bias=True)
    return TransformerShape("gpt_neox", "decoder", d, k.count("vocab_size", limit="vocab"),
                            ((Layer((attn,), mlp, 2), k.count("num_hidden_layers", limit="layers")),),
                            tied_embeddings=k.flag("tie_word_embeddings", False), norm_bias=True,
                            max_seq_len=k.count("max_position_embeddings", limit="positions"))


def _window(k: ConfigKeys) -> int | None:
    if k.family == "qwen2" and k.flag("use_sliding_window", False):
        raise k.fail("use_sliding_window with max_window_layers (a window on some layers only) is not supported")
    return None if k.family == "qwen2" else k.optional("sliding_window", limit="positions")


def _llama_attention(k: ConfigKeys, d: int) -> Attention:
    n_head = k.count("num_attention_heads", limit="heads")
    n_kv = k.count("num_key_value_heads", limit="heads", default=n_head)
    head_dim = k.heads(d, n_head, n_kv, k.optional("head_dim", limit="width"))
    bias = k.flag("attention_bias", False)
    qkv_bias = True if k.family == "qwen2" else bias  # Qwen2 has q/k/v biases and no output bias
    return Attention(n_head, n_kv, head_dim, qkv_bias=qkv_bias, out_bias=bias, window=_window(k))


def _moe_layers(k: ConfigKeys, n_layer: int, dense: Mlp) -> list[Mlp]:
    """Per layer, the dense MLP or the mixture of experts (Mixtral: every layer; DeepSeekMoE:
    after the first `first_k_dense_replace` layers, every `moe_layer_freq`-th)."""
    gated, bias = dense.gated, dense.bias
    if k.family == "mixtral":
        n_expert = k.count("num_local_experts", limit="experts")
        moe = Mlp(dense.d_ff, gated, bias, n_expert, k.count("num_experts_per_tok", limit="experts"))
        first, every = 0, 1
    elif k.family == "deepseek" and k.config.get("n_routed_experts") is not None:
        d_expert = k.count("moe_intermediate_size", limit="width")
        shared = k.count("n_shared_experts", limit="experts", default=0, minimum=0) * d_expert
        moe = Mlp(d_expert, gated, bias, k.count("n_routed_experts", limit="experts"),
                  k.count("num_experts_per_tok", limit="experts"), shared)
        first = k.count("first_k_dense_replace", limit="layers", default=0, minimum=0)
        every = k.count("moe_layer_freq", limit="layers", default=1)
    else:
        return [dense] * n_layer
    if moe.top_k > moe.n_expert:
        raise k.fail(f"num_experts_per_tok {moe.top_k} is more than the {moe.n_expert} experts")
    return [moe if i >= first and i % every == 0 else dense for i in range(n_layer)]


def _llama(k: ConfigKeys) -> TransformerShape:
    """Llama, Mistral, Qwen2, Mixtral, DeepSeekMoE: RMSNorm, gated MLP, rotary, optional GQA."""
    d = k.count("hidden_size", limit="width")
    attn = _llama_attention(k, d)
    dense = Mlp(k.count("intermediate_size", limit="width"), gated=True, bias=k.flag("mlp_bias", False))
    n_layer = k.count("num_hidden_layers", limit="layers")
    mlps = _moe_layers(k, n_layer, dense)
    stacks = tuple((Layer((attn,), mlp, 2), len(list(run))) for mlp, run in groupby(mlps))
    return TransformerShape(k.family, "decoder", d, k.count("vocab_size", limit="vocab"), stacks,
                            tied_embeddings=k.flag("tie_word_embeddings", False), norm_bias=False,
                            max_seq_len=k.count("max_position_embeddings", limit="positions"))


def _falcon(k: ConfigKeys) -> TransformerShape:
    d = k.count("hidden_size", "n_embed", limit="width")
    n_head = k.count("num_attention_heads", "n_head", limit="heads")
    new_arch = k.flag("new_decoder_architecture", False)
    if new_arch:
        n_kv = k.count("num_kv_heads", "n_head_kv", limit="heads")
    else:
        n_kv = 1 if k.flag("multi_query", True) else n_head
    bias = k.flag("bias", False)
    attn = Attention(n_head, n_kv, k.heads(d, n_head, n_kv, None), qkv_bias=bias, out_bias=bias)
    mlp = Mlp(k.count("ffn_hidden_size", limit="width", default=4 * d), bias=bias)
    n_norm = 2 if new_arch or not k.flag("parallel_attn", True) else 1
    return TransformerShape("falcon", "decoder", d, k.count("vocab_size", limit="vocab"),
                            ((Layer((attn,), mlp, n_norm), k.count("num_hidden_layers", "n_layer", limit="layers")),),
                            tied_embeddings=k.flag("tie_word_embeddings", True), norm_bias=True,
                            # 2048 is FalconConfig's default context (Falcon-7B/40B were trained at 2048)
                            max_seq_len=k.count("max_position_embeddings", limit="positions", default=2048))


def _t5(k: ConfigKeys) -> TransformerShape:
    d = k.count("d_model", limit="width")
    n_head = k.count("num_heads", limit="heads")
    head_dim = k.count("d_kv", limit="width")
    projection = k.text("feed_forward_proj", "relu")
    if projection not in ("relu", "gelu", "gated-gelu", "gated-silu"):
        raise k.fail(f"unknown feed_forward_proj {projection!r}")
    mlp = Mlp(k.count("d_ff", limit="width"), gated=projection.startswith("gated-"))
    self_attn = Attention(n_head, n_head, head_dim, causal=False)
    encoder = Layer((self_attn,), mlp, 2)
    decoder = Layer((Attention(n_head, n_head, head_dim), self_attn), mlp, 3)  # causal self, then cross
    n_enc = k.count("num_layers", limit="layers")
    buckets = k.count("relative_attention_num_buckets", limit="positions", default=32)
    return TransformerShape("t5", "encoder-decoder", d, k.count("vocab_size", limit="vocab"),
                            ((encoder, n_enc), (decoder, k.count("num_decoder_layers", limit="layers", default=n_enc))),
                            tied_embeddings=k.flag("tie_word_embeddings", True), norm_bias=False, final_norms=2,
                            extra_parameters=2 * buckets * n_head)  # one relative-position bias table per stack


def _bert(k: ConfigKeys) -> TransformerShape:
    d = k.count("hidden_size", limit="width")
    n_head = k.count("num_attention_heads", limit="heads")
    attn = Attention(n_head, n_head, k.heads(d, n_head, n_head, None), qkv_bias=True, out_bias=True, causal=False)
    mlp = Mlp(k.count("intermediate_size", limit="width"), bias=True)
    positions = k.count("max_position_embeddings", limit="positions")
    return TransformerShape("bert", "encoder", d, k.count("vocab_size", limit="vocab"),
                            ((Layer((attn,), mlp, 2), k.count("num_hidden_layers", limit="layers")),),
                            tied_embeddings=True, norm_bias=True, final_norms=1,  # the embedding LayerNorm
                            position_rows=positions, token_type_rows=k.count("type_vocab_size", limit="vocab", default=2),
                            extra_parameters=d * d + d,  # the pooler (dense + bias), part of BertModel
                            max_seq_len=positions)


READERS = {"gpt2": _gpt2, "gpt_neox": _gpt_neox, "llama": _llama, "mistral": _llama, "qwen2": _llama,
           "mixtral": _llama, "deepseek": _llama, "falcon": _falcon, "t5": _t5, "bert": _bert}
# model_type values older checkpoints carry for the same family
ALIASES = {"RefinedWeb": "falcon", "RefinedWebModel": "falcon"}
# `architectures` class names, for a config without model_type
CLASS_PREFIXES = {"GPT2": "gpt2", "GPTNeoX": "gpt_neox", "Llama": "llama", "Mistral": "mistral", "Qwen2": "qwen2",
                  "Mixtral": "mixtral", "Deepseek": "deepseek", "Falcon": "falcon", "RW": "falcon", "T5": "t5", "Bert": "bert"}


def _family(config: dict) -> str:
    model_type = config.get("model_type")
    if model_type is None:
        classes = config.get("architectures") or []
        for name in classes if isinstance(classes, list) else []:
            for prefix, family in CLASS_PREFIXES.items():
                if isinstance(name, str) and name.startswith(prefix) and name[len(prefix):][:1].isupper():
                    return family
        raise ArchitectureError("config has no 'model_type' (nor a known 'architectures' class), so the family is unknown")
    family = ALIASES.get(model_type, model_type)
    if family not in READERS:
        known = ", ".join(sorted(READERS))
        raise ArchitectureError(f"unknown architecture model_type {model_type!r}; known: {known}")
    return family


# keys each family cannot do without ("a|b": either name), checked together so one line names them all
_LLAMA = ("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "vocab_size",
          "max_position_embeddings")
REQUIRED = {"gpt2": ("n_embd", "n_layer", "n_head", "vocab_size", "n_positions"),
            "gpt_neox": _LLAMA, "llama": _LLAMA, "mistral": _LLAMA, "qwen2": _LLAMA,
            "mixtral": (*_LLAMA, "num_local_experts", "num_experts_per_tok"), "deepseek": _LLAMA,
            "falcon": ("hidden_size|n_embed", "num_hidden_layers|n_layer", "num_attention_heads|n_head", "vocab_size"),
            "t5": ("d_model", "num_layers", "num_heads", "d_kv", "d_ff", "vocab_size"),
            "bert": ("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "vocab_size",
                     "max_position_embeddings")}


def read_architecture(config: dict) -> TransformerShape:
    """The shape a config describes; ArchitectureError naming what is missing or wrong."""
    if not isinstance(config, dict):
        raise ArchitectureError(f"a config is a JSON object, got {type(config).__name__}")
    family = _family(config)
    missing = [key for key in REQUIRED[family] if all(config.get(k) is None for k in key.split("|"))]
    if missing:
        names = ", ".join(repr(key).replace("|", "' or '") for key in missing)
        raise ArchitectureError(f"{family} config: missing key{'s' if len(missing) > 1 else ''} {names}")
    return READERS[family](ConfigKeys(config, family))
