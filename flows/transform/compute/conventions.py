"""Named conventions for counting a transformer's FLOP: which terms count, said in every output.

Common to all: a multiply-add is 2 FLOP; training = 3 x forward (the backward pass costs twice
the forward: OpenAI, "AI and Compute" appendix, 2018; Kaplan et al. 2020, section 2.1).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flows.transform.compute.shape import ArchitectureError

# OpenAI 2018 appendix and Kaplan et al. 2020 sec. 2.1: backward = 2 x forward, so training = 3 x forward
TRAINING_PASSES = 3
# a multiply-add is two floating-point operations (Kaplan et al. 2020, Table 1; Hoffmann et al. 2022, App. F)
FLOP_PER_MULTIPLY_ADD = 2


@dataclass(frozen=True)
class Convention:
    base: str
    attention: bool  # the attention scores (QK^T) and the weighted sum of values count
    causal_halving: bool  # a causal token attends on average to half the context
    output_projection: bool  # the logits matmul (d_model x vocab) counts
    embedding_matmul: bool  # the input embedding counted as a one-hot matmul (Hoffmann et al.)

    @property
    def name(self) -> str:
        """The base name, plus each switch that differs from the base's own setting."""
        preset = CONVENTIONS[self.base]
        changes = [("attention", "no-attention", "attention"),
                   ("causal_halving", "full-causal-attention", "causal-halving"),
                   ("output_projection", "no-output-projection", "output-projection"),
                   ("embedding_matmul", "no-embedding-matmul", "embedding-matmul")]
        suffix = [on if getattr(self, f) else off for f, off, on in changes if getattr(self, f) != getattr(preset, f)]
        return "+".join([self.base, *suffix])

    def describe(self) -> str:
        terms = ["2 FLOP per multiply-add", "matmul weights of the active parameters"]
        if self.attention:
            terms.append("attention scores and values" + (" at the causal mean context" if self.causal_halving else " at full context"))
        if self.output_projection:
            terms.append("output projection")
        if self.embedding_matmul:
            terms.append("input embedding as a matmul")
        return f"{self.name}: " + ", ".join(terms) + f"; training = {TRAINING_PASSES} x forward"


CONVENTIONS = {
    # Kaplan et al. 2020, Table 1: C_forward = 2N + 2 n_layer n_ctx d_attn, N without embeddings;
    # the attention term equals QK^T plus AV (2 + 2 FLOP per position) over a causal mean context n_ctx/2
    "kaplan-2020": Convention("kaplan-2020", attention=True, causal_halving=True, output_projection=False,
                              embedding_matmul=False),
    # Hoffmann et al. 2022, Appendix F: embeddings and logits as matmuls, attention over the full
    # sequence (no causal halving); their softmax and other non-matmul terms are left out here
    "hoffmann-2022": Convention("hoffmann-2022", attention=True, causal_halving=False, output_projection=True,
                                embedding_matmul=True),
}
DEFAULT_CONVENTION = "kaplan-2020"


def get_convention(name: str = DEFAULT_CONVENTION, *, attention: bool | None = None,
                   causal_halving: bool | None = None, output_projection: bool | None = None) -> Convention:
    """A named convention, with any switch overridden (None keeps the convention's own)."""
    if name not in CONVENTIONS:
        raise ArchitectureError(f"unknown convention {name!r}; known: {', '.join(CONVENTIONS)}")
    switches = {"attention": attention, "causal_halving": causal_halving, "output_projection": output_projection}
    return replace(CONVENTIONS[name], **{k: v for k, v in switches.items() if v is not None})
