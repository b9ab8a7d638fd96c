"""Parameters and FLOP per token of a transformer, from its shape (method 1 of OpenAI 2018).

Parameters: every weight, bias and norm the model holds; embeddings (input tokens, learned
positions, token types, an untied output matrix) counted apart; "active" = what one token uses
(top-k of the routed experts, all shared experts and the router).

FLOP per token: 2 x the active matmul weights (each weight is one multiply-add per token), plus
the terms the convention names: attention scores and values (4 FLOP per head dimension per
attended position, so grouped- and multi-query attention save parameters, not score FLOP), the
output projection and the embedding matmul. An encoder-decoder's "token" is one encoder token
and one decoder token at the same sequence length (the decoder cross-attends to seq_len positions).
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.transform.compute.config_keys import LIMITS
from flows.transform.compute.conventions import FLOP_PER_MULTIPLY_ADD, TRAINING_PASSES, Convention
from flows.transform.compute.shape import ArchitectureError, Attention, Mlp, TransformerShape


def _attention_weights(d: int, a: Attention) -> int:
    return d * a.n_head * a.head_dim * 2 + d * a.n_kv_head * a.head_dim * 2  # Q and O; K and V


def _attention_biases(d: int, a: Attention) -> int:
    return (a.n_head + 2 * a.n_kv_head) * a.head_dim * a.qkv_bias + d * a.out_bias


def _dense_weights(d: int, d_ff: int, gated: bool) -> int:
    return (3 if gated else 2) * d * d_ff


def _dense_biases(d: int, d_ff: int, m: Mlp) -> int:
    return ((2 if m.gated else 1) * d_ff + d) * m.bias if d_ff else 0


def _mlp_weights(d: int, m: Mlp, active: bool) -> int:
    """Matmul weights of the MLP: the experts a token uses (all when not `active`), shared
    experts, and the router (d x experts)."""
    if not m.n_expert:
        return _dense_weights(d, m.d_ff, m.gated)
    experts = m.top_k if active else m.n_expert
    return experts * _dense_weights(d, m.d_ff, m.gated) + _dense_weights(d, m.shared_d_ff, m.gated) + d * m.n_expert


def _mlp_biases(d: int, m: Mlp, active: bool) -> int:
    experts = 1 if not m.n_expert else (m.top_k if active else m.n_expert)
    return experts * _dense_biases(d, m.d_ff, m) + _dense_biases(d, m.shared_d_ff, m)


def _layer_sums(shape: TransformerShape, active: bool) -> tuple[int, int]:
    """(matmul weights, all parameters) of every layer together."""
    d, weights, total = shape.d_model, 0, 0
    norm_size = d * (2 if shape.norm_bias else 1)
    for layer, count in shape.stacks:
        w = sum(_attention_weights(d, a) for a in layer.attentions) + _mlp_weights(d, layer.mlp, active)
        b = sum(_attention_biases(d, a) for a in layer.attentions) + _mlp_biases(d, layer.mlp, active)
        weights += count * w
        total += count * (w + b + layer.n_norm * norm_size)
    return weights, total


@dataclass(frozen=True)
class ParameterCount:
    total: int
    active: int
    embedding: int  # input token, position and token-type embeddings, plus an untied output matrix
    output_embedding: int  # the untied output matrix alone (0 when tied to the input embedding)
    active_matmul: int  # matmul weights one token multiplies by, embeddings excluded

    @property
    def non_embedding(self) -> int:
        return self.total - self.embedding

    @property
    def active_non_embedding(self) -> int:
        return self.active - self.embedding


def count_parameters(shape: TransformerShape) -> ParameterCount:
    d = shape.d_model
    output = 0 if shape.tied_embeddings else shape.vocab_size * d
    embedding = (shape.vocab_size + shape.position_rows + shape.token_type_rows) * d + output
    outside = embedding + shape.final_norms * d * (2 if shape.norm_bias else 1) + shape.extra_parameters
    active_matmul, active_layers = _layer_sums(shape, active=True)
    _, total_layers = _layer_sums(shape, active=False)
    return ParameterCount(total_layers + outside, active_layers + outside, embedding, output, active_matmul)


def mean_context(seq_len: int, a: Attention, causal_halving: bool) -> float:
    """Positions one token attends to, on average over a sequence of seq_len tokens. Causal with
    halving: seq_len / 2 as Kaplan et al. count it, or W - W^2 / (2 seq_len) past a window W."""
    window = a.window if a.window is not None and a.window < seq_len else None
    if not (a.causal and causal_halving):
        return float(window or seq_len)
    if window is None:
        return seq_len / 2
    return window - window * window / (2 * seq_len)


def forward_terms(shape: TransformerShape, params: ParameterCount, seq_len: int, convention: Convention) -> dict[str, float]:
    """FLOP per token by term; a term the convention leaves out is 0."""
    d, per_mac = shape.d_model, FLOP_PER_MULTIPLY_ADD
    attention = sum(count * 2 * per_mac * a.n_head * a.head_dim * mean_context(seq_len, a, convention.causal_halving)
                    for layer, count in shape.stacks for a in layer.attentions)
    embeddings_in = 2 if shape.kind == "encoder-decoder" else 1  # an encoder token and a decoder token
    return {
        "weights": float(per_mac * params.active_matmul),
        "attention": attention if convention.attention else 0.0,
        "output_projection": float(per_mac * d * shape.vocab_size) if convention.output_projection else 0.0,
        "embedding": float(embeddings_in * per_mac * d * shape.vocab_size) if convention.embedding_matmul else 0.0,
    }


def check_seq_len(shape: TransformerShape, seq_len: int | None) -> int:
    if seq_len is None:
        if shape.max_seq_len is None:
            raise ArchitectureError(f"{shape.family} config states no context length; give a sequence length (--seq-len)")
        return shape.max_seq_len
    if isinstance(seq_len, bool) or not isinstance(seq_len, int) or not 1 <= seq_len <= LIMITS["positions"]:
        raise ArchitectureError(f"sequence length must be a whole number from 1 to {LIMITS['positions']:,}, got {seq_len!r}")
    return seq_len


def training_flop_per_token(forward_flop: float) -> float:
    return TRAINING_PASSES * forward_flop
