"""One config in, one count out: parameters, FLOP per token and (given tokens) training FLOP."""

from __future__ import annotations

import math

from flows.transform.compute.architecture import read_architecture
from flows.transform.compute.conventions import Convention, get_convention
from flows.transform.compute.shape import ArchitectureError
from flows.transform.compute.transformer_count import (check_seq_len, count_parameters, forward_terms,
                                                       training_flop_per_token)

# Kaplan et al. 2020 / OpenAI 2018: 6 FLOP per parameter per token (2 forward + 4 backward), for comparison
SIX_N = 6
MAX_TOKENS = 1e17  # 100,000x the largest stated training sets (~1e13 tokens in 2026): beyond it a typo


def count_architecture(config: dict, seq_len: int | None = None, tokens: float | None = None,
                       convention: Convention | None = None) -> dict:
    """The count for one config as a flat dict (the `count-ops --json` object).

    seq_len defaults to the config's context length; tokens, when given, yields training_flop.
    ArchitectureError (a ValueError) names the key or value that stops the count.
    """
    convention = convention or get_convention()
    shape = read_architecture(config)
    seq_len = check_seq_len(shape, seq_len)
    params = count_parameters(shape)
    terms = forward_terms(shape, params, seq_len, convention)
    forward = sum(terms.values())
    result = {
        "family": shape.family,
        "kind": shape.kind,
        "parameter_count": params.total,
        "active_parameter_count": params.active,
        "embedding_parameter_count": params.embedding,
        "output_embedding_parameter_count": params.output_embedding,
        "non_embedding_parameter_count": params.non_embedding,
        "active_non_embedding_parameter_count": params.active_non_embedding,
        "tied_embeddings": shape.tied_embeddings,
        "n_layer": shape.n_layer,
        "seq_len": seq_len,
        "forward_flop_per_token": forward,
        "training_flop_per_token": training_flop_per_token(forward),
        "forward_flop_per_token_terms": terms,
        "six_n_flop_per_token": float(SIX_N * params.active),
        "convention": convention.name,
        "convention_detail": convention.describe(),
    }
    if tokens is not None:
        if isinstance(tokens, bool) or not isinstance(tokens, (int, float)) or not math.isfinite(tokens) \
                or not 0 < tokens <= MAX_TOKENS:
            raise ArchitectureError(f"training tokens must be a number above 0 and at most {MAX_TOKENS:.0e}, got {tokens!r}")
        result["tokens"] = tokens
        result["training_flop"] = result["training_flop_per_token"] * tokens
    return result
