"""The shape of a transformer, as the counter needs it: what a config says, nothing computed yet.

A model is an embedding, stacks of identical layers, and an output projection. Each layer holds
one or more attentions (self, and cross in an encoder-decoder's decoder), one MLP (dense, or a
mixture of experts with optional shared experts) and some norms.
"""

from __future__ import annotations

from dataclasses import dataclass


class ArchitectureError(ValueError):
    """A config the counter cannot count: a missing key, an unknown family, a size out of range."""


@dataclass(frozen=True)
class Attention:
    n_head: int
    n_kv_head: int  # = n_head for multi-head, 1 for multi-query, between for grouped-query
    head_dim: int
    qkv_bias: bool = False
    out_bias: bool = False
    causal: bool = True
    window: int | None = None  # sliding-window length, None = the whole sequence


@dataclass(frozen=True)
class Mlp:
    d_ff: int  # intermediate size of one expert (or of the dense MLP)
    gated: bool = False  # gated MLPs (SwiGLU, GeGLU) have three matrices, not two
    bias: bool = False
    n_expert: int = 0  # routed experts; 0 = a dense MLP
    top_k: int = 0  # routed experts each token uses
    shared_d_ff: int = 0  # total intermediate size of the always-on shared experts


@dataclass(frozen=True)
class Layer:
    attentions: tuple[Attention, ...]
    mlp: Mlp
    n_norm: int  # norms in the layer


@dataclass(frozen=True)
class TransformerShape:
    family: str  # the config's model_type, e.g. "llama"
    kind: str  # "decoder", "encoder" or "encoder-decoder"
    d_model: int
    vocab_size: int
    stacks: tuple[tuple[Layer, int], ...]  # (layer, how many) in order
    tied_embeddings: bool
    norm_bias: bool  # LayerNorm has a bias; RMSNorm has not
    final_norms: int = 1
    position_rows: int = 0  # learned absolute positions (GPT-2, BERT); 0 for rotary/relative/ALiBi
    token_type_rows: int = 0  # BERT's segment embeddings
    extra_parameters: int = 0  # pooler, relative-position biases: counted, never matmuls per token
    max_seq_len: int | None = None  # the config's context length, the default sequence length

    @property
    def n_layer(self) -> int:
        return sum(count for _, count in self.stacks)
