"""`flopledger count-ops CONFIG.json [--seq-len N] [--tokens T] [--json]`: method 1 from the architecture.

CONFIG.json is a Hugging Face config.json (GPT-2, GPT-NeoX, Llama/Mistral/Qwen2, Mixtral,
DeepSeekMoE, Falcon, T5, BERT) or a layer list of a classic vision model (see
flows/transform/compute/layers.py). No Prefect, no pandas: it reads one file and counts.
"""

from __future__ import annotations

import json
from pathlib import Path

from flows.cli.base import CliError, positive_int, positive_number


def add_count_ops_parser(sub, parser_class) -> None:
    count = sub.add_parser(
        "count-ops", help="count a model's parameters and FLOP from its config.json (method 1)",
        description="Count parameters (total, active, embeddings apart) and forward and training FLOP per token "
                    "from a Hugging Face config.json, or forward multiply-adds per example from a vision layer list. "
                    "Default convention kaplan-2020 (Kaplan et al. 2020): 2 FLOP per multiply-add, non-embedding "
                    "matmuls plus attention at the causal mean context, no output projection; training = 3 x forward.")
    count.add_argument("config", type=Path, metavar="CONFIG.json", help="a config.json or a layer-list JSON file")
    count.add_argument("--seq-len", type=positive_int, metavar="N", help="sequence length (default: the config's context length)")
    count.add_argument("--tokens", type=positive_number, metavar="T", help="training tokens: adds training_flop")
    count.add_argument("--examples", type=positive_number, metavar="N",
                       help="training examples seen (examples x epochs), for a layer list: adds training_flop")
    count.add_argument("--convention", choices=["kaplan-2020", "hoffmann-2022"], default="kaplan-2020",
                       help="which terms count (default kaplan-2020; hoffmann-2022 adds embedding and output "
                            "matmuls and counts attention over the full sequence)")
    count.add_argument("--no-attention", action="store_true", help="leave the attention scores and values out")
    count.add_argument("--causal-halving", choices=["on", "off"],
                       help="count a causal token's attention over half the context (on) or all of it (off); "
                            "default: the convention's")
    count.add_argument("--json", action="store_true", help="one JSON object")
    count.set_defaults(handler=run_count_ops)


def _read_config(path: Path):
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a UTF-8 text file") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: invalid JSON ({err.msg} at line {err.lineno} column {err.colno})") from None


def count_config(config, args) -> dict:
    """The count for one parsed config under the options in `args` (shared with the benchmark)."""
    from flows.transform.compute.architecture_count import count_architecture
    from flows.transform.compute.conventions import get_convention
    from flows.transform.compute.layers import count_layers

    if isinstance(config, dict) and "layers" in config:
        if args.tokens is not None or args.seq_len is not None:
            raise CliError("a layer list counts per example: use --examples, not --tokens or --seq-len")
        result = count_layers(config)
        if args.examples is not None:
            result["examples"] = args.examples
            result["training_flop"] = result["training_flop_per_example"] * args.examples
        return result
    if args.examples is not None:
        raise CliError("--examples is for layer lists; a transformer config takes --tokens")
    halving = None if args.causal_halving is None else args.causal_halving == "on"
    convention = get_convention(args.convention, attention=False if args.no_attention else None, causal_halving=halving)
    return count_architecture(config, args.seq_len, args.tokens, convention)


def _text(result: dict) -> str:
    def big(n):
        return f"{n:,}" if isinstance(n, int) else f"{n:.4g}"

    skip = {"forward_flop_per_token_terms", "layers", "convention_detail"}
    lines = [f"{key:<38} {big(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value}"
             for key, value in result.items() if key not in skip]
    for term, flop in result.get("forward_flop_per_token_terms", {}).items():
        lines.append(f"  forward {term:<29} {flop:.4g}")
    lines.append(f"convention: {result['convention_detail']}")
    return "\n".join(lines)


def run_count_ops(args) -> int:
    from flows.transform.compute.shape import ArchitectureError

    config = _read_config(args.config)
    try:
        result = count_config(config, args)
    except ArchitectureError as err:
        raise ValueError(f"{args.config}: {err}") from None
    print(json.dumps(result) if args.json else _text(result))
    return 0
