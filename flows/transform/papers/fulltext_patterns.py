"""How papers state the facts method 1 needs, as regexes (one table, one line of why each).

Numbers take a scale word or letter ('1.3B', '300 billion', '4M', '100k'); a value is read by
fulltext_facts.scaled(). Each pattern's named group `num` holds the number and `scale` its scale.
"""

from __future__ import annotations

import re

NUM = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
SCALE = r"(?:\s*(?P<scale>[kKMBT]\b|thousand|million|billion|trillion))?"
SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9, "t": 1e12, "trillion": 1e12}
WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
                "hundred": 100}
WORD = "|".join(WORD_NUMBERS)

FACT_PATTERNS: dict[str, re.Pattern] = {
    # 'a 1.3B-parameter model', '175 billion parameters', '350M params'
    "parameter_count": re.compile(NUM + SCALE + r"[\s-]*(?:trainable\s+)?(?:parameters?|params)\b", re.I),
    # 'a batch size of 512 sequences', 'batch size of 4M tokens' (tokens -> batch_tokens)
    "batch_size": re.compile(r"batch(?:\s+size)?\s+(?:of|is|was|=|to)?\s*(?:about\s+|roughly\s+)?" + NUM + SCALE
                             + r"(?:\s+(?P<unit>tokens|sequences|examples|images|samples))?", re.I),
    # 'sequence length of 2048', 'context length of 4,096 tokens', '2048-token sequences'
    "sequence_length": re.compile(r"(?:sequence|context)\s+length\s+(?:of|is|was|=|to)?\s*" + NUM + r"|"
                                  r"(?P<num2>\d+)[\s-]token\s+(?:sequences|contexts?|windows?)", re.I),
    # 'for 300B tokens', '1.4 trillion tokens' (not after 'batch'/'length': those are taken first)
    "training_tokens": re.compile(NUM + SCALE + r"\s+(?:training\s+)?tokens\b(?!\s+(?:per|a|each)\b)", re.I),
    # '1.28M images', '14 million examples'
    "training_examples": re.compile(NUM + SCALE + r"\s+(?:training\s+)?(?:images|examples|samples|image-text pairs|"
                                    r"sentence pairs|utterances|videos)\b(?!\s+per\b)", re.I),
    # '90 epochs', 'three epochs'
    "epochs": re.compile(r"(?P<num>\d+(?:\.\d+)?|" + WORD + r")\s+(?:full\s+)?epochs?\b", re.I),
    # '300k steps', '100,000 training iterations', '1.2M updates'
    "training_steps": re.compile(NUM + SCALE + r"\s+(?:training\s+|optimi[sz](?:ation|er)\s+|gradient\s+)?"
                                 r"(?:steps|iterations|updates)\b", re.I),
    # '46.2% MFU', 'model FLOPs utilization of 52%', 'MFU of 0.41'
    "utilization": re.compile(r"(?P<num>\d+(?:\.\d+)?)\s*%\s*(?:model\s+FLOPs?\s+utili[sz]ation|MFU)\b|"
                              r"(?:model\s+FLOPs?\s+utili[sz]ation|MFU)\s*(?:\(MFU\)\s*)?(?:of|is|was|=|reached|at)?\s*"
                              r"(?:about\s+)?(?P<num2>\d+(?:\.\d+)?)\s*(?P<pct>%)?", re.I),
    # 'bfloat16', 'mixed precision (fp16)'
    "precision": re.compile(r"\b(?P<mixed>mixed[\s-]precision\s+)?(?:\()?(?P<fmt>bfloat16|bf16|float16|fp16|half[\s-]"
                            r"precision|fp8|tf32|float32|fp32|single[\s-]precision)\b", re.I),
}
PRECISION_NAMES = {"bfloat16": "bf16", "bf16": "bf16", "float16": "fp16", "fp16": "fp16", "half precision": "fp16",
                   "half-precision": "fp16", "fp8": "fp8", "tf32": "tf32", "float32": "fp32", "fp32": "fp32",
                   "single precision": "fp32", "single-precision": "fp32"}
# a dataset's size, not tokens seen ('a corpus of 1T tokens')
DATASET_BEFORE = re.compile(r"(?:dataset|corpus|collection|crawl)\w*\s+(?:of|with|contain\w*|consist\w*\s+of|"
                            r"compris\w*|total\w*)\s+(?:about\s+|roughly\s+|over\s+)?$", re.I)
# a model size as written in a sentence ('the 1.3B model', '6.7B'): groups facts into runs
SIZE = re.compile(r"(?<![\w.])(?P<num>\d+(?:\.\d+)?)\s?(?P<scale>[MBT])\b(?!\s*tokens)")

# Roles, tried in this order on the sentence, then on the section title. Each: name, pattern, why.
ROLE_CUES = [
    ("fine-tuning", re.compile(r"fine[\s-]?tun\w*|finetun\w*|instruction[\s-]tun\w*|\bSFT\b|\bLoRA\b|\bRLHF\b", re.I),
     "names fine-tuning"),
    ("inference", re.compile(r"\binferenc\w*|\bserv(?:e|ing)\b|\blatency\b|\bdecod(?:e|ing)\b|at test time|"
                             r"\bevaluat\w*|\bgenerat(?:e|ing) (?:responses|samples|text)", re.I),
     "names inference or evaluation"),
    ("baseline", re.compile(r"\bbaselines?\b|et al\.|<cit\.>|\bprior work|previous work|\bcompar\w+\s+(?:to|with|against)|"
                            r"reported (?:by|in)|original (?:paper|authors)|\bthey\b|\btheir\b", re.I),
     "describes a baseline or another group's model"),
]
TRAINING_CUE = re.compile(r"\bwe\s+(?:pre-?)?train|\bour\s+(?:\w+\s+){0,2}(?:model|network|run)|\bpre-?train\w*|"
                          r"\btrain(?:ed|ing)\b", re.I)
SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bet al)(?<!\bvs)(?<!\bFig)(?<!\bEq)[.!?](?=\s+[A-Z(\[]|\s*$)")
