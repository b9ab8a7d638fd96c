"""The counter against an independent one: torch's FlopCounterMode on the meta device (runs only
where torch is installed; torch is no dependency of flopledger).

A small PyTorch model is built from the same TransformerShape (linear layers, explicit QK^T and AV
matmuls, top-k experts fed a fixed share of the tokens, since routing is data-dependent and meta
tensors hold no data), then its parameters are summed and its forward pass counted.
"""

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from flows.transform.compute.architecture import read_architecture  # noqa: E402
from flows.transform.compute.architecture_count import count_architecture  # noqa: E402
from flows.transform.compute.conventions import get_convention  # noqa: E402

SEQ_LEN = 64
SMALL_CONFIGS = {
    "gpt2": {"model_type": "gpt2", "n_embd": 128, "n_layer": 2, "n_head": 4, "vocab_size": 1000, "n_positions": 256},
    "deepseek": {"model_type": "deepseek", "hidden_size": 128, "num_hidden_layers": 3, "num_attention_heads": 8,
                 "num_key_value_heads": 2, "intermediate_size": 384, "moe_intermediate_size": 64,
                 "n_routed_experts": 8, "num_experts_per_tok": 2, "n_shared_experts": 1, "first_k_dense_replace": 1,
                 "vocab_size": 1000, "max_position_embeddings": 256},
}


def mlp(d, d_ff, m):
    layers = nn.ModuleDict({"up": nn.Linear(d, d_ff, bias=m.bias), "down": nn.Linear(d_ff, d, bias=m.bias)})
    if m.gated:
        layers["gate"] = nn.Linear(d, d_ff, bias=m.bias)
    return layers


def run_mlp(layers, x):
    hidden = layers["up"](x)
    if "gate" in layers:
        hidden = hidden * torch.nn.functional.silu(layers["gate"](x))
    return layers["down"](torch.relu(hidden))


class Block(nn.Module):
    def __init__(self, d, layer, norm):
        super().__init__()
        a, m = layer.attentions[0], layer.mlp
        self.a = a
        self.q = nn.Linear(d, a.n_head * a.head_dim, bias=a.qkv_bias)
        self.k = nn.Linear(d, a.n_kv_head * a.head_dim, bias=a.qkv_bias)
        self.v = nn.Linear(d, a.n_kv_head * a.head_dim, bias=a.qkv_bias)
        self.o = nn.Linear(a.n_head * a.head_dim, d, bias=a.out_bias)
        self.norms = nn.ModuleList(norm(d) for _ in range(layer.n_norm))
        self.m = m
        if m.n_expert:
            self.router = nn.Linear(d, m.n_expert, bias=False)
            self.experts = nn.ModuleList(mlp(d, m.d_ff, m) for _ in range(m.n_expert))
            self.shared = mlp(d, m.shared_d_ff, m) if m.shared_d_ff else None
        else:
            self.dense = mlp(d, m.d_ff, m)

    def attention(self, x):
        a, (b, t, _) = self.a, x.shape
        q = self.q(x).view(b, t, a.n_head, a.head_dim).transpose(1, 2)
        k = self.k(x).view(b, t, a.n_kv_head, a.head_dim).transpose(1, 2)
        v = self.v(x).view(b, t, a.n_kv_head, a.head_dim).transpose(1, 2)
        groups = a.n_head // a.n_kv_head
        k, v = k.repeat_interleave(groups, dim=1), v.repeat_interleave(groups, dim=1)
        weights = torch.softmax(q @ k.transpose(-1, -2), dim=-1)  # the full t x t scores, as kernels compute them
        return self.o((weights @ v).transpose(1, 2).reshape(b, t, -1))

    def moe(self, x):
        self.router(x)
        m, flat = self.m, x.reshape(-1, x.shape[-1])
        share = flat.shape[0] * m.top_k // m.n_expert  # each expert gets an equal share of the top-k picks
        out = sum(run_mlp(expert, flat[:share]).sum() for expert in self.experts)
        return x + out + (run_mlp(self.shared, x) if self.shared is not None else 0)

    def forward(self, x):
        x = x + self.attention(self.norms[0](x))
        return x + (self.moe(x) if self.m.n_expert else run_mlp(self.dense, x))


class Model(nn.Module):
    def __init__(self, shape):
        super().__init__()
        d = shape.d_model
        norm = (lambda n: nn.LayerNorm(n)) if shape.norm_bias else (lambda n: nn.RMSNorm(n))
        self.embed = nn.Embedding(shape.vocab_size, d)
        self.positions = nn.Embedding(shape.position_rows, d) if shape.position_rows else None
        self.blocks = nn.ModuleList(Block(d, layer, norm) for layer, count in shape.stacks for _ in range(count))
        self.final = norm(d)
        self.head = None if shape.tied_embeddings else nn.Linear(d, shape.vocab_size, bias=False)

    def forward(self, ids):
        x = self.embed(ids)
        for block in self.blocks:
            x = block(x)
        x = self.final(x)
        return self.head(x) if self.head is not None else x @ self.embed.weight.T


@pytest.mark.parametrize("name", SMALL_CONFIGS)
def test_parameters_and_matmul_flop_agree_with_flop_counter_mode(name):
    config = SMALL_CONFIGS[name]
    shape = read_architecture(config)
    with torch.device("meta"):
        model = Model(shape)
        ids = torch.zeros(1, SEQ_LEN, dtype=torch.long)
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(ids)
    # every matmul counted at full attention and with the logits: kaplan-2020 with those two switched
    convention = get_convention(causal_halving=False, output_projection=True)
    ours = count_architecture(config, seq_len=SEQ_LEN, convention=convention)
    assert sum(p.numel() for p in model.parameters()) == ours["parameter_count"]
    torch_flop_per_token = counter.get_total_flops() / SEQ_LEN
    # the issue asks for 1%; with every matmul counted the two agree exactly (torch 2.13.0, 2026-12-06)
    assert torch_flop_per_token == pytest.approx(ours["forward_flop_per_token"], rel=1e-9)
