"""Deterministic paper-like text for benchmarks: JSON lines {"id", "text"}, one made-up paper a line.

    python benchmarks/gen_paper_text.py OUT.jsonl --mb 200 [--seed 7]

Papers run from about 3 KB to 60 KB (log-uniform), in sections of templated ML-paper prose:
methods, results, related work with citations, equation-like lines, tables of numbers and a
reference list. All sentences are written here from templates, none copied from real papers.
About 1 sentence in 200 states training or inference hardware ("8 V100 GPUs for 3 days",
"1.7M A100 GPU hours"); about 1 in 150 is a trap that looks like hardware and is not
("T5", "GPT-3", "ResNet-50", "A100 km", "L4 vertebra", "batch size 32 per GPU").
1 MB here is 2**20 bytes of UTF-8 file; the same seed and size give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
from pathlib import Path

MIB = 2**20
HARDWARE_RATE = 1 / 200  # share of sentences that state hardware (the "around 1 in 200")
TRAP_RATE = 1 / 150  # share of sentences with a hardware look-alike

WORDS = {
    "method": ["our method", "the proposed model", "the baseline", "this approach", "the student network",
               "the encoder", "the retrieval module", "the policy", "our variant", "the ablated model"],
    "task": ["image classification", "machine translation", "question answering", "speech recognition",
             "semantic segmentation", "language modeling", "object detection", "summarization",
             "protein structure prediction", "code generation", "reinforcement learning from pixels"],
    "dataset": ["ImageNet", "CIFAR-10", "COCO", "WMT'14 En-De", "SQuAD v1.1", "LibriSpeech", "the Pile",
                "C4", "Atari-57", "a held-out split", "our internal corpus", "Cityscapes"],
    "metric": ["top-1 accuracy", "BLEU", "exact match", "word error rate", "mIoU", "perplexity", "F1",
               "mean average precision", "ROUGE-L", "pass@1"],
    "adj": ["robust", "simple", "scalable", "sparse", "hierarchical", "contrastive", "autoregressive",
            "lightweight", "modular", "adaptive", "stable", "efficient"],
    "noun": ["attention", "regularization", "normalization", "tokenization", "distillation", "pretraining",
             "data augmentation", "curriculum", "quantization", "mixture of experts", "dropout", "warm-up"],
    "surname": ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Haddad", "Novak", "Ferreira", "Kowalski",
                "Achterberg", "Iyer", "Castellanos", "Whitfield", "Zhou", "Petrov", "Mensah"],
    "model": ["BERT-large", "ViT-B/16", "T5", "GPT-3", "ResNet-50", "LSTM", "Transformer-XL", "U-Net",
              "ResNet-101", "RoBERTa", "Conformer", "MLP-Mixer"],
    "opt": ["Adam", "AdamW", "SGD with momentum 0.9", "Adafactor", "LAMB", "RMSProp"],
    "chip": ["V100", "A100", "H100", "P100", "K80", "Tesla V100", "A100 80GB", "RTX 3090", "GTX 1080 Ti",
             "TITAN X", "A6000", "RTX 2080 Ti", "H800", "L40S", "Ascend 910", "MI250X", "Gaudi2", "A800"],
    "tpu": ["TPU v3", "TPU v4", "TPUv2", "TPU v5e", "Cloud TPU v3", "TPU-v4"],
    "gpu": ["GPUs", "GPUs", "GPU", "graphics cards", "accelerators"],
    "verb": ["outperforms", "matches", "improves on", "lags behind", "is competitive with", "surpasses"],
}
NUMBERS = {
    "n": lambda r: str(r.choice([1, 2, 4, 8, 8, 16, 32, 64, 128, 256, 512])),
    "nword": lambda r: r.choice(["two", "four", "eight", "sixteen", "thirty-two", "a single", "one"]),
    "big": lambda r: f"{r.choice([256, 512, 1024, 2048, 4096]):,}",
    "days": lambda r: str(r.choice([1, 2, 3, 4, 5, 7, 10, 12, 14, 21, 30])),
    "hours": lambda r: str(r.choice([2, 6, 12, 18, 24, 36, 48, 72, 96])),
    "pct": lambda r: f"{r.uniform(20, 99):.1f}",
    "delta": lambda r: f"{r.uniform(0.1, 4.5):.1f}",
    "lr": lambda r: r.choice(["1e-4", "3e-4", "5e-5", "2e-5", "0.1", "1e-3"]),
    "bs": lambda r: str(r.choice([32, 64, 128, 256, 512, 1024, 4096])),
    "steps": lambda r: r.choice(["100k", "300k", "500k", "1M", "50,000", "20k"]),
    "epochs": lambda r: str(r.choice([10, 30, 90, 100, 200, 300])),
    "params": lambda r: r.choice(["110M", "340M", "1.3B", "6.7B", "13B", "70B", "25.6M", "86M"]),
    "dev": lambda r: f"{r.choice([0.3, 1.2, 1.7, 2.5, 4.1, 6.4])}{r.choice(['K', 'M', ' million', ''])}",
    "year": lambda r: str(r.randint(2012, 2025)),
    "ref": lambda r: str(r.randint(1, 80)),
    "small": lambda r: str(r.randint(2, 12)),
}
PROSE = [
    "In this work we study {task} and propose a {adj} form of {noun} that is easy to implement.",
    "Recent progress in {task} has been driven by {noun} and larger models [{ref}].",
    "{surname} et al. ({year}) showed that {noun} helps on {dataset}, but their analysis is limited to small models.",
    "Unlike prior work [{ref}, {ref}], we do not rely on {noun} at test time.",
    "On {dataset}, {method} {verb} the strongest baseline by {delta} points of {metric}.",
    "We report {metric} averaged over {small} seeds; standard deviations are below {delta}.",
    "Table {small} shows that removing {noun} costs {delta} points of {metric} on {dataset}.",
    "We optimize with {opt}, a learning rate of {lr} and a batch size of {bs}, for {steps} steps.",
    "The model is trained for {epochs} epochs with a cosine schedule and {small} epochs of linear warm-up.",
    "Our largest configuration has {params} parameters and {small} layers of {noun}.",
    "Let x denote the input and y the target; the loss is L(θ) = -Σ_i log p(y_i | x_i; θ) + λ‖θ‖².",
    "We set λ = {lr} and τ = 0.{small} in all experiments unless stated otherwise.",
    "The gradient ∇_θ L is estimated with {bs} samples per update, following {surname} and {surname} ({year}).",
    "A {adj} variant reaches {pct}% {metric}, compared with {pct}% for {model}.",
    "Figure {small} plots {metric} against model size; the curve is close to a power law with exponent 0.{small}.",
    "We find that {noun} matters most when data is scarce, as in the low-resource setting of {dataset}.",
    "Related approaches include {noun} [{ref}], {adj} {noun} [{ref}] and methods based on {noun} [{ref}].",
    "Compared with {model}, our model uses {delta}x fewer parameters while keeping {metric} within {delta} points.",
    "All hyperparameters were chosen on the validation split of {dataset} and then frozen.",
    "Error analysis shows that most failures involve rare entities and long inputs.",
    "The appendix lists the full configuration, including the tokenizer and the data filtering rules.",
    "We release code and checkpoints to make these results easy to reproduce.",
    "Ablations in Section {small} isolate the contribution of {noun} and of {adj} {noun}.",
    "This limitation suggests that {noun} alone is not sufficient for {task}.",
    "Each example is truncated to {bs} tokens and packed into sequences of length {bs}.",
    "In future work we plan to extend {method} to {task} and to multilingual settings.",
    "Inter-annotator agreement, measured with Cohen's κ, is 0.{small}{small}.",
    "Scores on {dataset} improve from {pct} to {pct} when {noun} is added (p < 0.0{small}).",
]
HARDWARE = [
    "We train on {n} {chip} {gpu} for {days} days.",
    "Training takes about {hours} hours on {nword} {chip} {gpu}.",
    "All models were trained using {big} {tpu} cores.",
    "Pretraining the largest model consumed {dev} {chip} GPU hours.",
    "The run used {small} nodes with {n} {chip} {gpu} each and lasted {days} days.",
    "Inference latency is measured on a single {chip} with batch size {bs}.",
    "We fine-tune on {n}x {chip} for {hours} hours.",
    "Experiments were run on a {tpu} pod for roughly {days} days.",
    "Each experiment fits on one {chip} GPU and finishes within {hours} hours.",
    "Our data generation step used {n} {tpu} chips for {days} days.",
]
TRAPS = [
    "We compare against {model} and T5 under the same budget.",
    "GPT-3 and ResNet-50 serve as reference points for {task}.",
    "The survey covered {small} vehicles on the A100 km stretch near the border.",
    "Lesions were most frequent at the L4 vertebra and rarely seen at L5.",
    "T4 lymphocytes were counted in {small} samples per patient.",
    "Sensors were placed along the M40 motorway for {days} days.",
    "We use a batch size of {bs} per GPU and accumulate gradients over {small} steps.",
    "Peak GPU memory grows linearly with sequence length.",
    "Tesla (1856-1943) is cited here only for the history of alternating current.",
    "The H20 variant of the protocol is described in Appendix {small}.",
]
SECTIONS = ["Introduction", "Related Work", "Method", "Experimental Setup", "Results", "Ablations",
            "Discussion", "Limitations", "Conclusion"]
SLOT = re.compile(r"\{(\w+)\}")


def fill(template: str, rng: random.Random) -> str:
    """Replace every {slot} independently (two {ref} slots get two draws)."""
    return SLOT.sub(lambda m: NUMBERS[m[1]](rng) if m[1] in NUMBERS else rng.choice(WORDS[m[1]]), template)


def write_sentence(rng: random.Random, stats: dict) -> str:
    u = rng.random()
    if u < HARDWARE_RATE:
        stats["hardware_sentences"] += 1
        return fill(rng.choice(HARDWARE), rng)
    if u < HARDWARE_RATE + TRAP_RATE:
        stats["trap_sentences"] += 1
        return fill(rng.choice(TRAPS), rng)
    stats["plain_sentences"] += 1
    return fill(rng.choice(PROSE), rng)


def write_table(rng: random.Random, number: int) -> str:
    cols = rng.sample(["Params", "FLOPs", "Acc.", "F1", "BLEU", "Steps", "Latency (ms)", "mIoU"], 4)
    rows = [f"Table {number}: Results on {rng.choice(WORDS['dataset'])}.", " | ".join(["Model"] + cols)]
    for _ in range(rng.randint(3, 10)):
        cells = [f"{rng.uniform(0.5, 99.9):.{rng.choice([1, 2])}f}" for _ in cols]
        rows.append(" | ".join([rng.choice(WORDS["model"])] + cells))
    return "\n".join(rows)


def write_references(rng: random.Random, count: int) -> str:
    lines = ["References"]
    for i in range(1, count + 1):
        authors = ", ".join(f"{rng.choice('ABCDEFGHJKLMNPRST')}. {rng.choice(WORDS['surname'])}"
                            for _ in range(rng.randint(1, 4)))
        title = f"{rng.choice(WORDS['adj']).capitalize()} {rng.choice(WORDS['noun'])} for {rng.choice(WORDS['task'])}"
        lines.append(f"[{i}] {authors}. {title}. In Proceedings of the {rng.randint(20, 41)}th Conference, "
                     f"pp. {rng.randint(1, 900)}-{rng.randint(901, 1800)}, {fill('{year}', rng)}.")
    return "\n".join(lines)


def write_paper(rng: random.Random, stats: dict) -> str:
    """One paper of about 3-60 KB: abstract, sections of paragraphs and tables, references."""
    target = int(math.exp(rng.uniform(math.log(2_000), math.log(52_000))))
    title = f"{rng.choice(WORDS['adj']).capitalize()} {rng.choice(WORDS['noun'])} for {rng.choice(WORDS['task'])}"
    parts = [title, "Abstract\n" + " ".join(write_sentence(rng, stats) for _ in range(rng.randint(4, 7)))]
    size, tables, section = sum(map(len, parts)), 0, 0
    while size < target:
        section += 1
        parts.append(f"{section} {rng.choice(SECTIONS)}")
        for _ in range(rng.randint(2, 6)):
            if rng.random() < 0.12:
                tables += 1
                parts.append(write_table(rng, tables))
            else:
                parts.append(" ".join(write_sentence(rng, stats) for _ in range(rng.randint(3, 9))))
            size += len(parts[-1]) + 2
    parts.append(write_references(rng, rng.randint(5, 8 + target // 1_000)))
    return "\n\n".join(parts)


def generate(out: Path, mb: float, seed: int) -> dict:
    """Write papers to `out` until it holds at least `mb` MiB; return counts of what was written."""
    stats = {"papers": 0, "bytes": 0, "plain_sentences": 0, "hardware_sentences": 0, "trap_sentences": 0}
    limit = int(mb * MIB)
    with out.open("wb") as fh:
        while stats["bytes"] < limit:
            rng = random.Random(seed * 1_000_003 + stats["papers"])
            line = json.dumps({"id": f"gen-{seed}-{stats['papers']:07d}", "text": write_paper(rng, stats)},
                              ensure_ascii=False).encode("utf-8") + b"\n"
            fh.write(line)
            stats["papers"] += 1
            stats["bytes"] += len(line)
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--mb", type=float, default=200.0, help="size in MiB (default 200)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.mb, args.seed)))


if __name__ == "__main__":
    main()
